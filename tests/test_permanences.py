"""Permanences: recurrence, planning by admins, cancelling an occurrence, the count of those held,
the calendar export."""

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest
from conftest import csrf_token
from icalendar import Calendar
from sqlalchemy import delete, select

from hotline.extensions import db
from hotline.permanences import recurrence, services
from hotline.permanences.models import Permanence, Place

PARIS = ZoneInfo("Europe/Paris")


@pytest.fixture(autouse=True)
def fresh_places(app):
    """conftest empties the permanences after each test, not the places they leave: start without any."""
    with app.app_context():
        db.session.execute(delete(Place))
        db.session.commit()


# --- recurrence (pure) ------------------------------------------------------------------------------


def test_weekly_biweekly_and_monthly_days():
    days = recurrence.days
    assert days("weekly", 1, None, date(2026, 12, 1), None, date(2026, 12, 1), date(2026, 12, 31)) == [
        date(2026, 12, 1),
        date(2026, 12, 8),
        date(2026, 12, 15),
        date(2026, 12, 22),
        date(2026, 12, 29),
    ]
    # Every other Thursday, counted from the week of the first day.
    assert days("biweekly", 3, None, date(2026, 12, 1), None, date(2026, 12, 1), date(2026, 12, 31)) == [
        date(2026, 12, 3),
        date(2026, 12, 17),
        date(2026, 12, 31),
    ]
    assert days("monthly", 1, 2, date(2026, 1, 1), None, date(2026, 1, 1), date(2026, 3, 31)) == [
        date(2026, 1, 13),
        date(2026, 2, 10),
        date(2026, 3, 10),
    ]
    assert days("monthly", 4, -1, date(2026, 1, 1), date(2026, 2, 28), date(2026, 1, 1), date(2026, 12, 31)) == [
        date(2026, 1, 30),
        date(2026, 2, 27),
    ]


def test_descriptions_and_calendar_rules():
    assert recurrence.describe("weekly", 1, None) == "Chaque mardi"
    assert recurrence.describe("biweekly", 3, None) == "Un jeudi sur deux"
    assert recurrence.describe("monthly", 1, 2) == "Le 2e mardi du mois"
    assert recurrence.describe("monthly", 4, -1) == "Le dernier vendredi du mois"


@pytest.mark.parametrize(
    "args,message",
    [
        (("yearly", 1, None, date(2026, 1, 1), None), "fréquence"),
        (("monthly", 1, None, date(2026, 1, 1), None), "semaine du mois"),
        (("weekly", 1, None, date(2026, 6, 1), date(2026, 1, 1)), "dernier jour"),
    ],
)
def test_impossible_recurrences_are_refused_in_french(args, message):
    with pytest.raises(recurrence.RecurrenceError, match=message):
        recurrence.check(*args)


# --- planning, occurrences, count ---------------------------------------------------------------------


def make_permanence(app, user=None, **overrides):
    values = dict(
        name="Mairie de Lens",
        address="17 bis place Jean Jaurès, Lens",
        mission="info_logement",
        user_id=user.id if user else None,
        frequency="weekly",
        weekday=1,
        week_of_month=None,
        starts=time(9),
        ends=time(12),
        first_day=date(2026, 11, 1),
        last_day=None,
        active=True,
    )
    values.update(overrides)
    commune = values.pop("commune_insee", "62498")  # Lens
    with app.app_context():
        permanence = services.save(None, commune_insee=commune, **values)
        db.session.commit()
        return permanence.id


def test_territory_follows_the_commune_and_holidays_and_cancellations_are_not_held(app, make_user):
    jurist = make_user("jurist")
    pid = make_permanence(app, jurist, weekday=4)  # Fridays: 2026-12-25 is Christmas
    with app.app_context():
        permanence = db.session.get(Permanence, pid)
        assert permanence.territory_code == "lens-henin"
        services.cancel(permanence, date(2026, 12, 11), "Salle indisponible", jurist)
        db.session.commit()
        items = services.occurrences(date(2026, 12, 1), date(2026, 12, 31))
        assert [(o.day.day, o.not_held) for o in items] == [
            (4, None),
            (11, "Salle indisponible"),
            (18, None),
            (25, "Jour férié"),
        ]
        now = datetime(2026, 12, 18, 11, 0, tzinfo=PARIS)  # the 18th is not over yet
        assert len(services.held(date(2026, 12, 1), date(2026, 12, 31), now, PARIS)) == 1
        later = datetime(2027, 1, 2, tzinfo=PARIS)
        assert len(services.held(date(2026, 12, 1), date(2026, 12, 31), later, PARIS)) == 2
        assert services.held(date(2026, 12, 1), date(2026, 12, 31), later, PARIS, territory="boulonnais") == []
        assert services.held(date(2026, 12, 1), date(2026, 12, 31), later, PARIS, mission="prevention_expulsion") == []
        with pytest.raises(services.PermanenceError, match="n'a pas lieu"):
            services.cancel(permanence, date(2026, 12, 12), "Samedi", jurist)
        with pytest.raises(services.PermanenceError, match="déjà annulée"):
            services.cancel(permanence, date(2026, 12, 11), "Encore", jurist)


