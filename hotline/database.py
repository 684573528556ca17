"""Database engine settings: SQLite pragmas (WAL, foreign keys, busy timeout)."""
from pathlib import Path

from flask import Flask
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
