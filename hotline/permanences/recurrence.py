"""When a permanence takes place: its recurrence as an RFC 5545 rule, its days in a range, and a
French description. Pure functions (python-dateutil's rrule does the calendar work)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from dateutil.rrule import MONTHLY, WEEKLY, rrule, weekday

FREQUENCIES = {
    "weekly": "Chaque semaine",
    "biweekly": "Une semaine sur deux",
    "monthly": "Chaque mois",
}
WEEKS_OF_MONTH = {1: "1er", 2: "2e", 3: "3e", 4: "4e", -1: "dernier"}
DAY_NAMES = ["lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"]
HOLIDAY = "Jour férié"


class RecurrenceError(ValueError):
    """A French message: why this recurrence cannot be."""


def check(frequency: str, weekday_: int, week_of_month: int | None, first_day: date, last_day: date | None) -> None:
    if frequency not in FREQUENCIES:
        raise RecurrenceError("Choisissez la fréquence.")
    if not 0 <= weekday_ <= 6:
        raise RecurrenceError("Choisissez le jour.")
    if frequency == "monthly" and week_of_month not in WEEKS_OF_MONTH:
        raise RecurrenceError("Choisissez la semaine du mois (1re, 2e, 3e, 4e ou dernière).")
    if last_day is not None and last_day < first_day:
        raise RecurrenceError("Le dernier jour doit suivre le premier.")


def _rule(frequency: str, weekday_: int, week_of_month: int | None, first_day: date, last_day: date | None) -> rrule:
    start = datetime.combine(first_day, time())
    until = datetime.combine(last_day, time()) if last_day else None
    if frequency == "monthly":
        return rrule(MONTHLY, dtstart=start, until=until, byweekday=weekday(weekday_, week_of_month))
    return rrule(WEEKLY, dtstart=start, until=until, interval=2 if frequency == "biweekly" else 1, byweekday=weekday_)


def days(
    frequency: str,
    weekday_: int,
    week_of_month: int | None,
    first_day: date,
    last_day: date | None,
    start: date,
    end: date,
) -> list[date]:
    """The days of the recurrence from start to end, both included."""
    rule = _rule(frequency, weekday_, week_of_month, first_day, last_day)
    found = rule.between(datetime.combine(start, time()), datetime.combine(end, time()), inc=True)
    return [moment.date() for moment in found]


@dataclass(frozen=True)
class Schedule:
    """When a permanence takes place: its rule, its first and last days, its hours (local wall time)."""

    frequency: str
    weekday: int
    week_of_month: int | None
    first_day: date
    last_day: date | None
    starts: time
    ends: time

    def days(self, start: date, end: date) -> list[date]:
        return days(self.frequency, self.weekday, self.week_of_month, self.first_day, self.last_day, start, end)

    def overlaps(self, starts: time, ends: time) -> bool:
        return self.starts < ends and starts < self.ends


# Two of the rules above that share a day share one within two years (a monthly rule meets every
# weekly rule of its weekday each month, and a biweekly one within a few months).
CLASH_HORIZON = timedelta(days=730)


def first_common_day(one: Schedule, other: Schedule, start: date) -> date | None:
    """The first day from `start` on which both take place at overlapping hours, or None."""
    if one.weekday != other.weekday or not one.overlaps(other.starts, other.ends):
        return None
    end = start + CLASH_HORIZON
    theirs = set(other.days(start, end))
    return next((day for day in one.days(start, end) if day in theirs), None)


def continue_from(day: date, old_first_day: date, old_frequency: str, new_frequency: str) -> date:
    """Where the new stretch of a series edited on `day` begins. Every other week stays on the
    weeks of the old stretch: its rule counts the weeks from its first day."""
    if old_frequency == new_frequency == "biweekly":
        monday = day - timedelta(days=day.weekday())
        if (monday - (old_first_day - timedelta(days=old_first_day.weekday()))).days // 7 % 2:
            return monday + timedelta(weeks=1)
    return day


def describe(frequency: str, weekday_: int, week_of_month: int | None) -> str:
    """'Chaque mardi', 'Un jeudi sur deux', 'Le 2e mardi du mois', 'Le dernier vendredi du mois'."""
    day = DAY_NAMES[weekday_]
    if frequency == "weekly":
        return f"Chaque {day}"
    if frequency == "biweekly":
        return f"Un {day} sur deux"
    return f"Le {WEEKS_OF_MONTH.get(week_of_month, '?')} {day} du mois"


def not_held(day: date, cancelled: dict[date, str], is_holiday: Callable[[date], bool]) -> str | None:
    """Why the occurrence of `day` does not take place, or None when it does."""
    if day in cancelled:
        return cancelled[day]
    if is_holiday(day):
        return HOLIDAY
    return None
