"""The agenda: a week of permanences (free and booked slots), duty shifts and appointments, with
its filters; booking links for the household in context; who may see it."""

import re
from datetime import date, datetime, time
from html import unescape
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from hotline.appointments import services as appointments
from hotline.auth.models import User
from hotline.cases.models import Case
from hotline.consultations.models import Household
from hotline.core.audit import AuditEvent
from hotline.extensions import db
from hotline.permanences import services as permanences
from hotline.permanences.models import DutyShift

PARIS = ZoneInfo("Europe/Paris")
NOW = datetime(2026, 12, 1, 8, 0, tzinfo=PARIS)  # Tuesday


def weekly_permanence(jurist, mission: str, insee: str, name: str, weekday: int):
    """A permanence of the jurist every `weekday` from 1 November, 9:00-11:00 (in an app context)."""
    return permanences.save(
        None,
        commune_insee=insee,
        name=name,
        address="1 place de la Mairie",
        mission=mission,
        user_id=jurist.id,
        frequency="weekly",
        weekday=weekday,
        week_of_month=None,
        starts=time(9),
        ends=time(11),
        first_day=date(2026, 11, 1),
        last_day=None,
        active=True,
    )


@pytest.fixture
def week(app, make_user, make_household):
    """Lens (information) on Tuesdays with Sophie, Boulogne (eviction) on Wednesdays with Paul, Paul
    on duty on Thursday mornings; one slot of Boulogne booked for the Martin household."""
    sophie = make_user("jurist", name="Sophie Lefebvre", missions=("info_logement",))
    paul = make_user("jurist", name="Paul Durand", missions=("prevention_expulsion",))
    martin = make_household(name="Famille Martin", phone="+33612345678", commune_insee="62160")
    with app.app_context():
        lens = weekly_permanence(sophie, "info_logement", "62498", "Mairie de Lens", 1)
        boulogne = weekly_permanence(paul, "prevention_expulsion", "62160", "Mairie de Boulogne", 2)
        db.session.add(
            DutyShift(
                user_id=paul.id,
                mission="prevention_expulsion",
                territory_code="boulonnais",
                weekday=3,
                starts=time(9),
                ends=time(12),
            )
        )
        appointments.book(
            db.session.get(Household, martin.id),
            mission="prevention_expulsion",
            jurist=None,
            booked_by=db.session.get(User, paul.id),
            now=NOW,
            zone=PARIS,
            slot=f"{boulogne.id}|{datetime(2026, 12, 2, 9, 30, tzinfo=PARIS).isoformat()}",
        )
        db.session.commit()
        return {"sophie": sophie, "paul": paul, "martin": martin, "lens": lens.id, "boulogne": boulogne.id}


def day(html: str, iso: str) -> str:
    """The text of one day's column."""
    match = re.search(rf'id="day-{iso}">(.*?)(?:<li class="[^"]*" id="day-|</ol>)', html, re.S)
    assert match, iso
    inline = re.sub(r"</?(?:span|strong)\b[^>]*>", "", match.group(1))  # inline: no space, as a browser reads
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", inline)))


def slot_links(html: str) -> list[str]:
    return [unescape(h) for h in re.findall(r'href="(/appointments/new\?[^"]*slot=[^"]*)"', html)]


def test_a_manager_sees_the_week_and_books_nothing(app, client, login, make_user, week):
    app.config["FIXED_NOW"] = "2026-12-01T08:00"
    login(make_user("manager"))
    html = client.get("/agenda/?week=2026-12-02").get_data(as_text=True)  # any day: its week
    assert "Semaine du 30/11/2026" in html and "week=2026-11-23" in html and "week=2026-12-07" in html
    tuesday, wednesday, thursday = (day(html, d) for d in ("2026-12-01", "2026-12-02", "2026-12-03"))
    assert "Mairie de Lens" in tuesday and "4 créneaux libres sur 4" in tuesday and "Sophie Lefebvre" in tuesday
    assert "Mairie de Boulogne" in wednesday and "3 créneaux libres sur 4" in wednesday
    assert "Famille Martin" in wednesday and "09:30–10:00 Rendez-vous" in wednesday
    assert "Garde" in thursday and "Paul Durand" in thursday and "Boulonnais" in thursday
    assert slot_links(html) == []  # read-only
    filtered = client.get("/agenda/?week=2026-12-01&territory=lens-henin").get_data(as_text=True)
    assert "Mairie de Lens" in filtered and "Mairie de Boulogne" not in filtered and "Famille Martin" not in filtered
    by_jurist = client.get(f"/agenda/?week=2026-12-01&jurist={week['paul'].id}").get_data(as_text=True)
    assert "Mairie de Lens" not in by_jurist and "Mairie de Boulogne" in by_jurist and "Garde" in by_jurist
    by_mission = client.get("/agenda/?week=2026-12-01&mission=info_logement").get_data(as_text=True)
    assert "Mairie de Lens" in by_mission and "Garde" not in by_mission and "Famille Martin" not in by_mission


