"""SQLite's write lock and the pages: a write takes it at its start, a validator writes nothing, and a
request that met a locked database is run again once (never after a commit or once its answer left)."""

from __future__ import annotations

import html
import sqlite3
import threading
from contextlib import contextmanager

import pytest
from conftest import csrf_token
from flask import Flask, Response
from sqlalchemy import event, func, select, text
from sqlalchemy.exc import OperationalError
from test_calls_page import voicemail

from hotline.consultations.forms import ConsultationForm
from hotline.core.audit import AuditEvent
from hotline.extensions import db
from hotline.ivr.models import CallbackTask
from hotline.web import lock_retry

LOCKED = "database is locked"


@pytest.fixture
def sqlite_file(app) -> str:
    with app.app_context():
        if db.engine.dialect.name != "sqlite":
            pytest.skip("SQLite's lock")
        return db.engine.url.database


@contextmanager
def other_connection(path: str, timeout: float = 0.05):
    """Another process's connection, with a tiny busy timeout."""
    connection = sqlite3.connect(path, timeout=timeout, isolation_level=None)
    try:
        yield connection
    finally:
        if connection.in_transaction:
            connection.rollback()
        connection.close()


def audit_count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(AuditEvent))


@pytest.fixture
def task(app) -> int:
    """An open callback of the eviction mission."""
    return voicemail(
        app, call_sid="CAlocks", from_number="+33655555555", mission="prevention_expulsion", territory_code="boulonnais"
    )


@contextmanager
def failing(app, statement_start: str, times: int):
    """The web engine's first `times` statements beginning with statement_start meet a locked database;
    yields the list of those statements tried."""
    tried = []
    with app.app_context():
        engine = db.engine

    def fail(_connection, _cursor, statement, _parameters, _context, _executemany):
        if statement.startswith(statement_start):
            tried.append(statement)
            if len(tried) <= times:
                raise sqlite3.OperationalError(LOCKED)

    event.listen(engine, "before_cursor_execute", fail)
    try:
        yield tried
    finally:
        event.remove(engine, "before_cursor_execute", fail)


# --- a write takes the lock at its start -------------------------------------------------------


def test_a_posted_request_holds_the_write_lock_from_its_first_statement(app, sqlite_file):
    """Its checks and its writes see one state: no other writer can slip in between and make its
    write fail half-way (as a read that upgrades to a write does)."""
    with app.test_request_context("/calls/tasks/1/claim", method="POST"):
        assert db.session.scalar(text("SELECT count(*) FROM users")) is not None  # a read, first
        with other_connection(sqlite_file) as other:
            with pytest.raises(sqlite3.OperationalError, match=LOCKED):
                other.execute("BEGIN IMMEDIATE")
        db.session.add(AuditEvent(action="test", object_type="test", object_id="1"))
        db.session.commit()
    assert audit_count(app) == 1


def test_once_committed_a_posted_request_reads_its_answer_without_the_lock(app, sqlite_file):
    """After its commit, what a form reads for its answer (a flash, a redirect) takes no lock: a saved
    consultation is never followed by an error page that leaves the jurist unsure."""
    with app.test_request_context("/consultations/new", method="POST"):
        db.session.add(AuditEvent(action="test", object_type="test", object_id="1"))
        db.session.commit()
        assert db.session.scalar(select(func.count()).select_from(AuditEvent)) == 1
        with other_connection(sqlite_file) as other:
            other.execute("BEGIN IMMEDIATE")  # not locked
        db.session.rollback()


@pytest.mark.parametrize("where", ["page", "command"])
def test_a_savepoint_read_then_written_never_fails_on_the_upgrade(app, sqlite_file, where):
    """A transaction that read, then writes while another connection wrote meanwhile: SQLite refuses
    the upgrade at once ("database is locked"). It takes the write lock at its first statement."""
    context = app.test_request_context("/", method="GET") if where == "page" else app.app_context()
    with context:
        with db.session.begin_nested():
            db.session.scalar(select(func.count()).select_from(AuditEvent))  # a read in the transaction
            with other_connection(sqlite_file) as other:
                try:
                    other.execute(
                        "INSERT INTO audit_events (at, action, object_type, object_id) "
                        "VALUES ('2026-01-01 00:00:00', 'other', 'test', '2')"
                    )
                except sqlite3.OperationalError as error:  # the write lock is ours: the other waits
                    assert LOCKED in str(error)
            db.session.add(AuditEvent(action="test", object_type="test", object_id="1"))
        db.session.commit()
    assert audit_count(app) >= 1


def test_a_page_read_holds_no_lock_until_it_writes(app, sqlite_file):
    """A page (GET) reads without a snapshot or a lock: a long report never holds a writer back."""
    with app.test_request_context("/", method="GET"):
        db.session.scalar(select(func.count()).select_from(AuditEvent))
        with other_connection(sqlite_file) as other:
            other.execute("BEGIN IMMEDIATE")
            other.execute(
                "INSERT INTO audit_events (at, action, object_type, object_id) "
                "VALUES ('2026-01-01 00:00:00', 'other', 'test', '2')"
            )
            other.commit()
        assert db.session.scalar(select(func.count()).select_from(AuditEvent)) == 1  # the latest commit
        db.session.add(AuditEvent(action="test", object_type="test", object_id="1"))
        db.session.commit()
    assert audit_count(app) == 2


