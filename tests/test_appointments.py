"""Appointments: free slots, booking, what became of one, and SMS reminders sent through a local
stand-in for Twilio's REST API."""

import re
from datetime import date, datetime, time
from html import unescape
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from conftest import csrf_token
from sqlalchemy import select
from twilio_api import FakeTwilioApi

from hotline.appointments import services
from hotline.appointments.models import Appointment
from hotline.extensions import db
from hotline.permanences import services as permanences
from hotline.sms.outbox import OUTCOMES

PARIS = ZoneInfo("Europe/Paris")
ROOT = Path(__file__).resolve().parents[1]
NOW = datetime(2026, 12, 1, 8, 0, tzinfo=PARIS)  # a Tuesday, before the permanence opens


@pytest.fixture
def lens(app, make_user):
    """Sophie holds a permanence in Lens town hall every Tuesday, 9:00 to 12:00, slots of 30 minutes."""
    sophie = make_user("jurist", name="Sophie Lefebvre", missions=("info_logement",))
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
        return {"jurist": sophie, "permanence_id": p.id}


@pytest.fixture
def household(make_household, lens):
    return make_household(
        name="Famille Martin", phone="+33612345678", commune_insee="62498", created_by_id=lens["jurist"].id
    )


def outcomes(**counts) -> dict[str, int]:
    return dict.fromkeys(OUTCOMES, 0) | counts


def slot_key(permanence_id, hour, minute=0, day=1):
    return f"{permanence_id}|{datetime(2026, 12, day, hour, minute, tzinfo=PARIS).isoformat()}"


def test_free_slots_leave_out_past_booked_and_cancelled(app, lens, household):
    with app.app_context():
        slots = services.free_slots(date(2026, 12, 1), date(2026, 12, 8), NOW, PARIS)
        assert [s.starts.strftime("%d %H:%M") for s in slots[:7]] == [
            "01 09:00",
            "01 09:30",
            "01 10:00",
            "01 10:30",
            "01 11:00",
            "01 11:30",
            "08 09:00",
        ]
        h = db.session.get(type(household), household.id)
        services.book(
            h,
            mission="info_logement",
            jurist=None,
            booked_by=lens["jurist"],
            now=NOW,
            zone=PARIS,
            slot=slot_key(lens["permanence_id"], 9, 30),
        )
        p = db.session.get(permanences.Permanence, lens["permanence_id"])
        permanences.cancel(p, date(2026, 12, 8), "Formation", lens["jurist"])
        later = datetime(2026, 12, 1, 10, 15, tzinfo=PARIS)
        slots = services.free_slots(date(2026, 12, 1), date(2026, 12, 8), later, PARIS)
        assert [s.starts.strftime("%d %H:%M") for s in slots] == ["01 10:30", "01 11:00", "01 11:30"]


