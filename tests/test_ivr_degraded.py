"""The line never dies with the database: a stopped or hanging database sends callers to the backup."""
import socket
import threading
import time as clock
import xml.etree.ElementTree as ET

import pytest
from conftest import TOKEN

from hotline import create_app
from hotline.ivr.security import sign

BACKUP = "+33321000000"


def signed_post(app, path, **params):
    params = {"CallSid": "CAdown", "From": "+33612000000", "To": "+33800000063"} | params
    client = app.test_client()
    return client.post(path, data=params, headers={"X-Twilio-Signature": sign("http://localhost" + path, params, TOKEN)})


def degraded_app(url):
    return create_app({"TESTING": True, "SECRET_KEY": "x", "TWILIO_AUTH_TOKEN": TOKEN, "DATABASE_URL": url,
                       "BACKUP_NUMBER": BACKUP, "IVR_DB_TIMEOUT_SECONDS": 1.0})


def assert_dials_backup(response):
    assert response.status_code == 200 and response.mimetype == "text/xml"
    root = ET.fromstring(response.data)
    assert root.find("Dial").text == BACKUP


@pytest.fixture
def closed_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return port  # nothing listens there any more: connections are refused at once


@pytest.fixture
def hanging_server():
    """Accepts connections and never answers: a database that hangs."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(16)
    held, stop = [], threading.Event()

    def accept():
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                held.append(server.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield server.getsockname()[1]
    stop.set()
    thread.join()
    for conn in held:
        conn.close()
    server.close()


@pytest.mark.parametrize("path", ["/ivr/voice", "/ivr/fallback", "/ivr/postal/choice"])
def test_stopped_database_dials_the_backup_number(closed_port, path):
    app = degraded_app(f"postgresql://hotline@127.0.0.1:{closed_port}/hotline")
    started = clock.monotonic()
    assert_dials_backup(signed_post(app, path, Digits="62200"))
    assert clock.monotonic() - started < 2


def test_hanging_database_answers_within_two_seconds(hanging_server):
    app = degraded_app(f"postgresql://hotline@127.0.0.1:{hanging_server}/hotline")
    started = clock.monotonic()
    assert_dials_backup(signed_post(app, "/ivr/voice"))
    assert clock.monotonic() - started < 2


def test_missing_sqlite_schema_dials_the_backup_number(tmp_path):
    app = degraded_app(f"sqlite:///{tmp_path}/empty.sqlite3")
    assert_dials_backup(signed_post(app, "/ivr/voice"))


def test_an_unexpected_error_outside_a_step_still_dials_the_backup(app, monkeypatch):
    from hotline.ivr import security

    def broken():
        raise RuntimeError("boom")

    monkeypatch.setattr(security, "is_signed", broken)
    app.config["BACKUP_NUMBER"] = BACKUP
    try:
        assert_dials_backup(signed_post(app, "/ivr/voice"))
    finally:
        app.config["BACKUP_NUMBER"] = None


def test_fallback_without_backup_number_still_speaks(tmp_path):
    app = create_app({"TESTING": True, "SECRET_KEY": "x", "TWILIO_AUTH_TOKEN": TOKEN,
                      "DATABASE_URL": f"sqlite:///{tmp_path}/x.sqlite3"})
    root = ET.fromstring(signed_post(app, "/ivr/fallback").data)
    assert "0 805, 16, 00, 75" in root.find("Say").text and root.find("Hangup") is not None


def test_fallback_refuses_unsigned(tmp_path):
    app = degraded_app(f"sqlite:///{tmp_path}/x.sqlite3")
    assert app.test_client().post("/ivr/fallback", data={"CallSid": "CA1"}).status_code == 403


def sqlite_only(app):
    uri = app.config["SQLALCHEMY_DATABASE_URI"]
    if not uri.startswith("sqlite:///"):
        pytest.skip("SQLite only")
    return uri[len("sqlite:///"):]


def test_locked_sqlite_database_answers_within_two_seconds(app):
    """A writer holding SQLite's lock: a step that writes gives up at the deadline, in its own thread."""
    import sqlite3

    path = sqlite_only(app)
    app.config["BACKUP_NUMBER"] = BACKUP
    signed_post(app, "/ivr/voice", CallSid="CAlocked")
    app.extensions["hotline.voice"].extensions["hotline.call_log"].flush()
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        started = clock.monotonic()
        response = signed_post(app, "/ivr/mission/choice", CallSid="CAlocked", Digits="1")
        elapsed = clock.monotonic() - started
    finally:
        holder.execute("ROLLBACK")
        holder.close()
        app.config["BACKUP_NUMBER"] = None
    assert_dials_backup(response)
    assert 0.9 < elapsed < 2
    # The voice app's connection went back to its pool with the usual busy timeout.
    from sqlalchemy import text

    from hotline.extensions import db

    with app.extensions["hotline.voice"].app_context():
        assert db.session.execute(text("PRAGMA busy_timeout")).scalar() == app.config["DB_BUSY_TIMEOUT_MS"]


