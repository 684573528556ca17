"""Shared fixtures: one app for the whole run, a clean database per test, factories, and helpers
for logging in, CSRF tokens and signed Twilio requests.

The database is SQLite in a temporary folder, or the PostgreSQL server named by
HOTLINE_TEST_DATABASE_URL (as .ci/run does).
"""

from __future__ import annotations

import itertools
import os
import re
import xml.etree.ElementTree as ET
from datetime import date, datetime
from pathlib import Path

import pytest
from flask_migrate import upgrade
from sqlalchemy import delete, text

from hotline import create_app
from hotline.extensions import db, limiter
from hotline.ivr.circuit import circuit_of
from hotline.ivr.security import sign
from hotline.reference.seed import sync as seed_reference

TOKEN = "test-twilio-auth-token"
EVICTION_NUMBER = "+33800000062"
INFO_NUMBER = "+33800000063"
PASSWORD = "Correct-Horse-Battery-62"
DATA = Path(__file__).resolve().parent / "data"  # the files the tests read, kept in the repository
SAMPLE_CONSULTATIONS = DATA / "sample-consultations.csv"  # the import sample of docs/formats.md


def mutable_tables() -> list:
    """Every table of the models except the reference data (territories, communes...: the migrations load
    them once), children first: what a test may have written, emptied after it."""
    from hotline.reference import models as reference

    kept = {value.__table__ for value in vars(reference).values() if hasattr(value, "__table__")}
    return [table for table in reversed(db.metadata.sorted_tables) if table not in kept]


def database_url(tmp_path_factory) -> str:
    url = os.environ.get("HOTLINE_TEST_DATABASE_URL")
    if url:
        return url
    return "sqlite:///" + str(tmp_path_factory.mktemp("db") / "test.sqlite3")


@pytest.fixture(scope="session")
def app(tmp_path_factory):
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test-secret-key",
            "DATABASE_URL": database_url(tmp_path_factory),
            "TWILIO_AUTH_TOKEN": TOKEN,
            # A loaded test machine must not send a healthy step to the backup number; the tests of the
            # deadline itself set the production value (0.5 s) or make apps of their own.
            "IVR_DB_TIMEOUT_SECONDS": 3.0,
            "IVR_NUMBERS": {EVICTION_NUMBER: "prevention_expulsion"},
            "LOGIN_RATE_LIMIT": "10000 per minute",
            "SERVER_NAME": None,
        }
    )
    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            with db.engine.begin() as connection:
                connection.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        upgrade()
    return app


@pytest.fixture(autouse=True)
def clean_database(app):
    settings = dict(app.config)  # a test's config changes end with it (FIXED_NOW, BACKUP_NUMBER...)
    yield
    for key in set(app.config) - set(settings):
        del app.config[key]
    app.config.update(settings)
    circuit_of(app).reset()
    with app.app_context():
        db.session.remove()
        for table in mutable_tables():
            db.session.execute(delete(table))
        db.session.commit()
        with db.engine.begin() as connection:
            seed_reference(connection)  # puts back the default opening hours
        limiter.reset()


@pytest.fixture
def ctx(app):
    with app.app_context():
        yield
        db.session.rollback()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


_counter = itertools.count(1)
_hashes: dict[str, str] = {}


def hashed(password: str) -> str:
    """Argon2 is slow by design: hash each test password once per run."""
    from hotline.auth.passwords import hash_password

    if password not in _hashes:
        _hashes[password] = hash_password(password)
    return _hashes[password]


@pytest.fixture
def make_user(app):
    def make(
        role="jurist",
        *,
        missions=("info_logement", "prevention_expulsion"),
        territories=(),
        phone=None,
        email=None,
        name=None,
        password=PASSWORD,
        active=True,
    ):
        from hotline.auth.services import create_user

        n = next(_counter)
        with app.app_context():
            user = create_user(
                email or f"user{n}@example.org",
                name or f"Utilisateur {n}",
                role,
                None,
                phone=phone,
                missions=missions if role == "jurist" else (),
                territories=territories,
            )
            user.password_hash = hashed(password)
            user.active = active
            db.session.commit()
            db.session.refresh(user)
            db.session.expunge(user)
            return user

    return make


def csrf_token(client, url: str) -> str:
    html = client.get(url).get_data(as_text=True)
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html) or re.search(
        r'name="csrf_token" value="([^"]+)"', html
    )
    assert match, f"no CSRF token on {url}"
    return match.group(1)


@pytest.fixture
def login(client):
    def do(user, password=PASSWORD):
        token = csrf_token(client, "/login")
        response = client.post("/login", data={"email": user.email, "password": password, "csrf_token": token})
        assert response.status_code == 302, response.get_data(as_text=True)[:500]
        return client

    return do


@pytest.fixture
def jurist(make_user):
    return make_user("jurist", territories=("lens-henin",), phone="+33612345678", name="Julie Juriste")


@pytest.fixture
def make_household(app):
    def make(**fields):
        from hotline.consultations.models import Household

        with app.app_context():
            household = Household(**fields)
            db.session.add(household)
            db.session.commit()
            db.session.refresh(household)
            db.session.expunge(household)
            return household

    return make


@pytest.fixture
def make_consultation(app):
    def make(**overrides):
        from hotline.consultations import services

        data = {
            "date": date(2026, 3, 2),
            "mission": "info_logement",
            "mode": "telephone",
            "commune_insee": "62498",
            "territory_code": "lens-henin",
            "themes": ["rapports_locatifs"],
        }
        household = overrides.pop("household", None)
        data.update(overrides)
        with app.app_context():
            if household is not None:
                household = db.session.merge(household)
            consultation = services.record_consultation(data, data.get("jurist_id"), household)
            db.session.commit()
            db.session.refresh(consultation)
            db.session.expunge(consultation)
            return consultation

    return make


def twiml(response) -> ET.Element:
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.mimetype == "text/xml"
    root = ET.fromstring(response.data)
    assert root.tag == "Response"
    return root


@pytest.fixture
def twilio(app, client):
    """POST signed like Twilio: twilio('/ivr/voice', CallSid='CA1', Digits='1')."""

    def post(path, token=TOKEN, **params):
        base = {"AccountSid": "AC" + "0" * 32, "From": "+33612000000", "To": INFO_NUMBER}
        base.update(params)
        signature = sign("http://localhost" + path, base, token)
        return client.post(path, data=base, headers={"X-Twilio-Signature": signature})

    return post


def at_local(text_value: str) -> datetime:
    from zoneinfo import ZoneInfo

    return datetime.fromisoformat(text_value).replace(tzinfo=ZoneInfo("Europe/Paris"))
