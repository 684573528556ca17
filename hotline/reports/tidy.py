"""The tidy report (formats.md, "Tidy report export"): every indicator, per mission, month (and
the whole range as `total`) and territory (and `all`), from plain records. Pure: no database.

Rows whose value is 0 are left out, as the format allows.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from statistics import median
from typing import NamedTuple

from hotline.cases.figures import INDICATORS as HOUSEHOLD_INDICATORS
from hotline.reports import household_facts

COLUMNS = ("mission", "period", "territory", "indicator", "category", "value")
ALL = "all"
TOTAL = "total"
UNKNOWN = "inconnu"
SINGLE_CODES = (
    "mode",
    "consultant_type",
    "occupancy_status",
    "housing_sector",
    "family_situation",
    "age_band",
    "resource_band",
    "referral_source",
    "procedure_stage",
)
# What the consultation said of the case (cases.CaseStatement); "inconnu" when it said nothing.
CASE_CODES = ("landlord_type", "housing_benefit")
MULTI_CODES = ("theme", "resource_type", "debt_origin", "outcome")
# Consultations by family situation and housing sector, category "family_situation|housing_sector".
CROSS = "family_situation_by_sector"
RECEIVED_MODES = {"visite_siege", "permanence", "aller_vers"}
# The call log's outcomes that count as a caller who asked for a jurist and got none (calls_missed). Every other
# outcome but `answered` is abandoned (formats.md, calls_abandoned): hung up in the menu or the queue
# (`abandoned`), ended with the numbers to call outside the département (`referred`), forwarded to the backup
# number (`backup`, whose answer the log does not know), or never ended in the log (`in_progress`).
MISSED_OUTCOMES = {"missed", "voicemail", "callback_requested", "closed"}
# Calls not answered by the hour of the week they started: category "<ISO weekday 1-7>|<hour 00-23>".
UNANSWERED_BY_HOUR = "calls_unanswered_by_hour"


@dataclass(frozen=True)
class ConsultationRecord:
    mission: str
    month: str  # YYYY-MM
    territory: str
    household: str  # "h<id>", or "c<id>" for a consultation without household (a household of its own)
    codes: dict[str, str | None]  # SINGLE_CODES and CASE_CODES -> code (procedure_stage may be None)
    multi: dict[str, frozenset[str]] = field(default_factory=dict)  # MULTI_CODES -> codes (themes: theme codes)
    debt_amount: Decimal | None = None
    habitat_indigne: bool = False
    permis_louer: bool = False


class CallRecord(NamedTuple):
    """A call (outcome: the call log's), or a callback done (outcome "done"). A named tuple, not a dataclass: the
    call log gives tens of thousands per report, and a tuple is made several times faster."""

    mission: str
    month: str
    territory: str
    outcome: str
    wait_seconds: int | None = None  # answered: from its start to its answer
    weekday_hour: tuple[int, int] | None = None  # local (ISO weekday, hour) it started at
    within_one_working_day: bool = False  # a callback done by the end of the working day after the call
    calls: int = 1  # how many calls (or callbacks, SMS) alike the record stands for: the call log is counted in SQL


@dataclass(frozen=True)
class ActivityRecord:
    mission: str
    month: str
    territory: str
    activity_type: str


@dataclass(frozen=True)
class Row:
    mission: str
    period: str
    territory: str
    indicator: str
    category: str
    value: int | Decimal

    def as_list(self) -> list[str]:
        return [self.mission, self.period, self.territory, self.indicator, self.category, format_value(self.value)]


def cents(amount: Decimal | float) -> int:
    """An amount in whole cents: the rollups store amounts so, and their sums stay exact on every database."""
    return int((Decimal(str(amount)) * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def whole_median(counts: dict[int, int]) -> int:
    """The median of whole numbers given as {number: how many times}, rounded half up to a whole number (the
    export's values are whole): statistics.median of the numbers each repeated, without the list."""
    total = sum(counts.values())
    low = high = None
    seen = 0
    for number in sorted(counts):
        seen += counts[number]
        if low is None and seen >= (total + 1) // 2:
            low = number
        if seen >= total // 2 + 1:
            high = number
            break
    return int((Decimal(low + high) / 2).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def format_value(value: int | Decimal) -> str:
    if isinstance(value, Decimal):
        return str(value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))
    return str(value)


def cross_category(codes: dict[str, str | None]) -> str | None:
    """The CROSS category of a consultation's codes, or None when either code is missing."""
    family, sector = codes.get("family_situation"), codes.get("housing_sector")
    return f"{family}|{sector}" if family and sector else None


def _cells(mission: str, month: str, territory: str) -> list[tuple[str, str, str]]:
    """Every (mission, period, territory) a record counts in."""
    return [(mission, period, place) for period in (month, TOTAL) for place in (territory, ALL)]


def build(
    consultations: Iterable[ConsultationRecord],
    calls: Iterable[CallRecord] = (),
    callbacks_done: Iterable[CallRecord] = (),
    permanences_held: dict[tuple[str, str, str], int] | None = None,
    activities: Iterable[ActivityRecord] = (),
    information_sms: Iterable[CallRecord] = (),
) -> list[Row]:
    """The rows of the report. permanences_held: {(mission, month, territory): count}.

    Everything is first counted per (mission, month, territory), then rolled up into the `total`
    and `all` cells: each record is looked at once."""
    counts: dict[tuple, dict[tuple[str, str], int]] = defaultdict(lambda: defaultdict(int))
    households: dict[tuple, set[str]] = defaultdict(set)
    received: dict[tuple, set[str]] = defaultdict(set)
    debts: dict[tuple, list[Decimal]] = defaultdict(list)
    waits: dict[tuple, Counter] = defaultdict(Counter)  # seconds -> answered calls

    for record in consultations:
        cell = (record.mission, record.month, record.territory)
        cell_counts = counts[cell]
        cell_counts[("consultations", "")] += 1
        households[cell].add(record.household)
        if record.codes.get("mode") in RECEIVED_MODES:
            received[cell].add(record.household)
        for name in SINGLE_CODES + CASE_CODES:
            code = record.codes.get(name)
            if code:
                cell_counts[(name, code)] += 1
        cross = cross_category(record.codes)
        if cross:
            cell_counts[(CROSS, cross)] += 1
        for name in MULTI_CODES:
            for code in record.multi.get(name, ()):
                cell_counts[(name, code)] += 1
        if record.debt_amount is not None:
            debts[cell].append(record.debt_amount)
        if record.habitat_indigne:
            cell_counts[("habitat_indigne", "")] += 1
        if record.permis_louer:
            cell_counts[("permis_louer", "")] += 1
    for call in calls:
        cell_counts, n = counts[(call.mission, call.month, call.territory)], call.calls
        cell_counts[("calls_received", "")] += n
        if call.outcome == "answered":
            cell_counts[("calls_answered", "")] += n
            if call.wait_seconds is not None:
                waits[(call.mission, call.month, call.territory)][call.wait_seconds] += n
            continue
        cell_counts[("calls_missed" if call.outcome in MISSED_OUTCOMES else "calls_abandoned", "")] += n
        if call.weekday_hour is not None:
            weekday, hour = call.weekday_hour
            cell_counts[(UNANSWERED_BY_HOUR, f"{weekday}|{hour:02d}")] += n
    for call in callbacks_done:
        cell_counts = counts[(call.mission, call.month, call.territory)]
        cell_counts[("callbacks_done", "")] += call.calls
        if call.within_one_working_day:
            cell_counts[("callbacks_within_one_working_day", "")] += call.calls
    for sms in information_sms:
        counts[(sms.mission, sms.month, sms.territory)][("sms_information_sent", "")] += sms.calls
    for cell, number in (permanences_held or {}).items():
        counts[cell][("permanences_held", "")] += number
    for activity in activities:
        counts[(activity.mission, activity.month, activity.territory)][("activities", activity.activity_type)] += 1

    def roll_up(table: dict, new, merge) -> dict:
        rolled: dict = defaultdict(new)
        for (mission, month, territory), value in table.items():
            for cell in _cells(mission, month, territory):
                merge(rolled[cell], value)
        return rolled

    def add_counts(into, value):
        for key, number in value.items():
            into[key] += number

    counts = roll_up(counts, lambda: defaultdict(int), add_counts)
    households = roll_up(households, set, set.update)
    received = roll_up(received, set, set.update)
    debts = roll_up(debts, list, list.extend)
    waits = roll_up(waits, Counter, Counter.update)

    values: dict[tuple, int | Decimal] = {
        (*cell, *key): number for cell, cell_counts in counts.items() for key, number in cell_counts.items()
    }
    for cell, members in households.items():
        values[(*cell, "households", "")] = len(members)
    for cell, members in received.items():
        values[(*cell, "households_received", "")] = len(members)
    for cell, amounts in debts.items():
        values[(*cell, "debt_known", "")] = len(amounts)
        values[(*cell, "debt_amount_sum", "")] = sum(amounts, Decimal("0"))
        values[(*cell, "debt_amount_median", "")] = Decimal(median(amounts))
    for cell, seconds in waits.items():
        values[(*cell, "call_wait_median_seconds", "")] = whole_median(seconds)
    rows = [Row(*key, value) for key, value in values.items() if value]
    return sorted(rows, key=_order)


INDICATOR_ORDER = [
    "consultations",
    "households",
    "households_received",
    *SINGLE_CODES,
    CROSS,
    *MULTI_CODES,
    "debt_known",
    "debt_amount_sum",
    "debt_amount_median",
    "habitat_indigne",
    "permis_louer",
    *CASE_CODES,
    *HOUSEHOLD_INDICATORS,
    "first_contacts_situated",
    *household_facts.INDICATORS,
    "household_result",
    "calls_received",
    "calls_answered",
    "calls_missed",
    "calls_abandoned",
    "call_wait_median_seconds",
    UNANSWERED_BY_HOUR,
    "callbacks_done",
    "callbacks_within_one_working_day",
    "sms_information_sent",
    "permanences_held",
    "activities",
]


_POSITION = {code: position for position, code in enumerate(INDICATOR_ORDER)}  # _order sorts a hundred thousand rows


def merged(rows: Iterable[Row], more: Iterable[Row]) -> list[Row]:
    """Two sets of rows of distinct indicators, in the report's order."""
    return sorted([*rows, *more], key=_order)


def _order(row: Row):
    return (
        row.mission,
        row.period == TOTAL,
        row.period,
        row.territory == ALL,
        row.territory,
        _POSITION[row.indicator],
        row.category,
    )


def value_of(
    rows: Iterable[Row], mission: str, period: str, territory: str, indicator: str, category: str = ""
) -> int | Decimal:
    """One value of the report (0 when its row was left out)."""
    for row in rows:
        if (row.mission, row.period, row.territory, row.indicator, row.category) == (
            mission,
            period,
            territory,
            indicator,
            category,
        ):
            return row.value
    return 0


def reached_before_commandement(rows: Iterable[Row], mission: str) -> dict[tuple[str, str], tuple[int, int]]:
    """(period, territory) -> (households reached before the commandement de payer, first contacts situated
    against it): the share formats.md defines (never above 100 %), for the page and the bilan."""
    reached: dict[tuple[str, str], int] = defaultdict(int)
    known: dict[tuple[str, str], int] = defaultdict(int)
    for row in rows:
        if row.mission != mission:
            continue
        cell = (row.period, row.territory)
        if row.indicator == "reached_before_commandement":
            reached[cell] += int(row.value)
        elif row.indicator == "first_contacts_situated":
            known[cell] += int(row.value)
    return {cell: (reached.get(cell, 0), number) for cell, number in known.items()}
