"""What the voice-line benchmarks share: the documented worker model, a demo database, signed
Twilio requests, servers started and stopped."""

from __future__ import annotations

import http.client
import os
import signal
import socket
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlencode

from twilio.request_validator import RequestValidator

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
TOKEN = "bench-auth-token"
PUBLIC = "https://hotline.example.org"
BACKUP = "+33321000000"
# The voice line's production worker model (README, "Production notes"): its own server,
# `hotline.wsgi:voice`, 3 single-threaded (sync) processes.
VOICE_APP = "hotline.wsgi:voice"
WORKERS, THREADS = 3, 1


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(port: int, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"nothing listens on {port}")


def warm_up(port: int, requests: int = 40, timeout: float = 60) -> None:
    """Until every worker has booted and answers: a port that listens is not enough (gunicorn binds
    it before its workers have imported the app)."""
    path = "/ivr/mission"  # a question: signature and TwiML, no database
    body, signature = signed(path, call_params("CAwarmup"))
    deadline = time.monotonic() + timeout

    def answered() -> bool:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        try:
            connection.request(
                "POST",
                path,
                body,
                {"Content-Type": "application/x-www-form-urlencoded", "X-Twilio-Signature": signature},
            )
            response = connection.getresponse()
            response.read()
            return True  # any answer: the worker is up (the bare app knows no such step)
        except OSError:
            return False
        finally:
            connection.close()

    while time.monotonic() < deadline:
        started = time.monotonic()
        with ThreadPoolExecutor(max_workers=requests) as pool:
            if all(pool.map(lambda _: answered(), range(requests))) and time.monotonic() - started < 0.5:
                return
    raise RuntimeError(f"the server on {port} is not answering")


def environment(database_url: str, **extra: str) -> dict:
    """Production settings (Twilio signature checked, the real clock), as .env.example advises."""
    return dict(
        os.environ,
        HOTLINE_DATABASE_URL=database_url,
        HOTLINE_SECRET_KEY="bench",
        HOTLINE_TWILIO_AUTH_TOKEN=TOKEN,
        HOTLINE_PUBLIC_URL=PUBLIC,
        HOTLINE_PROXY_HOPS="0",
        HOTLINE_BACKUP_NUMBER=BACKUP,
        HOTLINE_IVR_DB_TIMEOUT="0.5",
        HOTLINE_LOG_LEVEL="WARNING",
        HOTLINE_ENV="production",
        **extra,
    )


def flask_command(env: dict, *args: str) -> None:
    """`hotline ...` run from this checkout (python -m puts it first on the path)."""
    subprocess.run(
        [sys.executable, "-m", "flask", "--app", "hotline", *args], env=env, cwd=ROOT, check=True, capture_output=True
    )


def demo_database(folder: Path) -> dict:
    """A SQLite database with the demo data, and the environment that names it."""
    env = environment(f"sqlite:///{folder}/bench.sqlite3")
    flask_command(env, "db", "upgrade")
    flask_command(env, "demo")
    return env


def gunicorn(
    app: str, port: int, env: dict, cwd: Path = ROOT, workers: int = WORKERS, threads: int = THREADS
) -> subprocess.Popen:
    return subprocess.Popen(
        [
            str(BIN / "gunicorn"),
            "-w",
            str(workers),
            "--threads",
            str(threads),
            "-b",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
            app,
        ],
        env=env,
        cwd=cwd,
        start_new_session=True,
    )


def stop(server: subprocess.Popen) -> None:
    """SIGTERM to the whole group, as at a deployment; SIGKILL if it is still there after 40 s."""
    for sig, grace in ((signal.SIGTERM, 40), (signal.SIGKILL, 10)):
        try:
            os.killpg(server.pid, sig)
            server.wait(timeout=grace)
            return
        except ProcessLookupError:
            return
        except subprocess.TimeoutExpired:
            continue


def signed(path: str, params: dict) -> tuple[str, str]:
    """(url-encoded body, X-Twilio-Signature) of a POST to `path`, as Twilio would send it."""
    return urlencode(params), RequestValidator(TOKEN).compute_signature(PUBLIC + path, params)


def call_params(call_sid: str, **extra: str) -> dict:
    return {
        "CallSid": call_sid,
        "AccountSid": "AC" + "0" * 32,
        "From": "+33612000000",
        "To": "+33800000063",
        "CallStatus": "in-progress",
        **extra,
    }
