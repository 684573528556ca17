"""On SQLite the voice steps take turns for the database (hotline/ivr/writers.py): a step waits for
its turn instead of polling SQLite's lock, gives it back when it commits, and a step that gets no
turn before its deadline sends the caller to the backup number."""
import fcntl
import multiprocessing
import os
import subprocess
import sys
import threading
import time
import xml.etree.ElementTree as ET

import pytest
from conftest import TOKEN
from sqlalchemy import select

from hotline.extensions import db
from hotline.ivr.models import Call
from hotline.ivr.security import sign

BACKUP = "+33321000000"


def post(app, path, **params):
    params = {"CallSid": "CAturn", "From": "+33612000000", "To": "+33800000063"} | params
    return app.test_client().post(path, data=params,
                                  headers={"X-Twilio-Signature": sign("http://localhost" + path, params, TOKEN)})


def dialled(response):
    dial = ET.fromstring(response.data).find("Dial")
    return dial.text if dial is not None else None


@pytest.fixture
def turns(app, monkeypatch):
    turns = app.extensions["hotline.voice"].extensions["hotline.ivr_turns"]
    if turns is None:
        pytest.skip("SQLite only: PostgreSQL needs no turns")
    monkeypatch.setitem(app.config, "IVR_DB_TIMEOUT_SECONDS", 0.5)  # production's deadline
    app.config["BACKUP_NUMBER"] = BACKUP
    yield turns
    app.config["BACKUP_NUMBER"] = None


def free(turns) -> bool:
    """No thread of this process and no other process holds a turn."""
    with open(turns.lock_path, "a+b") as other:  # another open file: as another worker would
        try:
            fcntl.flock(other, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        fcntl.flock(other, fcntl.LOCK_UN)
    return not turns._threads.locked()


def held_in_a_thread(turns):
    """Another thread of this worker takes the turn (`taken` once it has it) until `release`."""
    taken, release = threading.Event(), threading.Event()

    def holder():
        turns.take(time.monotonic() + 5)
        taken.set()
        release.wait(5)
        turns.give_back()

    thread = threading.Thread(target=holder)
    thread.start()
    return thread, taken, release


def test_a_step_gives_its_turn_back_when_it_commits(app, turns):
    response = post(app, "/ivr/voice", CallSid="CAturn1")
    assert dialled(response) is None and ET.fromstring(response.data).find("Redirect") is not None
    assert free(turns)
    with app.app_context():
        assert db.session.scalar(select(Call.call_sid).where(Call.call_sid == "CAturn1")) == "CAturn1"


def test_a_step_waits_for_the_turn_another_thread_holds(app, turns):
    """The step starts while another thread holds the turn, and answers the menu once it is free."""
    thread, taken, release = held_in_a_thread(turns)
    taken.wait(5)
    threading.Timer(0.1, release.set).start()
    started = time.monotonic()
    response = post(app, "/ivr/voice", CallSid="CAturn2")
    waited = time.monotonic() - started
    thread.join()
    assert dialled(response) is None  # the menu, not the backup number
    assert 0.08 < waited < app.config["IVR_DB_TIMEOUT_SECONDS"]
    assert free(turns)


def hold_the_file_lock(path, ready, release):
    with open(path, "a+b") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        ready.set()
        release.wait(10)


def test_no_turn_before_the_deadline_sends_the_caller_to_the_backup(app, turns):
    """Another worker (a process) keeps the turn: the step gives up at its deadline, writes nothing,
    and the next step, once the turn is free, is answered normally."""
    from hotline.ivr.circuit import circuit_of

    context = multiprocessing.get_context("spawn")
    ready, release = context.Event(), context.Event()
    worker = context.Process(target=hold_the_file_lock, args=(turns.lock_path, ready, release))
    worker.start()
    try:
        assert ready.wait(20)
        started = time.monotonic()
        response = post(app, "/ivr/voice", CallSid="CAturn3")
        waited = time.monotonic() - started
    finally:
        release.set()
        worker.join(10)
    assert dialled(response) == BACKUP
    assert 0.9 * app.config["IVR_DB_TIMEOUT_SECONDS"] <= waited < 2
    assert free(turns)
    circuit_of(app).reset()  # the failure opened this process's circuit
    with app.app_context():
        assert db.session.scalar(select(Call).where(Call.call_sid == "CAturn3")) is None
    assert dialled(post(app, "/ivr/voice", CallSid="CAturn4")) is None


def test_the_web_pages_take_no_turn(app, turns):
    """Only the voice steps queue: a page that reads the database answers while a step holds a turn."""
    thread, taken, release = held_in_a_thread(turns)
    try:
        taken.wait(5)
        started = time.monotonic()
        response = app.test_client().get("/healthz")
        elapsed = time.monotonic() - started
    finally:
        release.set()
        thread.join()
    assert response.status_code == 200 and response.get_json() == {"status": "ok"}
    assert elapsed < 1


WSGI = """
import sys
from hotline.wsgi import app, voice
from hotline.ivr.security import sign
params = {"CallSid": "CAwsgi", "From": "+33612000000", "To": "+33800000063"}
headers = {"X-Twilio-Signature": sign("https://hotline.example.org/ivr/voice", params, "wsgi-token")}
answer = voice.test_client().post("/ivr/voice", data=params, headers=headers)
page = voice.test_client().get("/login")
print(answer.status_code, answer.mimetype, page.status_code, voice is app.extensions["hotline.voice"])
"""


def test_the_voice_line_has_a_wsgi_entry_of_its_own(tmp_path):
    """`gunicorn hotline.wsgi:voice` serves the webhooks, and nothing of the web pages."""
    database = f"sqlite:///{tmp_path}/h.db"
    env = dict(os.environ, HOTLINE_DATABASE_URL=database, HOTLINE_SECRET_KEY="x", HOTLINE_TWILIO_AUTH_TOKEN="wsgi-token",
               HOTLINE_PUBLIC_URL="https://hotline.example.org", HOTLINE_PROXY_HOPS="0", HOTLINE_ENV="production",
               HOTLINE_LOG_LEVEL="WARNING")
    subprocess.run([sys.executable, "-m", "flask", "--app", "hotline", "db", "upgrade"], env=env, check=True,
                   capture_output=True)
    done = subprocess.run([sys.executable, "-c", WSGI], env=env, capture_output=True, text=True, check=True)
    assert done.stdout.split() == ["200", "text/xml", "404", "True"], done.stdout + done.stderr