@pytest.mark.parametrize(
    "query",
    [
        "week=2026-13-45",
        "week=99999-01-01",
        "week=0001-01-01",
        "jurist=abc",
        "territory=nowhere",
        "mission=%00",
        "household=abc",
    ],
)
def test_bad_filters_fall_back_without_an_error(app, client, login, make_user, week, query):
    login(make_user("manager"))
    response = client.get(f"/agenda/?{query}")
    assert response.status_code in (200, 404)  # a household id that is no number: not found, never a 500


def test_a_jurist_sees_their_missions_only_and_an_admin_nothing(app, client, login, make_user, week):
    app.config["FIXED_NOW"] = "2026-12-01T08:00"
    login(week["sophie"])
    html = client.get("/agenda/?week=2026-12-01").get_data(as_text=True)
    assert "Mairie de Lens" in html and "Mairie de Boulogne" not in html and "Famille Martin" not in html
    client.post("/logout", data={"csrf_token": re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)})
    login(make_user("admin"))
    assert client.get("/agenda/").status_code == 403


def test_booking_from_the_agenda_starts_with_the_households_territory_and_case(app, client, login, week):
    """A Boulogne household with an eviction case (no consultation yet): the eviction mission and the
    Boulonnais; the week of the first free slot; each free slot links to its booking; the read is audited."""
    app.config["FIXED_NOW"] = "2026-12-02T09:10"  # Wednesday, during the Boulogne permanence
    with app.app_context():
        db.session.add(Case(household_id=week["martin"].id))
        db.session.get(Household, week["martin"].id).created_by_id = week["paul"].id
        db.session.commit()
    paul = week["paul"]
    with app.app_context():
        db.session.get(User, paul.id).missions = ["info_logement", "prevention_expulsion"]
        db.session.commit()
    login(paul)
    html = client.get(f"/agenda/?household={week['martin'].id}").get_data(as_text=True)
    assert '<option value="prevention_expulsion" selected>' in html and '<option value="boulonnais" selected>' in html
    links = slot_links(html)
    # 9:00 is past, 9:30 booked: 10:00 and 10:30 today, then the next Wednesday's four.
    assert [re.search(r"T(\d\d:\d\d)", link).group(1) for link in links] == ["10:00", "10:30"]
    assert "Mairie de Lens" not in html
    with app.app_context():
        assert db.session.scalar(
            select(AuditEvent).where(
                AuditEvent.action == "household.read", AuditEvent.object_id == str(week["martin"].id)
            )
        )


def test_the_households_territory_without_a_slot_widens_to_every_territory(
    app, client, login, make_household, make_consultation, week
):
    app.config["FIXED_NOW"] = "2026-12-01T08:00"
    lensois = make_household(name="Famille Lensoise", commune_insee="62498")
    make_consultation(household=lensois, mission="prevention_expulsion", date=date(2026, 11, 2))
    login(week["paul"])
    html = client.get(f"/agenda/?household={lensois.id}").get_data(as_text=True)
    assert "Aucun créneau libre « Prévention des expulsions" in html
    assert "Mairie de Boulogne" in html and len(slot_links(html)) == 3


def test_the_default_mission_is_the_latest_readable_consultations(app, make_user, make_household, make_consultation):
    both = make_user("jurist", missions=("info_logement", "prevention_expulsion"))
    household = make_household(name="Famille Suivie")
    with app.app_context():
        user = db.session.get(User, both.id)
        assert appointments.default_mission(db.session.get(Household, household.id), user) is None
    make_consultation(household=household, mission="prevention_expulsion", date=date(2026, 10, 1))
    make_consultation(household=household, mission="info_logement", date=date(2026, 11, 1))
    with app.app_context():
        h, user = db.session.get(Household, household.id), db.session.get(User, both.id)
        assert appointments.default_mission(h, user) == "info_logement"
        eviction_only = db.session.get(User, make_user("jurist", missions=("prevention_expulsion",)).id)
        assert appointments.default_mission(h, eviction_only) == "prevention_expulsion"
