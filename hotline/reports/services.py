"""The report's records, read from the consultations' monthly rollup (rollup.py), the households' months
(household_months.py), the call log and the permanences, and its exports (CSV, XLSX). Reads only.

The independent recounts from the consultations, row by row, which the tests and the benchmarks compare
these with, are not production code: bench/recount.py."""

from __future__ import annotations

import csv
import io
import re
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from dateutil.relativedelta import relativedelta
from sqlalchemy import select

from hotline.activities.models import Activity
from hotline.cases import figures
from hotline.cases.deadlines import next_working_day
from hotline.extensions import db
from hotline.ivr.models import Call, CallbackTask
from hotline.permanences import services as permanences
from hotline.reference import NON_RENSEIGNE
from hotline.reports import household_months, rollup, tidy
from hotline.sms.models import SmsMessage

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
    local_hours: dict[float, tuple[str, tuple[int, int]]] = {}  # the zone's offsets are whole hours
    made: dict[tuple, tidy.CallRecord] = {}  # the unanswered calls of one hour and cell: one record, shared
    for mission, started_at, territory, outcome, answered_at in db.session.execute(query):
        hour = started_at.timestamp() // 3600
        if hour not in local_hours:
            local = started_at.astimezone(zone)
            local_hours[hour] = f"{local:%Y-%m}", (local.isoweekday(), local.hour)
        month, weekday_hour = local_hours[hour]
        wait = None
        if outcome == "answered" and answered_at is not None:
            wait = max(0, int((answered_at - started_at).total_seconds()))
        key = (mission, month, territory, outcome, wait, weekday_hour)
        record = made.get(key)
        if record is None:
            record = made[key] = tidy.CallRecord(mission, month, _territory(territory), outcome, wait, weekday_hour)
        records.append(record)
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
    made: dict[tuple, tidy.CallRecord] = {}  # one record per cell and answer, shared
    within_days: dict[tuple[date, date], bool] = {}
    for mission, territory, started_at, done_at in db.session.execute(query):
        done = done_at.astimezone(zone)
        days = (started_at.astimezone(zone).date(), done.date())
        if days not in within_days:
            within_days[days] = within_one_working_day(*days)
        key = (mission, f"{done:%Y-%m}", territory, within_days[days])
        if key not in made:
            made[key] = tidy.CallRecord(key[0], key[1], _territory(territory), "done", within_one_working_day=key[3])
        records.append(made[key])
    return records


def information_sms_records(first: date, end: date, missions: list[str], zone: ZoneInfo) -> list[tidy.CallRecord]:
    """The voice menu's self-service SMS (the next permanences) that Twilio accepted, by the month, mission and
    territory of the call that asked for them."""
    start, stop = _local_bounds(first, end, zone)
    query = (
        select(Call.mission, Call.territory_code, Call.started_at)
        .join(SmsMessage, SmsMessage.call_id == Call.id)
        .where(
            SmsMessage.purpose == "information",
            SmsMessage.status == "sent",
            Call.started_at >= start,
            Call.started_at < stop,
            Call.mission.in_(missions),
        )
    )
    return [
        tidy.CallRecord(mission, f"{started_at.astimezone(zone):%Y-%m}", _territory(territory), "sms_information")
        for mission, territory, started_at in db.session.execute(query)
    ]


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
        information_sms_records(first, end, missions, zone),
    )


def household_rows(first: date, last: date, missions: list[str], territory: str | None = None) -> list[tidy.Row]:
    """The household indicators of the months first..last, from the households' months (household_months):
    every cell, or (territory) only those of one territory or of `all`."""
    read = household_months.read(db.session, [f"{m:%Y-%m}" for m in months(first, last)], missions, territory)
    return [tidy.Row(*figure) for figure in read]


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
