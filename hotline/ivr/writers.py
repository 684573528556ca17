"""On SQLite, the voice steps take turns to use the database instead of polling for its lock.

SQLite lets one writer in at a time. A writer that finds the lock taken sleeps in SQLite's busy
handler by growing steps (1, 2, 5, 10 ... 100 ms) and retries: under a burst of calls a step whose
own work takes a fraction of a millisecond waits tens of milliseconds for a lock long free, and some
reach the step's deadline (the backup number). So each voice step holds a turn while it has a
database connection: the threads of a worker queue on a lock (woken as soon as it is free), the
workers on an advisory file lock beside the database (polled every 50 µs). The turn is taken when
the step first checks a connection out of the voice app's pool, and given back when the last one
goes back, which happens when the step commits. A step that asks nothing of the database takes no
turn. Waiting for a turn is bounded by the step's deadline: a step that gets no turn in time fails
as a locked database would (the caller reaches the backup number). The web pages' writes are not
queued (they are few): SQLite's busy timeout still arbitrates between them and the voice steps.
"""
from __future__ import annotations

import fcntl
import os
import sqlite3
import threading
import time

from flask import g, has_app_context
from sqlalchemy import event
from sqlalchemy.engine import Engine

POLL_SECONDS = 0.00005  # between two tries of the file lock held by another worker
TURN = "hotline.ivr_turn"  # in a pooled connection's info: this checkout holds a turn


class NoTurn(sqlite3.OperationalError):
    """No turn before the step's deadline: to the step, a locked database."""


class Turns:
    """One per process and database file; safe to use from the worker's threads."""

    def __init__(self, lock_path: str):
        self.lock_path = lock_path
        self._threads = threading.Lock()
        self._held = threading.local()  # connections this thread holds with a turn
        self._file = None
        self._pid = None

    def _lock_file(self):
        """The lock file opened by this process (a worker forked from a parent that had it open
        would share the parent's lock, which excludes nothing)."""
        if self._pid != os.getpid():
            self._file = open(self.lock_path, "a+b")  # noqa: SIM115 - held for the process's life
            self._pid = os.getpid()
        return self._file

    def take(self, deadline: float) -> None:
        depth = getattr(self._held, "depth", 0)
        if depth:
            self._held.depth = depth + 1
            return
        if not self._threads.acquire(timeout=max(0.0, deadline - time.monotonic())):
            raise NoTurn("database is locked (no turn before the step's deadline)")
        try:
            handle = self._lock_file()
            while True:
                try:
                    fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() >= deadline:
                        raise NoTurn("database is locked (no turn before the step's deadline)") from None
                    time.sleep(POLL_SECONDS)
        except BaseException:
            self._threads.release()
            raise
        self._held.depth = 1

    def give_back(self) -> None:
        depth = getattr(self._held, "depth", 0)
        if depth > 1:
            self._held.depth = depth - 1
            return
        if depth == 1:
            self._held.depth = 0
            fcntl.flock(self._file, fcntl.LOCK_UN)
            self._threads.release()


def install(engine: Engine) -> Turns | None:
    """Queue the voice steps on this engine's database; nothing for PostgreSQL or memory."""
    database = engine.url.database
    if engine.dialect.name != "sqlite" or not database or database == ":memory:" or database.startswith("file:"):
        return None
    turns = Turns(f"{database}-voice.lock")

    @event.listens_for(engine, "checkout")
    def _take_turn(_dbapi_connection, record, _proxy):
        deadline = g.get("ivr_deadline") if has_app_context() else None
        if deadline is None:
            return
        turns.take(deadline)
        record.info[TURN] = True

    @event.listens_for(engine, "checkin")
    def _give_back(_dbapi_connection, record):
        if record.info.pop(TURN, False):
            turns.give_back()

    return turns
