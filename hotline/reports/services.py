"""The report's records, read from the consultations' monthly rollup (rollup.py), the call log and the
permanences, and its exports (CSV, XLSX). Reads only.

The consultation indicators come from the rollup; consultation_records() (every consultation, read
row by row) stays as the exact recount the tests and `hotline reports rebuild --check` compare with."""
from __future__ import annotations

import csv
import io
import re
from datetime import date, datetime, time
from decimal import Decimal
from zoneinfo import ZoneInfo

from dateutil.relativedelta import relativedelta
from sqlalchemy import func, select

from hotline.activities.models import Activity
from hotline.cases import figures
from hotline.cases.models import CaseStatement
from hotline.consultations.models import Consultation, ConsultationCode
from hotline.extensions import db
from hotline.ivr.models import Call, CallbackTask
from hotline.permanences import services as permanences
from hotline.reference import NON_RENSEIGNE
from hotline.reports import rollup, tidy

FIRST_YEAR, LAST_YEAR = 2000, 2100
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
    columns = [Consultation.id, Consultation.mission, Consultation.date, Consultation.territory_code,
               Consultation.household_id, Consultation.debt_amount, Consultation.habitat_indigne,
               Consultation.permis_louer, *(getattr(Consultation, name) for name in tidy.SINGLE_CODES),
               *(func.coalesce(getattr(CaseStatement, name), tidy.UNKNOWN) for name in tidy.CASE_CODES)]
    codes: dict[int, dict[str, set[str]]] = {}
    code_query = (select(ConsultationCode.consultation_id, ConsultationCode.kind, ConsultationCode.code)
                  .join(Consultation, Consultation.id == ConsultationCode.consultation_id)
                  .where(ConsultationCode.kind.in_(tidy.MULTI_CODES), *where))
    for consultation_id, kind, code in db.session.execute(code_query):
        codes.setdefault(consultation_id, {}).setdefault(kind, set()).add(code)
    empty: dict[str, set[str]] = {}
    records = []
    query = select(*columns).outerjoin(CaseStatement, CaseStatement.consultation_id == Consultation.id).where(*where)
    for row in db.session.execute(query):
        (cid, mission, day, territory, household_id, debt, indigne, permis), singles = row[:8], row[8:]
        multi = codes.get(cid, empty)
        records.append(tidy.ConsultationRecord(
            mission=mission, month=f"{day:%Y-%m}", territory=territory,
            household=f"h{household_id}" if household_id else f"c{cid}",
            codes=dict(zip(tidy.SINGLE_CODES + tidy.CASE_CODES, singles, strict=True)),
            multi={kind: frozenset(multi.get(kind, ())) for kind in tidy.MULTI_CODES},
            debt_amount=debt, habitat_indigne=bool(indigne), permis_louer=bool(permis)))
    return records


def _local_bounds(first: date, end: date, zone: ZoneInfo) -> tuple[datetime, datetime]:
    return datetime.combine(first, time(), zone), datetime.combine(end, time(), zone)


def call_records(first: date, end: date, missions: list[str], zone: ZoneInfo) -> list[tidy.CallRecord]:
    """Calls by the month they started; calls that never had a mission (hung up before choosing) are
    counted in no mission."""
    start, stop = _local_bounds(first, end, zone)
    query = select(Call).where(Call.started_at >= start, Call.started_at < stop, Call.mission.in_(missions))
    return [tidy.CallRecord(call.mission, f"{call.started_at.astimezone(zone):%Y-%m}",
                            _territory(call.territory_code), call.outcome) for call in db.session.scalars(query)]


def callback_records(first: date, end: date, missions: list[str], zone: ZoneInfo) -> list[tidy.CallRecord]:
    """Callbacks marked done, by the month they were done, with their call's mission and territory."""
    start, stop = _local_bounds(first, end, zone)
    query = (select(CallbackTask, Call).join(Call, CallbackTask.call_id == Call.id)
             .where(CallbackTask.status == "done", CallbackTask.done_at >= start, CallbackTask.done_at < stop,
                    Call.mission.in_(missions)))
    return [tidy.CallRecord(call.mission, f"{task.done_at.astimezone(zone):%Y-%m}", _territory(call.territory_code),
                            "done") for task, call in db.session.execute(query)]


