"""SMS reminders go out exactly once, even when Twilio answers late, fails, or the sender is killed:
the outbox (hotline/sms/outbox.py) against a real local HTTP server standing in for Twilio's REST API."""

import logging
import os
import signal
import subprocess
import sys
import threading
import time as clock
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from conftest import TOKEN
from sqlalchemy import select, update
from twilio_api import FakeTwilioApi

from hotline.appointments import services
from hotline.appointments.models import Appointment
from hotline.auth.models import User
from hotline.consultations.models import Household
from hotline.extensions import db
from hotline.jobs.scheduler import send_reminders
from hotline.sms.models import SmsMessage
from hotline.sms.outbox import OUTCOMES, enqueue

ROOT = Path(__file__).resolve().parents[1]
PARIS = ZoneInfo("Europe/Paris")
PHONE = "+33612345678"
ACCOUNT = "AC" + "1" * 32
DAY_BEFORE = "2026-12-07T10:00"  # the appointment is on 8 December at 9:00: its reminder is due


def outcomes(**counts) -> dict[str, int]:
    return dict.fromkeys(OUTCOMES, 0) | counts


def at(local: str) -> datetime:
    return datetime.fromisoformat(local).replace(tzinfo=PARIS).astimezone(UTC)


@pytest.fixture
def booked(app, make_user, make_household):
    """An office appointment of the Martin household on 8 December at 9:00, with an SMS reminder."""
    jurist = make_user("jurist", missions=("info_logement",), name="Sophie Lefebvre")
    household = make_household(name="Famille Martin", phone=PHONE)
    with app.app_context():
        user = db.session.get(User, jurist.id)
        appointment = services.book(
            db.session.get(Household, household.id),
            mission="info_logement",
            jurist=user,
            booked_by=user,
            now=at("2026-12-01T08:00"),
            zone=PARIS,
            sms_reminder=True,
            office_at=datetime(2026, 12, 8, 9, 0),
        )
        db.session.commit()
        return {"id": appointment.id, "jurist": jurist}


@pytest.fixture
def stand_in(app):
    """The stand-in for Twilio, and a client timeout of 0.5 s (5 s in production) to keep tests fast."""
    api = FakeTwilioApi()
    app.config.update(
        TWILIO_ACCOUNT_SID=ACCOUNT, SMS_FROM="+33700000000", TWILIO_API_URL=api.url, SMS_TIMEOUT_SECONDS=0.5
    )
    yield api
    api.close()
    app.config.update(TWILIO_ACCOUNT_SID=None, SMS_FROM=None, TWILIO_API_URL=None)
    app.config.pop("SMS_TIMEOUT_SECONDS")


def run_at(app, local: str) -> dict[str, int]:
    app.config["FIXED_NOW"] = local
    return send_reminders(app)


def reminder(app, appointment_id: int) -> SmsMessage:
    with app.app_context():
        message = db.session.scalar(
            select(SmsMessage).where(SmsMessage.appointment_id == appointment_id, SmsMessage.purpose == "reminder")
        )
        db.session.expunge(message)
        return message


def left_by_a_dead_sender(app, appointment_id: int, claimed_until: str) -> None:
    """The row a sender killed after its claim leaves behind: `sending`, under a lease."""
    with app.app_context():
        enqueue("reminder", appointment_id, at("2026-12-07T09:55"))
        db.session.execute(
            update(SmsMessage)
            .where(SmsMessage.purpose == "reminder")
            .values(status="sending", attempts=1, claimed_until=at(claimed_until))
        )
        db.session.commit()


def appointments_page(app, client, login, jurist) -> str:
    login(jurist)
    return client.get("/appointments/").get_data(as_text=True)


