"""Database engine settings: SQLite pragmas (WAL, foreign keys, busy timeout), when the web app's
transactions take SQLite's write lock, and the migrations (Flask-Migrate) bound to the app at their
first use."""

from pathlib import Path

from flask import Flask, has_request_context, request
from sqlalchemy import event

from hotline.extensions import db


def install_sqlite_pragmas(app: Flask) -> None:
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        return
    busy_ms = int(app.config["DB_BUSY_TIMEOUT_MS"])

    with app.app_context():
        engine = db.engine

    @event.listens_for(engine, "do_connect")
    def _make_folder(_dialect, _record, _cargs, _cparams):
        if engine.url.database and engine.url.database != ":memory:":
            Path(engine.url.database).parent.mkdir(parents=True, exist_ok=True)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={busy_ms}")
        if ":memory:" not in str(engine.url) and engine.url.database:
            cursor.execute("PRAGMA journal_mode=WAL")
            # In WAL mode NORMAL stays consistent after a crash and spares an fsync per commit.
            cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()


WRITING_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
COMMITTED = "hotline.committed"  # in a request's WSGI environ: it committed a transaction that may have written
READING = ("SELECT", "WITH", "PRAGMA")  # statements that leave a transaction not begun, until a write


def install_write_lock(app: Flask) -> None:
    """On SQLite, no transaction of the web app's engine ever has to turn a read lock into the write
    lock, which SQLite refuses at once ("database is locked", without waiting for the busy timeout)
    when another connection wrote since the read began.

    pysqlite's own transactions are turned off (the SQLAlchemy recipe) and begun here:
    - a request that posts (a form, an action) begins with BEGIN IMMEDIATE: it waits for the write
      lock (busy timeout) at its first statement, then its checks and its writes see one state (two
      jurists taking one callback: the second is told it is taken); once it committed, what it reads
      for its answer is read as a page is (below), so that a saved form never meets the lock again;
    - a page that is read (GET, HEAD) and a command begin nothing until their first write, which
      begins with BEGIN IMMEDIATE: their reads before it see each statement's latest commit (as
      PostgreSQL's READ COMMITTED does) and hold no snapshot; a page's audit event or a report's
      reads therefore never block a writer, and a long page never holds the write lock.
    The voice line's engine (ivr/app.py) keeps pysqlite's transactions."""
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        return
    with app.app_context():
        engine = db.engine

    @event.listens_for(engine, "connect")
    def _no_driver_transactions(dbapi_connection, _record):
        dbapi_connection.isolation_level = None

    @event.listens_for(engine, "begin")
    def _begin(connection):
        if has_request_context() and request.method in WRITING_METHODS and COMMITTED not in request.environ:
            connection.exec_driver_sql("BEGIN IMMEDIATE")

    @event.listens_for(engine, "commit")
    def _note_the_commit(connection):
        if has_request_context() and connection.connection.driver_connection.in_transaction:
            request.environ[COMMITTED] = True

    @event.listens_for(engine, "before_cursor_execute")
    def _lock_at_the_first_write(connection, cursor, statement, _parameters, context, _executemany):
        if connection.connection.driver_connection.in_transaction:
            return
        if statement.lstrip()[:9].upper().startswith((*READING, "BEGIN")) and not (
            context is not None and (context.isinsert or context.isupdate or context.isdelete)
        ):
            return
        cursor.execute("BEGIN IMMEDIATE")


class Migrations:
    """Stands in app.extensions["migrate"] for Flask-Migrate's config until a migration runs: then
    Flask-Migrate (and Alembic, about 0.13 s to import) is loaded and bound to the app. The web
    process and `hotline --help` never import Alembic; `hotline db ...` and flask_migrate's
    functions (upgrade(), used by the tests) find what they expect."""

    def __init__(self, app: Flask, directory: str):
        self.app, self.directory = app, directory

    def __getattr__(self, name: str):
        from flask_migrate import Migrate  # noqa: PLC0415 - loaded when a migration runs (see above)

        real = self.app.extensions.get("migrate")
        if real is self:
            Migrate(self.app, db, directory=self.directory)  # replaces this stand-in and adds the real `db` group
            real = self.app.extensions["migrate"]
        return getattr(real, name)


def install_migrations(app: Flask, directory: str) -> None:
    """The migration config of `hotline db ...` (Flask-Migrate's group, listed in hotline/cli.py)."""
    app.extensions["migrate"] = Migrations(app, directory)
