"""A bound on the database time of each voice-menu step, so that a failing or slow database sends
the caller to the backup number instead of leaving them in silence.

SQLite is a local file: its waits are lock waits and long statements, which SQLite itself can bound
(busy timeout, progress handler) in the request's own thread, on the connection a step actually
uses; a step that asks nothing of the database pays nothing. The hooks are installed on the voice
line's own engine only (`install`). A database over the network may hang
anywhere, even while connecting: the step then runs in a worker thread that the request stops
waiting for at the deadline.
"""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as DeadlineExceeded
from contextlib import contextmanager

from flask import copy_current_request_context, current_app, g, has_app_context
from sqlalchemy import event
from sqlalchemy.engine import Engine

_executor = ThreadPoolExecutor(max_workers=16, thread_name_prefix="ivr-step")
PROGRESS_EVERY = 2000  # SQLite VM instructions between two looks at the clock
BOUNDED = "hotline.ivr_bounded"  # in a pooled connection's info: its usual busy timeout, to restore

__all__ = ["DeadlineExceeded", "bounded", "install", "run"]


def _is_sqlite() -> bool:
    return current_app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite")


def _bind_sqlite(dbapi_connection, info: dict) -> None:
    """Within a bounded step, SQLite learns the deadline (`info`: the pooled connection's, read at
    check-in to undo it)."""
    deadline = g.get("ivr_deadline") if has_app_context() else None
    if deadline is None:
        return
    remaining_ms = max(1, int((deadline - time.monotonic()) * 1000))
    dbapi_connection.execute(f"PRAGMA busy_timeout={remaining_ms}")
    dbapi_connection.set_progress_handler(lambda: time.monotonic() > deadline, PROGRESS_EVERY)
    info[BOUNDED] = int(current_app.config["DB_BUSY_TIMEOUT_MS"])


def install(engine: Engine) -> None:
    """Bound the steps' SQLite transactions on the voice line's own engine (nothing for PostgreSQL,
    whose steps run in a worker thread: `run`)."""
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "begin")
    def _bound_sqlite_connection(connection) -> None:
        """When a bounded step begins a transaction, SQLite learns the deadline."""
        _bind_sqlite(connection.connection.driver_connection, connection.connection.info)

    @event.listens_for(engine, "checkin")
    def _unbound_sqlite_connection(dbapi_connection, record) -> None:
        """A bounded connection goes back to the pool as it was, in the thread that releases it (a
        connection must not be touched once another thread may have taken it)."""
        usual = record.info.pop(BOUNDED, None)
        if usual is None or dbapi_connection is None:
            return
        dbapi_connection.set_progress_handler(None, 0)
        dbapi_connection.execute(f"PRAGMA busy_timeout={usual}")


@contextmanager
def bounded(timeout: float | None):
    """Within the block, SQLite gives up (raises) once the deadline has passed."""
    if not timeout or not _is_sqlite():
        yield
        return
    g.ivr_deadline = time.monotonic() + timeout
    try:
        yield
    finally:
        g.ivr_deadline = None


def run(step, timeout: float | None):
    """step() in this thread, or in a worker thread abandoned at the deadline (network databases).

    Raises DeadlineExceeded when the worker did not finish in time.
    """
    if not timeout or _is_sqlite():
        return step()
    return _executor.submit(copy_current_request_context(step)).result(timeout=timeout)