def test_a_slot_is_booked_once_and_a_jurist_is_not_in_two_places(app, lens, household, make_user):
    with app.app_context():
        h = db.session.get(type(household), household.id)
        first = services.book(
            h,
            mission="info_logement",
            jurist=None,
            booked_by=lens["jurist"],
            now=NOW,
            zone=PARIS,
            slot=slot_key(lens["permanence_id"], 10),
        )
        assert first.user_id == lens["jurist"].id and first.mode == "permanence" and first.minutes == 30
        with pytest.raises(services.BookingError, match="vient d'être pris"):
            services.book(
                h,
                mission="info_logement",
                jurist=None,
                booked_by=lens["jurist"],
                now=NOW,
                zone=PARIS,
                slot=slot_key(lens["permanence_id"], 10),
            )
        with pytest.raises(services.BookingError, match="déjà un rendez-vous"):
            services.book(
                h,
                mission="info_logement",
                jurist=lens["jurist"],
                booked_by=lens["jurist"],
                now=NOW,
                zone=PARIS,
                office_at=datetime(2026, 12, 1, 10, 15),
            )
        with pytest.raises(services.BookingError, match="déjà passé"):
            services.book(
                h,
                mission="info_logement",
                jurist=lens["jurist"],
                booked_by=lens["jurist"],
                now=NOW,
                zone=PARIS,
                office_at=datetime(2026, 11, 30, 10, 0),
            )
        with pytest.raises(services.BookingError, match="n'a pas lieu"):
            services.book(
                h,
                mission="info_logement",
                jurist=None,
                booked_by=lens["jurist"],
                now=NOW,
                zone=PARIS,
                slot=slot_key(lens["permanence_id"], 10, day=2),
            )
        for hour, minute in ((8, 30), (10, 15), (11, 45)):  # before opening, between two slots, past closing
            with pytest.raises(services.BookingError, match="Ce créneau n'existe pas"):
                services.book(
                    h,
                    mission="info_logement",
                    jurist=None,
                    booked_by=lens["jurist"],
                    now=NOW,
                    zone=PARIS,
                    slot=slot_key(lens["permanence_id"], hour, minute),
                )
        with pytest.raises(services.BookingError, match="celui d'une permanence « Information sur le logement"):
            services.book(
                h,
                mission="prevention_expulsion",
                jurist=None,
                booked_by=lens["jurist"],
                now=NOW,
                zone=PARIS,
                slot=slot_key(lens["permanence_id"], 11),
            )
        with pytest.raises(permanences.PermanenceError, match="1 rendez-vous est pris"):
            permanences.cancel(first.permanence, date(2026, 12, 1), "Panne", lens["jurist"])


def booking_links(html: str) -> list[str]:
    """The agenda's free-slot links (href, unescaped)."""
    return [unescape(href) for href in re.findall(r'href="(/appointments/new\?[^"]*slot=[^"]*)"', html)]


def test_jurist_books_from_the_household_page_and_a_mistake_keeps_the_choices(app, client, lens, household, login):
    """The household page leads to the agenda, whose free slots are links (no drop-down of every slot)."""
    app.config["FIXED_NOW"] = "2026-12-01T08:00"
    login(lens["jurist"])
    page = client.get(f"/households/{household.id}").get_data(as_text=True)
    assert f"/appointments/new?household={household.id}" in page
    agenda = client.get(f"/appointments/new?household={household.id}", follow_redirects=True).get_data(as_text=True)
    links = booking_links(agenda)
    assert len(links) == 6 and '<select name="slot"' not in agenda  # Tuesday 1 December, 9:00 to 11:30
    office = f"/appointments/new?household={household.id}&office=1"
    data = {
        "csrf_token": csrf_token(client, office),
        "mission": "info_logement",
        "office_at": "",
        "jurist_id": str(lens["jurist"].id),
        "sms_reminder": "y",
    }
    page = client.post(office, data=data).get_data(as_text=True)
    assert "Indiquez la date et l&#39;heure du rendez-vous au bureau." in page
    assert '<option selected value="info_logement">' in page and 'checked id="sms_reminder"' in page
    chosen = links[1]
    assert "Mairie de Lens" in client.get(chosen).get_data(as_text=True)
    data = {
        "csrf_token": csrf_token(client, chosen),
        "mission": "info_logement",
        "slot": slot_key(lens["permanence_id"], 9, 30),
        "sms_reminder": "y",
    }
    response = client.post(chosen, data=data, follow_redirects=True)
    assert "Rendez-vous pris le" in response.get_data(as_text=True)
    with app.app_context():
        booked = db.session.scalar(select(Appointment))
        assert (booked.starts_at, booked.sms_reminder, booked.household_id) == (
            datetime(2026, 12, 1, 9, 30, tzinfo=PARIS),
            True,
            household.id,
        )
    listing = client.get("/appointments/").get_data(as_text=True)
    assert "Famille Martin" in listing and "Confirmation : SMS en attente (SMS non configurés)" in listing


