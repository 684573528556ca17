"""The duty roster as series: on_duty() around a split, on a public holiday and a closure day; saving,
splitting and stopping a series; the conflicts with permanences; the admin pages (series per jurist, the
gap warning, the form)."""

import re
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest
from conftest import EVICTION_NUMBER, csrf_token, twiml
from html_forms import version_of
from sqlalchemy import func, select
from test_ivr import at, redirect_target
from test_permanences import make_permanence

from hotline.core.opening import Closure, OpeningHours
from hotline.extensions import db
from hotline.permanences import duty
from hotline.permanences.duty import DutyError, on_duty
from hotline.permanences.models import DutyShift, describe_days
from hotline.permanences.services import PermanenceError

PARIS = ZoneInfo("Europe/Paris")
EVICTION, INFO = "prevention_expulsion", "info_logement"
WEEKDAYS = range(5)


def instant(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=PARIS)


def rung(mission, territory, when) -> list[str]:
    return [u.name for u in on_duty(mission, territory, instant(when), PARIS)]


def series_rows() -> list[tuple]:
    return [
        (s.user_id, s.mission, s.territory_code, s.weekdays, s.starts, s.ends, s.valid_from, s.valid_until)
        for s in db.session.scalars(select(DutyShift).order_by(DutyShift.id))
    ]


@pytest.fixture
def claire(app, make_user):
    """Claire, Boulonnais, on duty for both lines Monday to Friday 9:00-17:00 since the roster began."""
    user = make_user("jurist", name="Claire", phone="+33612345601", territories=("boulonnais",))
    with app.app_context():
        for mission in (EVICTION, INFO):
            db.session.add(
                DutyShift(
                    user_id=user.id,
                    mission=mission,
                    territory_code="boulonnais",
                    weekdays=WEEKDAYS,
                    starts=time(9),
                    ends=time(17),
                )
            )
        db.session.commit()
    return user


def test_on_duty_around_the_split_of_a_series(app, claire):
    """Edited on Wednesday 2 December: the shifts end at 12:00 from that day; the days before keep 9-17."""
    with app.app_context():
        series = db.session.scalar(select(DutyShift).where(DutyShift.mission == EVICTION))
        new = duty.save(
            series,
            user_id=claire.id,
            mission=EVICTION,
            territory_code="boulonnais",
            weekdays=WEEKDAYS,
            starts=time(9),
            ends=time(12),
            valid_from=None,
            valid_until=None,
            today=date(2026, 12, 2),
        )
        db.session.commit()
        assert new.id != series.id
        assert (series.valid_until, new.valid_from, new.valid_until) == (date(2026, 12, 1), date(2026, 12, 2), None)
        assert rung(EVICTION, "boulonnais", "2026-11-24T15:00") == ["Claire"]  # the past keeps its rule
        assert rung(EVICTION, "boulonnais", "2026-12-01T16:59") == ["Claire"]  # the day before the split
        assert rung(EVICTION, "boulonnais", "2026-12-02T11:59") == ["Claire"]
        assert rung(EVICTION, "boulonnais", "2026-12-02T12:00") == []  # the new rule, from the split day
        assert rung(EVICTION, "boulonnais", "2026-12-09T15:00") == []
        assert rung(INFO, "boulonnais", "2026-12-09T15:00") == ["Claire"]  # the other series is untouched
        assert rung(EVICTION, "boulonnais", "2026-12-05T10:00") == []  # a Saturday