def test_entry_keeps_answering_while_locked_then_sends_to_backup_once_the_log_fails(tmp_path):
    """The entry's row is written by the call-log writer: a short lock delays it without the caller
    noticing; once the writer fails, new callers go to the backup number; after the lock, every row lands."""
    import sqlite3

    from flask_migrate import upgrade
    from sqlalchemy import select

    from hotline.extensions import db
    from hotline.ivr.calllog import writer_of
    from hotline.ivr.models import Call

    app = create_app({"TESTING": True, "SECRET_KEY": "x", "TWILIO_AUTH_TOKEN": TOKEN, "BACKUP_NUMBER": BACKUP,
                      "DATABASE_URL": f"sqlite:///{tmp_path}/lock.sqlite3", "DB_BUSY_TIMEOUT_MS": 300,
                      "IVR_CALL_LOG_DEFERRED": True})
    with app.app_context():
        upgrade()
    holder = sqlite3.connect(tmp_path / "lock.sqlite3", isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        first = signed_post(app, "/ivr/voice", CallSid="CAfirst")
        assert ET.fromstring(first.data).find("Redirect").text == "/ivr/mission"  # the menu, not the backup
        deadline = clock.monotonic() + 3
        while not writer_of(app).failing and clock.monotonic() < deadline:
            clock.sleep(0.05)
        assert writer_of(app).failing
        clock.sleep(1.1)  # past the health probe's cache
        assert_dials_backup(signed_post(app, "/ivr/voice", CallSid="CAsecond"))
        started = clock.monotonic()  # a step that reads the row does not wait for the failing writer
        assert_dials_backup(signed_post(app, "/ivr/mission/choice", CallSid="CAfirst", Digits="1"))
        assert clock.monotonic() - started < 0.5
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert writer_of(app).flush(timeout=10)
    assert not writer_of(app).failing
    with app.app_context():
        assert set(db.session.scalars(select(Call.call_sid))) == {"CAfirst"}


def test_a_stopping_process_writes_the_call_log_it_holds(tmp_path):
    """The writer's statements are written when the process exits normally (gunicorn's SIGTERM)."""
    import subprocess
    import sys
    import textwrap

    url = f"sqlite:///{tmp_path}/exit.sqlite3"
    script = textwrap.dedent(f"""
        from flask_migrate import upgrade
        from hotline import create_app
        from hotline.ivr import calls
        from hotline.models_base import utcnow
        app = create_app({{"TESTING": True, "DATABASE_URL": "{url}"}})
        with app.app_context():
            upgrade()
        with app.extensions["hotline.voice"].test_request_context():
            for n in range(50):
                calls.start(f"CAexit{{n}}", "+33800000063", "+33612000000", utcnow(), None)
        # no flush: the process ends here
    """)
    subprocess.run([sys.executable, "-c", script], check=True, timeout=60)
    import sqlite3

    with sqlite3.connect(tmp_path / "exit.sqlite3") as connection:
        assert connection.execute("SELECT count(*) FROM calls").fetchone()[0] == 50


def test_the_call_log_can_be_written_in_the_request(app, client):
    """HOTLINE_IVR_CALL_LOG_DEFERRED=0: the entry's row exists when Twilio gets the answer, no writer."""
    from sqlalchemy import select

    from hotline.extensions import db
    from hotline.ivr.models import Call

    app.config["IVR_CALL_LOG_DEFERRED"] = False
    try:
        params = {"CallSid": "CAsync", "From": "+33612000000", "To": "+33800000063"}
        response = client.post("/ivr/voice", data=params,
                               headers={"X-Twilio-Signature": sign("http://localhost/ivr/voice", params, TOKEN)})
        assert response.status_code == 200
        with app.app_context():  # read at once: no flush
            assert db.session.scalar(select(Call.path).where(Call.call_sid == "CAsync")) == "accueil"
    finally:
        app.config["IVR_CALL_LOG_DEFERRED"] = True
