"""The scheduler process: it refuses to start without Twilio's real credentials, and the web
process never imports it (nor APScheduler)."""

import os
import subprocess
import sys
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select
from twilio_api import FakeTwilioApi

from hotline.appointments import services
from hotline.auth.models import User
from hotline.consultations.models import Household
from hotline.extensions import db
from hotline.sms.models import SmsMessage

ROOT = Path(__file__).resolve().parents[1]
PARIS = ZoneInfo("Europe/Paris")


def python(*args: str, env: dict | None = None, timeout: float = 30) -> subprocess.CompletedProcess:
    """This checkout's package in a clean interpreter."""
    return subprocess.run([sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout)


def test_the_web_app_does_not_import_the_scheduler():
    result = python(
        "-c",
        "import sys; from hotline import create_app; "
        "create_app({'TESTING': True, 'DATABASE_URL': 'sqlite://'}); "
        "print('apscheduler' in sys.modules, 'hotline.jobs.scheduler' in sys.modules)",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False", "False"]


def test_the_scheduler_commands_are_still_listed_and_run(runner):
    listing = runner.invoke(args=["--help"]).output
    assert all(name in listing for name in ("scheduler", "reminders", "purge"))
    result = runner.invoke(args=["purge", "--dry-run"])
    assert result.exit_code == 0 and result.output.startswith("À effacer :")
    assert "send" in runner.invoke(args=["reminders", "--help"]).output


@pytest.mark.parametrize("missing", ["HOTLINE_TWILIO_AUTH_TOKEN", "HOTLINE_TWILIO_ACCOUNT_SID", "HOTLINE_SMS_FROM"])
def test_the_scheduler_does_not_start_without_twilio(app, make_user, make_household, missing):
    """Without the real auth token (the CLI would make one up), it says so and exits; nothing is marked."""
    jurist = make_user("jurist", missions=("info_logement",))
    household = make_household(name="Famille Martin", phone="+33612345678")
    with app.app_context():
        user = db.session.get(User, jurist.id)
        services.book(
            db.session.get(Household, household.id),
            mission="info_logement",
            jurist=user,
            booked_by=user,
            now=datetime(2026, 12, 1, 8, tzinfo=PARIS),
            zone=PARIS,
            sms_reminder=True,
            office_at=datetime(2026, 12, 8, 9, 0),
        )
        db.session.commit()
    api = FakeTwilioApi()
    settings = {
        "HOTLINE_TWILIO_AUTH_TOKEN": "token",
        "HOTLINE_TWILIO_ACCOUNT_SID": "AC" + "2" * 32,
        "HOTLINE_SMS_FROM": "+33700000000",
    }
    env = {k: v for k, v in os.environ.items() if not k.startswith("HOTLINE_")}
    env |= {k: v for k, v in settings.items() if k != missing} | {
        "HOTLINE_DATABASE_URL": app.config["DATABASE_URL"],
        "HOTLINE_ENV": "production",
        "HOTLINE_SECRET_KEY": "s",
        "HOTLINE_TWILIO_API_URL": api.url,
        "HOTLINE_FIXED_NOW": "2026-12-07T12:00",
    }
    try:
        result = python("-m", "flask", "--app", "hotline", "scheduler", env=env, timeout=20)
    except subprocess.TimeoutExpired:
        pytest.fail("the scheduler started")
    finally:
        api.close()
    assert result.returncode != 0
    assert "Le planificateur ne démarre pas" in result.stderr and missing in result.stderr
    assert api.messages == []
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(SmsMessage)) == 0