def test_nobody_is_on_duty_on_a_public_holiday_or_a_closure_day(app, twilio, claire):
    with app.app_context():
        db.session.add(
            Closure(mission=EVICTION, starts_on=date(2026, 12, 3), ends_on=date(2026, 12, 3), reason="Formation")
        )
        db.session.commit()
        assert rung(EVICTION, "boulonnais", "2026-12-24T10:00") == ["Claire"]
        assert rung(EVICTION, "boulonnais", "2026-12-25T10:00") == []  # Christmas, a Friday
        assert rung(INFO, None, "2026-12-25T10:00") == []
        assert rung(EVICTION, "boulonnais", "2026-12-03T10:00") == []  # the eviction line is closed that day
        assert rung(INFO, "boulonnais", "2026-12-03T10:00") == ["Claire"]  # not the information line
    # What the caller meets: the voice menu closes the line those days, as it did.
    for moment, sid in (("2026-12-25T10:00", "CAxmas"), ("2026-12-03T10:00", "CAclosed")):
        at(app, moment)
        twilio("/ivr/voice", CallSid=sid, To=EVICTION_NUMBER)
        twilio("/ivr/postal/choice", CallSid=sid, Digits="62200")
        assert redirect_target(twiml(twilio("/ivr/route", CallSid=sid))) == "/ivr/closed"
    at(app, "2026-12-02T10:00")
    twilio("/ivr/voice", CallSid="CAopen", To=EVICTION_NUMBER)
    twilio("/ivr/postal/choice", CallSid="CAopen", Digits="62200")
    assert [n.text for n in twiml(twilio("/ivr/route", CallSid="CAopen")).findall("Dial/Number")] == ["+33612345601"]


def test_a_series_not_begun_is_edited_in_place_and_only_its_end_keeps_the_row(app, claire):
    with app.app_context():
        coming = duty.save(
            None,
            user_id=claire.id,
            mission=EVICTION,
            territory_code=None,
            weekdays=[5],
            starts=time(9),
            ends=time(12),
            valid_from=date(2026, 12, 12),
            today=date(2026, 12, 1),
        )
        edited = duty.save(
            coming,
            user_id=claire.id,
            mission=EVICTION,
            territory_code=None,
            weekdays=[5, 6],
            starts=time(10),
            ends=time(12),
            valid_from=date(2026, 12, 12),
            today=date(2026, 12, 2),
        )
        assert edited is coming and edited.weekdays == (5, 6)
        running = db.session.scalar(select(DutyShift).where(DutyShift.mission == INFO))
        ended = duty.save(
            running,
            user_id=claire.id,
            mission=INFO,
            territory_code="boulonnais",
            weekdays=WEEKDAYS,
            starts=time(9),
            ends=time(17),
            valid_until=date(2026, 12, 31),
            today=date(2026, 12, 2),
        )
        assert ended is running and running.valid_until == date(2026, 12, 31)
        db.session.commit()
        assert db.session.scalar(select(func.count()).select_from(DutyShift)) == 3


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"weekdays": []}, "Choisissez au moins un jour."),
        ({"starts": time(14), "ends": time(10)}, "L'heure de fin doit suivre l'heure de début."),
        ({"valid_from": date(2026, 11, 30)}, "Le premier jour ne peut pas être passé"),
        (
            {"valid_from": date(2026, 12, 10), "valid_until": date(2026, 12, 9)},
            "Le dernier jour doit suivre le premier.",
        ),
    ],
)
def test_a_wrong_series_is_refused_in_french_and_nothing_is_written(app, make_user, changes, message):
    jurist = make_user("jurist", phone="+33612345602")
    values = {
        "user_id": jurist.id,
        "mission": EVICTION,
        "territory_code": None,
        "weekdays": [0],
        "starts": time(9),
        "ends": time(12),
    } | changes
    with app.app_context():
        with pytest.raises(DutyError, match=re.escape(message)):
            duty.save(None, today=date(2026, 12, 1), **values)
        db.session.rollback()
        assert series_rows() == []


def test_a_running_series_keeps_its_past(app, claire):
    with app.app_context():
        series = db.session.scalar(select(DutyShift).where(DutyShift.mission == EVICTION))
        series.valid_from = date(2026, 11, 2)
        values = {
            "user_id": claire.id,
            "mission": EVICTION,
            "territory_code": "boulonnais",
            "weekdays": WEEKDAYS,
            "starts": time(9),
            "ends": time(17),
        }
        with pytest.raises(DutyError, match="a commencé le 02/11/2026"):
            duty.save(series, valid_from=date(2026, 11, 16), today=date(2026, 12, 2), **values)
        with pytest.raises(DutyError, match="ne peut pas précéder le 01/12/2026"):
            duty.save(
                series, valid_from=date(2026, 11, 2), valid_until=date(2026, 11, 20), today=date(2026, 12, 2), **values
            )
        # A change from a coming day: the old rule runs until the day before.
        later = duty.save(series, valid_from=date(2026, 12, 14), today=date(2026, 12, 2), **values | {"weekdays": [0]})
        assert (series.valid_until, later.valid_from, later.weekdays) == (date(2026, 12, 13), date(2026, 12, 14), (0,))
        db.session.commit()
        assert rung(EVICTION, "boulonnais", "2026-12-11T10:00") == ["Claire"]
        assert rung(EVICTION, "boulonnais", "2026-12-18T10:00") == []
        assert rung(EVICTION, "boulonnais", "2026-12-21T10:00") == ["Claire"]