def activity_records(first: date, end: date, missions: list[str]) -> list[tidy.ActivityRecord]:
    query = select(Activity).where(Activity.date >= first, Activity.date < end, Activity.mission.in_(missions))
    return [tidy.ActivityRecord(a.mission, f"{a.date:%Y-%m}", a.territory_code, a.activity_type)
            for a in db.session.scalars(query)]


def _territory(code: str | None) -> str:
    return code or NON_RENSEIGNE


def held_permanences(first: date, last: date, missions: list[str], now: datetime,
                     zone: ZoneInfo) -> dict[tuple[str, str, str], int]:
    held: dict[tuple[str, str, str], int] = {}
    for occurrence in permanences.held(first, last + relativedelta(months=1, days=-1), now, zone):
        p = occurrence.permanence
        if p.mission in missions:
            key = (p.mission, f"{occurrence.day:%Y-%m}", p.territory_code)
            held[key] = held.get(key, 0) + 1
    return held


def household_records(end: date, missions: list[str]) -> list[figures.HouseholdRecord]:
    """Every consultation of the missions before `end`, earlier ones included (a first contact is the first
    ever), as the household indicators read them: one narrow query, the rent said at each consultation."""
    query = (select(Consultation.id, Consultation.household_id, Consultation.mission, Consultation.date,
                    Consultation.territory_code, Consultation.procedure_stage, Consultation.debt_amount,
                    CaseStatement.rent_amount)
             .outerjoin(CaseStatement, CaseStatement.consultation_id == Consultation.id)
             .where(Consultation.date < end, Consultation.mission.in_(missions)))
    return [figures.HouseholdRecord(household=household_id, mission=mission, date=day, order=cid, territory=territory,
                                    stage=stage, debt=debt, rent=rent)
            for cid, household_id, mission, day, territory, stage, debt, rent in db.session.execute(query)]


def other_rows(first: date, last: date, missions: list[str], now: datetime, zone: ZoneInfo) -> list[tidy.Row]:
    """The report's rows that do not come from the consultations: calls, callbacks, permanences held,
    activities."""
    end = last + relativedelta(months=1)
    return tidy.build((), call_records(first, end, missions, zone), callback_records(first, end, missions, zone),
                      held_permanences(first, last, missions, now, zone), activity_records(first, end, missions))


def report(first: date, last: date, missions: list[str], now: datetime, zone: ZoneInfo) -> list[tidy.Row]:
    """The tidy report of the months first..last (first days of months), both included."""
    end = last + relativedelta(months=1)
    per_household = figures.build(household_records(end, missions), [f"{m:%Y-%m}" for m in months(first, last)])
    return tidy.merged(rollup.rows(db.session, first, last, missions),
                       [*other_rows(first, last, missions, now, zone), *(tidy.Row(*f) for f in per_household)])


def page(first: date, last: date, missions: list[str], now: datetime,
         zone: ZoneInfo) -> tuple[dict[str, dict[str, dict[str, int]]], dict[str, dict[str, int | Decimal]]]:
    """What the managers' page shows, without reading a consultation: (consultations per mission,
    territory (and `all`) and month (and `total`): {mission: {territory: {period: n}}}, and every
    indicator of the whole range over all territories: {mission: {indicator or indicator/category: value}}
    (indicators without category under their own name))."""
    table = rollup.table(db.session, first, last, missions)
    summary: dict[str, dict[str, int | Decimal]] = {}
    whole = [row for row in other_rows(first, last, missions, now, zone)
             if row.period == tidy.TOTAL and row.territory == tidy.ALL]
    for row in tidy.merged(rollup.summary(db.session, first, last, missions), whole):
        key = f"{row.indicator}/{row.category}" if row.category else row.indicator
        summary.setdefault(row.mission, {})[key] = row.value
    return table, summary


def to_csv(rows: list[tidy.Row]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(tidy.COLUMNS)
    writer.writerows(row.as_list() for row in rows)
    return out.getvalue()
