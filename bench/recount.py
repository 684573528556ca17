"""The report's independent recounts, from the consultations read row by row: what the derived tables
(reports/rollup.py, reports/household_months.py) must agree with. Not production code: the tests
(tests/recount.py) and the benchmarks (report_rollup.py, report_scale.py) compare the reports with them.

Run inside an app context, on the app's session."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from dateutil.relativedelta import relativedelta
from sqlalchemy import func, select

from hotline.cases import figures
from hotline.cases.models import Case, CaseStatement, ProcedureAct
from hotline.consultations.models import Consultation, ConsultationCode
from hotline.extensions import db
from hotline.reports import household_facts, tidy
from hotline.reports.services import EVICTION, months


def consultation_records(first: date, end: date, missions: list[str]) -> list[tidy.ConsultationRecord]:
    """Read with two plain queries (columns, then codes), not ORM objects: a report spans years."""
    where = (Consultation.date >= first, Consultation.date < end, Consultation.mission.in_(missions))
    columns = [
        Consultation.id,
        Consultation.mission,
        Consultation.date,
        Consultation.territory_code,
        Consultation.household_id,
        Consultation.debt_amount,
        Consultation.habitat_indigne,
        Consultation.permis_louer,
        *(getattr(Consultation, name) for name in tidy.SINGLE_CODES),
        *(func.coalesce(getattr(CaseStatement, name), tidy.UNKNOWN) for name in tidy.CASE_CODES),
    ]
    codes: dict[int, dict[str, set[str]]] = {}
    code_query = (
        select(ConsultationCode.consultation_id, ConsultationCode.kind, ConsultationCode.code)
        .join(Consultation, Consultation.id == ConsultationCode.consultation_id)
        .where(ConsultationCode.kind.in_(tidy.MULTI_CODES), *where)
    )
    for consultation_id, kind, code in db.session.execute(code_query):
        codes.setdefault(consultation_id, {}).setdefault(kind, set()).add(code)
    empty: dict[str, set[str]] = {}
    records = []
    query = select(*columns).outerjoin(CaseStatement, CaseStatement.consultation_id == Consultation.id).where(*where)
    for row in db.session.execute(query):
        (cid, mission, day, territory, household_id, debt, indigne, permis), singles = row[:8], row[8:]
        multi = codes.get(cid, empty)
        records.append(
            tidy.ConsultationRecord(
                mission=mission,
                month=f"{day:%Y-%m}",
                territory=territory,
                household=f"h{household_id}" if household_id else f"c{cid}",
                codes=dict(zip(tidy.SINGLE_CODES + tidy.CASE_CODES, singles, strict=True)),
                multi={kind: frozenset(multi.get(kind, ())) for kind in tidy.MULTI_CODES},
                debt_amount=debt,
                habitat_indigne=bool(indigne),
                permis_louer=bool(permis),
            )
        )
    return records


def household_records(end: date, missions: list[str], first: date | None = None) -> list[figures.HouseholdRecord]:
    """The consultations the household indicators of the months first..end read, one narrow row each with the
    rent said at it: those of the range and, before it, the history of the households seen in the range (a
    first contact is the first ever; a stage or a rent may come from before), read through the index on
    (household_id, mission, date). first None: every consultation of the missions before `end` (the recount)."""
    c = Consultation.__table__.c
    columns = (
        c.id,
        c.household_id,
        c.mission,
        c.date,
        c.territory_code,
        c.procedure_stage,
        c.debt_amount,
        CaseStatement.rent_amount,
    )
    joined = Consultation.__table__.outerjoin(CaseStatement.__table__, CaseStatement.consultation_id == c.id)
    where = (c.date < end, c.mission.in_(missions))
    queries = [select(*columns).select_from(joined).where(*where)]
    if first is not None:
        seen = (
            select(c.household_id, c.mission)
            .where(*where, c.date >= first, c.household_id.is_not(None))
            .distinct()
            .subquery()
        )
        earlier = Consultation.__table__.alias("earlier")
        before = select(*(earlier.c[column.name] for column in columns[:-1]), CaseStatement.rent_amount).select_from(
            seen.join(
                earlier,
                (earlier.c.household_id == seen.c.household_id)
                & (earlier.c.mission == seen.c.mission)
                & (earlier.c.date < first),
            ).outerjoin(CaseStatement.__table__, CaseStatement.consultation_id == earlier.c.id)
        )
        queries = [queries[0].where(c.date >= first), before]
    return [
        figures.HouseholdRecord(
            household=household_id,
            mission=mission,
            date=day,
            order=cid,
            territory=territory,
            stage=stage,
            debt=debt,
            rent=rent,
        )
        for query in queries
        for cid, household_id, mission, day, territory, stage, debt, rent in db.session.execute(query)
    ]


@dataclass(frozen=True)
class FactRecord:
    """One consultation of the eviction mission, for the recount: its household ("h<id>" or "c<id>"), day,
    order of recording, territory, stage and profile."""

    household: str
    day: date
    order: int
    territory: str
    stage: str | None
    profile: household_facts.ProfileRecord


def _last_day(month: str) -> date:
    year, number = int(month[:4]), int(month[5:])
    return date(year + number // 12, number % 12 + 1, 1) - timedelta(days=1)


def facts_recount(
    records: Iterable[FactRecord], acts: dict[str, list[tuple[str, date]]], months: Sequence[str], mission: str
) -> list[tuple[str, str, str, str, str, int]]:
    """The figures of this module for these months (YYYY-MM, in order) and `total`, counted again from every
    consultation of the mission up to the end of the range, one household at a time (what the tests and the
    benchmark compare household_months.read with): (mission, period, territory, indicator, category, n), each
    period's household in the territory of its latest consultation of the period (`all` too)."""
    first, last = months[0], months[-1]
    households: dict[str, list[FactRecord]] = {}
    for record in records:
        if f"{record.day:%Y-%m}" <= last:
            households.setdefault(record.household, []).append(record)
    counts: dict[tuple, int] = {}

    def count(period: str, place: str, indicator: str, category: str = "") -> None:
        for where in (place, "all"):
            key = (mission, period, where, indicator, category)
            counts[key] = counts.get(key, 0) + 1

    for household, history in households.items():
        history.sort(key=lambda r: (r.day, r.order))
        earliest = history[0]
        month_of_first = f"{earliest.day:%Y-%m}"
        if first <= month_of_first <= last:
            commandements = [day for code, day in acts.get(household, ()) if code == household_facts.COMMANDEMENT]
            reached = household_facts.reach(earliest.day, earliest.stage, commandements)
            for period in (month_of_first, "total"):
                if reached == household_facts.REACHED:
                    count(period, earliest.territory, "reached_before_commandement")
                if reached != household_facts.UNSITUATED:
                    count(period, earliest.territory, "first_contacts_situated")
        periods: dict[str, list[FactRecord]] = {}
        for record in history:
            month = f"{record.day:%Y-%m}"
            if month >= first:
                periods.setdefault(month, []).append(record)
                periods.setdefault("total", []).append(record)
        for period, seen in periods.items():
            place = seen[-1].territory
            values: dict[str, str] = {}
            for record in seen:  # the latest that names each wins
                values.update(household_facts.stated(record.profile))
            for name in household_facts.PROFILE:
                for category in household_facts.categories(name, values.get(name)):
                    count(period, place, f"households_{name}", category)
            end = _last_day(last if period == "total" else period)
            count(period, place, "household_result", household_facts.result_on(acts.get(household, ()), end))
    return [(*key, n) for key, n in counts.items()]


