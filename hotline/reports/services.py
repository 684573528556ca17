"""The report's records, read from the consultations' monthly rollup (rollup.py), the households' months
(household_months.py), the call log (counted in SQL by local month, hour of the week and wait: never a call at a
time; a finished month from its summary, call_months.py) and the permanences, and its exports (CSV, XLSX). Reads
only, but for the summaries of the call log's finished months, written by the read that first needs them, once
counted, in a short transaction of their own (`_keep_summaries`).

The independent recounts from the consultations, row by row, which the tests and the benchmarks compare
these with, are not production code: bench/recount.py."""

from __future__ import annotations

import csv
import io
import logging
import re
import threading
from collections import defaultdict
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from dateutil.relativedelta import relativedelta
from sqlalchemy import BigInteger, Integer, case, cast, delete, extract, func, insert, literal, select, text, union_all
from sqlalchemy.exc import IntegrityError, OperationalError

from hotline.activities.models import Activity
from hotline.cases import figures
from hotline.cases.deadlines import next_working_day
from hotline.core import collector
from hotline.core.kept import Kept
from hotline.extensions import db
from hotline.ivr.models import Call, CallbackTask
from hotline.permanences import services as permanences
from hotline.reference import NON_RENSEIGNE
from hotline.reports import call_months, household_months, rollup, tidy
from hotline.sms.models import SmsMessage

log = logging.getLogger("hotline.reports")

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


def _postgres() -> bool:
    return db.session.get_bind().dialect.name == "postgresql"


def _utc_hour(column):
    """An instant's UTC hour as SQL text, 'YYYY-MM-DD HH' (SQLite keeps instants as UTC text): the zone's offsets
    are whole hours, so each UTC hour is one local hour, in one local day and month (_LocalHours)."""
    if _postgres():
        return func.to_char(func.timezone("UTC", column), "YYYY-MM-DD HH24")
    return func.substr(column, 1, 13)


class _LocalHours(dict):
    """UTC hour ('YYYY-MM-DD HH', _utc_hour) -> the local time it is, each computed once."""

    def __init__(self, zone: ZoneInfo):
        super().__init__()
        self.zone = zone

    def __missing__(self, hour: str) -> datetime:
        at = datetime(int(hour[:4]), int(hour[5:7]), int(hour[8:10]), int(hour[11:13]), tzinfo=UTC)
        local = self[hour] = at.astimezone(self.zone)
        return local