def test_a_slow_twilio_gets_one_message_after_two_runs(app, client, login, booked, stand_in, caplog):
    """Twilio records the message, then answers after 1 s, when the client (0.5 s) has given up."""
    caplog.set_level(logging.DEBUG)
    stand_in.delay = 1.0
    assert run_at(app, DAY_BEFORE) == outcomes(unknown=1)
    assert reminder(app, booked["id"]).status == "unknown"
    assert "SMS peut-être envoyé, à vérifier" in appointments_page(app, client, login, booked["jurist"])
    assert run_at(app, "2026-12-07T10:01") == outcomes()  # its lease (2 min) still holds: not touched
    assert len(stand_in.messages) == 1
    stand_in.delay = 0
    assert run_at(app, "2026-12-07T10:05") == outcomes(sent=1)  # the next run finds it in Twilio's list
    assert len(stand_in.messages) == 1
    message = reminder(app, booked["id"])
    assert (message.status, message.sid, message.attempts) == ("sent", stand_in.messages[0]["sid"], 2)
    assert stand_in.list_requests[-1]["To"] == PHONE
    assert stand_in.messages[0]["Body"].endswith(f"Réf. {message.id}.")
    assert PHONE not in caplog.text  # not even in Twilio's client's own log of the list request


def test_a_sender_killed_mid_run_is_reconciled_and_the_household_gets_one_sms(app, booked, stand_in):
    """`flask reminders send` in a real process, killed (SIGKILL) while Twilio holds its request."""
    stand_in.hold()
    env = dict(
        os.environ,
        HOTLINE_DATABASE_URL=app.config["DATABASE_URL"],
        HOTLINE_ENV="production",
        HOTLINE_SECRET_KEY="s",
        HOTLINE_TWILIO_AUTH_TOKEN=TOKEN,
        HOTLINE_TWILIO_ACCOUNT_SID=ACCOUNT,
        HOTLINE_SMS_FROM="+33700000000",
        HOTLINE_TWILIO_API_URL=stand_in.url,
        HOTLINE_FIXED_NOW=DAY_BEFORE,
    )
    process = subprocess.Popen(
        [sys.executable, "-m", "flask", "--app", "hotline", "reminders", "send"],
        env=env,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = clock.monotonic() + 30
        while not stand_in.messages and clock.monotonic() < deadline and process.poll() is None:
            clock.sleep(0.05)
    finally:
        process.send_signal(signal.SIGKILL)
        output = process.communicate(timeout=10)[0].decode()
    assert process.returncode == -signal.SIGKILL and len(stand_in.messages) == 1, output
    stand_in.release()
    left = reminder(app, booked["id"])
    assert (left.status, left.claimed_until) == ("sending", at(DAY_BEFORE) + timedelta(minutes=2))

    assert run_at(app, "2026-12-07T10:01") == outcomes()  # lease not expired: not touched
    assert reminder(app, booked["id"]).attempts == 1 and stand_in.list_requests == []
    assert run_at(app, "2026-12-07T10:05") == outcomes(sent=1)  # expired: found in Twilio's list
    assert len(stand_in.messages) == 1
    assert (reminder(app, booked["id"]).status, reminder(app, booked["id"]).sid) == (
        "sent",
        stand_in.messages[0]["sid"],
    )
    assert run_at(app, "2026-12-07T10:10") == outcomes() and len(stand_in.messages) == 1


def test_a_claim_twilio_never_received_is_sent_once_after_its_lease(app, booked, stand_in):
    left_by_a_dead_sender(app, booked["id"], claimed_until="2026-12-07T09:57")
    assert run_at(app, DAY_BEFORE) == outcomes(sent=1)
    message = reminder(app, booked["id"])
    assert len(stand_in.messages) == 1 and stand_in.messages[0]["sid"] == message.sid
    assert stand_in.messages[0]["To"] == PHONE and stand_in.messages[0]["Body"].endswith(f"Réf. {message.id}.")


def test_when_twilio_cannot_be_asked_the_reminder_waits_for_a_person(app, client, login, booked, stand_in):
    """Twilio's list unreachable: not sent again blindly; the appointments page says to check."""
    left_by_a_dead_sender(app, booked["id"], claimed_until="2026-12-07T09:57")
    stand_in.fail_list = True
    assert run_at(app, DAY_BEFORE) == outcomes(unknown=1)
    assert stand_in.messages == [] and reminder(app, booked["id"]).status == "unknown"
    page = appointments_page(app, client, login, booked["jurist"])
    assert "SMS peut-être envoyé, à vérifier" in page and "Famille Martin" in page
    assert run_at(app, "2026-12-07T10:05") == outcomes(unknown=1) and stand_in.messages == []
    stand_in.fail_list = False
    assert run_at(app, "2026-12-07T10:10") == outcomes(sent=1) and len(stand_in.messages) == 1


def test_a_server_error_is_checked_before_sending_again(app, booked, stand_in):
    stand_in.fail_create = True  # Twilio answers 500: it may or may not have the message
    assert run_at(app, DAY_BEFORE) == outcomes(unknown=1)
    stand_in.fail_create = False
    assert run_at(app, "2026-12-07T10:05") == outcomes(sent=1)
    assert len(stand_in.messages) == 1 and len(stand_in.list_requests) == 1


def test_a_refused_auth_token_stops_the_run_and_marks_nothing_failed(app, booked, stand_in, caplog):
    stand_in.token = "the-real-token"  # the app signs with another one: Twilio answers 401
    assert run_at(app, DAY_BEFORE) == outcomes()
    assert "HOTLINE_TWILIO_AUTH_TOKEN" in caplog.text
    assert reminder(app, booked["id"]).status == "queued" and stand_in.messages == []
    app.config["TWILIO_AUTH_TOKEN"], stand_in.token = "the-real-token", None
    assert run_at(app, "2026-12-07T10:05") == outcomes(sent=1)


def test_a_reminder_of_a_cancelled_appointment_is_not_sent(app, booked, stand_in):
    with app.app_context():
        enqueue("reminder", booked["id"], at("2026-12-07T09:55"))
        db.session.get(Appointment, booked["id"]).status = "cancelled"
        db.session.commit()
    assert run_at(app, DAY_BEFORE) == outcomes(cancelled=1)
    assert stand_in.messages == [] and reminder(app, booked["id"]).status == "cancelled"


def test_a_reminder_is_queued_once(app, booked, stand_in):
    with app.app_context():
        for _ in range(2):
            enqueue("reminder", booked["id"], at(DAY_BEFORE))
        db.session.commit()
        assert len(db.session.scalars(select(SmsMessage).where(SmsMessage.purpose == "reminder")).all()) == 1


def test_a_late_sender_does_not_overwrite_the_claim_that_took_over(app, booked, stand_in, caplog):
    """A sender stuck past its lease: the next claim reconciles; the late answer changes nothing."""
    stand_in.hold()
    app.config.update(FIXED_NOW=DAY_BEFORE, SMS_TIMEOUT_SECONDS=10)
    late = threading.Thread(target=send_reminders, args=(app,))
    late.start()
    deadline = clock.monotonic() + 10
    while not stand_in.messages and clock.monotonic() < deadline:
        clock.sleep(0.02)
    assert run_at(app, "2026-12-07T10:05") == outcomes(sent=1)  # found in Twilio's list
    stand_in.release()
    late.join(timeout=10)
    message = reminder(app, booked["id"])
    assert (message.status, message.attempts, message.sid) == ("sent", 2, stand_in.messages[0]["sid"])
    assert len(stand_in.messages) == 1 and "claim taken over by another sender" in caplog.text


def test_a_household_flagged_no_sms_gets_no_reminder_and_no_confirmation(app, booked, stand_in):
    """The household flagged "ne pas envoyer de SMS": the reminder due is cancelled, never sent; a new booking
    queues no confirmation. Once the flag's last day is past, the next reminder goes out."""
    from hotline.appointments import reminders
    from hotline.consultations import flags

    with app.app_context():
        appointment = db.session.get(Appointment, booked["id"])
        flags.set_flag(appointment.household, "sms", "safety", date(2026, 12, 7), None, date(2026, 12, 1))
        db.session.commit()
    assert run_at(app, DAY_BEFORE) == outcomes(cancelled=1)
    assert stand_in.messages == [] and reminder(app, booked["id"]).status == "cancelled"
    with app.app_context():
        appointment = db.session.get(Appointment, booked["id"])
        reminders.confirm(appointment, at(DAY_BEFORE))
        db.session.commit()
        assert db.session.scalar(select(SmsMessage).where(SmsMessage.purpose == "confirmation")) is None
        app.config["FIXED_NOW"] = "2026-12-08T08:00"  # the flag ended the day before
        reminders.confirm(appointment, at("2026-12-08T08:00"))
        db.session.commit()
    assert run_at(app, "2026-12-08T08:00") == outcomes(sent=1)
    assert [m["To"] for m in stand_in.messages] == [PHONE]
