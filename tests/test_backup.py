"""`hotline backup FILE` makes a copy that restores, by the steps README.md gives ("Backups"), and finds
the data; SQLite's copy is consistent while the app writes."""

import os
import shutil
import sqlite3
import stat
import subprocess
import threading
import time

import pytest
from flask_migrate import upgrade
from sqlalchemy import select

from hotline import create_app
from hotline.consultations.models import Household
from hotline.extensions import db
from hotline.jobs.backup import BackupError, copy_sqlite, libpq_target, pg_tool


def _is_postgresql(app) -> bool:
    with app.app_context():
        return db.engine.url.get_backend_name() == "postgresql"


def _names(app) -> list[str]:
    with app.app_context():
        names = list(db.session.scalars(select(Household.name).order_by(Household.name)))
        db.session.remove()
        return names


def test_a_backup_restores_and_holds_the_data(app, runner, make_household, make_consultation, tmp_path):
    if _is_postgresql(app):
        try:
            pg_tool("pg_dump"), pg_tool("pg_restore")
        except BackupError:
            pytest.skip("PostgreSQL's client programs (pg_dump, pg_restore) are not installed")
    household = make_household(name="Famille Sauvegardée", phone="+33611111111")
    make_consultation(household=household, notes="Avant la sauvegarde")
    target = tmp_path / "sauvegarde"
    result = runner.invoke(args=["backup", str(target)])
    assert result.exit_code == 0, result.output
    assert f"Sauvegarde écrite dans {target}" in result.output
    assert stat.S_IMODE(target.stat().st_mode) == 0o600  # personal data: readable by its owner only
    assert os.listdir(tmp_path) == ["sauvegarde"]  # no partial file left behind
    make_household(name="Famille Postérieure")  # written after the backup: not in it
    if _is_postgresql(app):
        restored = _restore_postgresql(app, target)
    else:
        # README: stop the app, put the copy in place of the database file, `hotline db upgrade`.
        shutil.copy(target, tmp_path / "hotline.sqlite3")
        restored = create_app({"TESTING": True, "DATABASE_URL": f"sqlite:///{tmp_path / 'hotline.sqlite3'}"})
        with restored.app_context():
            upgrade()
    assert _names(restored) == ["Famille Sauvegardée"]
    with restored.app_context():
        assert (
            db.session.scalar(select(Household).where(Household.name == "Famille Sauvegardée")).consultations[0].notes
            == "Avant la sauvegarde"
        )
        db.session.remove()


def _restore_postgresql(app, dump):
    """README: pg_restore --clean --if-exists --no-owner --single-transaction --dbname URL FILE, into the
    test's own database (the rest of the run goes on with the restored schema and reference data)."""
    with app.app_context():
        url = db.engine.url
        db.session.remove()
        db.engine.dispose()
    conninfo, env = libpq_target(url)
    done = subprocess.run(
        [
            pg_tool("pg_restore"),
            "--clean",
            "--if-exists",
            "--no-owner",
            "--single-transaction",
            "--dbname",
            conninfo,
            str(dump),
        ],
        env=env,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    return app


def test_the_backup_folder_must_exist(runner, tmp_path):
    result = runner.invoke(args=["backup", str(tmp_path / "absent" / "sauvegarde")])
    assert result.exit_code == 1 and "Le dossier" in result.output and "n'existe pas" in result.output
    assert not (tmp_path / "absent").exists()


def test_the_sqlite_copy_is_one_instant_while_writers_go_on(tmp_path):
    """A writer commits pairs of rows while the backup runs: the copy holds whole pairs only."""
    source_path = tmp_path / "live.sqlite3"
    setup = sqlite3.connect(source_path)
    setup.execute("PRAGMA journal_mode=WAL")
    setup.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, payload TEXT)")
    setup.executemany("INSERT INTO t (payload) VALUES (?)", [("x" * 500,)] * 20000)
    setup.commit()
    setup.close()
    stop = threading.Event()
    written = []

    def write():
        writer = sqlite3.connect(source_path, timeout=10)
        while not stop.is_set():
            with writer:
                writer.executemany("INSERT INTO t (payload) VALUES (?)", [("pair",), ("pair",)])
            written.append(2)
        writer.close()

    thread = threading.Thread(target=write)
    thread.start()
    try:
        while not written:
            time.sleep(0.001)
        source = sqlite3.connect(source_path, timeout=10)
        copy_sqlite(source, tmp_path / "copy.sqlite3")
        source.close()
    finally:
        stop.set()
        thread.join()
    copy = sqlite3.connect(tmp_path / "copy.sqlite3")
    pairs = copy.execute("SELECT count(*) FROM t WHERE payload = 'pair'").fetchone()[0]
    assert copy.execute("SELECT count(*) FROM t WHERE payload != 'pair'").fetchone()[0] == 20000
    assert pairs % 2 == 0 and pairs > 0
    assert copy.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    copy.close()


def test_a_missing_pg_dump_is_said_in_french(monkeypatch):
    monkeypatch.setenv("PATH", "/nonexistent")
    monkeypatch.setattr("hotline.jobs.backup.PG_BIN_DIRS", "/nonexistent")
    with pytest.raises(BackupError, match="pg_dump est introuvable"):
        pg_tool("pg_dump")
