"""Office appointments only within the opening hours: a table of cases for the pure rule, and the
service's French refusal (a Sunday at 23:00 was accepted before)."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hotline.appointments import services
from hotline.appointments.office import within_hours
from hotline.auth.models import User
from hotline.consultations.models import Household
from hotline.core import hours
from hotline.extensions import db

PARIS = ZoneInfo("Europe/Paris")
WEEKDAYS = [
    hours.Slot(day, opens, closes)
    for day in range(5)
    for opens, closes in ((time(9), time(12, 30)), (time(13, 30), time(17)))
]
CLOSED = [hours.Period(date(2026, 12, 24), date(2026, 12, 31))]


@pytest.mark.parametrize(
    "moment, minutes, expected",
    [
        ("2026-12-01T09:00", 30, True),  # a Tuesday at opening
        ("2026-12-01T12:00", 30, True),  # ends at closing
        ("2026-12-01T12:15", 30, False),  # runs into the lunch break
        ("2026-12-01T08:45", 30, False),  # before opening
        ("2026-12-01T16:45", 30, False),  # past closing
        ("2026-12-06T10:00", 30, False),  # a Sunday
        ("2026-12-06T23:00", 30, False),  # a Sunday night
        ("2026-11-11T10:00", 30, False),  # Armistice day, a Wednesday
        ("2026-12-28T10:00", 30, False),  # a closure (a Monday)
        ("2026-12-01T23:45", 30, False),  # across midnight
    ],
)
def test_within_hours(moment, minutes, expected):
    assert within_hours(datetime.fromisoformat(moment).replace(tzinfo=PARIS), minutes, WEEKDAYS, CLOSED) is expected


@given(st.datetimes(min_value=datetime(2026, 1, 1), max_value=datetime(2027, 12, 31)), st.sampled_from([15, 30, 60]))
def test_an_accepted_appointment_is_open_from_its_start_to_its_last_minute(moment, minutes):
    starts = moment.replace(second=0, microsecond=0, tzinfo=PARIS)
    if within_hours(starts, minutes, WEEKDAYS, CLOSED):
        last = starts + timedelta(minutes=minutes - 1)
        assert starts.weekday() < 5 and not hours.is_holiday(starts.date())
        assert hours.is_open(starts, WEEKDAYS, CLOSED) and hours.is_open(last, WEEKDAYS, CLOSED)


def test_the_office_refuses_a_sunday_night_in_french(app, make_user, make_household):
    julie = make_user("jurist", name="Julie Juriste")
    household = make_household(name="Famille Martin")
    with app.app_context():
        user, h = db.session.get(User, julie.id), db.session.get(Household, household.id)
        now = datetime(2026, 12, 1, 8, 0, tzinfo=PARIS)
        with pytest.raises(services.BookingError, match="le bureau est fermé"):
            services.book(
                h,
                mission="prevention_expulsion",
                jurist=user,
                booked_by=user,
                now=now,
                zone=PARIS,
                office_at=datetime(2026, 12, 6, 23, 0),
            )
        with pytest.raises(services.BookingError, match="09:00-12:30 et 13:30-17:00"):
            services.book(
                h,
                mission="prevention_expulsion",
                jurist=user,
                booked_by=user,
                now=now,
                zone=PARIS,
                office_at=datetime(2026, 12, 2, 12, 30),
            )
        booked = services.book(
            h,
            mission="prevention_expulsion",
            jurist=user,
            booked_by=user,
            now=now,
            zone=PARIS,
            office_at=datetime(2026, 12, 2, 14, 0),
        )
        assert booked.mode == "visite_siege"
