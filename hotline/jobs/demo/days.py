"""When the demo's things happen: its two years (the whole previous year and the current one to today, so
that the report's previous-year column has figures), its working days (no weekend, no public holiday:
core.calendar through cases.deadlines) and times within the line's opening hours (core.opening)."""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta

from hotline.cases.deadlines import is_working_day, next_working_day
from hotline.core import opening
from hotline.reference import labels


def window(today: date) -> tuple[date, date]:
    """(first day, today): from 1 January of the year before the last complete month's year, so that the
    last complete month and the same month a year earlier are both covered (in January, two whole years)."""
    last_complete = today.replace(day=1) - timedelta(days=1)
    return date(last_complete.year - 1, 1, 1), today


def working_day_on_or_before(day: date) -> date:
    while not is_working_day(day):
        day -= timedelta(days=1)
    return day


def working_day_between(rng: random.Random, first: date, last: date) -> date:
    """A working day drawn between first and last (both included; first is carried forward to one)."""
    first = next_working_day(first)
    day = working_day_on_or_before(first + timedelta(days=rng.randint(0, max(0, (last - first).days))))
    return max(day, first)


def minutes(moment: time) -> int:
    return moment.hour * 60 + moment.minute


class Hours:
    """The opening hours of each mission's line, read once: {mission: {weekday: [(opens, closes)]}}."""

    def __init__(self):
        self.slots = {mission: {} for mission in labels("missions")}
        for mission, by_day in self.slots.items():
            for slot in opening.slots(mission):
                by_day.setdefault(slot.weekday, []).append((slot.opens, slot.closes))

    def open_on(self, mission: str, day: date) -> list[tuple[time, time]]:
        return sorted(self.slots[mission].get(day.weekday(), [])) if is_working_day(day) else []

    def time_in(self, rng: random.Random, mission: str, day: date, duration: int = 0, step: int = 15) -> time | None:
        """A start time in an opening slot of that day, on a `step`-minute grid, that leaves `duration`
        minutes before the slot closes (the slot's opening when it is shorter). The day must be open."""
        slots = self.open_on(mission, day)
        if not slots:  # the line's hours were changed: no time rather than one outside them
            return None
        opens, closes = rng.choices(slots, [minutes(c) - minutes(o) for o, c in slots])[0]
        latest = max(minutes(opens), minutes(closes) - duration - 1)
        start = minutes(opens) + step * rng.randint(0, (latest - minutes(opens)) // step)
        return time(start // 60, start % 60)

    def instant_in(self, rng: random.Random, mission: str, day: date, zone, margin: int = 0) -> datetime:
        """A local instant of that day in its opening hours, to the second, `margin` minutes before closing."""
        at = self.time_in(rng, mission, day, duration=margin, step=1)
        return datetime.combine(day, at, zone) + timedelta(seconds=rng.randint(0, 59))

    def closed_instant(self, rng: random.Random, mission: str, day: date, zone) -> datetime:
        """A local instant of that working day when the line is closed: before it opens, at lunch, or after
        it closes (between 7:30 and 20:00)."""
        slots = self.open_on(mission, day)
        edges = [minutes(time(7, 30)), *(m for o, c in slots for m in (minutes(o), minutes(c))), minutes(time(20))]
        gaps = [(edges[i], edges[i + 1]) for i in range(0, len(edges), 2) if edges[i + 1] - edges[i] > 2]
        low, high = rng.choices(gaps, [b - a for a, b in gaps])[0]
        start = rng.randint(low, high - 2)
        return datetime.combine(day, time(start // 60, start % 60), zone) + timedelta(seconds=rng.randint(0, 59))
