"""Editing a running permanence splits its series: the past keeps its rule (the report's
`permanences_held` does not move), booked appointments and cancellations of the coming days follow
the new stretch, and what the new rule would leave out is refused."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from conftest import csrf_token
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select
from test_permanences import fresh_places, make_permanence  # noqa: F401 (fixture)

from hotline.appointments import services as appointments
from hotline.appointments.models import Appointment
from hotline.core.hours import is_holiday
from hotline.extensions import db
from hotline.permanences import recurrence, services
from hotline.permanences.models import Permanence
from hotline.reports import services as reports
from hotline.reports import tidy

PARIS = ZoneInfo("Europe/Paris")


def held(app, first: date, last: date, now: datetime, mission="info_logement") -> int:
    """The report's permanences_held over the months first..last (first days of months)."""
    with app.app_context():
        rows = reports.report(first, last, [mission], now, PARIS)
        return tidy.value_of(rows, mission, "total", "all", "permanences_held", "")


def edit_form(client, pid, **overrides):
    url = f"/permanences/{pid}/edit"
    page = client.get(url).get_data(as_text=True)
    with client.application.app_context():
        p = db.session.get(Permanence, pid)
        assert f'<option selected value="{p.place_id}">' in page  # its place is chosen in the list
        data = {
            "csrf_token": csrf_token(client, url),
            "place_id": str(p.place_id),
            "name": "",
            "address": "",
            "commune": "",
            "mission": p.mission,
            "user_id": str(p.user_id or ""),
            "frequency": p.frequency,
            "weekday": str(p.weekday),
            "week_of_month": str(p.week_of_month or ""),
            "starts": p.starts.strftime("%H:%M"),
            "ends": p.ends.strftime("%H:%M"),
            "first_day": p.first_day.isoformat(),
            "last_day": p.last_day.isoformat() if p.last_day else "",
            "active": "y",
            "version": str(p.version),
        }
    data.update(overrides)
    return client.post(url, data=data)


def rows(app):
    with app.app_context():
        return [
            (p.id, p.frequency, p.first_day, p.last_day, p.starts, p.user_id)
            for p in db.session.scalars(select(Permanence).order_by(Permanence.first_day))
        ]


def test_changing_a_weekly_series_to_monthly_keeps_the_past_held(app, client, make_user, login):
    """Issue 10: changing a weekly series to monthly in place cut January-June's figure from 26 to 6."""
    pid = make_permanence(app, first_day=date(2026, 1, 1))  # every Tuesday, 9:00-12:00, in Lens
    app.config["FIXED_NOW"] = "2026-07-01T10:00"
    now = datetime(2026, 7, 1, 10, tzinfo=PARIS)
    assert held(app, date(2026, 1, 1), date(2026, 6, 1), now) == 26
    assert held(app, date(2026, 1, 1), date(2026, 3, 1), now) == 13
    login(make_user("admin"))
    response = edit_form(client, pid, frequency="monthly", week_of_month="1")
    assert response.status_code == 302
    assert held(app, date(2026, 1, 1), date(2026, 6, 1), now) == 26  # the figures already given stay
    assert held(app, date(2026, 1, 1), date(2026, 3, 1), now) == 13
    (old_id, old_rule, old_first, old_last, *_), (new_id, new_rule, new_first, new_last, *_) = rows(app)
    assert (old_id, old_rule, old_first, old_last) == (pid, "weekly", date(2026, 1, 1), date(2026, 6, 30))
    assert (new_rule, new_first, new_last) == ("monthly", date(2026, 7, 1), None)
    later = datetime(2027, 1, 1, tzinfo=PARIS)  # July-December: the first Tuesdays only
    assert held(app, date(2026, 7, 1), date(2026, 12, 1), later) == 6
    planning = client.get("/permanences/planning").get_data(as_text=True)
    assert "du 01/01/2026 au 30/06/2026" in planning and "Le 1er mardi du mois, 09:00–12:00" in planning


def test_only_its_end_or_state_changes_in_place(app, client, make_user, login):
    pid = make_permanence(app, first_day=date(2026, 1, 1))
    app.config["FIXED_NOW"] = "2026-07-01T10:00"
    login(make_user("admin"))
    assert edit_form(client, pid, last_day="2026-12-31").status_code == 302
    assert rows(app) == [(pid, "weekly", date(2026, 1, 1), date(2026, 12, 31), time(9), None)]