def test_held_opens_the_consultation_form_and_no_show_waits_for_the_hour(app, client, lens, household, login):
    with app.app_context():
        h = db.session.get(type(household), household.id)
        appointment_id = services.book(
            h,
            mission="info_logement",
            jurist=None,
            booked_by=lens["jurist"],
            now=NOW,
            zone=PARIS,
            slot=slot_key(lens["permanence_id"], 9),
        ).id
        db.session.commit()
    app.config["FIXED_NOW"] = "2026-12-01T08:30"
    login(lens["jurist"])
    token = csrf_token(client, "/appointments/")
    early = client.post(
        f"/appointments/{appointment_id}/status", data={"csrf_token": token, "status": "no_show"}, follow_redirects=True
    )
    assert "n&#39;a pas encore commencé" in early.get_data(as_text=True)
    app.config["FIXED_NOW"] = "2026-12-01T09:40"
    held = client.post(f"/appointments/{appointment_id}/status", data={"csrf_token": token, "status": "held"})
    assert held.status_code == 302
    assert held.headers["Location"].endswith(
        f"/consultations/new?household={household.id}&mission=info_logement&mode=permanence"
    )
    form = client.get(held.headers["Location"]).get_data(as_text=True)
    assert '<option selected value="permanence">' in form
    with app.app_context():
        assert db.session.get(Appointment, appointment_id).status == "held"


def test_another_missions_jurist_cannot_change_it(app, client, lens, household, make_user, login):
    with app.app_context():
        h = db.session.get(type(household), household.id)
        appointment_id = services.book(
            h,
            mission="info_logement",
            jurist=None,
            booked_by=lens["jurist"],
            now=NOW,
            zone=PARIS,
            slot=slot_key(lens["permanence_id"], 9),
        ).id
        db.session.commit()
    login(make_user("jurist", missions=("prevention_expulsion",)))
    token = csrf_token(client, "/appointments/")
    response = client.post(f"/appointments/{appointment_id}/status", data={"csrf_token": token, "status": "cancelled"})
    assert response.status_code == 403


# --- SMS reminders -----------------------------------------------------------------------------------


@pytest.fixture
def twilio_api(app):
    api = FakeTwilioApi()
    app.config.update(
        TWILIO_ACCOUNT_SID="AC" + "1" * 32,
        SMS_FROM="+33700000000",
        TWILIO_API_URL=api.url,
        CONTACT_PHONE="03 21 00 00 00",
    )
    yield api
    api.close()
    app.config.update(TWILIO_ACCOUNT_SID=None, SMS_FROM=None, TWILIO_API_URL=None, CONTACT_PHONE=None)


def test_reminders_go_once_the_day_before_to_those_who_agreed(app, runner, lens, household, make_household, twilio_api):
    other = make_household(name="Famille Sans SMS", phone="+33698765432")
    wrong = make_household(name="Famille Numéro Faux", phone="+33600000001")
    twilio_api.refused.add("+33600000001")
    with app.app_context():

        def book(h, hour, sms):
            return services.book(
                db.session.get(type(h), h.id),
                mission="info_logement",
                jurist=None,
                booked_by=lens["jurist"],
                now=NOW,
                zone=PARIS,
                sms_reminder=sms,
                slot=slot_key(lens["permanence_id"], hour, day=8),
            )

        agreed, refused = book(household, 9, True).id, book(other, 10, False).id
        failing = services.book(
            db.session.get(type(wrong), wrong.id),
            mission="info_logement",
            jurist=None,
            booked_by=lens["jurist"],
            now=NOW,
            zone=PARIS,
            sms_reminder=True,
            slot=slot_key(lens["permanence_id"], 9, 30, day=8),
        ).id
        later = services.book(
            db.session.get(type(household), household.id),
            mission="info_logement",
            jurist=None,
            booked_by=lens["jurist"],
            now=NOW,
            zone=PARIS,
            sms_reminder=True,
            slot=slot_key(lens["permanence_id"], 9, day=15),
        ).id
        db.session.commit()
    app.config["FIXED_NOW"] = "2026-12-07T10:00"  # the day before
    result = runner.invoke(args=["reminders", "send"])
    assert result.exit_code == 0, result.output
    assert "1 envoyé(s), 1 en échec" in result.output
    assert len(twilio_api.messages) == 1
    message = twilio_api.messages[0]
    assert (message["To"], message["From"], message["auth"].split(":")[0]) == (
        "+33612345678",
        "+33700000000",
        "AC" + "1" * 32,
    )
    assert "Martin" not in message["Body"]
    assert runner.invoke(args=["reminders", "send"]).output.strip() == "Rappels : 0 envoyé(s), 0 en échec."
    assert len(twilio_api.messages) == 1
    with app.app_context():
        rows = {a.id: a for a in db.session.scalars(select(Appointment))}
        assert (rows[agreed].reminder.status, rows[agreed].reminder.sid) == ("sent", message["sid"])
        assert rows[refused].reminder is None and rows[later].reminder is None
        assert (rows[failing].reminder.status, rows[failing].reminder.sid) == ("failed", None)
        # The text ends with the outbox reference, which finds it again in Twilio's list.
        assert message["Body"] == (
            "Rappel : rendez-vous avec un juriste du service logement le mardi 8 décembre à "
            "09h00, Mairie de Lens, 17 bis place Jean Jaurès. Pour annuler ou déplacer : "
            f"03 21 00 00 00. Réf. {rows[agreed].reminder.id}."
        )


