"""The report's records, read from the consultations' monthly rollup (rollup.py), the call log and the
permanences, and its exports (CSV, XLSX). Reads only.

The consultation indicators come from the rollup; consultation_records() (every consultation, read
row by row) stays as the exact recount the tests and `hotline reports rebuild --check` compare with."""

from __future__ import annotations

import csv
import io
import re
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from dateutil.relativedelta import relativedelta
from sqlalchemy import func, select

from hotline.activities.models import Activity
from hotline.cases import figures
from hotline.cases.deadlines import next_working_day
from hotline.cases.models import Case, CaseStatement, ProcedureAct
from hotline.consultations.models import Consultation, ConsultationCode
from hotline.extensions import db
from hotline.ivr.models import Call, CallbackTask
from hotline.permanences import services as permanences
from hotline.reference import NON_RENSEIGNE
from hotline.reports import household_facts, household_months, rollup, tidy

FIRST_YEAR, LAST_YEAR = 2000, 2100
EVICTION = figures.EVICTION_MISSION  # the one mission whose household indicators the page shows
_MONTH = re.compile(r"([0-9]{4})-([0-9]{1,2})")


def parse_month(text: str) -> date:
    """'2026-03' (or '2026-3') -> 2026-03-01: ASCII digits, years 2000 to 2100; ValueError with a
    French message otherwise."""
    match = _MONTH.fullmatch((text or "").strip(" \t"))
    if match is None or not 1 <= int(match.group(2)) <= 12:
        shown = text if len(text or "") <= 20 else f"{text[:20]}…"
        raise ValueError(f"« {shown} » n'est pas un mois (AAAA-MM).")
    year, month = int(match.group(1)), int(match.group(2))
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise ValueError(f"« {text.strip()} » : choisissez un mois entre {FIRST_YEAR}-01 et {LAST_YEAR}-12.")
    return date(year, month, 1)


def months(first: date, last: date) -> list[date]:
    found, current = [], first
    while current <= last:
        found.append(current)
        current += relativedelta(months=1)
    return found


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


def _local_bounds(first: date, end: date, zone: ZoneInfo) -> tuple[datetime, datetime]:
    return datetime.combine(first, time(), zone), datetime.combine(end, time(), zone)


def call_records(first: date, end: date, missions: list[str], zone: ZoneInfo) -> list[tidy.CallRecord]:
    """Calls by the month they started (narrow rows, not ORM objects); calls that never had a mission (hung
    up before choosing) are counted in no mission. An answered call's wait: from its start to its answer."""
    start, stop = _local_bounds(first, end, zone)
    query = select(Call.mission, Call.started_at, Call.territory_code, Call.outcome, Call.answered_at).where(
        Call.started_at >= start, Call.started_at < stop, Call.mission.in_(missions)
    )
    records = []
    for mission, started_at, territory, outcome, answered_at in db.session.execute(query):
        local = started_at.astimezone(zone)
        wait = None
        if outcome == "answered" and answered_at is not None:
            wait = max(0, int((answered_at - started_at).total_seconds()))
        records.append(
            tidy.CallRecord(
                mission, f"{local:%Y-%m}", _territory(territory), outcome, wait, (local.isoweekday(), local.hour)
            )
        )
    return records


def within_one_working_day(called: date, done: date) -> bool:
    """A callback done by the end of the working day after the day of the call (weekends and public holidays
    are not working days)."""
    return done <= next_working_day(called + timedelta(days=1))


def callback_records(first: date, end: date, missions: list[str], zone: ZoneInfo) -> list[tidy.CallRecord]:
    """Callbacks marked done, by the month they were done, with their call's mission and territory, and
    whether they were done within one working day of the call."""
    start, stop = _local_bounds(first, end, zone)
    query = (
        select(Call.mission, Call.territory_code, Call.started_at, CallbackTask.done_at)
        .join(Call, CallbackTask.call_id == Call.id)
        .where(
            CallbackTask.status == "done",
            CallbackTask.done_at >= start,
            CallbackTask.done_at < stop,
            Call.mission.in_(missions),
        )
    )
    records = []
    for mission, territory, started_at, done_at in db.session.execute(query):
        done = done_at.astimezone(zone)
        within = within_one_working_day(started_at.astimezone(zone).date(), done.date())
        records.append(
            tidy.CallRecord(mission, f"{done:%Y-%m}", _territory(territory), "done", within_one_working_day=within)
        )
    return records


