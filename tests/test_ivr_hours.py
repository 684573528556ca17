"""Opening hours, holidays and closures: pure rules, table-driven."""

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from hotline.core.hours import Period, Slot, describe, is_holiday, is_open, next_opening

PARIS = ZoneInfo("Europe/Paris")
WEEKDAYS = [Slot(d, time(9), time(12, 30)) for d in range(5)] + [Slot(d, time(13, 30), time(17)) for d in range(5)]


def at(text):
    return datetime.fromisoformat(text).replace(tzinfo=PARIS)


@pytest.mark.parametrize(
    "moment,expected",
    [
        ("2026-12-01T10:00", True),  # Tuesday morning
        ("2026-12-01T12:45", False),  # lunch break
        ("2026-12-01T17:00", False),  # closing time is closed
        ("2026-12-05T10:00", False),  # Saturday
        ("2026-12-25T10:00", False),  # Christmas, a Friday
        ("2026-11-11T10:00", False),  # Armistice
        ("2027-05-17T10:00", False),  # Whit Monday
    ],
)
def test_is_open(moment, expected):
    assert is_open(at(moment), WEEKDAYS, []) is expected


def test_exceptional_closure():
    closure = [Period(date(2026, 12, 1), date(2026, 12, 2))]
    assert not is_open(at("2026-12-01T10:00"), WEEKDAYS, closure)
    assert next_opening(at("2026-12-01T10:00"), WEEKDAYS, closure) == at("2026-12-03T09:00")


@pytest.mark.parametrize(
    "moment,expected",
    [
        ("2026-12-01T12:45", "2026-12-01T13:30"),
        ("2026-12-01T20:00", "2026-12-02T09:00"),
        ("2026-12-04T18:00", "2026-12-07T09:00"),  # Friday evening -> Monday
        ("2026-12-24T18:00", "2026-12-28T09:00"),  # over Christmas
    ],
)
def test_next_opening(moment, expected):
    assert next_opening(at(moment), WEEKDAYS, []) == at(expected)


def test_no_hours_means_no_opening():
    assert next_opening(at("2026-12-01T10:00"), [], []) is None


def test_describe_in_french():
    now = at("2026-12-01T12:45")
    assert describe(at("2026-12-01T13:30"), now) == "aujourd'hui à 13 heures 30"
    assert describe(at("2026-12-02T09:00"), now) == "demain à 9 heures"
    assert describe(at("2027-01-01T09:00"), now) == "vendredi 1er janvier à 9 heures"


def test_holidays_library():
    assert is_holiday(date(2026, 7, 14)) and not is_holiday(date(2026, 7, 15))
