"""Whether the office receives at a moment: within one of the mission's opening slots, on a day
that is neither a public holiday nor a closure. Pure: the rules of core/hours.py, for a span."""

from __future__ import annotations

from datetime import datetime, timedelta

from hotline.core import hours


def within_hours(starts: datetime, minutes: int, slots: list[hours.Slot], closures: list[hours.Period]) -> bool:
    """Whether the whole appointment, from local `starts` for `minutes`, falls within one opening slot."""
    ends = starts + timedelta(minutes=minutes)
    if ends.date() != starts.date() or not hours.is_open(starts, slots, closures):
        return False
    begin, end = starts.time().replace(tzinfo=None), ends.time().replace(tzinfo=None)
    return any(s.weekday == starts.weekday() and s.opens <= begin and end <= s.closes for s in slots)


def day_hours(weekday: int, slots: list[hours.Slot]) -> str:
    """The day's opening hours in French: "9:00-12:30 et 13:30-17:00", or "" when closed that weekday."""
    found = sorted((s.opens, s.closes) for s in slots if s.weekday == weekday)
    return " et ".join(f"{opens:%H:%M}-{closes:%H:%M}" for opens, closes in found)