def form_data(client, url, **overrides):
    data = {
        "csrf_token": csrf_token(client, url),
        "name": "CCAS de Boulogne",
        "address": "2 rue de Lille",
        "commune": "Boulogne-sur-Mer",
        "mission": "prevention_expulsion",
        "user_id": "",
        "frequency": "monthly",
        "weekday": "2",
        "week_of_month": "1",
        "starts": "14:00",
        "ends": "17:00",
        "first_day": "2026-12-01",
        "last_day": "",
        "active": "y",
    }
    data.update(overrides)
    return data


def test_admin_plans_a_permanence_and_a_mistake_keeps_what_was_typed(app, client, make_user, login):
    login(make_user("admin"))
    data = form_data(client, "/permanences/new", commune="Atlantis", week_of_month="")
    response = client.post("/permanences/new", data=data)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Commune du Pas-de-Calais inconnue" in page and "Choisissez la semaine du mois." in page
    assert 'value="CCAS de Boulogne"' in page and 'value="2 rue de Lille"' in page and 'value="Atlantis"' in page
    response = client.post("/permanences/new", data=form_data(client, "/permanences/new"))
    assert response.status_code == 302 and response.headers["Location"].endswith("/permanences/planning")
    with app.app_context():
        permanence = db.session.scalar(select(Permanence))
        assert (permanence.territory_code, permanence.commune_insee, permanence.week_of_month) == (
            "boulonnais",
            "62160",
            1,
        )
    planning = client.get("/permanences/planning").get_data(as_text=True)
    assert "CCAS de Boulogne" in planning and "Le 1er mercredi du mois, 14:00–17:00" in planning


def test_only_admins_plan(client, make_user, login):
    login(make_user("manager"))
    assert client.get("/permanences/new").status_code == 403
    assert client.get("/permanences/planning").status_code == 403
    assert client.get("/permanences/").status_code == 200


def test_the_jurist_holding_it_cancels_and_restores_an_occurrence(app, client, make_user, login):
    holder, other = make_user("jurist"), make_user("jurist")
    pid = make_permanence(app, holder, first_day=date(2026, 12, 1))
    app.config["FIXED_NOW"] = "2026-12-01T08:00"
    login(other)
    token = csrf_token(client, "/permanences/")
    assert (
        client.post(
            f"/permanences/{pid}/cancel", data={"csrf_token": token, "day": "2026-12-08", "reason": "Congés"}
        ).status_code
        == 403
    )
    client.post("/logout", data={"csrf_token": token})
    login(holder)
    page = client.get("/permanences/").get_data(as_text=True)
    assert "Mairie de Lens" in page and page.count('name="reason"') == 9  # Tuesdays 1 Dec to 26 Jan, all changeable
    token = csrf_token(client, "/permanences/")
    response = client.post(
        f"/permanences/{pid}/cancel",
        data={"csrf_token": token, "day": "2026-12-08", "reason": "Congés"},
        follow_redirects=True,
    )
    page = response.get_data(as_text=True)
    assert "annulée" in page and "Annulée : Congés" in page
    missing = client.post(
        f"/permanences/{pid}/cancel",
        data={"csrf_token": token, "day": "2026-12-15", "reason": ""},
        follow_redirects=True,
    )
    assert "Indiquez le motif" in missing.get_data(as_text=True)
    client.post(f"/permanences/{pid}/restore", data={"csrf_token": token, "day": "2026-12-08"})
    with app.app_context():
        assert db.session.get(Permanence, pid).cancellations == []


def test_calendar_export_is_a_valid_icalendar_file(app, client, make_user, login):
    holder, other = make_user("jurist"), make_user("jurist")
    mine = make_permanence(app, holder, first_day=date(2026, 12, 1), weekday=4)
    make_permanence(app, other, name="Mairie de Calais", first_day=date(2026, 12, 1))
    with app.app_context():
        services.cancel(db.session.get(Permanence, mine), date(2026, 12, 4), "Formation", holder)
        db.session.commit()
    app.config["FIXED_NOW"] = "2026-12-01T08:00"
    login(holder)
    response = client.get("/permanences/calendar.ics")
    assert response.mimetype == "text/calendar"
    events = Calendar.from_ical(response.data).walk("VEVENT")
    assert {str(e["summary"]) for e in events} == {"Permanence — Mairie de Lens"}  # only the jurist's own
    first = min(events, key=lambda e: e.decoded("dtstart"))
    assert first.decoded("dtstart") == datetime(2026, 12, 4, 9, tzinfo=PARIS)
    assert str(first["status"]) == "CANCELLED" and "Formation" in str(first["description"])
    christmas = [e for e in events if e.decoded("dtstart").date() == date(2026, 12, 25)]
    assert str(christmas[0]["status"]) == "CANCELLED"
    assert len(events) == 12  # twelve Fridays ahead