def activity_records(first: date, end: date, missions: list[str]) -> list[tidy.ActivityRecord]:
    query = select(Activity).where(Activity.date >= first, Activity.date < end, Activity.mission.in_(missions))
    return [
        tidy.ActivityRecord(a.mission, f"{a.date:%Y-%m}", a.territory_code, a.activity_type)
        for a in db.session.scalars(query)
    ]


def _territory(code: str | None) -> str:
    return code or NON_RENSEIGNE


def held_permanences(
    first: date, last: date, missions: list[str], now: datetime, zone: ZoneInfo
) -> dict[tuple[str, str, str], int]:
    held: dict[tuple[str, str, str], int] = {}
    for occurrence in permanences.held(first, last + relativedelta(months=1, days=-1), now, zone):
        p = occurrence.permanence
        if p.mission in missions:
            key = (p.mission, f"{occurrence.day:%Y-%m}", p.territory_code)
            held[key] = held.get(key, 0) + 1
    return held


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


def other_rows(first: date, last: date, missions: list[str], now: datetime, zone: ZoneInfo) -> list[tidy.Row]:
    """The report's rows that do not come from the consultations: calls, callbacks, permanences held,
    activities."""
    end = last + relativedelta(months=1)
    return tidy.build(
        (),
        call_records(first, end, missions, zone),
        callback_records(first, end, missions, zone),
        held_permanences(first, last, missions, now, zone),
        activity_records(first, end, missions),
    )


def household_rows(first: date, last: date, missions: list[str], territory: str | None = None) -> list[tidy.Row]:
    """The household indicators of the months first..last, from the households' months (household_months):
    every cell, or (territory) only those of one territory or of `all`."""
    read = household_months.read(db.session, [f"{m:%Y-%m}" for m in months(first, last)], missions, territory)
    return [tidy.Row(*figure) for figure in read]


def fact_records(end: date) -> list[household_facts.FactRecord]:
    """Every consultation of the eviction mission before `end`, as household_facts.recount reads them."""
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
        household_facts.FactRecord(
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
    household_facts.recount for the eviction mission's profile, results and first contacts against the
    commandement de payer)."""
    end = last + relativedelta(months=1)
    codes = [f"{m:%Y-%m}" for m in months(first, last)]
    per_household = figures.build(household_records(end, missions, first), codes)
    rows = [tidy.Row(*figure) for figure in per_household if figure.indicator != "reached_before_commandement"]
    if EVICTION in missions:
        rows += [tidy.Row(*found) for found in household_facts.recount(fact_records(end), case_acts(), codes, EVICTION)]
    return sorted(rows, key=tidy._order)


def report(first: date, last: date, missions: list[str], now: datetime, zone: ZoneInfo) -> list[tidy.Row]:
    """The tidy report of the months first..last (first days of months), both included."""
    return tidy.merged(
        rollup.rows(db.session, first, last, missions),
        [*other_rows(first, last, missions, now, zone), *household_rows(first, last, missions)],
    )


def page(
    first: date,
    last: date,
    missions: list[str],
    now: datetime,
    zone: ZoneInfo,
    territory: str = tidy.ALL,
    households: bool = True,
) -> list[tidy.Row]:
    """The rows of the tidy report the managers' page shows (bilan.assemble), read without the report: the
    rollup's cells with the distinct households and medians of the levels shown only (the page of all
    territories: months and the whole range over all territories; a territory's page: its own cells), the
    calls, permanences and activities, and (households) the household indicators of the eviction mission, which
    the page shows for it only. Each row is the report's row, value for value."""
    rows = rollup.page_rows(db.session, first, last, missions, None if territory == tidy.ALL else territory)
    rows += [row for row in other_rows(first, last, missions, now, zone) if territory in (tidy.ALL, row.territory)]
    if households and EVICTION in missions:
        rows += household_rows(first, last, [EVICTION], territory)
    return sorted(rows, key=tidy._order)


def to_csv(rows: list[tidy.Row]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(tidy.COLUMNS)
    writer.writerows(row.as_list() for row in rows)
    return out.getvalue()
