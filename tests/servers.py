"""App servers in processes of their own, for the tests of what two workers or two servers share: each
`create_app` in its own Python process, with its own instance folder, served by werkzeug on a loopback
port, on the tests' database; and a browser-like session that logs in to one of them."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import requests

SERVE = """
import json, sys
from werkzeug.serving import make_server
from hotline import create_app

config = json.loads(sys.argv[1])
app = create_app(config)
app.instance_path = sys.argv[2]  # a folder of its own, as another machine would have
server = make_server("127.0.0.1", 0, app, threaded=True)
print(server.port, flush=True)
server.serve_forever()
"""

RUN_JOBS = """
import json, sys
from hotline import create_app
from hotline.jobs.scheduler import run_import_jobs

app = create_app(json.loads(sys.argv[1]))
app.instance_path = sys.argv[2]
print(run_import_jobs(app), flush=True)
"""


def settings(app) -> dict:
    """What a second server of the tests' app is configured with (the same database and secret)."""
    return {
        "TESTING": True,
        "SECRET_KEY": app.config["SECRET_KEY"],
        "DATABASE_URL": app.config["DATABASE_URL"],
        "TWILIO_AUTH_TOKEN": app.config["TWILIO_AUTH_TOKEN"],
        "LOGIN_RATE_LIMIT": app.config["LOGIN_RATE_LIMIT"],
        "IMPORT_BACKGROUND_ROWS": 3,
        "FIXED_NOW": "2026-11-28T10:00",
    }


class Server:
    def __init__(self, config: dict, instance: Path):
        instance.mkdir(parents=True, exist_ok=True)
        self.process = subprocess.Popen(
            [sys.executable, "-c", SERVE, json.dumps(config), str(instance)],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        line = self.process.stdout.readline()
        if not line.strip().isdigit():
            self.stop()
            raise RuntimeError("the server did not start")
        self.url = f"http://127.0.0.1:{int(line)}"

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)


def run_jobs(config: dict, instance: Path) -> str:
    """The scheduler's import job, once, in a process of its own beside `instance`: what it returned."""
    instance.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(
        [sys.executable, "-c", RUN_JOBS, json.dumps(config), str(instance)],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return done.stdout.strip()


class Browser:
    """A requests session on one server: GET, and POST with the page's CSRF token."""

    def __init__(self, server: Server):
        self.server, self.session = server, requests.Session()

    def on(self, server: Server) -> Browser:
        """The same cookies, sent to another server."""
        self.server = server
        return self

    def get(self, path: str) -> requests.Response:
        return self.session.get(self.server.url + path, allow_redirects=False, timeout=30)

    def post(self, path: str, data: dict | None = None, files=None, form: str | None = None) -> requests.Response:
        page = self.get(form or path).text
        token = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', page).group(1)
        return self.session.post(
            self.server.url + path,
            data={**(data or {}), "csrf_token": token},
            files=files,
            allow_redirects=False,
            timeout=60,
        )

    def login(self, email: str, password: str) -> requests.Response:
        return self.post("/login", {"email": email, "password": password})