def test_the_past_of_a_running_series_cannot_be_rewritten(app, client, make_user, login):
    pid = make_permanence(app, first_day=date(2026, 1, 1))
    app.config["FIXED_NOW"] = "2026-07-01T10:00"
    login(make_user("admin"))
    before = rows(app)
    response = edit_form(client, pid, first_day="2026-03-01", starts="10:00")
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "a commencé le 01/01/2026" in page and 'value="10:00"' in page
    response = edit_form(client, pid, last_day="2026-05-31")
    assert "Le dernier jour ne peut pas précéder le 30/06/2026" in response.get_data(as_text=True)
    assert rows(app) == before
    # A later first day is the day the change applies from: the old rule runs until the day before.
    assert edit_form(client, pid, first_day="2026-09-01", starts="10:00").status_code == 302
    assert [(r[2], r[3], r[4]) for r in rows(app)] == [
        (date(2026, 1, 1), date(2026, 8, 31), time(9)),
        (date(2026, 9, 1), None, time(10)),
    ]


def test_an_ended_series_keeps_its_dates_and_extending_it_does_not_fill_the_gap(app, make_user):
    pid = make_permanence(app, first_day=date(2026, 1, 1), last_day=date(2026, 3, 31))
    with app.app_context():
        p = db.session.get(Permanence, pid)
        values = dict(
            mission=p.mission,
            user_id=None,
            frequency="weekly",
            weekday=1,
            week_of_month=None,
            starts=time(9),
            ends=time(12),
            first_day=p.first_day,
            last_day=p.last_day,
            active=True,
        )
        assert services.save(p, place=p.place, today=date(2026, 7, 1), **values) is p  # saved unchanged
        with pytest.raises(services.PermanenceError, match="s'est terminée le 31/03/2026"):
            services.save(p, place=p.place, today=date(2026, 7, 1), **{**values, "starts": time(10)})
        services.save(p, place=p.place, today=date(2026, 7, 1), **{**values, "last_day": None})
        db.session.commit()
    assert [(r[2], r[3]) for r in rows(app)] == [(date(2026, 1, 1), date(2026, 3, 31)), (date(2026, 7, 1), None)]


def test_a_series_not_begun_changes_in_place(app, client, make_user, login):
    pid = make_permanence(app, first_day=date(2026, 12, 1))
    app.config["FIXED_NOW"] = "2026-11-20T10:00"
    login(make_user("admin"))
    assert edit_form(client, pid, frequency="biweekly", first_day="2026-12-03", weekday="3").status_code == 302
    assert rows(app) == [(pid, "biweekly", date(2026, 12, 3), None, time(9), None)]


@pytest.fixture
def booked(app, make_user, make_household):
    """Sophie holds Lens every Tuesday 9:00-12:00 since November; on Tuesday 1 December, households
    have booked 8 December at 10:00 and 15 December at 9:00; 22 December is cancelled."""
    sophie, other = make_user("jurist", name="Sophie Lefebvre"), make_user("jurist", name="Marc Dubois")
    pid = make_permanence(app, sophie, first_day=date(2026, 11, 3))
    family = make_household(name="Famille Martin", commune_insee="62498")
    now = datetime(2026, 12, 1, 8, tzinfo=PARIS)
    app.config["FIXED_NOW"] = "2026-12-01T08:00"
    with app.app_context():
        for day, hour in ((8, 10), (15, 9)):
            appointments.book(
                db.session.get(type(family), family.id),
                mission="info_logement",
                jurist=None,
                booked_by=sophie,
                now=now,
                zone=PARIS,
                slot=f"{pid}|{datetime(2026, 12, day, hour, tzinfo=PARIS).isoformat()}",
            )
        services.cancel(db.session.get(Permanence, pid), date(2026, 12, 22), "Formation", sophie)
        db.session.commit()
    return {"pid": pid, "sophie": sophie, "other": other}


def test_an_edit_that_would_leave_an_appointment_out_is_refused_naming_it(app, client, make_user, login, booked):
    login(make_user("admin"))
    before = rows(app)
    response = edit_form(client, booked["pid"], starts="09:30")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "1 rendez-vous pris dans cette permanence ne tomberaient plus" in page and "le 15/12/2026 à 09:00" in page
    assert "Famille Martin" not in page  # an administrator reads no household
    stopped = edit_form(client, booked["pid"], active="").get_data(as_text=True)
    assert "2 rendez-vous pris dans cette permanence" in stopped and "le 08/12/2026 à 10:00" in stopped
    assert rows(app) == before


