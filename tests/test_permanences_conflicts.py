"""A jurist is in one place at a time: a permanence that meets another of theirs, or one of their
duty shifts, is refused with the other one, the day and the hours named; and a duty shift during
one of their permanences too."""

from datetime import date, time

import pytest
from conftest import csrf_token
from sqlalchemy import func, select
from test_permanences import fresh_places, make_permanence  # noqa: F401 (fixture)

from hotline.extensions import db
from hotline.permanences import duty, recurrence, services
from hotline.permanences.models import DutyShift, Permanence


def weekly_shift(user_id: int, weekday: int, starts, ends) -> DutyShift:
    """A weekly information-line shift of one weekday from today on (a series of that one day)."""
    return duty.save(
        None,
        user_id=user_id,
        mission="info_logement",
        territory_code=None,
        weekdays=[weekday],
        starts=starts,
        ends=ends,
        today=None,
    )


def count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Permanence))


def test_two_permanences_of_a_jurist_on_a_common_day_are_refused(app, make_user):
    sophie = make_user("jurist", name="Sophie Lefebvre")
    app.config["FIXED_NOW"] = "2026-12-01T08:00"
    make_permanence(app, sophie, first_day=date(2026, 11, 1))  # Lens, every Tuesday 9:00-12:00
    with pytest.raises(services.PermanenceError) as refused:
        make_permanence(
            app,
            sophie,
            name="Mairie de Liévin",
            address="Place Gambetta",
            frequency="monthly",
            week_of_month=2,
            starts=time(11),
            ends=time(13),
        )
    assert str(refused.value) == (
        "Sophie Lefebvre tient déjà la permanence « Mairie de Lens » le mardi 08/12/2026 "
        "de 09:00 à 12:00 : un(e) juriste ne peut pas être à deux endroits à la fois."
    )
    assert count(app) == 1
    # Other hours, another weekday, or another jurist: no conflict.
    make_permanence(app, sophie, name="Mairie de Liévin", address="Place Gambetta", starts=time(14), ends=time(17))
    make_permanence(app, sophie, name="Mairie de Liévin", address="Place Gambetta", weekday=2)
    make_permanence(app, make_user("jurist"), name="Mairie de Liévin", address="Place Gambetta")
    assert count(app) == 4


def test_every_other_week_on_the_other_weeks_is_no_conflict(app, make_user):
    sophie = make_user("jurist", name="Sophie Lefebvre")
    app.config["FIXED_NOW"] = "2026-12-01T08:00"
    make_permanence(app, sophie, frequency="biweekly", first_day=date(2026, 12, 1))  # 1, 15, 29 December
    make_permanence(
        app,
        sophie,
        name="Mairie de Liévin",
        address="Place Gambetta",
        frequency="biweekly",
        first_day=date(2026, 12, 8),
    )  # 8, 22 December
    with pytest.raises(services.PermanenceError, match="le mardi 15/12/2026"):
        make_permanence(
            app, sophie, name="Mairie d'Avion", address="Rue", frequency="biweekly", first_day=date(2026, 12, 14)
        )


def test_a_permanence_during_a_duty_shift_is_refused_in_the_form(app, client, make_user, login):
    sophie = make_user("jurist", name="Sophie Lefebvre", phone="+33612345603")
    with app.app_context():
        db.session.add(
            DutyShift(
                user_id=sophie.id,
                mission="prevention_expulsion",
                weekday=1,
                starts=time(9),
                ends=time(12, 30),
                territory_code="lens-henin",
            )
        )
        db.session.commit()
    app.config["FIXED_NOW"] = "2026-12-01T08:00"
    login(make_user("admin"))
    data = {
        "csrf_token": csrf_token(client, "/permanences/new"),
        "place_id": "",
        "name": "Mairie de Lens",
        "address": "Place Jean Jaurès",
        "commune": "Lens",
        "mission": "info_logement",
        "user_id": str(sophie.id),
        "frequency": "weekly",
        "weekday": "1",
        "week_of_month": "",
        "starts": "11:00",
        "ends": "14:00",
        "first_day": "2026-12-01",
        "last_day": "",
        "active": "y",
    }
    response = client.post("/permanences/new", data=data)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert (
        "Sophie Lefebvre est de garde au numéro vert chaque mardi de 09:00 à 12:30 : la permanence du mardi "
        "01/12/2026 de 11:00 à 14:00 tomberait pendant cette garde."
    ) in page
    assert 'value="Mairie de Lens"' in page and 'value="11:00"' in page
    assert count(app) == 0
    data["starts"] = "13:00"
    assert client.post("/permanences/new", data=data).status_code == 302


def test_a_duty_shift_during_a_permanence_is_refused(app, make_user):
    sophie = make_user("jurist", name="Sophie Lefebvre", phone="+33612345603")
    app.config["FIXED_NOW"] = "2026-12-01T08:00"
    make_permanence(app, sophie, frequency="monthly", week_of_month=-1, first_day=date(2026, 12, 1))
    with app.app_context():
        with pytest.raises(ValueError) as refused:
            weekly_shift(sophie.id, 1, time(8), time(10))
        assert str(refused.value) == (
            "Sophie Lefebvre tient la permanence « Mairie de Lens » le mardi 29/12/2026 "
            "de 09:00 à 12:00 : une garde ne peut pas tomber pendant une permanence."
        )
        weekly_shift(sophie.id, 1, time(13), time(17))
        weekly_shift(sophie.id, 2, time(9), time(12))
        db.session.commit()
        assert db.session.scalar(select(func.count()).select_from(DutyShift)) == 2


def test_a_permanence_that_has_ended_or_is_inactive_is_no_conflict(app, make_user):
    sophie = make_user("jurist", name="Sophie Lefebvre", phone="+33612345603")
    app.config["FIXED_NOW"] = "2026-12-01T08:00"
    make_permanence(app, sophie, first_day=date(2026, 1, 1), last_day=date(2026, 6, 30))
    make_permanence(app, sophie, name="Mairie d'Avion", address="Rue", active=False)
    make_permanence(app, sophie, name="Mairie de Liévin", address="Place Gambetta")
    assert count(app) == 3


def test_editing_a_running_series_does_not_clash_with_its_own_past(app, make_user):
    sophie = make_user("jurist", name="Sophie Lefebvre")
    pid = make_permanence(app, sophie, first_day=date(2026, 11, 3))
    with app.app_context():
        p = db.session.get(Permanence, pid)
        new = services.save(
            p,
            place=p.place,
            today=date(2026, 12, 1),
            mission=p.mission,
            user_id=sophie.id,
            frequency="weekly",
            weekday=1,
            week_of_month=None,
            starts=time(10),
            ends=time(12),
            first_day=p.first_day,
            last_day=None,
            active=True,
        )
        assert new.id != pid and new.first_day == date(2026, 12, 1)


@pytest.mark.parametrize(
    "one,other,expected",
    [
        (("weekly", 1, None), ("monthly", 1, 2), date(2026, 12, 8)),
        (("monthly", 1, 4), ("monthly", 1, -1), date(2027, 1, 26)),  # December has five Tuesdays, January four
        (("monthly", 1, 1), ("monthly", 1, 3), None),
        (("weekly", 1, None), ("weekly", 2, None), None),
    ],
)
def test_first_common_day(one, other, expected):
    def schedule(rule):
        return recurrence.Schedule(*rule, date(2026, 12, 1), None, time(9), time(12))

    assert recurrence.first_common_day(schedule(one), schedule(other), date(2026, 12, 1)) == expected