def test_stopping_a_series(app, claire):
    with app.app_context():
        running = db.session.scalar(select(DutyShift).where(DutyShift.mission == EVICTION))
        coming = duty.save(
            None,
            user_id=claire.id,
            mission=EVICTION,
            territory_code=None,
            weekdays=[5],
            starts=time(9),
            ends=time(12),
            valid_from=date(2026, 12, 12),
            today=date(2026, 12, 1),
        )
        duty.stop(running, date(2026, 12, 2))
        duty.stop(coming, date(2026, 12, 2))
        db.session.commit()
        assert running.valid_until == date(2026, 12, 1)
        assert db.session.scalar(select(func.count()).select_from(DutyShift)) == 2  # the one to come is gone
        assert rung(EVICTION, "boulonnais", "2026-12-01T10:00") == ["Claire"]
        assert rung(EVICTION, "boulonnais", "2026-12-02T10:00") == []


def test_a_series_during_a_permanence_is_refused_naming_it_and_the_reverse(app, make_user):
    sophie = make_user("jurist", name="Sophie Lefebvre", phone="+33612345603")
    app.config["FIXED_NOW"] = "2026-12-01T08:00"
    make_permanence(app, sophie, frequency="monthly", week_of_month=-1, first_day=date(2026, 12, 1))  # Tue 9-12
    with app.app_context():
        values = {"user_id": sophie.id, "mission": INFO, "territory_code": None, "starts": time(8), "ends": time(10)}
        with pytest.raises(DutyError) as refused:
            duty.save(None, weekdays=[0, 1, 2], today=date(2026, 12, 1), **values)
        assert str(refused.value) == (
            "Sophie Lefebvre tient la permanence « Mairie de Lens » le mardi 29/12/2026 "
            "de 09:00 à 12:00 : une garde ne peut pas tomber pendant une permanence."
        )
        # A series that ends before the permanence's first date is no conflict.
        duty.save(None, weekdays=[0, 1, 2], valid_until=date(2026, 12, 28), today=date(2026, 12, 1), **values)
        db.session.commit()
    # The other way round: a permanence on a day of a running series, during its hours.
    with pytest.raises(PermanenceError, match="est de garde au numéro vert chaque mercredi de 08:00 à 10:00"):
        make_permanence(app, sophie, name="Mairie de Liévin", address="Place", weekday=2, first_day=date(2026, 12, 1))
    make_permanence(app, sophie, name="Mairie d'Avion", address="Rue", weekday=2, first_day=date(2026, 12, 29))


def test_days_of_a_series_read_in_french():
    assert describe_days(range(5)) == "Du lundi au vendredi"
    assert describe_days([0, 1, 3]) == "Lundi, mardi et jeudi"
    assert describe_days([2]) == "Mercredi"
    assert describe_days([5, 6]) == "Samedi et dimanche"


