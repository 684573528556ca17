"""Where the agenda's events sit in its hour grid: the range of hours shown, each event's rows (quarters
of an hour from the first hour) and its lanes in its day (events at the same time side by side).
Pure: the template turns the numbers into CSS classes (the Content-Security-Policy forbids inline styles)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, time
from typing import Any

QUARTERS_AN_HOUR = 4
MAX_LANES = 12  # agenda.css has classes for so many lanes; more overlap in the last one
DEFAULT_HOURS = (9, 17)


@dataclass(frozen=True)
class Placed:
    """An event of a day and its place: `row` is its first quarter (1 = the first hour's first quarter),
    `rows` how many quarters it spans, `lane` its first lane (1-based) and `lanes` how many it spans."""

    entry: Any
    row: int
    rows: int
    lane: int
    lanes: int


def _minutes(moment: time) -> int:
    return moment.hour * 60 + moment.minute


def hour_range(opening: Iterable[tuple[time, time]], events: Iterable[tuple[datetime, datetime]]) -> tuple[int, int]:
    """The first and last hours of the grid (last excluded): the opening hours' span, widened to the events
    (each within one day), whole hours. Without either: 9:00-17:00."""
    starts, ends = [], []
    for opens, closes in opening:
        starts.append(_minutes(opens))
        ends.append(_minutes(closes))
    for begins, finishes in events:
        starts.append(_minutes(begins.time()))
        ends.append(24 * 60 if finishes.date() > begins.date() else _minutes(finishes.time()))
    if not starts:
        return DEFAULT_HOURS
    first, last = min(starts) // 60, -(-max(ends) // 60)
    return first, max(last, first + 1)


def rows_of(begins: datetime, ends: datetime, first_hour: int, last_hour: int) -> tuple[int, int]:
    """(first quarter, number of quarters) of an event in a grid from first_hour to last_hour."""
    top = first_hour * 60
    bottom = last_hour * 60
    start = min(max(_minutes(begins.time()), top), bottom - 15)
    finish = 24 * 60 if ends.date() > begins.date() else _minutes(ends.time())
    finish = min(max(finish, start + 1), bottom)
    first = (start - top) // 15
    last = -(-(finish - top) // 15)
    return first + 1, max(1, last - first)


def lay_out(events: Sequence[Any], first_hour: int, last_hour: int) -> tuple[list[Placed], int]:
    """One day's events (.starts .ends, in the order to read them) placed in rows and lanes; the number of
    lanes of the day. Each event takes the first lane free at its start, and widens over the lanes to
    its right that nothing overlaps during its time."""
    spans = [rows_of(e.starts, e.ends, first_hour, last_hour) for e in events]
    order = sorted(range(len(events)), key=lambda i: (spans[i][0], -spans[i][1], i))
    lane_of: dict[int, int] = {}
    lane_ends: list[int] = []
    for i in order:
        row, rows = spans[i]
        lane = next((n for n, end in enumerate(lane_ends) if end <= row), None)
        if lane is None:
            lane = len(lane_ends)
            lane_ends.append(0)
        lane_ends[lane] = row + rows
        lane_of[i] = min(lane, MAX_LANES - 1)
    lanes = min(max(len(lane_ends), 1), MAX_LANES)
    placed = []
    for i, event in enumerate(events):
        row, rows = spans[i]
        lane = lane_of[i]
        width = 1
        while lane + width < lanes and not any(
            lane_of[j] == lane + width and spans[j][0] < row + rows and row < spans[j][0] + spans[j][1]
            for j in range(len(events))
            if j != i
        ):
            width += 1
        placed.append(Placed(event, row, rows, lane + 1, width))
    return placed, lanes