def fact_records(end: date) -> list[FactRecord]:
    """Every consultation of the eviction mission before `end`, as facts_recount reads them."""
    c = Consultation.__table__.c
    origins: dict[int, set[str]] = {}
    codes = ConsultationCode.__table__.c
    query = (
        select(codes.consultation_id, codes.code)
        .join(Consultation.__table__, c.id == codes.consultation_id)
        .where(codes.kind == "debt_origin", c.mission == EVICTION, c.date < end)
    )
    for consultation_id, code in db.session.execute(query):
        origins.setdefault(consultation_id, set()).add(code)
    names = household_facts.PROFILE[:5]
    query = select(
        c.id, c.household_id, c.date, c.territory_code, c.procedure_stage, *(c[name] for name in names)
    ).where(c.mission == EVICTION, c.date < end)
    return [
        FactRecord(
            figures.household_key(household_id, cid),
            day,
            cid,
            territory,
            stage,
            household_facts.ProfileRecord(f"{day:%Y-%m}", *profile, debt_origins=frozenset(origins.get(cid, ()))),
        )
        for cid, household_id, day, territory, stage, *profile in db.session.execute(query)
    ]


def case_acts() -> dict[str, list[tuple[str, date]]]:
    """household key -> the current acts and events of its case (code, day)."""
    acts = ProcedureAct.__table__.c
    query = (
        select(Case.household_id, acts.stage, acts.occurred_on)
        .join(ProcedureAct.__table__, acts.case_id == Case.id)
        .where(acts.replaced_at.is_(None))
    )
    found: dict[str, list[tuple[str, date]]] = {}
    for household_id, code, day in db.session.execute(query):
        found.setdefault(f"h{household_id}", []).append((code, day))
    return found


def household_recount(first: date, last: date, missions: list[str]) -> list[tidy.Row]:
    """The same, counted again from the consultations (cases.figures.build over household_records, and
    facts_recount for the eviction mission's profile, results and first contacts against the
    commandement de payer)."""
    end = last + relativedelta(months=1)
    codes = [f"{m:%Y-%m}" for m in months(first, last)]
    per_household = figures.build(household_records(end, missions, first), codes)
    rows = [tidy.Row(*figure) for figure in per_household if figure.indicator != "reached_before_commandement"]
    if EVICTION in missions:
        rows += [tidy.Row(*found) for found in facts_recount(fact_records(end), case_acts(), codes, EVICTION)]
    return sorted(rows, key=tidy._order)
