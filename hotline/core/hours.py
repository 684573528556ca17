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


def describe(moment: datetime, now: datetime) -> str:
    """'aujourd'hui à 13 heures 30', 'demain à 9 heures', 'lundi 1er décembre à 9 heures'."""
    days = (moment.date() - now.date()).days
    at = f"à {spoken_time(moment.time())}"
    if days == 0:
        return f"aujourd'hui {at}"
    if days == 1:
        return f"demain {at}"
    day_number = "1er" if moment.day == 1 else str(moment.day)
    return f"{DAYS[moment.weekday()]} {day_number} {MONTHS[moment.month - 1]} {at}"
