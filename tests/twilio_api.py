"""A local HTTP endpoint standing in for Twilio's REST API (Messages resource), recording what it
receives. Numbers in `refused` get Twilio's 400 answer for an invalid 'To' number (code 21211)."""
from __future__ import annotations

import base64
import itertools
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs


class FakeTwilioApi:
    def __init__(self):
        self.messages: list[dict] = []
        self.refused: set[str] = set()
        self._ids = itertools.count(1)
        api = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 (http.server's naming)
                length = int(self.headers.get("Content-Length") or 0)
                form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
                auth = base64.b64decode(self.headers.get("Authorization", "Basic ").split(" ", 1)[1] or b"").decode()
                account = self.path.split("/")[3] if self.path.count("/") >= 4 else ""
                if not self.path.endswith("/Messages.json"):
                    return self._answer(404, {"code": 20404, "message": "Not found", "status": 404})
                if form.get("To") in api.refused:
                    return self._answer(400, {"code": 21211, "message": "Invalid 'To' Phone Number", "status": 400})
                sid = f"SM{next(api._ids):032d}"
                api.messages.append(form | {"auth": auth, "account": account, "sid": sid})
                self._answer(201, {"sid": sid, "status": "queued", "to": form.get("To"), "from": form.get("From"),
                                   "body": form.get("Body"), "account_sid": account})

            def _answer(self, code, payload):
                body = json.dumps(payload).encode()
                self.send_response(code)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()
