"""The line never dies with the database: a stopped or hanging database sends callers to the backup."""

import socket
import sqlite3
import threading
import time as clock
import xml.etree.ElementTree as ET

import pytest
from conftest import TOKEN
from flask_migrate import upgrade
from sqlalchemy import event, select, text

from hotline import create_app
from hotline.extensions import db
from hotline.ivr import security
from hotline.ivr.models import Call
from hotline.ivr.security import sign

BACKUP = "+33321000000"


def signed_post(app, path, **params):
    params = {"CallSid": "CAdown", "From": "+33612000000", "To": "+33800000063"} | params
    client = app.test_client()
    return client.post(
        path, data=params, headers={"X-Twilio-Signature": sign("http://localhost" + path, params, TOKEN)}
    )


def degraded_app(url):
    return create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "x",
            "TWILIO_AUTH_TOKEN": TOKEN,
            "DATABASE_URL": url,
            "BACKUP_NUMBER": BACKUP,
            "IVR_DB_TIMEOUT_SECONDS": 1.0,
        }
    )


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
def held():
    """The connections the hanging server accepted."""
    return []


@pytest.fixture
def hanging_server(held):
    """Accepts connections and never answers: a database that hangs."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(64)
    stop = threading.Event()

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
    def broken():
        raise RuntimeError("boom")

    monkeypatch.setattr(security, "is_signed", broken)
    app.config["BACKUP_NUMBER"] = BACKUP
    assert_dials_backup(signed_post(app, "/ivr/voice"))


def test_fallback_without_backup_number_still_speaks(tmp_path):
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "x",
            "TWILIO_AUTH_TOKEN": TOKEN,
            "DATABASE_URL": f"sqlite:///{tmp_path}/x.sqlite3",
        }
    )
    root = ET.fromstring(signed_post(app, "/ivr/fallback").data)
    assert "0 805, 16, 00, 75" in root.find("Say").text and root.find("Hangup") is not None


def test_fallback_refuses_unsigned(tmp_path):
    app = degraded_app(f"sqlite:///{tmp_path}/x.sqlite3")
    assert app.test_client().post("/ivr/fallback", data={"CallSid": "CA1"}).status_code == 403


def sqlite_only(app):
    uri = app.config["SQLALCHEMY_DATABASE_URI"]
    if not uri.startswith("sqlite:///"):
        pytest.skip("SQLite only")
    return uri[len("sqlite:///") :]


def test_locked_sqlite_database_answers_within_two_seconds(app, monkeypatch):
    """A writer holding SQLite's lock: a step that writes gives up at the deadline, in its own thread."""
    path = sqlite_only(app)
    monkeypatch.setitem(app.config, "IVR_DB_TIMEOUT_SECONDS", 0.5)
    app.config["BACKUP_NUMBER"] = BACKUP
    signed_post(app, "/ivr/voice", CallSid="CAlocked")
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
    assert 0.9 * app.config["IVR_DB_TIMEOUT_SECONDS"] < elapsed < 2  # gave up at the deadline, not before
    # The voice app's connection went back to its pool with the usual busy timeout.
    with app.extensions["hotline.voice"].app_context():
        assert db.session.execute(text("PRAGMA busy_timeout")).scalar() == app.config["DB_BUSY_TIMEOUT_MS"]


def circuit_app(url, seconds, deadline=0.5):
    return create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "x",
            "TWILIO_AUTH_TOKEN": TOKEN,
            "DATABASE_URL": url,
            "BACKUP_NUMBER": BACKUP,
            "IVR_DB_TIMEOUT_SECONDS": deadline,
            "IVR_CIRCUIT_SECONDS": seconds,
        }
    )


def timed_post(app, path, **params):
    started = clock.monotonic()
    response = signed_post(app, path, **params)
    return response, clock.monotonic() - started


def test_after_a_failure_the_circuit_answers_the_backup_at_once_without_the_database(hanging_server, held):
    """Once a step found the database hanging, callers go to the backup at once for the circuit's
    time: no step waits for the database again, none opens a connection."""
    app = circuit_app(f"postgresql://hotline@127.0.0.1:{hanging_server}/hotline", seconds=5)
    response, elapsed = timed_post(app, "/ivr/voice")
    assert_dials_backup(response)
    assert elapsed < 1
    connections = len(held)
    clock.sleep(1.2)  # past the one-second cache of the former health probe
    for path in ("/ivr/voice", "/ivr/postal/choice", "/ivr/mission", "/ivr/route", "/ivr/status"):
        response, elapsed = timed_post(app, path, CallSid="CAnext", Digits="62200", CallStatus="completed")
        assert_dials_backup(response)
        assert elapsed < 0.1, path
    assert len(held) == connections


def test_one_probe_at_a_time_then_the_circuit_closes(tmp_path):
    """A database that lost its calls table fails; once it is back, the first step after the circuit's
    time probes it (alone: the others still go to the backup) and callers get the menu again."""
    url = f"sqlite:///{tmp_path}/late.sqlite3"
    app = circuit_app(url, seconds=1, deadline=5)  # a busy machine's slowed probe must not pass the deadline
    with app.app_context():
        upgrade()
    raw = sqlite3.connect(f"{tmp_path}/late.sqlite3", isolation_level=None)
    raw.execute("ALTER TABLE calls RENAME TO calls_away")
    assert_dials_backup(signed_post(app, "/ivr/voice", CallSid="CAearly"))
    raw.execute("ALTER TABLE calls_away RENAME TO calls")
    raw.close()
    assert_dials_backup(signed_post(app, "/ivr/voice", CallSid="CAstill"))  # open: not even tried
    clock.sleep(1.1)
    voice = app.extensions["hotline.voice"]
    with voice.app_context():
        engine = db.engine
    probing, answers = threading.Event(), []

    def slow(*_args):
        probing.set()
        clock.sleep(0.3)

    event.listen(engine, "before_cursor_execute", slow, once=True)
    prober = threading.Thread(target=lambda: answers.append(signed_post(app, "/ivr/voice", CallSid="CAprobe")))
    prober.start()
    assert probing.wait(2)
    assert_dials_backup(signed_post(app, "/ivr/voice", CallSid="CAmeanwhile"))  # another thread: no second probe
    prober.join()
    assert ET.fromstring(answers[0].data).find("Redirect").text == "/ivr/mission"
    assert ET.fromstring(signed_post(app, "/ivr/voice", CallSid="CAafter").data).find("Redirect").text == "/ivr/mission"
    with app.app_context():
        assert set(db.session.scalars(select(Call.call_sid))) == {"CAprobe", "CAafter"}


def test_twenty_concurrent_callers_reach_the_backup_within_two_seconds(hanging_server):
    app = circuit_app(f"postgresql://hotline@127.0.0.1:{hanging_server}/hotline", seconds=5)
    barrier, results = threading.Barrier(20), []

    def caller(n):
        barrier.wait()
        results.append(timed_post(app, "/ivr/voice", CallSid=f"CAcrowd{n}"))

    threads = [threading.Thread(target=caller, args=(n,)) for n in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for response, elapsed in results:
        assert_dials_backup(response)
        assert elapsed < 2
