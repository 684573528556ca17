"""The household indicators of docs/formats.md (households_debt_known to reached_before_commandement),
from plain records, per mission, month (and `total`) and territory (and `all`). Pure.

A household's consultations of one mission are ordered by date, then by the order they were
recorded; a consultation without household is a household of its own; each period is counted on
its own. `records` holds every consultation of the missions up to the end of the range, earlier
ones included: first contacts are first "ever", a stage or a rent may come from before the range.
Records after the range are left out.

Decisions where the format is silent: a rent of 0 names no rent (no months of arrears can be
computed from it); a stage that is empty counts as `inconnu`. Rows whose value is 0 are left out.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from statistics import median
from typing import NamedTuple

EVICTION_MISSION = "prevention_expulsion"
ALL = "all"
TOTAL = "total"
UNKNOWN = "inconnu"
BEFORE_COMMANDEMENT = ("prevention_amont", "impaye", "signalement_caf")
INDICATORS = ("households_debt_known", "household_debt_sum", "household_debt_median", "debt_months",
              "households_by_stage", "first_contacts", "first_contact_stage", "reached_before_commandement")


@dataclass(frozen=True)
class HouseholdRecord:
    """One consultation, as the household indicators see it."""

    household: Hashable | None  # None: a household of its own
    mission: str
    date: date
    order: int  # the order of recording (an import: the file's order); unique
    territory: str
    stage: str | None = None
    debt: Decimal | None = None
    rent: Decimal | None = None  # monthly, with charges, stated at this consultation


class Figure(NamedTuple):
    """A row of the tidy report: mission, period, territory, indicator, category, value."""

    mission: str
    period: str
    territory: str
    indicator: str
    category: str
    value: int | Decimal


def months_band(debt: Decimal, rent: Decimal | None) -> str:
    """The debt_months_bands code: the debt in months of rent with charges."""
    if rent is None or rent <= 0:
        return UNKNOWN
    months = debt / rent
    if months <= 3:
        return "jusqu_3_mois"
    return "de_3_a_6_mois" if months <= 6 else "plus_de_6_mois"


def _month(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def _stage(record: HouseholdRecord) -> str:
    return record.stage or UNKNOWN


class _Tally:
    """Counts, and the household debts behind the sums and medians, per (mission, period, territory)."""

    def __init__(self) -> None:
        self.counts: dict[tuple, int] = defaultdict(int)
        self.debts: dict[tuple, list[Decimal]] = defaultdict(list)

    def count(self, mission: str, period: str, territory: str, indicator: str, category: str = "") -> None:
        for place in (territory, ALL):
            self.counts[(mission, period, place, indicator, category)] += 1

    def debt(self, mission: str, period: str, territory: str, amount: Decimal) -> None:
        for place in (territory, ALL):
            self.debts[(mission, period, place)].append(amount)

    def figures(self) -> list[Figure]:
        found = [Figure(*key, value) for key, value in self.counts.items() if value]
        for cell, amounts in self.debts.items():
            found.append(Figure(*cell, "household_debt_sum", "", sum(amounts, Decimal("0"))))
            found.append(Figure(*cell, "household_debt_median", "", Decimal(median(amounts))))
        return [figure for figure in found if figure.value]


def _household(tally: _Tally, mission: str, history: list[HouseholdRecord], months: Sequence[str]) -> None:
    """Count one household of one mission; `history` sorted, up to the end of the range."""
    eviction = mission == EVICTION_MISSION
    in_range = set(months)
    first = history[0]
    first_month = _month(first.date)
    if first_month in in_range:
        for period in (first_month, TOTAL):
            tally.count(mission, period, first.territory, "first_contacts")
            if eviction:
                tally.count(mission, period, first.territory, "first_contact_stage", _stage(first))
                if first.stage in BEFORE_COMMANDEMENT:
                    tally.count(mission, period, first.territory, "reached_before_commandement")
    if not eviction:
        return
    # Per period: the positions of its latest consultation and of its latest one naming a debt.
    latest: dict[str, int] = {}
    latest_debt: dict[str, int] = {}
    stages: list[str] = []  # the latest known stage up to each consultation
    rents: list[Decimal | None] = []  # the rent known at each consultation, or at the latest one before it
    for i, record in enumerate(history):
        known = record.stage if record.stage and record.stage != UNKNOWN else None
        stages.append(known or (stages[-1] if stages else UNKNOWN))
        named = record.rent if record.rent is not None and record.rent > 0 else None
        rents.append(named if named is not None else (rents[-1] if rents else None))
        month = _month(record.date)
        if month in in_range:
            for period in (month, TOTAL):
                latest[period] = i
                if record.debt is not None:
                    latest_debt[period] = i
    for period, i in latest.items():
        tally.count(mission, period, history[i].territory, "households_by_stage", stages[i])
    for period, i in latest_debt.items():
        record = history[i]
        tally.count(mission, period, record.territory, "households_debt_known")
        tally.count(mission, period, record.territory, "debt_months", months_band(record.debt, rents[i]))
        tally.debt(mission, period, record.territory, record.debt)


def build(records: Iterable[HouseholdRecord], months: Sequence[str]) -> list[Figure]:
    """The household indicators for these months (YYYY-MM, in order) and their `total`."""
    end = max(months)
    households: dict[tuple, list[HouseholdRecord]] = defaultdict(list)
    for record in records:
        if _month(record.date) <= end:
            key = record.household if record.household is not None else ("consultation", record.order)
            households[(record.mission, key)].append(record)
    tally = _Tally()
    for (mission, _), history in households.items():
        history.sort(key=lambda r: (r.date, r.order))
        _household(tally, mission, history, months)
    return sorted(tally.figures(), key=lambda f: (f.mission, f.period == TOTAL, f.period, f.territory == ALL,
                                                    f.territory, INDICATORS.index(f.indicator), f.category))
