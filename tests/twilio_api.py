"""A local HTTP endpoint standing in for Twilio's REST API (Messages resource), recording what it
receives. A real server, so that timeouts, held requests and killed senders happen for real.

- POST .../Messages.json creates a message; numbers in `refused` get Twilio's 400 answer for an
  invalid 'To' number (code 21211).
- GET .../Messages.json lists the recorded messages, latest first, filtered by To and DateSent>
  (or DateSent>=, DateSent<), in Twilio's page format.
- `delay`: seconds to wait, after recording a message, before answering (a slow Twilio).
- `hold()`: record the next messages, then answer only at `release()` (or at close): the sender
  can be killed while it waits.
- `fail_create` / `fail_list`: answer 500 to creations (recording nothing) or to list requests.
- `token`: when set, a request signed with another auth token gets Twilio's 401 (code 20003).
"""

from __future__ import annotations

import base64
import itertools
import json
import threading
import time
from datetime import UTC, datetime
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit


def _instant(value: str) -> datetime:
    moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _listed(message: dict, query: dict) -> bool:
    """Whether a recorded message passes the list filters To and DateSent>, DateSent>=, DateSent<."""
    sent = message["date_sent"]
    checks = {
        "To": lambda v: message.get("To") == v,
        "DateSent>": lambda v: sent > _instant(v),
        "DateSent>=": lambda v: sent >= _instant(v),
        "DateSent<": lambda v: sent < _instant(v),
    }
    return all(check(query[name]) for name, check in checks.items() if name in query)


class FakeTwilioApi:
    def __init__(self):
        self.messages: list[dict] = []
        self.refused: set[str] = set()
        self.delay = 0.0
        self.fail_create = False
        self.fail_list = False
        self.token: str | None = None
        self.list_requests: list[dict] = []
        self._released = threading.Event()
        self._released.set()
        self._ids = itertools.count(1)
        api = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 (http.server's naming)
                length = int(self.headers.get("Content-Length") or 0)
                form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
                if (refusal := self._refusal()) is not None:
                    return self._answer(*refusal)
                if api.fail_create:
                    return self._answer(500, {"code": 20500, "message": "Internal Server Error", "status": 500})
                if form.get("To") in api.refused:
                    return self._answer(400, {"code": 21211, "message": "Invalid 'To' Phone Number", "status": 400})
                sid = f"SM{next(api._ids):032d}"
                message = form | {
                    "auth": self._auth(),
                    "account": self._account(),
                    "sid": sid,
                    "date_sent": datetime.now(UTC),
                }
                api.messages.append(message)
                api._released.wait(timeout=60)
                time.sleep(api.delay)
                self._answer(201, api._resource(message))

            def do_GET(self):  # noqa: N802
                query = {k: v[0] for k, v in parse_qs(urlsplit(self.path).query).items()}
                api.list_requests.append(query)
                if (refusal := self._refusal()) is not None:
                    return self._answer(*refusal)
                if api.fail_list:
                    return self._answer(500, {"code": 20500, "message": "Internal Server Error", "status": 500})
                found = [api._resource(m) for m in reversed(api.messages) if _listed(m, query)]
                self._answer(
                    200,
                    {
                        "messages": found,
                        "next_page_uri": None,
                        "page": 0,
                        "page_size": int(query.get("PageSize", 50)),
                        "uri": urlsplit(self.path).path,
                    },
                )

            def _refusal(self):
                if not urlsplit(self.path).path.endswith("/Messages.json"):
                    return 404, {"code": 20404, "message": "Not found", "status": 404}
                if api.token is not None and self._auth().partition(":")[2] != api.token:
                    return 401, {"code": 20003, "message": "Authenticate", "status": 401}
                return None

            def _auth(self) -> str:
                encoded = self.headers.get("Authorization", "Basic ").split(" ", 1)[1]
                return base64.b64decode(encoded or b"").decode()

            def _account(self) -> str:
                return self.path.split("/")[3] if self.path.count("/") >= 4 else ""

            def _answer(self, code, payload):
                body = json.dumps(payload).encode()
                try:
                    self.send_response(code)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                except OSError:  # the client gave up (timeout) or was killed
                    pass

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @staticmethod
    def _resource(message: dict) -> dict:
        return {
            "sid": message["sid"],
            "status": "sent",
            "to": message.get("To"),
            "from": message.get("From"),
            "body": message.get("Body"),
            "account_sid": message["account"],
            "date_sent": format_datetime(message["date_sent"], usegmt=True),
        }

    def hold(self):
        self._released.clear()

    def release(self):
        self._released.set()

    def close(self):
        self.release()
        self.server.shutdown()
        self.server.server_close()
