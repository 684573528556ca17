"""The month's key figures and their change from the month before, for the managers' home. Pure: two lists of
tidy rows in (each the report of one month), labelled figures out; no Flask, no database.

Across missions (mission=None) the figures are added up: a household seen by both missions counts in each.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from hotline.reports import labels, tidy

FIGURES = ("consultations", "households", "calls_answered", "calls_missed", "callbacks_done", "permanences_held")


@dataclass(frozen=True)
class Change:
    """The change from the month before: a difference, and a percentage when the month before was not 0."""

    difference: int | Decimal
    percent: float | None

    def text(self) -> str:
        """'+12 (+8 %)', '−3 (−20 %)', '+4' (nothing the month before), '=' (no change)."""
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
    now, before = _totals(rows_this_month, mission), _totals(rows_month_before, mission)
    figures = []
    for name in FIGURES:
        value, earlier = now.get(name, 0), before.get(name, 0)
        percent = float((value - earlier) * 100 / earlier) if earlier else None
        figures.append((labels.indicator(name), value, Change(value - earlier, percent)))
    return figures