def series_table(html: str) -> dict[str, list[str]]:
    """Per jurist (the section's heading), the text of each series' row."""
    found = {}
    for section in re.findall(r'<section class="card duty-jurist".*?</section>', html, re.S):
        name = re.sub(r"<[^>]+>", "", re.search(r"<h3[^>]*>(.*?)</h3>", section, re.S).group(1)).strip()
        rows = re.findall(r'<tr id="series-\d+">(.*?)</tr>', section, re.S)
        found[name] = [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", row)).strip() for row in rows]
    return found


def test_the_admin_page_lists_the_series_per_jurist_with_the_gaps(app, client, login, make_user, claire):
    app.config["FIXED_NOW"] = "2026-11-30T08:00"
    julien = make_user("jurist", name="Julien", phone="+33612345602")
    with app.app_context():
        db.session.execute(OpeningHours.__table__.delete())
        db.session.add(OpeningHours(mission=EVICTION, weekday=5, opens=time(9), closes=time(12)))
        db.session.add(
            DutyShift(
                user_id=julien.id,
                mission=EVICTION,
                territory_code=None,
                weekdays=[5],
                starts=time(9),
                ends=time(10),
                valid_from=date(2026, 12, 1),
            )
        )
        db.session.add(
            DutyShift(
                user_id=julien.id,
                mission=INFO,
                territory_code=None,
                weekdays=[0],
                starts=time(9),
                ends=time(10),
                valid_until=date(2026, 11, 1),
            )
        )  # ended
        db.session.commit()
    login(make_user("admin"))
    html = client.get("/admin/roster/").get_data(as_text=True)
    table = series_table(html)
    assert list(table) == ["Claire", "Julien"]
    assert len(table["Claire"]) == 2 and all(
        "Du lundi au vendredi 09:00–17:00 Boulonnais en cours" in row for row in table["Claire"]
    )
    assert table["Julien"] == [
        "Prévention des expulsions locatives (numéro vert) Samedi 09:00–10:00 Tous les "
        "territoires à partir du 01/12/2026 Modifier Arrêter"
    ]
    gaps = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", re.search(r'id="gardes">(.*?)</section>', html, re.S).group(1)))
    assert "Samedi 05/12 10:00–12:00 : Prévention des expulsions locatives (numéro vert), personne de garde" in gaps
    assert "Samedi 12/12 10:00–12:00" in gaps and "Samedi 19/12" not in gaps  # 14 days


def test_the_series_form_creates_keeps_what_was_typed_and_splits(app, client, login, make_user, claire):
    app.config["FIXED_NOW"] = "2026-12-02T08:00"
    login(make_user("admin"))
    token = csrf_token(client, "/permanences/duty/new")
    data = {
        "csrf_token": token,
        "user_id": str(claire.id),
        "mission": EVICTION,
        "territory": "",
        "weekdays": ["5", "6"],
        "starts": "10:00",
        "ends": "09:00",
        "valid_from": "",
        "valid_until": "",
    }
    page = client.post("/permanences/duty/new", data=data).get_data(as_text=True)
    assert "L&#39;heure de fin doit suivre" in page or "L'heure de fin doit suivre" in page
    assert 'value="10:00"' in page and re.search(r'<input[^>]*checked[^>]*value="5"|value="5"[^>]*checked', page)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(DutyShift)) == 2
    assert client.post("/permanences/duty/new", data=data | {"ends": "12:00"}).status_code == 302
    with app.app_context():
        saturday = db.session.scalar(select(DutyShift).where(DutyShift.territory_code.is_(None)))
        assert (saturday.weekdays, saturday.valid_from) == ((5, 6), date(2026, 12, 2))
        running_id = db.session.scalar(select(DutyShift.id).where(DutyShift.mission == INFO))
    edit = f"/permanences/duty/{running_id}/edit"
    form = client.get(edit).get_data(as_text=True)
    assert 'value="09:00"' in form and "Cette série a commencé" in form
    changed = {
        "csrf_token": token,
        "user_id": str(claire.id),
        "mission": INFO,
        "territory": "boulonnais",
        "weekdays": ["0", "1", "2", "3"],
        "starts": "09:00",
        "ends": "17:00",
        "valid_from": "",
        "valid_until": "",
        "version": version_of(client, edit),
    }
    response = client.post(edit, data=changed, follow_redirects=True).get_data(as_text=True)
    assert (
        "les nouvelles règles s&#39;appliquent à partir du 02/12/2026" in response
        or "les nouvelles règles s'appliquent à partir du 02/12/2026" in response
    )
    with app.app_context():
        rows = [
            (s.weekdays, s.valid_from, s.valid_until)
            for s in db.session.scalars(select(DutyShift).where(DutyShift.mission == INFO).order_by(DutyShift.id))
        ]
        assert rows == [((0, 1, 2, 3, 4), None, date(2026, 12, 1)), ((0, 1, 2, 3), date(2026, 12, 2), None)]
    assert client.post(f"/permanences/duty/{running_id}/stop", data={"csrf_token": token}).status_code == 302
    assert client.get("/permanences/duty/999999/edit").status_code == 404
