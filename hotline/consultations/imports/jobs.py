"""Background imports of big consultation files: the `import_jobs` table, and the service that queues
and runs them.

The import page stores a file of more than IMPORT_BACKGROUND_ROWS data rows in the database (table
`import_files`, in chunks of 1 MB) and queues a job, so that the runner may be beside another app server
than the one that received it (two servers, one PostgreSQL); the scheduler process (or `hotline
consultations import-jobs run`) runs the queued jobs one at a time: the same import as the page's
(importer: one validation pass, then the write pass, one transaction; the job's end state commits with
the rows, so a job is `done` exactly when its rows are there), from a temporary copy of the file. The
stored file is deleted when the job ends.

Progress: the import's transaction is not visible to the page until it commits. On PostgreSQL the
running job writes its state and rows done to its row through a connection of its own (the import's
transaction touches that row only at its end); on SQLite, which has one server and whose one write
lock the import holds, to a small file in the instance folder (`<name>.progress`). The page reads either.

One runner at a time: a runner holds a lock that its process's end releases: a PostgreSQL advisory lock
(every server shares it), or on SQLite an exclusive lock on a file of the folder (flock). A job found
validating or writing by the runner holding the lock was therefore left by a process that died: it is
marked failed, and its file deleted; its rows were never committed.
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
import re
import secrets
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import BinaryIO

from flask import current_app
from sqlalchemy import JSON, ForeignKey, Integer, LargeBinary, String, delete, null, select, text, update
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.sql import ColumnElement

from hotline.consultations.imports import write as importer
from hotline.consultations.imports.parse import Problem, Problems
from hotline.core import clock
from hotline.core.audit import AuditEvent
from hotline.core.models_base import UTCDateTime, utcnow
from hotline.extensions import db

log = logging.getLogger("hotline.import_jobs")

STATES = {
    "queued": "en attente",
    "validating": "vérification",
    "writing": "écriture",
    "done": "terminé",
    "failed": "échec",
}
RUNNING = ("validating", "writing")
DEFAULT_BACKGROUND_ROWS = 5000
INTERRUPTED = (
    "Import interrompu (le processus qui le faisait s'est arrêté) : rien n'a été importé. Déposez le fichier à nouveau."
)
UNEXPECTED = (
    "Erreur inattendue pendant l'import : rien n'a été importé. Déposez le fichier à nouveau ; si "
    "l'erreur revient, prévenez l'administrateur."
)
ERASED_FILENAME = "(fichier effacé)"  # the uploaded file's name, once past its retention
LOCK_NAME = ".runner.lock"
MIN_MENTION = 3  # a shorter name would match every error list
CHUNK = 1 << 20
ADVISORY_LOCK = 0x686F746C696E65  # "hotline": the runner's PostgreSQL advisory lock


class ImportJob(db.Model):
    """A consultations import run in the background. `errors`: [[line, column, French message], ...], the
    first importing.MAX_PROBLEMS; `more_errors`: how many others the file had (counted, not kept)."""

    __tablename__ = "import_jobs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    state: Mapped[str] = mapped_column(String(20), default="queued", index=True)
    # A random name while the file is stored (import_files; its progress file on SQLite); None once deleted.
    stored_name: Mapped[str | None] = mapped_column(String(64))
    filename: Mapped[str] = mapped_column(String(255))  # as uploaded, shown on the page
    rows_total: Mapped[int | None] = mapped_column(Integer)  # counted lines when queued, then rows checked
    rows_done: Mapped[int] = mapped_column(Integer, default=0)
    created: Mapped[int | None] = mapped_column(Integer)
    updated: Mapped[int | None] = mapped_column(Integer)
    errors: Mapped[list | None] = mapped_column(JSON)
    more_errors: Mapped[int | None] = mapped_column(Integer)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    @property
    def running(self) -> bool:
        return self.state in ("queued", *RUNNING)

    @property
    def problems(self) -> Problems:
        found = Problems()
        found.extend(Problem(*error) for error in self.errors or ())
        found.more += self.more_errors or 0
        return found

    @property
    def errors_erased(self) -> bool:
        """A failed job always has errors, until the retention purge erases them."""
        return self.state == "failed" and not self.errors


class ImportFile(db.Model):
    """The bytes of a queued job's file, in chunks: every app server's runner reads them."""

    __tablename__ = "import_files"

    job_id: Mapped[int] = mapped_column(ForeignKey("import_jobs.id", ondelete="CASCADE"), primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, primary_key=True)
    data: Mapped[bytes] = mapped_column(LargeBinary)


# --- queueing (the page) ---------------------------------------------------------------------------


def folder() -> Path:
    """The runner's local folder (SQLite: its lock and the progress files): IMPORT_FOLDER, else `imports` in the
    instance folder."""
    return Path(current_app.config.get("IMPORT_FOLDER") or Path(current_app.instance_path) / "imports")


def background_rows() -> int:
    """Files with more data rows than this are imported in the background (HOTLINE_IMPORT_BACKGROUND_ROWS)."""
    return int(current_app.config.get("IMPORT_BACKGROUND_ROWS") or DEFAULT_BACKGROUND_ROWS)


def data_rows(stream: BinaryIO) -> int:
    """The number of lines after the header (a line break inside a quoted cell counts too: an estimate,
    for the threshold and the progress until the check has counted). Rewinds the stream."""
    stream.seek(0)
    lines, last = 0, b"\n"
    while chunk := stream.read(CHUNK):
        lines += chunk.count(b"\n")
        last = chunk[-1:]
    stream.seek(0)
    return max(0, lines + (last != b"\n") - 1)


def queue(stream: BinaryIO, filename: str, author_id: int | None, rows: int) -> ImportJob:
    """Store the upload in the database and queue its job. Flushes only: the view commits."""
    job = ImportJob(
        stored_name=f"{secrets.token_hex(16)}.csv",
        filename=(filename or "fichier.csv")[:255],
        rows_total=rows,
        created_by_id=author_id,
    )
    db.session.add(job)
    db.session.flush()
    stream.seek(0)
    seq = 0
    while chunk := stream.read(CHUNK):
        db.session.add(ImportFile(job_id=job.id, seq=seq, data=chunk))
        db.session.flush()  # one chunk in memory at a time
        seq += 1
    return job


def may_see(user, job: ImportJob) -> bool:
    return user.role == "admin" or (job.created_by_id is not None and job.created_by_id == user.id)


def recent(user, limit: int = 10) -> list[ImportJob]:
    """The user's latest jobs (every user's for an administrator), newest first."""
    query = select(ImportJob).order_by(ImportJob.id.desc()).limit(limit)
    if user.role != "admin":
        query = query.where(ImportJob.created_by_id == user.id)
    return list(db.session.scalars(query))


def progress_of(job: ImportJob) -> tuple[str, int, int | None]:
    """(state, rows done, rows total) as the page shows them: while the job runs, from its progress file
    (SQLite), else as its row says (PostgreSQL: the runner writes them there)."""
    if job.state in RUNNING and job.stored_name:
        try:
            found = json.loads(_progress_path(job).read_text())
            return found["state"], found["rows_done"], found["rows_total"]
        except (OSError, ValueError, KeyError):
            pass
    return job.state, job.rows_done, job.rows_total


# --- retention (hotline/privacy/retention.py) --------------------------------------------------------------


def ended_before(limit: datetime) -> ColumnElement[bool]:
    """Jobs that ended before `limit` and still hold their errors (they quote the file's cells) or their
    file's name (it may name a person). Queued and running jobs never match."""
    return (
        ImportJob.state.in_(("done", "failed"))
        & ImportJob.finished_at.is_not(None)
        & (ImportJob.finished_at < limit)
        & (ImportJob.errors.is_not(None) | (ImportJob.filename != ERASED_FILENAME))
    )


def erase_mentions(names: Iterable[str], phones: Iterable[str]) -> int:
    """At a household's erasure: the jobs whose errors or file name mention one of these names or file
    references (case aside; MIN_MENTION characters at least) or phone numbers (the last 9 digits, whatever
    the separators) lose their errors and file name now, as the retention purge would later. Errors no
    longer quote the file's cells; those written before did. Returns how many jobs. Flushes only."""
    words = {name.casefold().strip() for name in names if name and len(name.strip()) >= MIN_MENTION}
    numbers = {digits[-9:] for digits in (re.sub(r"\D", "", phone or "") for phone in phones) if len(digits) >= 9}
    if not words and not numbers:
        return 0
    found = []
    query = select(ImportJob.id, ImportJob.errors, ImportJob.filename).where(
        ImportJob.errors.is_not(None) | (ImportJob.filename != ERASED_FILENAME)
    )
    for job_id, errors, filename in db.session.execute(query):
        texts = [filename or "", *(f"{column} {message}" for _, column, message in errors or ())]
        if any(_mentions(text, words, numbers) for text in texts):
            found.append(job_id)
    if found:
        erase(ImportJob.id.in_(found))
    return len(found)


def _mentions(text: str, words: set[str], numbers: set[str]) -> bool:
    folded = str(text).casefold()
    digits = re.sub(r"[\s.()/+-]", "", folded)
    return any(word in folded for word in words) or any(number in digits for number in numbers)


def erase(condition: ColumnElement[bool]) -> None:
    """Empties the errors (SQL NULL, not JSON null) and the file's name of the jobs matching condition; the
    rest of the row (state, counts, author, dates) stays. Flushes only."""
    db.session.execute(
        update(ImportJob)
        .where(condition)
        .values(errors=null(), filename=ERASED_FILENAME)
        .execution_options(synchronize_session=False)
    )


# --- running (the scheduler, the command) ----------------------------------------------------------


def _progress_path(job: ImportJob) -> Path:
    return folder() / f"{job.stored_name}.progress"


def _on_sqlite() -> bool:
    return db.engine.dialect.name == "sqlite"


class _Progress:
    """Writes the running job's state and rows done where the page reads them: its row, through a connection
    of its own (PostgreSQL), or a file in the folder (SQLite; replaced whole, never half-written)."""

    def __init__(self, job: ImportJob):
        self.job_id, self.state, self.done, self.total = job.id, "validating", 0, job.rows_total
        self.path = _progress_path(job)
        self.write()

    def write(self) -> None:
        if not _on_sqlite():
            with db.engine.begin() as connection:
                connection.execute(
                    update(ImportJob)
                    .where(ImportJob.id == self.job_id)
                    .values(state=self.state, rows_done=self.done, rows_total=self.total)
                )
            return
        scratch = self.path.with_suffix(".tmp")
        scratch.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        scratch.write_text(json.dumps({"state": self.state, "rows_done": self.done, "rows_total": self.total}))
        os.replace(scratch, self.path)

    def add(self, rows: int) -> None:
        self.done += rows
        self.write()

    def writing(self, total: int) -> None:
        self.state, self.done, self.total = "writing", 0, total
        self.write()


@contextmanager
def _runner_lock() -> Iterator[bool]:
    """True when this process is the one runner (the lock is then held until the block ends)."""
    if not _on_sqlite():  # held by a connection of its own, whose end (the process's) releases it
        with db.engine.connect() as connection:
            alone = connection.execute(text("SELECT pg_try_advisory_lock(:key)"), {"key": ADVISORY_LOCK}).scalar()
            connection.commit()
            try:
                yield bool(alone)
            finally:
                if alone:
                    connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": ADVISORY_LOCK})
                    connection.commit()
        return
    where = folder()
    where.mkdir(mode=0o700, parents=True, exist_ok=True)
    with open(where / LOCK_NAME, "a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def run_pending() -> int | None:
    """Mark the jobs a dead runner left failed, then run the queued jobs one at a time, oldest first.
    Returns how many ran; None at once if another runner is at work. Commits."""
    with _runner_lock() as alone:
        if not alone:
            return None
        recover()
        ran = 0
        while (
            job := db.session.scalar(
                select(ImportJob).where(ImportJob.state == "queued").order_by(ImportJob.id).limit(1)
            )
        ) is not None:
            run(job)
            ran += 1
        return ran


def recover() -> int:
    """Jobs left validating or writing (their runner died: the caller holds the lock) are failed. Commits."""
    left = list(db.session.scalars(select(ImportJob).where(ImportJob.state.in_(RUNNING))))
    for job in left:
        _finish(job, "failed", [Problem(0, "", INTERRUPTED)])
    db.session.commit()
    return len(left)


def run(job: ImportJob) -> None:
    """Import the job's file: its rows and its `done` commit together; or nothing, and `failed` with the
    errors. The file goes in either case."""
    job.state, job.started_at, job.rows_done = "validating", utcnow(), 0
    db.session.commit()
    job_id = job.id
    try:
        result = _import(job)
    except Exception as error:  # the message may quote the file's data: only its kind is logged
        db.session.rollback()
        log.error("import job %s failed: %s", job_id, type(error).__name__)
        result = importer.ImportResult.refused(Problem(0, "", UNEXPECTED))
    if result.problems:
        db.session.rollback()
        _finish(db.session.get(ImportJob, job_id), "failed", result.problems)
    else:
        job.created, job.updated = result.created, result.updated
        job.rows_done = job.rows_total = result.created + result.updated
        db.session.add(
            AuditEvent(
                action="consultations.import",
                object_type="import_job",
                object_id=str(job.id),
                user_id=job.created_by_id,
            )
        )
        _finish(job, "done", [])
    try:
        db.session.commit()
    except Exception as error:  # e.g. the database went away at the commit: nothing was kept
        db.session.rollback()
        log.error("import job %s failed at commit: %s", job_id, type(error).__name__)
        _finish(db.session.get(ImportJob, job_id), "failed", [Problem(0, "", UNEXPECTED)])
        db.session.commit()


def _import(job: ImportJob) -> importer.ImportResult:
    """The job's row is left alone until the end: on PostgreSQL the progress writes it meanwhile."""
    progress = _Progress(job)
    today = clock.local_today()
    with tempfile.TemporaryFile() as stream:
        _copy_file(job.id, stream)
        result = importer.check(stream, today, progress.add, keep=True)
        if result.problems:
            return result
        progress.writing(result.created + result.updated)
        return importer.import_file(stream, job.created_by_id, today, written=progress.add, checked_already=result)


class FileMissing(LookupError):
    """A queued job whose file is not (or no longer) in the database."""


def _copy_file(job_id: int, out: BinaryIO) -> None:
    """The stored file, chunk by chunk, into `out` (rewound)."""
    seqs = db.session.scalars(select(ImportFile.seq).where(ImportFile.job_id == job_id).order_by(ImportFile.seq))
    found = False
    for seq in list(seqs):
        out.write(db.session.scalar(select(ImportFile.data).where(ImportFile.job_id == job_id, ImportFile.seq == seq)))
        found = True
    if not found:
        raise FileMissing(job_id)
    out.seek(0)


def _finish(job: ImportJob, state: str, problems: list[Problem]) -> None:
    """The end state, the errors (the first MAX_PROBLEMS, and a count of the others), and the file and its
    progress deleted. Flushes only."""
    kept = Problems()
    kept.extend(problems)
    kept.more += getattr(problems, "more", 0)
    job.state, job.finished_at = state, utcnow()
    job.errors = [[p.line, p.column, p.message] for p in kept] or None
    job.more_errors = kept.more or None
    if job.stored_name:
        progress = _progress_path(job)
        for path in (progress, progress.with_suffix(".tmp")):
            path.unlink(missing_ok=True)
        job.stored_name = None
    db.session.execute(delete(ImportFile).where(ImportFile.job_id == job.id))
    db.session.flush()
