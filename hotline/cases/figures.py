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

from bisect import bisect_right
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
INDICATORS = (
    "households_debt_known",
    "household_debt_sum",
    "household_debt_median",
    "debt_months",
    "households_by_stage",
    "first_contacts",
    "first_contact_stage",
    "reached_before_commandement",
)


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
    received: bool = False  # the household was received (office, permanence, outreach: tidy.RECEIVED_MODES)


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


class HouseholdMonth(NamedTuple):
    """What the household indicators need of one household in one month of one mission."""

    mission: str
    household: str  # "h<household id>", or "c<consultation id>" for a consultation without household
    month: str  # YYYY-MM
    territory: str  # of its latest consultation of the month
    stage: str  # the latest stage known at that consultation (`inconnu` when none yet)
    first_territory: str | None  # the month of its first consultation ever: that consultation's territory
    first_stage: str | None  # ... and its stage (`inconnu` when empty); None in the other months
    debt: Decimal | None  # its latest consultation of the month that names a debt: the debt
    debt_territory: str | None  # ... that consultation's territory
    debt_band: str | None  # ... and the debt in months of the rent known then (months_band)
    next_month: str | None = None  # its next month with a consultation of the mission (None: none yet)
    next_debt_month: str | None = None  # its next month with a consultation naming a debt
    received: bool = False  # it was received in the month (a consultation at the office, a permanence...)
    last_received_month: str | None = None  # the latest month, up to this one, in which it was received


def household_months(mission: str, household: str, history: Sequence[HouseholdRecord]) -> list[HouseholdMonth]:
    """One row per month in which the household had a consultation of the mission; `history`: all its
    consultations of the mission, sorted by (date, order). Stages and rents carry over from earlier ones."""
    latest: dict[str, int] = {}  # month -> position of its latest consultation
    latest_debt: dict[str, int] = {}
    received: set[str] = set()
    stages: list[str] = []  # the latest known stage up to each consultation
    rents: list[Decimal | None] = []  # the rent known at each consultation, or at the latest one before it
    for i, record in enumerate(history):
        known = record.stage if record.stage and record.stage != UNKNOWN else None
        stages.append(known or (stages[-1] if stages else UNKNOWN))
        named = record.rent if record.rent is not None and record.rent > 0 else None
        rents.append(named if named is not None else (rents[-1] if rents else None))
        month = _month(record.date)
        latest[month] = i
        if record.debt is not None:
            latest_debt[month] = i
        if record.received:
            received.add(month)
    first = history[0]
    last_received = None
    found = []
    following = [*list(latest)[1:], None]  # the months in order, as the history is
    debt_months = [month for month in latest if month in latest_debt]
    for month, i in latest.items():
        debt = latest_debt.get(month)
        said = history[debt] if debt is not None else None
        last_received = month if month in received else last_received
        found.append(
            HouseholdMonth(
                mission,
                household,
                month,
                history[i].territory,
                stages[i],
                first.territory if month == _month(first.date) else None,
                _stage(first) if month == _month(first.date) else None,
                said.debt if said else None,
                said.territory if said else None,
                months_band(said.debt, rents[debt]) if said else None,
                following[len(found)],
                _after(debt_months, month),
                month in received,
                last_received,
            )
        )
    return found


def _after(months: list[str], month: str) -> str | None:
    """The first of these months (in order) after `month`."""
    at = bisect_right(months, month)
    return months[at] if at < len(months) else None


def from_months(rows: Iterable[HouseholdMonth], months: Sequence[str]) -> list[Figure]:
    """The household indicators of these months (YYYY-MM) and their `total`, from the households' months
    (any months: those outside the range are left out). A household counts in `total` as in its latest
    month of the range (its stage), and its latest month of the range that names a debt (its debt)."""
    in_range = set(months)
    tally = _Tally()
    last: dict[tuple[str, str], HouseholdMonth] = {}
    last_debt: dict[tuple[str, str], HouseholdMonth] = {}
    for row in rows:
        if row.month not in in_range:
            continue
        eviction = row.mission == EVICTION_MISSION
        if row.first_territory is not None:
            for period in (row.month, TOTAL):
                tally.count(row.mission, period, row.first_territory, "first_contacts")
                if eviction:
                    tally.count(row.mission, period, row.first_territory, "first_contact_stage", row.first_stage)
                    if row.first_stage in BEFORE_COMMANDEMENT:
                        tally.count(row.mission, period, row.first_territory, "reached_before_commandement")
        if not eviction:
            continue
        key = (row.mission, row.household)
        if key not in last or last[key].month < row.month:
            last[key] = row
        if row.debt is not None and (key not in last_debt or last_debt[key].month < row.month):
            last_debt[key] = row
        _stage_and_debt(tally, row, row.month)
    for row in last.values():
        _stage_and_debt(tally, row, TOTAL, debt=False)
    for row in last_debt.values():
        _stage_and_debt(tally, row, TOTAL, stage=False)
    return sorted(
        tally.figures(),
        key=lambda f: (
            f.mission,
            f.period == TOTAL,
            f.period,
            f.territory == ALL,
            f.territory,
            INDICATORS.index(f.indicator),
            f.category,
        ),
    )


def _stage_and_debt(tally: _Tally, row: HouseholdMonth, period: str, *, stage: bool = True, debt: bool = True) -> None:
    if stage:
        tally.count(row.mission, period, row.territory, "households_by_stage", row.stage)
    if debt and row.debt is not None:
        tally.count(row.mission, period, row.debt_territory, "households_debt_known")
        tally.count(row.mission, period, row.debt_territory, "debt_months", row.debt_band)
        tally.debt(row.mission, period, row.debt_territory, row.debt)


def household_key(household_id: int | None, consultation_id: int) -> str:
    """A consultation's household in the household indicators: a consultation without household is one."""
    return f"h{household_id}" if household_id is not None else f"c{consultation_id}"


def build(records: Iterable[HouseholdRecord], months: Sequence[str]) -> list[Figure]:
    """The household indicators for these months (YYYY-MM, in order) and their `total`, from every
    consultation of the missions up to the end of the range (the recount)."""
    end = max(months)
    households: dict[tuple, list[HouseholdRecord]] = defaultdict(list)
    for record in records:
        if _month(record.date) <= end:
            key = record.household if record.household is not None else ("consultation", record.order)
            households[(record.mission, key)].append(record)
    rows = []
    for (mission, key), history in households.items():
        history.sort(key=lambda r: (r.date, r.order))
        name = f"c{key[1]}" if isinstance(key, tuple) else f"h{key}"
        rows.extend(household_months(mission, name, history))
    return from_months(rows, months)