def test_the_scheduler_job_sends_and_says_when_sms_is_not_configured(app, lens, household, twilio_api, caplog):
    from hotline.jobs.scheduler import send_reminders

    with app.app_context():
        services.book(
            db.session.get(type(household), household.id),
            mission="info_logement",
            jurist=None,
            booked_by=lens["jurist"],
            now=NOW,
            zone=PARIS,
            sms_reminder=True,
            slot=slot_key(lens["permanence_id"], 9, day=8),
        )
        db.session.commit()
    app.config["FIXED_NOW"] = "2026-12-07T10:00"
    app.config["SMS_FROM"] = None
    assert send_reminders(app) == outcomes()
    assert "HOTLINE_SMS_FROM" in caplog.text and twilio_api.messages == []
    app.config["SMS_FROM"] = "+33700000000"
    assert send_reminders(app) == outcomes(sent=1)
    assert len(twilio_api.messages) == 1


def test_the_scheduler_process_sends_the_reminders_due(tmp_path):
    """`hotline scheduler`, as deployed: its first run sends what is due to the (stand-in) Twilio API."""
    import os
    import subprocess
    import sys
    import time as clock

    from flask_migrate import upgrade

    from hotline import create_app
    from hotline.auth.services import create_user
    from hotline.consultations.models import Household

    url = f"sqlite:///{tmp_path}/scheduler.sqlite3"
    app = create_app({"TESTING": True, "DATABASE_URL": url})
    with app.app_context():
        upgrade()
        jurist = create_user(
            "j@example.org", "Juriste", "jurist", "Un-mot-de-passe-solide-62", missions=["info_logement"]
        )
        h = Household(name="Famille Martin", phone="+33612345678")
        db.session.add(h)
        db.session.flush()
        services.book(
            h,
            mission="info_logement",
            jurist=jurist,
            booked_by=jurist,
            now=NOW,
            zone=PARIS,
            office_at=datetime(2026, 12, 8, 9, 0),
            sms_reminder=True,
        )
        db.session.commit()
    api = FakeTwilioApi()
    env = dict(
        os.environ,
        HOTLINE_DATABASE_URL=url,
        HOTLINE_ENV="production",
        HOTLINE_SECRET_KEY="s",
        HOTLINE_TWILIO_AUTH_TOKEN="token",
        HOTLINE_TWILIO_ACCOUNT_SID="AC" + "2" * 32,
        HOTLINE_SMS_FROM="+33700000000",
        HOTLINE_TWILIO_API_URL=api.url,
        HOTLINE_FIXED_NOW="2026-12-07T12:00",
    )
    # `python -m flask --app hotline` is the `hotline` script, with this checkout's package.
    process = subprocess.Popen(
        [sys.executable, "-m", "flask", "--app", "hotline", "scheduler"],
        env=env,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = clock.monotonic() + 30
        while not api.messages and clock.monotonic() < deadline:
            clock.sleep(0.2)
    finally:
        process.terminate()
        output = process.communicate(timeout=10)[0].decode()
        api.close()
    assert len(api.messages) == 1, output
    assert api.messages[0]["To"] == "+33612345678" and "au siège du service" in api.messages[0]["Body"]
    assert "Planificateur lancé" in output and "+33612345678" not in output  # no phone number in the logs


def test_a_messaging_service_can_send_the_reminders(app, lens, household, twilio_api):
    from hotline.jobs.scheduler import send_reminders

    with app.app_context():
        services.book(
            db.session.get(type(household), household.id),
            mission="info_logement",
            jurist=None,
            booked_by=lens["jurist"],
            now=NOW,
            zone=PARIS,
            sms_reminder=True,
            slot=slot_key(lens["permanence_id"], 9, day=8),
        )
        db.session.commit()
    app.config.update(FIXED_NOW="2026-12-07T10:00", SMS_FROM="MG" + "3" * 32)
    assert send_reminders(app) == outcomes(sent=1)
    message = twilio_api.messages[0]
    assert message["MessagingServiceSid"] == "MG" + "3" * 32 and "From" not in message


def test_a_reminder_is_tried_again_when_twilio_does_not_answer(app, lens, household, twilio_api):
    import socket

    from hotline.jobs.scheduler import send_reminders

    with app.app_context():
        appointment_id = services.book(
            db.session.get(type(household), household.id),
            mission="info_logement",
            jurist=None,
            booked_by=lens["jurist"],
            now=NOW,
            zone=PARIS,
            sms_reminder=True,
            slot=slot_key(lens["permanence_id"], 9, day=8),
        ).id
        db.session.commit()
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        nowhere = f"http://127.0.0.1:{sock.getsockname()[1]}"
    app.config.update(FIXED_NOW="2026-12-07T10:00", TWILIO_API_URL=nowhere)
    assert send_reminders(app) == outcomes(retry=1)  # never reached Twilio: sent at the next run
    with app.app_context():
        assert db.session.get(Appointment, appointment_id).reminder.status == "queued"
    app.config["TWILIO_API_URL"] = twilio_api.url
    assert send_reminders(app) == outcomes(sent=1)
    with app.app_context():
        assert db.session.get(Appointment, appointment_id).reminder.status == "sent"


def household_appointments(html: str) -> list[str]:
    """The items of the household page's "Rendez-vous" list, as text."""
    block = re.search(r"<h2>Rendez-vous</h2>\s*<ul>(.*?)</ul>", html, re.S)
    return [unescape(re.sub(r"\s+", " ", item)).strip() for item in re.findall(r"<li>(.*?)</li>", block.group(1), re.S)]


def test_the_household_page_lists_its_appointments_with_what_became_of_them(app, client, lens, household, login):
    """The block comes from appointments (a template global), the page from consultations."""
    with app.app_context():
        h = db.session.get(type(household), household.id)
        booked = services.book(
            h,
            mission="info_logement",
            jurist=None,
            booked_by=lens["jurist"],
            now=NOW,
            zone=PARIS,
            slot=slot_key(lens["permanence_id"], 10),
        )
        db.session.commit()
        appointment_id = booked.id
    login(lens["jurist"])
    page = client.get(f"/households/{household.id}").get_data(as_text=True)
    assert household_appointments(page) == ["01/12/2026 10:00 — Mairie de Lens, Sophie Lefebvre : Prévu"]
    with app.app_context():
        services.settle(db.session.get(Appointment, appointment_id), "cancelled", NOW)
        db.session.commit()
    page = client.get(f"/households/{household.id}").get_data(as_text=True)
    assert household_appointments(page) == ["01/12/2026 10:00 — Mairie de Lens, Sophie Lefebvre : Annulé"]
