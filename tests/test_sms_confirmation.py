"""The SMS confirmation of a booking, through the outbox: queued at booking when the household
agreed, sent once by the same run as the reminders (against the local stand-in for Twilio); without
Twilio's settings it waits and the booking succeeds. The page of every SMS, and who reads it."""

import re
from datetime import date, datetime, time
from urllib.parse import quote
from zoneinfo import ZoneInfo

import pytest
from conftest import csrf_token
from sqlalchemy import select
from twilio_api import FakeTwilioApi

from hotline.appointments.models import Appointment
from hotline.extensions import db
from hotline.jobs.scheduler import send_reminders
from hotline.permanences import services as permanences
from hotline.sms.models import SmsMessage
from hotline.sms.outbox import OUTCOMES

PARIS = ZoneInfo("Europe/Paris")
PHONE = "+33612345678"


@pytest.fixture
def lens(app, make_user, make_household):
    sophie = make_user("jurist", name="Sophie Lefebvre", missions=("info_logement",))
    household = make_household(name="Famille Martin", phone=PHONE, commune_insee="62498", created_by_id=sophie.id)
    with app.app_context():
        p = permanences.save(
            None,
            commune_insee="62498",
            name="Mairie de Lens",
            address="17 bis place Jean Jaurès",
            mission="info_logement",
            user_id=sophie.id,
            frequency="weekly",
            weekday=1,
            week_of_month=None,
            starts=time(9),
            ends=time(12),
            first_day=date(2026, 11, 1),
            last_day=None,
            active=True,
        )
        db.session.commit()
        return {"jurist": sophie, "household": household, "permanence_id": p.id}


def book(client, lens, hour, sms=True):
    slot = f"{lens['permanence_id']}|{datetime(2026, 12, 8, hour, 0, tzinfo=PARIS).isoformat()}"
    url = f"/appointments/new?household={lens['household'].id}&slot={quote(slot)}"
    data = {"csrf_token": csrf_token(client, url), "mission": "info_logement", "slot": slot}
    if sms:
        data["sms_reminder"] = "y"
    return client.post(url, data=data, follow_redirects=True).get_data(as_text=True)


def rows(app) -> list[tuple[str, str, int]]:
    with app.app_context():
        return [
            (m.purpose, m.status, m.appointment_id)
            for m in db.session.scalars(select(SmsMessage).order_by(SmsMessage.id))
        ]


def test_booking_queues_one_confirmation_sent_once_by_the_next_run(app, client, login, lens):
    app.config["FIXED_NOW"] = "2026-12-01T08:00"
    login(lens["jurist"])
    assert "Rendez-vous pris le 08/12/2026 à 09:00" in book(client, lens, 9)
    book(client, lens, 10, sms=False)  # the household did not agree: nothing queued
    with app.app_context():
        agreed = db.session.scalar(select(Appointment.id).where(Appointment.sms_reminder.is_(True)))
    assert rows(app) == [("confirmation", "queued", agreed)]
    # No Twilio settings (the demo): the booking went through, the message waits, the pages say why.
    assert "Confirmation : SMS en attente (SMS non configurés)" in client.get("/appointments/").get_data(as_text=True)
    page = client.get("/appointments/messages").get_data(as_text=True)
    assert "Confirmation du rendez-vous" in page and "SMS en attente (SMS non configurés)" in page
    assert send_reminders(app) == dict.fromkeys(OUTCOMES, 0) and rows(app)[0][1] == "queued"

    api = FakeTwilioApi()
    app.config.update(
        TWILIO_ACCOUNT_SID="AC" + "1" * 32,
        SMS_FROM="+33700000000",
        TWILIO_API_URL=api.url,
        CONTACT_PHONE="03 21 00 00 00",
        FIXED_NOW="2026-12-01T08:05",
    )
    try:
        counts = send_reminders(app)
        again = send_reminders(app)
    finally:
        api.close()
        app.config.update(TWILIO_ACCOUNT_SID=None, SMS_FROM=None, TWILIO_API_URL=None, CONTACT_PHONE=None)
    assert counts["sent"] == 1 and again["sent"] == 0
    assert len(api.messages) == 1
    message = api.messages[0]
    assert message["To"] == PHONE
    with app.app_context():
        row = db.session.scalar(select(SmsMessage))
        assert (row.purpose, row.status, row.sid) == ("confirmation", "sent", message["sid"])
    assert message["Body"] == (
        "Rendez-vous confirmé avec un juriste du service logement le mardi 8 décembre à 09h00, "
        "Mairie de Lens, 17 bis place Jean Jaurès. Pour annuler ou déplacer : 03 21 00 00 00. "
        f"Réf. {row.id}."
    )
    assert "SMS envoyé" in client.get("/appointments/messages").get_data(as_text=True)


def test_the_sms_page_masks_the_number_for_managers_and_shows_each_mission_its_own(app, client, login, lens, make_user):
    app.config["FIXED_NOW"] = "2026-12-01T08:00"
    login(lens["jurist"])
    book(client, lens, 9)
    page = client.get("/appointments/messages").get_data(as_text=True)
    assert PHONE in page and "Famille Martin" in page
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    client.post("/logout", data={"csrf_token": token})
    login(make_user("manager"))
    page = client.get("/appointments/messages").get_data(as_text=True)
    assert "Famille Martin" in page and PHONE not in page and "•• •• •• 78" in page
    client.post("/logout", data={"csrf_token": csrf_token(client, "/appointments/messages")})
    login(make_user("jurist", missions=("prevention_expulsion",)))
    page = client.get("/appointments/messages").get_data(as_text=True)
    assert "Famille Martin" not in page and "Aucun SMS." in page
    client.post("/logout", data={"csrf_token": csrf_token(client, "/appointments/messages")})
    login(make_user("admin"))
    assert client.get("/appointments/messages").status_code == 403
