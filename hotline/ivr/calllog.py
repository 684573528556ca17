"""The call log's busiest writes, taken off the caller's path, and the database health the steps
check instead.

Every call goes through the entry and, most of the time, the postal-code step. Each of them records
one statement. Written in the request, the statement and its commit cost more than the rest of the
step; so these two steps hand their statement to a writer thread of their process, which writes what
has gathered in one transaction, within LINGER (50 ms), or at once when a step of this process is
about to read a call's row (`settle`).

The two statements are order-free, so that writers of different processes may land them in any order:
- the entry inserts the call's row unless it exists;
- the postal code inserts the row or completes it, unless the row already holds that postal code.
The step after the postal code (routing) does not wait for the writer: its URL carries the postal
code, signed by Twilio like the rest of the URL, and routing records it itself when the row lacks it.

What this changes, by design: a process killed without warning (SIGKILL, out of memory) loses the
statements of its last 50 ms; a stopping process writes what it holds first. A deployment that prefers
the two statements written in the request (at about half the throughput) sets
HOTLINE_IVR_CALL_LOG_DEFERRED=0. While the
database fails, statements wait and are retried (up to MAX_BACKLOG), and the steps learn of the
failure from `Health`, a probe cached for a second, and send callers to the backup number.
"""
from __future__ import annotations

import atexit
import logging
import os
import threading
import time
from collections import deque
from itertools import groupby

from flask import Flask, current_app
from sqlalchemy import make_url, select
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError

from hotline.extensions import db

log = logging.getLogger("hotline.ivr")

MAX_BATCH = 500
MAX_BACKLOG = 20_000  # statements kept while the database is away; older ones are dropped
HEALTH_TTL = 1.0  # seconds a probe's answer is trusted
LINGER = 0.05  # seconds the writer lets statements gather before a batch: one commit for many calls
SETTLE_TIMEOUT = 0.5  # seconds a step waits for the writer before reading a row


class DatabaseUnavailable(RuntimeError):
    """The call log cannot be written: the step sends the caller to the backup number."""


class CallLogWriter:
    """One per process: a queue of statements and the thread that writes them in batches."""

    def __init__(self, app: Flask):
        self.app = app
        self.dialect = make_url(app.config["SQLALCHEMY_DATABASE_URI"]).get_backend_name()
        self._reset()
        os.register_at_fork(after_in_child=self._reset)  # a forked worker starts with its own queue

    def _reset(self) -> None:
        self.failing = False
        self._cond = threading.Condition()
        self._pending: deque = deque()
        self._submitted = self._done = 0
        self._urgent = False
        self._thread: threading.Thread | None = None

    def submit(self, statement, params: dict) -> None:
        if not self.app.config["IVR_CALL_LOG_DEFERRED"]:  # the choice of strict durability over throughput
            with db.engine.begin() as connection:
                connection.execute(statement, params)
            return
        with self._cond:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="ivr-call-log", daemon=True)
                self._thread.start()
                atexit.register(self.flush, 2.0)
            if len(self._pending) >= MAX_BACKLOG:
                self._pending.popleft()
                self._done += 1
                log.error("ivr: call log backlog full; the oldest statement is dropped")
            self._pending.append((statement, params))
            self._submitted += 1
            self._cond.notify()

    def flush(self, timeout: float | None = 5.0) -> bool:
        """Wait until everything submitted so far is written (or dropped). False on timeout."""
        with self._cond:
            target = self._submitted
            if self._done >= target:
                return True
            self._urgent = True
            self._cond.notify_all()
            return self._cond.wait_for(lambda: self._done >= target, timeout)

    def _run(self) -> None:
        while True:
            with self._cond:
                self._cond.wait_for(lambda: self._pending)
                # Let statements gather for one commit, unless a step waits for them (flush).
                self._cond.wait_for(lambda: self._urgent or len(self._pending) >= MAX_BATCH, LINGER)
                self._urgent = False
                batch = [self._pending.popleft() for _ in range(min(MAX_BATCH, len(self._pending)))]
            try:
                self._write(batch)
            except Exception:  # the writer never dies: what it could not write is logged and dropped
                log.exception("ivr: call log batch of %d statements lost", len(batch))
            with self._cond:
                self._done += len(batch)
                self._cond.notify_all()

    def _write(self, batch: list) -> None:
        delay = 0.2
        with self.app.app_context():
            while True:
                try:
                    with db.engine.begin() as connection:
                        # Consecutive statements of one kind go in one executemany.
                        for statement, group in groupby(batch, key=lambda item: item[0]):
                            connection.execute(statement, [params for _, params in group])
                    if self.failing:
                        log.warning("ivr: call log writable again")
                    self.failing = False
                    return
                except DBAPIError as error:
                    if not isinstance(error, (OperationalError, InterfaceError)):
                        break  # a statement the database refuses: write the others one by one
                    if not self.failing:
                        log.error("ivr: call log cannot be written (%s); retrying", type(error.orig).__name__)
                    self.failing = True
                    time.sleep(delay)
                    delay = min(delay * 2, 5.0)
            for statement, params in batch:
                try:
                    with db.engine.begin() as connection:
                        connection.execute(statement, params)
                except DBAPIError:
                    log.exception("ivr: call log statement refused for call %s", params.get("call_sid"))


class Health:
    """Is the database answering? Asked by the steps that do not touch it themselves; the answer of
    a probe (a read of the calls table) is trusted for HEALTH_TTL seconds."""

    def __init__(self, writer: CallLogWriter):
        self.writer = writer
        self._checked_at = float("-inf")
        self._ok = False

    def check(self) -> None:
        """Raises DatabaseUnavailable when the database is known to fail."""
        now = time.monotonic()
        if now - self._checked_at >= HEALTH_TTL:
            self._ok = False
            self._checked_at = now
            from hotline.ivr.models import Call

            with db.engine.connect() as connection:
                connection.execute(select(Call.id).limit(1)).all()
            self._ok = True
        if not self._ok or self.writer.failing:
            raise DatabaseUnavailable("the call log cannot be written")


def install(app: Flask) -> None:
    writer = CallLogWriter(app)
    app.extensions["hotline.call_log"] = writer
    app.extensions["hotline.db_health"] = Health(writer)


def writer() -> CallLogWriter:
    return current_app.extensions["hotline.call_log"]


def settle() -> None:
    """Before a step reads a call's row: this process's pending statements are written first (it
    takes a batch's time), unless the writer is failing, when the step gives the caller up at once."""
    log_writer = writer()
    if log_writer.failing:
        raise DatabaseUnavailable("the call log cannot be written")
    log_writer.flush(timeout=SETTLE_TIMEOUT)


def writer_of(app: Flask) -> CallLogWriter:
    """The writer of the voice app mounted in the web app `app` (or of the voice app itself)."""
    return app.extensions.get("hotline.voice", app).extensions["hotline.call_log"]


def health() -> Health:
    return current_app.extensions["hotline.db_health"]
