"""A page request that found SQLite's database locked is run once more, from the start.

SQLite lets one writer in at a time; a writer waits for the lock up to the busy timeout, then gets
"database is locked". The request is then rolled back and run again, once, as the browser sent it
(its session cookie read again, the user loaded again), provided that nothing was sent yet and that
it committed nothing before the error (running it again could then do a thing twice). A second
failure is the usual error page. The web pages only: the voice line (ivr/) has its own answer to a
failing database (its circuit and the backup number) and never waits twice.
"""

from __future__ import annotations

import logging
import sqlite3

from flask import Flask, g, request, session
from flask.globals import request_ctx
from sqlalchemy.exc import OperationalError

from hotline.core.database import COMMITTED
from hotline.extensions import db

log = logging.getLogger("hotline")
# In the request's WSGI environ (a test's app context outlives its requests; the environ does not):
RAN_AGAIN = "hotline.ran_again"  # this request was already run again


def is_locked(error: BaseException) -> bool:
    """SQLite's SQLITE_BUSY, as SQLAlchemy or the driver raises it."""
    cause = error.orig if isinstance(error, OperationalError) else error
    return isinstance(cause, sqlite3.OperationalError) and "database is locked" in str(cause)


def install(app: Flask) -> None:
    """After database.install_write_lock, which notes the request's commits."""
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        return

    @app.errorhandler(OperationalError)
    def run_again_once(error: OperationalError):
        """Raised again (the error page) unless the request may be run again; an error of the second
        run goes to its own handler (a 403 stays a 403), a locked database again to the error page."""
        if not is_locked(error) or request.environ.get(RAN_AGAIN) or request.environ.get(COMMITTED):
            raise error
        request.environ[RAN_AGAIN] = True
        log.warning("database locked: %s %s run again", request.method, request.url_rule)
        db.session.rollback()
        sent = app.session_interface.open_session(app, request)  # the session as the browser sent it
        if sent is not None:
            session.clear()
            session.update(sent)
        request_ctx.flashes = None
        g.pop("_login_user", None)  # Flask-Login loads the user again
        try:
            response = app.preprocess_request()
            return response if response is not None else app.dispatch_request()
        except Exception as again:  # noqa: BLE001 - every error goes to its own handler, as in Flask
            return app.handle_user_exception(again)
