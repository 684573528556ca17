"""`hotline backup FILE`: a consistent copy of the database, taken while the app runs.

- SQLite: the online backup API (sqlite3.Connection.backup) copies the database in one read
  transaction: in WAL mode writers go on meanwhile, and the copy is the state of one instant.
- PostgreSQL: `pg_dump --format=custom` (one snapshot too); restore it with `pg_restore`
  (README.md, "Backups"). pg_dump is found on PATH, else in Debian's /usr/lib/postgresql/*/bin.

The copy holds personal data: it is written readable by its owner only (0600), under a temporary
name first, then renamed, so that FILE is never a half-written backup.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from glob import glob
from pathlib import Path

import click
from flask.cli import with_appcontext
from sqlalchemy.engine import URL

from hotline.extensions import db

PG_BIN_DIRS = "/usr/lib/postgresql/*/bin"


class BackupError(click.ClickException):
    """A backup that could not be made, said in French."""


def pg_tool(name: str) -> str:
    """The path of a PostgreSQL client program (pg_dump, pg_restore): PATH first, then the newest Debian one."""
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(glob(f"{PG_BIN_DIRS}/{name}"), key=_major_version)
    if not candidates:
        raise BackupError(
            f"{name} est introuvable : installez le client PostgreSQL (paquet Debian "
            "postgresql-client) ou mettez son dossier dans PATH."
        )
    return candidates[-1]


def _major_version(path: str) -> int:
    version = Path(path).parent.parent.name  # /usr/lib/postgresql/<version>/bin/<name>
    return int(version) if version.isdigit() else 0


def libpq_target(url: URL) -> tuple[str, dict[str, str]]:
    """(connection URL without the password, environment with PGPASSWORD): no password on a command line."""
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    return url.set(drivername="postgresql", password=None).render_as_string(hide_password=False), env


def copy_sqlite(source: sqlite3.Connection, target: Path) -> None:
    """Copies a live SQLite database into target (a new file) in one step, then checks the copy."""
    destination = sqlite3.connect(target)
    try:
        source.backup(destination)  # pages=-1: everything in one read transaction, one instant's state
        if destination.execute("PRAGMA quick_check").fetchone()[0] != "ok":
            raise BackupError("La copie de la base est endommagée : rien n'a été enregistré.")
    finally:
        destination.close()


def _dump_postgresql(url: URL, target: Path) -> None:
    conninfo, env = libpq_target(url)
    done = subprocess.run(
        [pg_tool("pg_dump"), "--format=custom", "--file", str(target), "--dbname", conninfo],
        env=env,
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        raise BackupError(f"pg_dump a échoué : {done.stderr.strip()}")


def backup(target: Path) -> str:
    """Writes a backup of the app's database to target; returns the method used."""
    target = target.resolve()
    if not target.parent.is_dir():
        raise BackupError(f"Le dossier {target.parent} n'existe pas.")
    partial = target.with_name(f".{target.name}.partial")
    partial.unlink(missing_ok=True)
    os.close(os.open(partial, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
    url = db.engine.url
    try:
        if url.get_backend_name() == "sqlite":
            with db.engine.connect() as connection:
                copy_sqlite(connection.connection.driver_connection, partial)
            method = "sauvegarde en ligne SQLite"
        elif url.get_backend_name() == "postgresql":
            _dump_postgresql(url, partial)
            method = "pg_dump au format custom, à restaurer avec pg_restore"
        else:
            raise BackupError(f"Base {url.get_backend_name()} : sauvegarde non prise en charge.")
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)
    return method


@click.command("backup", help="Sauvegarder la base de données dans FILE (pendant que l'application tourne).")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@with_appcontext
def backup_command(file: Path):
    method = backup(file)
    size = f"{file.stat().st_size:,}".replace(",", " ")
    click.echo(
        f"Sauvegarde écrite dans {file} ({method}, {size} octets). "
        "Elle contient des données personnelles : gardez-la chiffrée et à accès restreint."
    )
