"""The voice line's own app: its WSGI entry, a step committed through the ORM before the answer,
Twilio's retries answered the same without a second row, and its database hooks kept to its own
engine."""

import os
import subprocess
import sys
import time

import pytest
from conftest import EVICTION_NUMBER, twiml
from flask import g
from sqlalchemy import func, select, text
from test_ivr import call_row, redirect_target

from hotline.extensions import db
from hotline.ivr.models import Call


def test_a_retried_entry_makes_no_second_row_and_gets_the_same_answer(app, twilio):
    """Twilio sends a request again when its answer was lost: one call, the same greeting."""
    first = twilio("/ivr/voice", CallSid="CAretry", To=EVICTION_NUMBER)
    again = twilio("/ivr/voice", CallSid="CAretry", To=EVICTION_NUMBER)
    assert again.data == first.data
    assert redirect_target(twiml(again)) == "/ivr/postal"
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Call).where(Call.call_sid == "CAretry")) == 1
    assert call_row(app, "CAretry").path == "accueil > numero:prevention_expulsion"


@pytest.mark.parametrize(
    ("digits", "then", "step"),
    [("62200", "/ivr/route", "code_postal:62200"), ("59000", "/ivr/out-of-department", "hors_departement:59000")],
)
def test_a_retried_postal_code_is_said_once_and_answered_the_same(app, twilio, digits, then, step):
    twilio("/ivr/voice", CallSid="CAretry2", To=EVICTION_NUMBER)
    first = twilio("/ivr/postal/choice", CallSid="CAretry2", To=EVICTION_NUMBER, Digits=digits)
    again = twilio("/ivr/postal/choice", CallSid="CAretry2", To=EVICTION_NUMBER, Digits=digits)
    assert again.data == first.data and redirect_target(twiml(again)) == then
    row = call_row(app, "CAretry2")
    assert row.path == f"accueil > numero:prevention_expulsion > {step}"
    assert (row.postal_code, row.tries) == (digits, 0)


def test_a_postal_code_of_several_territories_asks_the_commune(app, twilio):
    """A code shared by communes of two territories is no territory yet: the caller names the commune."""
    twilio("/ivr/voice", CallSid="CAshared", To=EVICTION_NUMBER)
    with app.app_context():
        from hotline.reference.services import postal_places  # the demo's data decides which codes are shared

        shared = next(
            (
                code
                for code in (f"62{n:03d}" for n in range(1000))
                if len({p.territory_code for p in postal_places(code)}) > 1
            ),
            None,
        )
    if shared is None:
        pytest.skip("no postal code shared by two territories in the reference data")
    answer = twilio("/ivr/postal/choice", CallSid="CAshared", To=EVICTION_NUMBER, Digits=shared)
    assert redirect_target(twiml(answer)) == "/ivr/commune"
    row = call_row(app, "CAshared")
    assert (row.postal_code, row.territory_code, row.commune_insee) == (shared, None, None)


def test_the_web_app_engine_is_not_bounded_by_the_voice_deadline(app):
    """The voice line's deadline hooks are on its own engine: a page's SQLite connection keeps its
    usual busy timeout even where a step's deadline is set."""
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        pytest.skip("the hooks bound SQLite connections only")
    with app.app_context():
        g.ivr_deadline = time.monotonic() + 0.05
        try:
            with db.session.begin():
                assert db.session.execute(text("PRAGMA busy_timeout")).scalar() == app.config["DB_BUSY_TIMEOUT_MS"]
        finally:
            g.ivr_deadline = None


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
    env = dict(
        os.environ,
        HOTLINE_DATABASE_URL=database,
        HOTLINE_SECRET_KEY="x",
        HOTLINE_TWILIO_AUTH_TOKEN="wsgi-token",
        HOTLINE_PUBLIC_URL="https://hotline.example.org",
        HOTLINE_PROXY_HOPS="0",
        HOTLINE_ENV="production",
        HOTLINE_LOG_LEVEL="WARNING",
    )
    subprocess.run(
        [sys.executable, "-m", "flask", "--app", "hotline", "db", "upgrade"], env=env, check=True, capture_output=True
    )
    done = subprocess.run([sys.executable, "-c", WSGI], env=env, capture_output=True, text=True, check=True)
    assert done.stdout.split() == ["200", "text/xml", "404", "True"], done.stdout + done.stderr