# --- validators write nothing ------------------------------------------------------------------


def test_the_consultation_form_validator_does_not_flush_a_pending_audit_event(app):
    """The commune validator queries the communes: the audit event the view added before stays
    pending (with autoflush it was written there, taking the write lock in the middle of a check)."""
    written = []

    def note(_connection, _cursor, statement, *_args):
        if statement.lstrip().upper().startswith("INSERT"):
            written.append(statement)

    form_data = {
        "date": "2026-03-02",
        "mission": "info_logement",
        "mode": "telephone",
        "commune": "Lens (62300)",
        "consultant_type": "particulier",
    }
    with app.test_request_context("/consultations/new", method="POST", data=form_data):
        event.listen(db.engine, "before_cursor_execute", note)
        try:
            form = ConsultationForm(meta={"csrf": False})  # then the household read, as in the view
            db.session.add(AuditEvent(action="household.read", object_type="household", object_id="1"))
            form.validate()
            assert form.resolved_commune is not None and form.resolved_commune.insee == "62498"
            assert written == []
            db.session.rollback()
        finally:
            event.remove(db.engine, "before_cursor_execute", note)


# --- a locked request is run again, once -------------------------------------------------------


def test_a_request_that_met_a_locked_database_is_run_again_once(app, client, jurist, login, task, sqlite_file):
    login(jurist)
    token = csrf_token(client, "/calls/")
    with failing(app, "UPDATE callback_tasks", times=1) as tried:
        response = client.post(f"/calls/tasks/{task}/claim", data={"csrf_token": token})
    assert response.status_code == 302 and len(tried) == 2
    with app.app_context():
        callback = db.session.get(CallbackTask, task)
        assert (callback.status, callback.claimed_by_id) == ("claimed", jurist.id)
    page = client.get("/calls/").get_data(as_text=True)
    assert page.count("Rappel pris en charge.") == 1


def test_a_second_lock_is_the_error_page_without_a_third_run(app, client, jurist, login, task, sqlite_file):
    login(jurist)
    token = csrf_token(client, "/calls/")
    app.testing = False  # the error page, as in production (tests otherwise see the exception)
    try:
        with failing(app, "UPDATE callback_tasks", times=5) as tried:
            response = client.post(f"/calls/tasks/{task}/claim", data={"csrf_token": token})
    finally:
        app.testing = True
    assert response.status_code == 500 and len(tried) == 2
    assert "Rien n'a été enregistré" in html.unescape(response.get_data(as_text=True))
    with app.app_context():
        assert db.session.get(CallbackTask, task).status == "open"


def test_a_request_that_committed_is_not_run_again(app, client, jurist, login, make_consultation, sqlite_file):
    """The consultation's page commits its audit events, then reads: a lock met after the commit
    is the error page, and the audit events are not written twice."""
    consultation = make_consultation(jurist_id=jurist.id)
    login(jurist)
    before = audit_count(app)
    with failing(app, "SELECT consultation_revisions", times=5) as tried, pytest.raises(OperationalError):
        client.get(f"/consultations/{consultation.id}")
    assert len(tried) == 1
    assert audit_count(app) == before + 1  # consultation.read (no household)


def test_a_locked_answer_already_sent_is_not_run_again(tmp_path):
    """The retry is in the request's dispatch: once the view returned its answer (here a streamed
    body), nothing is run again."""
    mini = Flask(__name__)
    mini.config.update(SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path}/mini.sqlite3", TESTING=True)
    db.init_app(mini)
    lock_retry.install(mini)
    runs = {"view": 0, "body": 0}

    @mini.route("/view")
    def view():
        runs["view"] += 1
        if runs["view"] == 1:
            raise OperationalError("UPDATE x", {}, sqlite3.OperationalError(LOCKED))
        return "ok"

    @mini.route("/body")
    def body():
        def chunks():
            runs["body"] += 1
            yield "début"
            raise OperationalError("UPDATE x", {}, sqlite3.OperationalError(LOCKED))

        return Response(chunks())

    client = mini.test_client()
    assert client.get("/view").get_data(as_text=True) == "ok" and runs["view"] == 2
    with pytest.raises(OperationalError):
        client.get("/body").get_data()
    assert runs["body"] == 1


def test_two_threads_contending_for_one_callback_both_get_an_answer(app, jurist, make_user, task, sqlite_file):
    """Two jurists take the same callback at the same instant, in two threads: one takes it, the other
    is told who did; nobody sees an error."""
    other = make_user("jurist", name="Autre Juriste", territories=("boulonnais",))
    answers, barrier = {}, threading.Barrier(2)

    def take(user):
        client = app.test_client()
        token = csrf_token(client, "/login")
        client.post("/login", data={"email": user.email, "password": "Correct-Horse-Battery-62", "csrf_token": token})
        token = csrf_token(client, "/calls/")
        barrier.wait()
        response = client.post(f"/calls/tasks/{task}/claim", data={"csrf_token": token}, follow_redirects=True)
        answers[user.id] = (response.status_code, response.get_data(as_text=True))

    threads = [threading.Thread(target=take, args=(user,)) for user in (jurist, other)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [status for status, _ in answers.values()] == [200, 200]
    taken = [page for _, page in answers.values() if "Rappel pris en charge." in page]
    refused = [page for _, page in answers.values() if "déjà pris en charge par" in page]
    assert len(taken) == 1 and len(refused) == 1