def test_booked_appointments_and_cancellations_follow_the_new_stretch(app, client, make_user, login, booked):
    login(make_user("admin"))
    response = edit_form(client, booked["pid"], ends="12:30", user_id=str(booked["other"].id))
    assert response.status_code == 302
    (old, *_), (new, *_) = rows(app)
    with app.app_context():
        assert db.session.get(Permanence, old).last_day == date(2026, 11, 30)
        moved = list(db.session.scalars(select(Appointment).order_by(Appointment.starts_at)))
        assert [(a.permanence_id, a.user_id) for a in moved] == [(new, booked["other"].id)] * 2
        assert [(c.day, c.reason) for c in db.session.get(Permanence, new).cancellations] == [
            (date(2026, 12, 22), "Formation")
        ]
        assert db.session.get(Permanence, old).cancellations == []
        coming = services.occurrences(date(2026, 12, 1), date(2026, 12, 31))
        assert {o.permanence.id for o in coming} == {new}
        assert [(o.day.day, o.not_held) for o in coming] == [
            (1, None),
            (8, None),
            (15, None),
            (22, "Formation"),
            (29, None),
        ]


def test_every_other_week_keeps_its_weeks_after_a_split():
    # Every other Thursday from 5 November: 5, 19 November, 3, 17 December...
    assert recurrence.continue_from(date(2026, 12, 1), date(2026, 11, 5), "biweekly", "biweekly") == date(2026, 12, 1)
    assert recurrence.continue_from(date(2026, 12, 8), date(2026, 11, 5), "biweekly", "biweekly") == date(
        2026, 12, 14
    )  # an off week: the new stretch starts on the Monday of the next one
    assert recurrence.continue_from(date(2026, 12, 8), date(2026, 11, 5), "weekly", "biweekly") == date(2026, 12, 8)


def test_a_biweekly_series_edited_in_an_off_week_stays_on_its_weeks(app):
    pid = make_permanence(app, frequency="biweekly", weekday=3, first_day=date(2026, 11, 5))
    with app.app_context():
        p = db.session.get(Permanence, pid)
        services.save(
            p,
            place=p.place,
            today=date(2026, 12, 8),
            mission=p.mission,
            user_id=None,
            frequency="biweekly",
            weekday=3,
            week_of_month=None,
            starts=time(14),
            ends=time(17),
            first_day=p.first_day,
            last_day=None,
            active=True,
        )
        db.session.commit()
        days = [(o.day, o.permanence.starts) for o in services.occurrences(date(2026, 11, 1), date(2026, 12, 31))]
    assert days == [
        (date(2026, 11, 5), time(9)),
        (date(2026, 11, 19), time(9)),
        (date(2026, 12, 3), time(9)),
        (date(2026, 12, 17), time(14)),
        (date(2026, 12, 31), time(14)),
    ]


rules = st.one_of(
    st.tuples(st.sampled_from(["weekly", "biweekly"]), st.integers(0, 4), st.none()),
    st.tuples(st.just("monthly"), st.integers(0, 4), st.sampled_from([1, 2, 3, 4, -1])),
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    old=rules,
    new=rules,
    first=st.dates(date(2026, 1, 1), date(2026, 6, 30)),
    edited=st.dates(date(2026, 1, 2), date(2026, 9, 30)),
    hour=st.integers(8, 15),
)
def test_a_split_never_changes_a_day_before_the_edit(app, old, new, first, edited, hour):
    """Whatever the old and new rules and the day of the edit: the days before it are those of the
    old rule, and the days from it are those of the new one (from where it continues)."""
    if edited <= first:
        edited = first + timedelta(days=1)
    end = date(2026, 12, 31)
    with app.app_context():
        try:
            saved = services.save(
                None,
                commune_insee="62498",
                name="Mairie de Lens",
                address="Place Jean Jaurès",
                mission="info_logement",
                user_id=None,
                frequency=old[0],
                weekday=old[1],
                week_of_month=old[2],
                starts=time(9),
                ends=time(12),
                first_day=first,
                last_day=None,
                active=True,
                today=first,
            )
            new_row = services.save(
                saved,
                place=saved.place,
                today=edited,
                mission="info_logement",
                user_id=None,
                frequency=new[0],
                weekday=new[1],
                week_of_month=new[2],
                starts=time(hour),
                ends=time(hour + 2),
                first_day=first,
                last_day=None,
                active=True,
            )
            found = [(o.day, o.permanence.starts) for o in services.occurrences(first, end)]
            before = recurrence.days(*old, first, None, first, edited - timedelta(days=1))
            start = recurrence.continue_from(edited, first, old[0], new[0])
            after = recurrence.days(*new, start, None, edited, end)
            assert [d for d, _ in found if d < edited] == before
            assert [d for d, _ in found if d >= edited] == after
            assert all(starts == time(hour) for d, starts in found if d >= edited)
            if (old[0], old[1], old[2], hour) != (new[0], new[1], new[2], 9):
                assert new_row.id != saved.id and saved.last_day == start - timedelta(days=1)
            held_before = [d for d in before if not is_holiday(d)]
            assert len(
                services.held(first, edited - timedelta(days=1), datetime(2027, 1, 1, tzinfo=PARIS), PARIS)
            ) == len(held_before)
        finally:
            db.session.rollback()
