"""The booking bugs of issue 10: an eviction slot is refused as "not a valid choice", the mission
defaults to information, the office accepts a Sunday night. Each test failed before the fix."""

import re
from datetime import date, datetime, time
from html import unescape
from urllib.parse import quote, unquote
from zoneinfo import ZoneInfo

import pytest
from conftest import csrf_token
from sqlalchemy import select

from hotline.appointments.models import Appointment
from hotline.extensions import db
from hotline.permanences import services as permanences

PARIS = ZoneInfo("Europe/Paris")


@pytest.fixture
def two_missions(app, make_user):
    """Julie works both missions: an information permanence in Lens on Tuesdays, an eviction one in
    Boulogne on Wednesdays (9:00-12:00, slots of 30 minutes)."""
    julie = make_user("jurist", name="Julie Juriste")
    with app.app_context():
        info = permanences.save(
            None,
            commune_insee="62498",
            name="Mairie de Lens",
            address="17 bis place Jean Jaurès",
            mission="info_logement",
            user_id=julie.id,
            frequency="weekly",
            weekday=1,
            week_of_month=None,
            starts=time(9),
            ends=time(12),
            first_day=date(2026, 11, 1),
            last_day=None,
            active=True,
        )
        eviction = permanences.save(
            None,
            commune_insee="62160",
            name="Maison des services de Boulogne",
            address="1 rue Faidherbe",
            mission="prevention_expulsion",
            user_id=julie.id,
            frequency="weekly",
            weekday=2,
            week_of_month=None,
            starts=time(9),
            ends=time(12),
            first_day=date(2026, 11, 1),
            last_day=None,
            active=True,
        )
        db.session.commit()
        return {"jurist": julie, "info": info.id, "eviction": eviction.id}


def key(permanence_id, day, hour, minute=0):
    return f"{permanence_id}|{datetime(2026, 12, day, hour, minute, tzinfo=PARIS).isoformat()}"


def listed_slots(html: str) -> list[str]:
    """The slots the booking page offers: options of a drop-down (before), or the agenda's links."""
    options = re.findall(r'<option value="(\d+\|[^"]+)"', html)
    links = re.findall(r'href="/appointments/new\?[^"]*slot=([^"&]+)', html)
    return [unescape(o) for o in options] + [unquote(unescape(link)) for link in links]


def test_an_eviction_slot_listed_for_the_household_is_booked(
    app, client, login, two_missions, make_household, make_consultation
):
    """A household of Lens in an eviction procedure: the booking page offers eviction slots only, and
    the first one listed is booked ("N'est pas un choix valide." before)."""
    app.config["FIXED_NOW"] = "2026-12-01T08:00"
    household = make_household(name="Famille Durand", phone="+33612345678", commune_insee="62498")
    make_consultation(household=household, mission="prevention_expulsion", date=date(2026, 11, 20))
    login(two_missions["jurist"])
    page = client.get(f"/appointments/new?household={household.id}", follow_redirects=True).get_data(as_text=True)
    slots = listed_slots(page)
    assert slots and all(s.startswith(f"{two_missions['eviction']}|") for s in slots), slots[:3]
    url = f"/appointments/new?household={household.id}&slot={quote(slots[0])}"
    data = {
        "csrf_token": csrf_token(client, url),
        "mission": "prevention_expulsion",
        "slot": slots[0],
        "jurist_id": str(two_missions["jurist"].id),
        "sms_reminder": "y",
    }
    page = client.post(url, data=data, follow_redirects=True).get_data(as_text=True)
    assert "choix valide" not in page
    with app.app_context():
        booked = db.session.scalars(select(Appointment)).one()
        assert (booked.mission, booked.permanence_id, booked.starts_at) == (
            "prevention_expulsion",
            two_missions["eviction"],
            datetime(2026, 12, 2, 9, 0, tzinfo=PARIS),
        )


@pytest.mark.parametrize(
    "slot",
    [
        "99999999999999999999|2026-12-02T09:00:00+01:00",
        "²|2026-12-02T09:00:00+01:00",
        "1|0001-01-01T00:00:00+14:00",
        "1|2026-12-02T09:00:00",
        "1|demain",
        "|",
        "abc",
    ],
)
def test_a_forged_slot_is_refused_in_french(app, client, login, two_missions, make_household, slot):
    app.config["FIXED_NOW"] = "2026-12-01T08:00"
    household = make_household(name="Famille Durand", created_by_id=two_missions["jurist"].id)
    login(two_missions["jurist"])
    url = f"/appointments/new?household={household.id}&slot={quote(slot)}"
    page = client.get(url)
    assert page.status_code == 200 and "Ce créneau n&#39;existe pas" in page.get_data(as_text=True)
    response = client.post(url, data={"csrf_token": csrf_token(client, url), "mission": "info_logement", "slot": slot})
    assert response.status_code == 200 and "Ce créneau n&#39;existe pas" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalars(select(Appointment)).all() == []
