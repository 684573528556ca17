"""Opening hours: weekly slots, French public holidays and exceptional closures. Pure functions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from hotline.core.calendar import DAYS, MONTHS, is_holiday


@dataclass(frozen=True)
class Slot:
    weekday: int
    opens: time
    closes: time


@dataclass(frozen=True)
class Period:
    starts_on: date
    ends_on: date


def _closed_day(day: date, closures: list[Period]) -> bool:
    return is_holiday(day) or any(p.starts_on <= day <= p.ends_on for p in closures)


def is_open(local: datetime, slots: list[Slot], closures: list[Period]) -> bool:
    """Whether the line is open at this local wall-clock instant."""
    if _closed_day(local.date(), closures):
        return False
    wall = local.time().replace(tzinfo=None)
    return any(s.weekday == local.weekday() and s.opens <= wall < s.closes for s in slots)


def next_opening(local: datetime, slots: list[Slot], closures: list[Period], horizon_days: int = 60) -> datetime | None:
    """The next local instant at which the line opens, after `local`; None if none in the horizon."""
    for offset in range(horizon_days + 1):
        day = local.date() + timedelta(days=offset)
        if _closed_day(day, closures):
            continue
        starts = sorted(s.opens for s in slots if s.weekday == day.weekday())
        for opens in starts:
            candidate = datetime.combine(day, opens, tzinfo=local.tzinfo)
            if candidate > local:
                return candidate
    return None


def spoken_time(moment: time) -> str:
    return f"{moment.hour} heures" + (f" {moment.minute}" if moment.minute else "")


def spoken_hours(starts: time, ends: time) -> str:
    """'de 14 heures à 17 heures', 'de 9 heures 30 à 12 heures': hours as people say them."""
    return f"de {spoken_time(starts)} à {spoken_time(ends)}"


def spoken_day(day: date, today: date) -> str:
    """'aujourd'hui', 'demain', 'lundi 1er décembre'."""
    days = (day - today).days
    if days == 0:
        return "aujourd'hui"
    if days == 1:
        return "demain"
    day_number = "1er" if day.day == 1 else str(day.day)
    return f"{DAYS[day.weekday()]} {day_number} {MONTHS[day.month - 1]}"


def describe(moment: datetime, now: datetime) -> str:
    """'aujourd'hui à 13 heures 30', 'demain à 9 heures', 'lundi 1er décembre à 9 heures'."""
    return f"{spoken_day(moment.date(), now.date())} à {spoken_time(moment.time())}"
