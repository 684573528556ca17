"""The report's independent recounts, from the consultations read row by row: what the derived tables
(reports/rollup.py, reports/household_months.py) must agree with. Not production code: the tests
(tests/recount.py) and the benchmarks (report_rollup.py, report_scale.py) compare the reports with them.

Run inside an app context, on the app's session."""

from __future__ import annotations

from datetime import date

from dateutil.relativedelta import relativedelta
from sqlalchemy import func, select

from hotline.cases import figures
from hotline.cases.models import CaseStatement
from hotline.consultations.models import Consultation, ConsultationCode
from hotline.extensions import db
from hotline.reports import tidy
from hotline.reports.services import months


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


def household_recount(first: date, last: date, missions: list[str]) -> list[tidy.Row]:
    """The household indicators of the months first..last (services.household_rows), counted again from
    the consultations (cases.figures.build over household_records)."""
    end = last + relativedelta(months=1)
    per_household = figures.build(household_records(end, missions, first), [f"{m:%Y-%m}" for m in months(first, last)])
    return [tidy.Row(*figure) for figure in per_household]
