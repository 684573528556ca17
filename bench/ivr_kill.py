"""Nothing lost when workers die: gunicorn workers are killed with SIGKILL under load, and every
step that Twilio got an answer for must have left its call-log row.

Starts gunicorn with the documented worker model (`common.py`: 3 single-threaded processes) on SQLite with the demo
data; 16 callers walk the entry then the postal-code step (each a new Twilio-signed call, the menu's
answer checked), while a killer sends SIGKILL to a worker every `--every` seconds (gunicorn starts
another). A request cut by the kill gets no answer: Twilio would then try the Fallback URL, and such
calls are not counted. At the end, every call whose entry was answered with the menu must have its row,
and every call whose postal code was answered must have that postal code on its row.
Usage: python bench/ivr_kill.py [--seconds 20] [--every 0.5] [--callers 16]
"""

from __future__ import annotations

import argparse
import http.client
import itertools
import os
import shutil
import signal
import tempfile
import threading
import time
from pathlib import Path

from common import (
    BACKUP,
    THREADS,
    VOICE_APP,
    WORKERS,
    call_params,
    demo_database,
    free_port,
    gunicorn,
    signed,
    stop,
    wait_for,
    warm_up,
)
from sqlalchemy import select

from hotline import create_app
from hotline.extensions import db
from hotline.ivr.models import Call


class Caller(threading.Thread):
    """Walks calls until told to stop; remembers what was answered with the menu."""

    def __init__(self, port: int, number: int, stopping: threading.Event, sids: itertools.count):
        super().__init__(daemon=True)
        self.port, self.number, self.stopping, self.sids = port, number, stopping, sids
        self.entries: list[str] = []  # CallSids whose entry was answered with the menu
        self.postal: list[str] = []  # ... and whose postal code was too
        self.cut = self.backup = 0

    def post(self, path: str, params: dict) -> str | None:
        body, signature = signed(path, params)
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        try:
            connection.request(
                "POST",
                path,
                body,
                {"Content-Type": "application/x-www-form-urlencoded", "X-Twilio-Signature": signature},
            )
            response = connection.getresponse()
            text = response.read().decode()
            return text if response.status == 200 else None
        except (OSError, http.client.HTTPException):
            return None  # cut by a kill: Twilio got no answer
        finally:
            connection.close()

    def run(self) -> None:
        while not self.stopping.is_set():
            sid = f"CAkill{next(self.sids):012d}"
            for path, extra, answered in (
                ("/ivr/voice", {}, self.entries),
                ("/ivr/postal/choice", {"Digits": "62200"}, self.postal),
            ):
                text = self.post(path, call_params(sid, **extra))
                if text is None:
                    self.cut += 1
                    break
                if BACKUP in text:
                    self.backup += 1
                    break
                answered.append(sid)


def workers_of(master: int) -> list[int]:
    children = Path(f"/proc/{master}/task/{master}/children")
    return [int(pid) for pid in children.read_text().split()] if children.exists() else []


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--every", type=float, default=0.5, help="seconds between two kills")
    parser.add_argument("--callers", type=int, default=16)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="hotline-kill-"))
    env = demo_database(work)
    port = free_port()
    server = gunicorn(VOICE_APP, port, env)
    stopping, sids, kills = threading.Event(), itertools.count(), 0
    try:
        wait_for(port)
        warm_up(port)
        callers = [Caller(port, n, stopping, sids) for n in range(args.callers)]
        for caller in callers:
            caller.start()
        ends = time.monotonic() + args.seconds
        while time.monotonic() < ends:
            time.sleep(args.every)
            workers = workers_of(server.pid)
            if workers:
                os.kill(workers[kills % len(workers)], signal.SIGKILL)
                kills += 1
        stopping.set()
        for caller in callers:
            caller.join()
    finally:
        stop(server)
    entries = {sid for caller in callers for sid in caller.entries}
    postal = {sid for caller in callers for sid in caller.postal}
    app = create_app({"DATABASE_URL": env["HOTLINE_DATABASE_URL"], "SECRET_KEY": "bench", "TWILIO_AUTH_TOKEN": "x"})
    with app.app_context():
        rows = dict(
            db.session.execute(select(Call.call_sid, Call.postal_code).where(Call.call_sid.like("CAkill%"))).all()
        )
    lost_entries = len(entries - rows.keys())
    lost_postal = sum(1 for sid in postal if rows.get(sid) != "62200")
    cut = sum(caller.cut for caller in callers)
    backup = sum(caller.backup for caller in callers)
    print(
        f"\n{kills} workers killed with SIGKILL in {args.seconds:.0f} s ({args.callers} callers, "
        f"gunicorn -w {WORKERS} --threads {THREADS}, {VOICE_APP})"
    )
    print(f"entries answered with the menu: {len(entries)}, without their row: {lost_entries}")
    print(f"postal codes answered: {len(postal)}, without the postal code on their row: {lost_postal}")
    print(
        f"requests cut by a kill (no answer: Twilio tries the Fallback URL): {cut}; sent to the backup number: {backup}"
    )
    print(f"rows lost: {lost_entries + lost_postal} ({'none' if lost_entries + lost_postal == 0 else 'LOST'})")
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
