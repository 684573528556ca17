"""Where the agenda's events sit in its time grid: the range of hours shown, each event's top and length in
minutes from the grid's first hour (the page draws a minute as a fixed height, so the grid is proportional
to time) and its lanes in its day (events at the same time side by side); and the day the agenda opens on.
Pure: the template turns the numbers into CSS classes (the Content-Security-Policy forbids inline styles)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

MAX_LANES = 12  # agenda.css has classes for so many lanes; more overlap in the last one
DEFAULT_HOURS = (9, 17)
SHORTEST = 15  # minutes: a shorter event is drawn (and laid out) as long as this, to stay readable


@dataclass(frozen=True)
class Placed:
    """An event of a day and its place: `top` minutes after the grid's first hour, `length` minutes long,
    `lane` its first lane (1-based) and `lanes` how many it spans."""

    entry: Any
    top: int
    length: int
    lane: int
    lanes: int
    left: int = 0  # percent of the day's width (after its duty strip) where it starts
    width: int = 100  # percent of that width it takes

    @property
    def classes(self) -> str:
        return f"{place(self.top, self.length)} x-{self.left} w-{self.width}"


def place(top: int, length: int) -> str:
    """The CSS classes that put a box `top` minutes down and `length` minutes tall (agenda.css): hours and
    minutes apart, so that a few dozen classes reach any minute of the day."""
    return f"th-{top // 60} tm-{top % 60} lh-{length // 60} lm-{length % 60}"


def _minutes(moment: time) -> int:
    return moment.hour * 60 + moment.minute


def _end(begins: datetime, ends: datetime) -> int:
    return 24 * 60 if ends.date() > begins.date() else _minutes(ends.time())


def hour_range(opening: Iterable[tuple[time, time]], events: Iterable[tuple[datetime, datetime]]) -> tuple[int, int]:
    """The first and last hours of the grid (the last is the grid's bottom line): the opening hours' span,
    widened to the events (each within one day), whole hours. Without either: 9:00-17:00."""
    starts, ends = [], []
    for opens, closes in opening:
        starts.append(_minutes(opens))
        ends.append(_minutes(closes))
    for begins, finishes in events:
        starts.append(_minutes(begins.time()))
        ends.append(_end(begins, finishes))
    if not starts:
        return DEFAULT_HOURS
    first, last = min(starts) // 60, -(-max(ends) // 60)
    return first, max(last, first + 1)


def span_of(begins: datetime, ends: datetime, first_hour: int, last_hour: int) -> tuple[int, int]:
    """(minutes from the grid's top, minutes long) of an event, cut to the grid, at least SHORTEST long
    (moved up if it would pass the grid's bottom)."""
    top, bottom = first_hour * 60, last_hour * 60
    start = min(max(_minutes(begins.time()), top), bottom)
    finish = min(max(_end(begins, ends), start), bottom)
    length = max(finish - start, SHORTEST)
    start = max(min(start, bottom - length), top)
    return start - top, min(length, bottom - top)


def lay_out(
    events: Sequence[Any], first_hour: int, last_hour: int, weight: Callable[[Any], int] = lambda event: 1
) -> tuple[list[Placed], int]:
    """One day's events (.starts .ends, in the order to read them) placed in minutes and lanes; the number
    of lanes of the day. Each event takes the first lane free at its start, and widens over the lanes to
    its right that nothing overlaps during its time. A lane is as wide as the heaviest `weight` of its
    events (a permanence with its slots wants more room than an appointment), but never narrower than
    `lane_shares` allows, so that the lightest still shows its start time whole."""
    spans = [span_of(e.starts, e.ends, first_hour, last_hour) for e in events]
    order = sorted(range(len(events)), key=lambda i: (spans[i][0], -spans[i][1], i))
    lane_of: dict[int, int] = {}
    lane_ends: list[int] = []
    for i in order:
        top, length = spans[i]
        lane = next((n for n, end in enumerate(lane_ends) if end <= top), None)
        if lane is None:
            lane = len(lane_ends)
            lane_ends.append(0)
        lane_ends[lane] = top + length
        lane_of[i] = min(lane, MAX_LANES - 1)
    lanes = min(max(len(lane_ends), 1), MAX_LANES)
    weights = [max((weight(events[i]) for i in lane_of if lane_of[i] == n), default=1) for n in range(lanes)]
    shares = lane_shares(weights)
    edges = [round(100 * sum(shares[:n])) for n in range(lanes + 1)]
    placed = []
    for i, event in enumerate(events):
        top, length = spans[i]
        lane = lane_of[i]
        width = 1
        while lane + width < lanes and not any(
            lane_of[j] == lane + width and spans[j][0] < top + length and top < spans[j][0] + spans[j][1]
            for j in range(len(events))
            if j != i
        ):
            width += 1
        placed.append(Placed(event, top, length, lane + 1, width, edges[lane], edges[lane + width] - edges[lane]))
    return placed, lanes


def lane_shares(weights: Sequence[int]) -> list[float]:
    """Each lane's share of the day's width: in proportion to its weight, except that no lane gets less than
    1 / (lanes + 1) (a quarter of the width beside two permanences), the others sharing the rest by weight.
    Three lanes in a week's day at 1366 px then leave an appointment some 50 px, room for its "14:30"."""
    floor = 1 / (len(weights) + 1)
    raised: set[int] = set()
    while True:
        rest = 1 - floor * len(raised)
        total = sum(w for n, w in enumerate(weights) if n not in raised)
        shares = [floor if n in raised else rest * w / total for n, w in enumerate(weights)]
        starved = {n for n, share in enumerate(shares) if share < floor - 1e-9} - raised
        if not starved:
            return shares
        raised |= starved


def opening_day(now: datetime, closes: time | None, is_closed: Callable[[date], bool]) -> date:
    """The day the agenda opens on: today, unless it is a weekend day, a day `is_closed` says (a public
    holiday), or its opening hours are over (`closes`, the latest closing; None: never over); then the
    next weekday that is not closed."""
    day = now.date()
    if day.weekday() < 5 and not is_closed(day) and (closes is None or now.time() < closes):
        return day
    day += timedelta(days=1)
    for _ in range(60):  # a closure of two months at most is skipped: beyond, the day after today
        if day.weekday() < 5 and not is_closed(day):
            return day
        day += timedelta(days=1)
    return now.date() + timedelta(days=1)