class _LocalTime:
    """The local wall time of instants of [start, stop) as SQL text: the zone's offset over the range (whole hours,
    changing a few times a year) is a CASE on the instant, added to it, then formatted by the database."""

    FORMATS = {  # SQLite's strftime, PostgreSQL's to_char
        "month": ("%Y-%m", "YYYY-MM"),
        "day": ("%Y-%m-%d", "YYYY-MM-DD"),
        "hour_of_week": ("%Y-%m %w %H", "YYYY-MM ID HH24"),  # month, weekday (0 or 7: Sunday), hour
    }

    def __init__(self, start: datetime, stop: datetime, zone: ZoneInfo):
        self.offsets = []  # (from this UTC instant, whole hours), in order
        day, stop = start.astimezone(UTC), stop.astimezone(UTC)  # arithmetic in UTC, not on the wall clock
        while day < stop:
            following = min(day + timedelta(days=1), stop)
            hour = day
            while hour < following:  # each hour of a day whose offset changes within it (or the first)
                offset = hour.astimezone(zone).utcoffset()
                if not self.offsets or offset != self.offsets[-1][1]:
                    self.offsets.append((hour, offset))
                if following.astimezone(zone).utcoffset() == offset:
                    break
                hour += timedelta(hours=1)
            day = following
        if any(offset % timedelta(hours=1) for _, offset in self.offsets):
            raise ValueError("the zone's offset is not a whole number of hours")

    def text(self, column, what: str):
        sqlite, postgres = self.FORMATS[what]
        hours = [offset // timedelta(hours=1) for _, offset in self.offsets]
        shifts = [literal(h) for h in hours] if _postgres() else [literal(f"{h:+d} hours") for h in hours]
        whens = [(column < since, shift) for (since, _), shift in zip(self.offsets[1:], shifts, strict=False)]
        shift = case(*whens, else_=shifts[-1]) if whens else shifts[0]
        if _postgres():
            return func.to_char(func.timezone("UTC", column) + func.make_interval(0, 0, 0, 0, shift), postgres)
        return func.strftime(sqlite, column, shift)


def _wait_seconds():
    """An answered call's wait in whole seconds as SQL, as int((answered_at - started_at).total_seconds()) gives it
    (never below 0); NULL without its answer's instant."""
    answered, started = Call.answered_at, Call.started_at
    if _postgres():
        seconds = func.greatest(0, cast(func.floor(extract("epoch", answered - started)), Integer))
    else:  # whole seconds apart, less one when the answer's fraction of a second is below the start's
        fraction_before = case((func.substr(answered, 20) < func.substr(started, 20), 1), else_=0)
        seconds = func.max(
            0, func.strftime("%s", answered) - func.strftime("%s", started) - fraction_before, type_=Integer
        )
    return case((answered.is_not(None), seconds))


def call_records(
    first: date, end: date, missions: list[str], zone: ZoneInfo, now: datetime | None = None
) -> list[tidy.CallRecord]:
    """Calls by the local month they started, counted in SQL (a record stands for `calls` calls: never a read per
    call); calls that never had a mission (hung up before choosing) are counted in no mission. The answered by month
    with the histogram of their waits (from their start to their answer), the others by the local hour of the week
    they started, missed or abandoned as tidy counts them. With `now`, the months of the range over by then
    (call_months.SETTLED) are read from their summaries (report_call_months, written here when missing or stale)."""
    settled = []
    for month in months(first, end - relativedelta(months=1)) if now is not None else []:
        if datetime.combine(month + relativedelta(months=1), time(), zone) + call_months.SETTLED > now:
            break
        settled.append(month)
    split = settled[-1] + relativedelta(months=1) if settled else first
    spans = {f"{month:%Y-%m}": (month, month + relativedelta(months=1)) for month in settled}
    if now is not None and split < end:
        # The month in progress's days over by SETTLED summarised as well (its summary's mark names the day it stops
        # at, so that it is counted again, whole, once the month is over): only its last days counted from the calls.
        stop = min(split + relativedelta(months=1), end)
        through = datetime.combine(now.astimezone(zone).date(), time(), zone)
        while through.date() > split and through + call_months.SETTLED > now:
            through -= timedelta(days=1)
        through_day = min(through.date(), stop)
        if through_day > split:
            spans[f"{split:%Y-%m}"] = (split, through_day)
            split = through_day
    records = _summarised_records(spans, missions, zone) if spans else []
    return records + (_counted_records(split, end, missions, zone) if split < end else [])


def _calls_of(missions: list[str] | None):
    """The calls of these missions (None: of any mission), found through their instant's index: SQLite's planner
    (no statistics) would otherwise read a mission's every call for a month of them."""
    mission = Call.mission + ""  # an expression, not the indexed column
    return mission.in_(missions) if missions is not None else mission.is_not(None)


def _counted_records(first: date, end: date, missions: list[str] | None, zone: ZoneInfo) -> list[tidy.CallRecord]:
    start, stop = _local_bounds(first, end, zone)
    local = _LocalTime(start, stop, zone)
    answered = Call.outcome == "answered"
    when = case((answered, local.text(Call.started_at, "month")), else_=local.text(Call.started_at, "hour_of_week"))
    wait = case((answered, _wait_seconds()))
    outcome = case(
        (answered, literal("answered")),
        (Call.outcome.in_(tidy.MISSED_OUTCOMES), literal("missed")),
        else_=literal("abandoned"),
    )
    query = (
        select(Call.mission, when, Call.territory_code, outcome, wait, func.count())
        .where(Call.started_at >= start, Call.started_at < stop, _calls_of(missions))
        .group_by(Call.mission, when, Call.territory_code, outcome, wait)
    )
    records = []
    for mission, started, territory, counted_as, seconds, n in db.session.execute(query):
        if counted_as == "answered":
            records.append(tidy.CallRecord(mission, started, _territory(territory), counted_as, seconds, calls=n))
            continue
        month, weekday, hour = started.split(" ")
        weekday_hour = (int(weekday) or 7, int(hour))  # SQLite's %w: 0 on Sundays
        records.append(tidy.CallRecord(mission, month, _territory(territory), counted_as, None, weekday_hour, calls=n))
    return records


def _summarised_records(
    spans: dict[str, tuple[date, date]], missions: list[str], zone: ZoneInfo
) -> list[tidy.CallRecord]:
    """The records of these months (code -> its local days first..end, end excluded: the whole month, or the month in
    progress's days over) from their summaries; a month without one, or whose calls are no longer those it was
    counted from, is counted from its calls, and its summary kept for the next read (`_keep_summaries`)."""
    bounds = {code: _local_bounds(first, end, zone) for code, (first, end) in spans.items()}
    zones = {  # a month's mark: the zone its local days were read in, and the day a month in progress stops at
        code: str(zone) if end == first + relativedelta(months=1) else f"{zone}<{end:%Y-%m-%d}"
        for code, (first, end) in spans.items()
    }
    parts = [
        select(
            literal(code).label("month"),
            func.count(Call.id),
            func.coalesce(func.max(Call.id), 0),
            func.coalesce(func.sum(Call.id), 0),
        ).where(Call.started_at >= start, Call.started_at < stop)
        for code, (start, stop) in bounds.items()
    ]
    now_held = {
        code: (zones[code], int(n), int(last), int(total))  # str: a ZoneInfo's key, "UTC" for datetime.UTC
        for code, n, last, total in db.session.execute(union_all(*parts) if len(parts) > 1 else parts[0])
    }
    Mark = call_months.ReportCallMonthMark  # noqa: N806
    marks = {  # plain rows, not entities: _keep_summaries writes them on another connection
        month: (zone_key, calls, last_id, id_sum)
        for month, zone_key, calls, last_id, id_sum in db.session.execute(
            select(Mark.month, Mark.zone, Mark.calls, Mark.last_id, Mark.id_sum).where(Mark.month.in_(list(bounds)))
        )
    }
    stale = [code for code in bounds if marks.get(code) != now_held[code]]
    counted, summaries = [], []
    for code in stale:  # counted here, by reads only
        found = _counted_records(*spans[code], None, zone)
        counted += [record for record in found if record.mission in missions]
        summaries += _summary_rows(code, found)
    if stale:
        _keep_summaries(
            stale, summaries, [dict(zip(MARK_FIELDS, now_held[code], strict=True), month=code) for code in stale]
        )
    fresh = {code: now_held[code] for code in bounds if code not in stale}
    if not fresh:
        return counted
    found, read = call_months.records(db.session, fresh, missions)
    for code in sorted(fresh.keys() - read):  # summarised again by another read since its mark was checked
        counted += _counted_records(*spans[code], missions, zone)
    return counted + found


MARK_FIELDS = call_months.MARK_FIELDS


def _keep_summaries(months: list[str], summaries: list[dict], marks: list[dict]) -> None:
    """The counted months written in a short transaction of their own, once counted: a report's read never holds
    SQLite's write lock while it computes (the voice line's steps would wait behind it). Not when this session's
    transaction has already written (a form posted: the write could wait for its own request's locks), nor when
    another read wrote them first or the database is busy: they are counted again at the next read."""
    if _session_has_written():
        return
    Mark, Summary = call_months.ReportCallMonthMark, call_months.ReportCallMonth  # noqa: N806
    try:
        with db.engine.begin() as connection:
            if connection.dialect.name == "postgresql":
                connection.exec_driver_sql("SET LOCAL lock_timeout = '2s'")  # never wait long behind another writer
            connection.execute(delete(Summary).where(Summary.month.in_(months)))
            connection.execute(delete(Mark).where(Mark.month.in_(months)))
            if summaries:
                connection.execute(insert(Summary), summaries)
            connection.execute(insert(Mark), marks)
    except (IntegrityError, OperationalError):
        log.info("reports: call months not kept (written by another read, or the database busy)")


def _session_has_written() -> bool:
    """Whether this session's open transaction wrote: SQLite's write lock taken (the web app begins it at the first
    write), or a PostgreSQL transaction id assigned (PostgreSQL gives one at the first write only)."""
    session = db.session()
    if not session.in_transaction():
        return False
    if db.engine.dialect.name == "sqlite":
        return session.connection().connection.driver_connection.in_transaction
    return session.execute(text("SELECT pg_current_xact_id_if_assigned() IS NOT NULL")).scalar_one()


def _summary_rows(month: str, records: list[tidy.CallRecord]) -> list[dict]:
    """A month's records as report_call_months' rows: one per mission, territory and outcome (`slot:calls` each)."""
    slots: dict[tuple[str, str, str], list[str]] = defaultdict(list)
    for record in records:
        if record.outcome == "answered":
            slot = "-" if record.wait_seconds is None else str(record.wait_seconds)
        else:
            slot = "{}.{}".format(*record.weekday_hour)
        slots[(record.mission, record.territory, record.outcome)].append(f"{slot}:{record.calls}")
    return [
        {"month": month, "mission": mission, "territory": territory, "counted_as": outcome, "slots": " ".join(found)}
        for (mission, territory, outcome), found in slots.items()
    ]


def within_one_working_day(called: date, done: date) -> bool:
    """A callback done by the end of the working day after the day of the call (weekends and public holidays
    are not working days)."""
    return done <= next_working_day(called + timedelta(days=1))


# A callback's call is read at its local day through the zone's offsets of this window before the range (a call
# older than that is read at the window's first offset: its day may be an hour off, but a callback done in the range
# is then weeks after it, never within one working day).
CALL_BEFORE_CALLBACK = timedelta(days=40)


def callback_records(first: date, end: date, missions: list[str], zone: ZoneInfo) -> list[tidy.CallRecord]:
    """Callbacks marked done, by the month they were done, with their call's mission and territory, and
    whether they were done within one working day of the call (_counted_callbacks). Each local month of the range
    is counted once per process and kept (_CALLBACK_MONTHS) with what it was counted from (_callback_marks: its done
    tasks' count, ids, calls, and the instants they were created and done at), read by one GROUP BY of the tasks at
    each call (not joined with the calls: a fifth of the count's time); a month whose tasks changed (one marked
    done, reopened, its instant edited, a task written again under an old id) is counted again."""
    held = _callback_marks(first, end, zone)

    def key(month: str) -> tuple:  # the month's days within the range
        since = parse_month(month)
        return (str(zone), tuple(missions), max(since, first), min(since + relativedelta(months=1), end))

    kept = {month: _CALLBACK_MONTHS.get(key(month)) for month in held}
    stale = sorted(month for month in held if kept[month] is None or kept[month][0] != held[month])
    if stale:
        counted: dict[str, list[tidy.CallRecord]] = {month: [] for month in stale}
        since, until = parse_month(stale[0]), parse_month(stale[-1]) + relativedelta(months=1)
        for record in _counted_callbacks(max(since, first), min(until, end), missions, zone):
            if record.month in counted:
                counted[record.month].append(record)
        if not _session_has_written():  # never keep what this transaction's own writes may have changed
            for month in stale:
                _CALLBACK_MONTHS.keep(key(month), (held[month], counted[month]))
        kept.update({month: (held[month], counted[month]) for month in stale})
    return [record for month in sorted(held) for record in kept[month][1]]


# (zone, missions, the local days of a month within a range) -> (_callback_marks' mark of the month, its records).
_CALLBACK_MONTHS = Kept(5_000)


def _callback_marks(first: date, end: date, zone: ZoneInfo) -> dict[str, tuple[int, ...]]:
    """Local month (YYYY-MM) of the days first..end -> what its done callbacks are: how many, their ids and their
    calls' ids summed, and the instants they were created and done at (whole seconds and microseconds, summed). A
    task's call is written before it and never changes (mission, territory, instants: set during the call), and
    neither calls nor tasks are deleted; a task written again under an id used before (a database emptied: tests)
    is told by its creation's instant."""
    start, stop = _local_bounds(first, end, zone)
    month = _LocalTime(start, stop, zone).text(CallbackTask.done_at, "month")
    sums = [func.sum(CallbackTask.id), func.sum(CallbackTask.call_id)]
    for column in (CallbackTask.created_at, CallbackTask.done_at):
        sums += [func.sum(part) for part in _instant_parts(column)]
    query = (
        select(month, func.count(), *sums)
        .where(CallbackTask.status == "done", CallbackTask.done_at >= start, CallbackTask.done_at < stop)
        .group_by(month)
    )
    return {found: tuple(int(value or 0) for value in values) for found, *values in db.session.execute(query)}


def _instant_parts(column) -> tuple:
    """An instant as SQL numbers that tell it apart: its whole seconds since 1970 and its microseconds (SQLite's text);
    on PostgreSQL its microseconds since 1970 through a float (date_part: the same number for the same instant, and
    a third of the time of exact numeric arithmetic over a year's tasks)."""
    if _postgres():
        return (cast(func.date_part("epoch", column) * 1_000_000, BigInteger),)
    return cast(func.strftime("%s", column), Integer), cast(func.substr(column, 21, 6), Integer)


def _counted_callbacks(first: date, end: date, missions: list[str], zone: ZoneInfo) -> list[tidy.CallRecord]:
    """The callbacks done in the local days first..end (end excluded), counted in SQL by the local day of the call
    and of the callback, the working-day answer once per pair of days."""
    start, stop = _local_bounds(first, end, zone)
    called = _LocalTime(start - CALL_BEFORE_CALLBACK, stop, zone).text(Call.started_at, "day")
    done = _LocalTime(start, stop, zone).text(CallbackTask.done_at, "day")
    query = (
        select(Call.mission, Call.territory_code, called, done, func.count())
        .join(Call, CallbackTask.call_id == Call.id)
        .where(
            CallbackTask.status == "done",
            CallbackTask.done_at >= start,
            CallbackTask.done_at < stop,
            Call.mission.in_(missions),
        )
        .group_by(Call.mission, Call.territory_code, called, done)
    )
    records = []
    within_days: dict[tuple[str, str], bool] = {}
    for mission, territory, called_day, done_day, n in db.session.execute(query):
        days = (called_day, done_day)
        if days not in within_days:
            within_days[days] = within_one_working_day(date.fromisoformat(called_day), date.fromisoformat(done_day))
        records.append(
            tidy.CallRecord(
                mission, done_day[:7], _territory(territory), "done", within_one_working_day=within_days[days], calls=n
            )
        )
    return records


def information_sms_records(first: date, end: date, missions: list[str], zone: ZoneInfo) -> list[tidy.CallRecord]:
    """The voice menu's self-service SMS (the next permanences) that Twilio accepted, by the month, mission and
    territory of the call that asked for them (counted in SQL by the call's UTC hour)."""
    start, stop = _local_bounds(first, end, zone)
    hour = _utc_hour(Call.started_at)
    query = (
        select(Call.mission, Call.territory_code, hour, func.count())
        .join(SmsMessage, SmsMessage.call_id == Call.id)
        .where(
            SmsMessage.purpose == "information",
            SmsMessage.status == "sent",
            Call.started_at >= start,
            Call.started_at < stop,
            Call.mission.in_(missions),
        )
        .group_by(Call.mission, Call.territory_code, hour)
    )
    local = _LocalHours(zone)
    return [
        tidy.CallRecord(mission, f"{local[utc_hour]:%Y-%m}", _territory(territory), "sms_information", calls=n)
        for mission, territory, utc_hour, n in db.session.execute(query)
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
    return _built(
        call_records(first, end, missions, zone, now),
        callback_records(first, end, missions, zone),
        held_permanences(first, last, missions, now, zone),
        activity_records(first, end, missions),
        information_sms_records(first, end, missions, zone),
    )


# The last inputs of tidy.build given by other_rows, and its rows of them (tidy.Row is frozen: shared safely).
_BUILT: list[tuple[tuple, list[tidy.Row]]] = []
MAX_BUILT = 8  # the last few ranges asked (the year, the months before...)
_BUILT_LOCK = threading.Lock()


def _built(*records) -> list[tidy.Row]:
    """tidy.build of these records, built once for the same records: a page read again mostly reads the same
    records (the summarised months' are the very objects call_months and callback_records keep, compared by
    identity first), and building the year's 90 000 at 1M was 0.16-0.28 s of each page. The list is shared by a
    threaded server's requests: moved under a lock (a lookup and its move are one step)."""
    with _BUILT_LOCK:
        for index, (inputs, rows) in enumerate(_BUILT):
            if inputs == records:
                _BUILT.insert(0, _BUILT.pop(index))
                return list(rows)
    rows = tidy.build((), *records)
    with _BUILT_LOCK:
        _BUILT.insert(0, (records, rows))
        del _BUILT[MAX_BUILT:]
    return list(rows)


def household_rows(first: date, last: date, missions: list[str], territory: str | None = None) -> list[tidy.Row]:
    """The household indicators of the months first..last, from the households' months (household_months):
    every cell, or (territory) only those of one territory or of `all`."""
    read = household_months.read(db.session, [f"{m:%Y-%m}" for m in months(first, last)], missions, territory)
    return [tidy.Row(*figure) for figure in read]


def report(first: date, last: date, missions: list[str], now: datetime, zone: ZoneInfo) -> list[tidy.Row]:
    """The tidy report of the months first..last (first days of months), both included. The collector paused
    (core.collector): the read makes a few hundred thousand short-lived containers."""
    with collector.paused:
        return tidy.merged(
            rollup.export_rows(db.session, first, last, missions),
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
    the page shows for it only. Each row is the report's row, value for value. The collector paused (core.collector):
    each page's read otherwise set off a full collection walking the kept summaries too (0.1 s of a warm page at 1M).
    """
    with collector.paused:
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
