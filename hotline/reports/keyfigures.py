"""The month's key figures and their change from the month before, for the managers' home. Pure: two lists of
tidy rows in (each the report of one month), labelled figures out; no Flask, no database.

Across missions (mission=None) the figures are added up: a household seen by both missions counts in each. A month
before without a single row (of the mission read) is one the data does not cover: its change reads "non disponible",
never a change against an invented 0.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from hotline.reports import bilan, labels, tidy

NOT_AVAILABLE = bilan.NOT_AVAILABLE
FIGURES = ("consultations", "households", "calls_answered", "calls_missed", "callbacks_done", "permanences_held")


@dataclass(frozen=True)
class Change:
    """The change from the month before: a difference, and a percentage when the month before was not 0."""

    difference: int | Decimal | None  # None: the month before is not covered by the data
    percent: float | None

    def text(self) -> str:
        """'+12 (+8 %)', '−3 (−20 %)', '+4' (nothing the month before), '=' (no change), 'non disponible'."""
        if self.difference is None:
            return NOT_AVAILABLE
        if not self.difference:
            return "="
        sign = "+" if self.difference > 0 else "−"
        text = f"{sign}{abs(self.difference)}"
        return text if self.percent is None else f"{text} ({sign}{abs(round(self.percent))} %)"


def _totals(rows: Iterable[tidy.Row], mission: str | None) -> dict[str, int | Decimal]:
    totals: dict[str, int | Decimal] = {}
    for row in rows:
        if (
            row.period == tidy.TOTAL
            and row.territory == tidy.ALL
            and row.category == ""
            and row.indicator in FIGURES
            and (mission is None or row.mission == mission)
        ):
            totals[row.indicator] = totals.get(row.indicator, 0) + row.value
    return totals


def key_figures(
    rows_this_month: Iterable[tidy.Row], rows_month_before: Iterable[tidy.Row], mission: str | None = None
) -> list[tuple[str, int | Decimal, Change]]:
    """[(French label, value this month, Change from the month before)] for FIGURES, in that order."""
    rows_month_before = list(rows_month_before)
    now, before = _totals(rows_this_month, mission), _totals(rows_month_before, mission)
    covered = any(mission is None or row.mission == mission for row in rows_month_before)
    figures = []
    for name in FIGURES:
        value, earlier = now.get(name, 0), before.get(name, 0)
        if not covered:
            figures.append((labels.indicator(name), value, Change(None, None)))
            continue
        percent = float((value - earlier) * 100 / earlier) if earlier else None
        figures.append((labels.indicator(name), value, Change(value - earlier, percent)))
    return figures
