"""The green number's figures counted in SQL (services.call_records, callback_records, information_sms_records: a
GROUP BY of the local month and hour of the week, a histogram of the waits, callbacks by the UTC hours of the call
and of the callback) are what the per-call reading gave: the old computation is kept here, call by call (each
instant read and converted to local time, each wait from its two instants, each callback's working day), and
compared on generated calls at the edges that matter (the last Sundays of March and October, local midnight and
month edges, fractions of a second, callbacks done the next working day, after a weekend or a public holiday)."""

from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from statistics import median
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, func, select

from hotline.extensions import db
from hotline.ivr.models import OUTCOMES as RECORDED
from hotline.ivr.models import Call, CallbackTask
from hotline.reports import call_months, services, tidy
from hotline.sms.models import SmsMessage

PARIS = ZoneInfo("Europe/Paris")
MISSIONS = ["info_logement", "prevention_expulsion"]
CALL_INDICATORS = {
    "calls_received",
    "calls_answered",
    "calls_missed",
    "calls_abandoned",
    "call_wait_median_seconds",
    tidy.UNANSWERED_BY_HOUR,
    "callbacks_done",
    "callbacks_within_one_working_day",
    "sms_information_sent",
}


# --- the per-call computation, as it was (services and tidy.build before the GROUP BY) ---------------------------


def _bounds(first: date, end: date) -> tuple[datetime, datetime]:
    return datetime.combine(first, datetime.min.time(), PARIS), datetime.combine(end, datetime.min.time(), PARIS)


def old_calls(first: date, end: date, missions: list[str]) -> list[tuple]:
    """(mission, month, territory, outcome, wait, (weekday, hour)) per call."""
    start, stop = _bounds(first, end)
    query = select(Call.mission, Call.started_at, Call.territory_code, Call.outcome, Call.answered_at).where(
        Call.started_at >= start, Call.started_at < stop, Call.mission.in_(missions)
    )
    found = []
    for mission, started_at, territory, outcome, answered_at in db.session.execute(query):
        local = started_at.astimezone(PARIS)
        wait = None
        if outcome == "answered" and answered_at is not None:
            wait = max(0, int((answered_at - started_at).total_seconds()))
        found.append(
            (mission, f"{local:%Y-%m}", territory or "non_renseigne", outcome, wait, (local.isoweekday(), local.hour))
        )
    return found


def old_callbacks(first: date, end: date, missions: list[str]) -> list[tuple]:
    """(mission, month done, territory, within one working day) per callback done."""
    start, stop = _bounds(first, end)
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
    found = []
    for mission, territory, started_at, done_at in db.session.execute(query):
        done = done_at.astimezone(PARIS)
        within = services.within_one_working_day(started_at.astimezone(PARIS).date(), done.date())
        found.append((mission, f"{done:%Y-%m}", territory or "non_renseigne", within))
    return found


def old_sms(first: date, end: date, missions: list[str]) -> list[tuple]:
    start, stop = _bounds(first, end)
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
        (mission, f"{started_at.astimezone(PARIS):%Y-%m}", territory or "non_renseigne")
        for mission, territory, started_at in db.session.execute(query)
    ]


def old_rows(first: date, last: date, missions: list[str]) -> set[tuple]:
    """The call log's rows of the tidy report as tidy.build counted them from a record per call."""
    end = date(last.year + last.month // 12, last.month % 12 + 1, 1)
    counts: dict[tuple, int] = defaultdict(int)
    waits: dict[tuple, list[int]] = defaultdict(list)

    def add(mission, month, territory, indicator, category=""):
        for period in (month, "total"):
            for place in (territory, "all"):
                counts[(mission, period, place, indicator, category)] += 1

    for mission, month, territory, outcome, wait, (weekday, hour) in old_calls(first, end, missions):
        add(mission, month, territory, "calls_received")
        if outcome == "answered":
            add(mission, month, territory, "calls_answered")
            if wait is not None:
                for period in (month, "total"):
                    for place in (territory, "all"):
                        waits[(mission, period, place)].append(wait)
            continue
        add(mission, month, territory, "calls_missed" if outcome in tidy.MISSED_OUTCOMES else "calls_abandoned")
        add(mission, month, territory, tidy.UNANSWERED_BY_HOUR, f"{weekday}|{hour:02d}")
    for mission, month, territory, within in old_callbacks(first, end, missions):
        add(mission, month, territory, "callbacks_done")
        if within:
            add(mission, month, territory, "callbacks_within_one_working_day")
    for mission, month, territory in old_sms(first, end, missions):
        add(mission, month, territory, "sms_information_sent")
    for cell, seconds in waits.items():
        middle = Decimal(str(median(seconds))).quantize(Decimal(1), rounding=ROUND_HALF_UP)
        counts[(*cell, "call_wait_median_seconds", "")] = int(middle)
    return {(*key, value) for key, value in counts.items() if value}


def new_rows(
    first: date, last: date, missions: list[str], now: datetime = datetime(2027, 6, 1, tzinfo=UTC)
) -> set[tuple]:
    rows = services.other_rows(first, last, missions, now, PARIS)
    return {
        (r.mission, r.period, r.territory, r.indicator, r.category, r.value)
        for r in rows
        if r.indicator in CALL_INDICATORS
    }


# --- generated calls ---------------------------------------------------------------------------------------------

# Local days where the figures could go wrong: the changes of time (last Sundays of March and October), the
# months' first and last days, a Friday before a weekend, the days around public holidays (1 and 8 May, Ascension
# 14 May, 14 July, 11 November 2026; 1 January).
EDGES = [
    date(2025, 3, 30),
    date(2025, 10, 26),
    date(2025, 12, 31),
    date(2026, 1, 1),
    date(2026, 1, 31),
    date(2026, 2, 28),
    date(2026, 3, 1),
    date(2026, 3, 28),
    date(2026, 3, 29),
    date(2026, 3, 31),
    date(2026, 4, 30),
    date(2026, 5, 1),
    date(2026, 5, 7),
    date(2026, 5, 13),
    date(2026, 7, 13),
    date(2026, 10, 24),
    date(2026, 10, 25),
    date(2026, 10, 31),
    date(2026, 11, 10),
    date(2026, 12, 31),
]
OUTCOMES = list(RECORDED)  # every outcome the voice menu records
RANGES = [
    (date(2026, 1, 1), date(2026, 12, 1)),
    (date(2026, 3, 1), date(2026, 3, 1)),
    (date(2025, 10, 1), date(2026, 4, 1)),
    (date(2026, 10, 1), date(2026, 11, 1)),
]

# When the read happens: after every call, or within a month of a range (its days over by two days summarised, the
# others counted from the calls; a call may start after `now`: a test's), at a change of time, a month's first days.
NOWS = [
    datetime(2027, 6, 1, tzinfo=UTC),
    datetime(2026, 3, 20, 12, tzinfo=UTC),
    datetime(2026, 3, 29, 1, 30, tzinfo=UTC),
    datetime(2026, 11, 2, 23, 30, tzinfo=UTC),
    datetime(2026, 11, 3, 23, 30, tzinfo=UTC),
    datetime(2026, 10, 31, 22, 59, tzinfo=UTC),
    datetime(2026, 4, 30, 22, 0, tzinfo=UTC),
]

local_day = st.one_of(st.sampled_from(EDGES), st.dates(date(2025, 9, 1), date(2027, 1, 31)))
# Seconds from the local midnight, counted in UTC (the second 2 h of a day of 25 hours too), and a fraction.
instant = st.builds(
    lambda day, seconds, micro: (
        datetime.combine(day, datetime.min.time(), PARIS).astimezone(UTC)
        + timedelta(seconds=seconds, microseconds=micro)
    ),
    local_day,
    st.one_of(st.integers(0, 86_399), st.sampled_from([0, 3_599, 3_600, 7_199, 7_200, 10_799, 82_800, 86_399, 89_999])),
    st.one_of(st.just(0), st.integers(0, 999_999)),
)
# The changes of time themselves (UTC): a few hours either side, the repeated hour of October included.
CHANGES = [
    datetime(2025, 10, 26, 1, tzinfo=UTC),
    datetime(2026, 3, 29, 1, tzinfo=UTC),
    datetime(2026, 10, 25, 1, tzinfo=UTC),
]
near_a_change = st.builds(
    lambda change, seconds: change + timedelta(seconds=seconds), st.sampled_from(CHANGES), st.integers(-10_800, 10_800)
)
call_spec = st.fixed_dictionaries(
    {
        "started": st.one_of(instant, near_a_change),
        "mission": st.sampled_from([*MISSIONS, None]),
        "territory": st.sampled_from(["lens-henin", "boulonnais", None]),
        "outcome": st.sampled_from(OUTCOMES),
        # The answer's instant: None (answered, but not known), a wait (a fraction of a second too), or before the
        # start (clocks): 0 s.
        "wait": st.one_of(
            st.none(),
            st.integers(0, 900).map(lambda s: timedelta(seconds=s)),
            st.integers(0, 5_000_000).map(lambda us: timedelta(microseconds=us)),
            st.integers(-3_000_000, -1).map(lambda us: timedelta(microseconds=us)),
        ),
        # A callback: None, or done so many days (and seconds) after the call, or open.
        "callback": st.one_of(
            st.none(),
            st.tuples(
                st.one_of(st.integers(0, 6), st.sampled_from([39, 40, 41, 90])),  # weeks later: read at an older offset
                st.integers(0, 86_399),
                st.sampled_from(["done", "done", "open"]),
            ),
        ),
        "sms": st.sampled_from([None, "sent", "queued"]),
    }
)


def add_calls(specs: list[dict]) -> None:
    for n, spec in enumerate(specs):
        started = spec["started"]
        call = Call(
            call_sid=f"CA{n:032d}",
            mission=spec["mission"],
            territory_code=spec["territory"],
            started_at=started,
            outcome=spec["outcome"],
            answered_at=started + spec["wait"] if spec["wait"] is not None else None,
        )
        db.session.add(call)
        db.session.flush()
        if spec["callback"] is not None:
            days, seconds, status = spec["callback"]
            db.session.add(
                CallbackTask(
                    call_id=call.id,
                    kind="missed",
                    status=status,
                    done_at=started + timedelta(days=days, seconds=seconds) if status == "done" else None,
                )
            )
        if spec["sms"] is not None:
            db.session.add(
                SmsMessage(purpose="information", call_id=call.id, key=f"information:{n}", status=spec["sms"])
            )
    db.session.commit()  # as the voice line leaves them (a report keeps its summaries in a transaction of its own)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(specs=st.lists(call_spec, max_size=40), span=st.sampled_from(RANGES), now=st.sampled_from(NOWS))
def test_the_green_number_counted_in_sql_is_what_the_per_call_reading_gave(ctx, specs, span, now):
    try:
        add_calls(specs)
        assert new_rows(*span, MISSIONS, now) == old_rows(*span, MISSIONS)  # the months over counted, then summarised
        assert new_rows(*span, MISSIONS[1:], now) == old_rows(*span, MISSIONS[1:])  # read from their summaries
        assert new_rows(*span, MISSIONS, now) == old_rows(*span, MISSIONS)
    finally:
        db.session.rollback()
        for model in (SmsMessage, CallbackTask, Call, call_months.ReportCallMonth, call_months.ReportCallMonthMark):
            db.session.execute(delete(model))
        db.session.commit()


def test_a_day_of_each_change_of_time(ctx):
    """Calls every hour of the two days the time changes and of the months' edges, each counted at its local hour."""
    specs = []
    for day in (date(2026, 3, 29), date(2026, 10, 25), date(2026, 3, 31), date(2026, 4, 1)):
        start = datetime.combine(day, datetime.min.time(), PARIS).astimezone(UTC)
        specs += [
            {"started": start + timedelta(hours=h), "mission": MISSIONS[1], "territory": "boulonnais"}
            | {"outcome": "missed", "wait": None, "callback": (1, 0, "done"), "sms": "sent"}
            for h in range(-2, 26)
        ]
    add_calls(specs)
    found = new_rows(date(2026, 3, 1), date(2026, 10, 1), MISSIONS)
    assert found == old_rows(date(2026, 3, 1), date(2026, 10, 1), MISSIONS)
    by_hour = {r[4]: r[5] for r in found if r[1:4] == ("2026-03", "all", tidy.UNANSWERED_BY_HOUR)}
    # Sunday 29 March has no 2 h (local): 23 hours, then 22 h and 23 h of 28 March's day before... counted once each.
    assert "7|02" not in by_hour and by_hour["7|03"] == 1 and by_hour["7|01"] == 1
    october = {r[4]: r[5] for r in found if r[1:4] == ("2026-10", "all", tidy.UNANSWERED_BY_HOUR)}
    assert october["7|02"] == 2  # 25 October: 2 h (local) twice


def test_a_finished_month_is_summarised_once_and_counted_again_when_its_calls_change(ctx):
    """The months over are read from report_call_months, written by the first read; a call written into one of them
    later (an import, a correction) makes that month counted again, never a stale summary; the month in progress is
    counted from the calls for its last two days, summarised for the days before (counted again each day)."""
    at = datetime(2026, 4, 10, 9, tzinfo=UTC)
    spec = {"mission": MISSIONS[1], "territory": "boulonnais", "wait": timedelta(seconds=30), "callback": None}
    add_calls([spec | {"started": at, "outcome": "answered", "sms": None}])
    now = datetime(2026, 5, 20, 12, tzinfo=UTC)  # April over, May in progress

    def rows():
        found = services.other_rows(date(2026, 4, 1), date(2026, 5, 1), MISSIONS, now, PARIS)
        return {(r.period, r.indicator, r.category): r.value for r in found if r.territory == "all"}

    assert rows()[("2026-04", "calls_received", "")] == 1
    marks = db.session.scalars(select(call_months.ReportCallMonthMark).order_by("month")).all()
    # April, and May's days over by two days (1 to 17 May: none of its calls yet), named in its mark
    assert [(m.month, m.zone, m.calls) for m in marks] == [
        ("2026-04", "Europe/Paris", 1),
        ("2026-05", "Europe/Paris<2026-05-18", 0),
    ]
    db.session.add(
        Call(
            call_sid="CA-late",
            mission=MISSIONS[1],
            territory_code="boulonnais",
            outcome="missed",
            started_at=at + timedelta(days=1),
        )
    )
    db.session.commit()
    found = rows()
    assert found[("2026-04", "calls_received", "")] == 2 and found[("2026-04", "calls_missed", "")] == 1
    calls = select(call_months.ReportCallMonthMark.calls).where(call_months.ReportCallMonthMark.month == "2026-04")
    assert rows() == found and db.session.scalar(calls) == 2
    db.session.add(
        Call(
            call_sid="CA-may",
            mission=MISSIONS[1],
            territory_code="boulonnais",
            outcome="abandoned",
            started_at=datetime(2026, 5, 4, 9, tzinfo=UTC),
        )
    )
    db.session.commit()
    assert rows()[("2026-05", "calls_abandoned", "")] == 1  # within May's summarised days: counted again
    assert (
        db.session.scalar(
            select(call_months.ReportCallMonthMark.calls).where(call_months.ReportCallMonthMark.month == "2026-05")
        )
        == 1
    )
    db.session.add(  # on 19 May, not summarised yet: counted from the calls, beside the summary of 1-17 May
        Call(
            call_sid="CA-may-19",
            mission=MISSIONS[1],
            territory_code="boulonnais",
            outcome="abandoned",
            started_at=datetime(2026, 5, 19, 9, tzinfo=UTC),
        )
    )
    db.session.commit()
    assert rows()[("2026-05", "calls_abandoned", "")] == 2
    now = datetime(2026, 6, 5, tzinfo=UTC)  # May over: its summary counted again, whole
    assert rows()[("2026-05", "calls_abandoned", "")] == 2
    zone = select(call_months.ReportCallMonthMark.zone).where(call_months.ReportCallMonthMark.month == "2026-05")
    assert db.session.scalar(zone) == "Europe/Paris"


def test_a_read_keeps_its_summaries_in_a_short_transaction_of_its_own(ctx):
    """The read that summarises a finished month commits the summary at once, on its own connection: the page that
    made it holds no write lock while it computes the rest (on SQLite a voice-line step would wait behind it), and a
    page that never commits (the home) keeps it too. Inside a transaction that already writes (a form posted), the
    figures are the same and nothing is kept (the write would wait for its own request's lock)."""
    at = datetime(2026, 4, 10, 9, tzinfo=UTC)
    spec = {"mission": MISSIONS[1], "territory": "boulonnais", "wait": timedelta(seconds=30), "callback": None}
    add_calls([spec | {"started": at, "outcome": "answered", "sms": None}])
    now = datetime(2026, 5, 20, 12, tzinfo=UTC)
    read = services.other_rows(date(2026, 4, 1), date(2026, 5, 1), MISSIONS, now, PARIS)
    with db.engine.connect() as other:  # committed: another connection sees it, before this session ends
        # April, and May's days over (1-17 May)
        assert other.scalar(select(func.count()).select_from(call_months.ReportCallMonthMark)) == 2
    if db.engine.dialect.name == "sqlite":
        assert not db.session.connection().connection.driver_connection.in_transaction  # no write lock held
    db.session.rollback()
    calls = select(call_months.ReportCallMonthMark.calls).order_by(call_months.ReportCallMonthMark.month)
    assert db.session.scalars(calls).all() == [1, 0]  # the rollback did not undo it

    db.session.execute(delete(call_months.ReportCallMonthMark))
    db.session.execute(delete(call_months.ReportCallMonth))  # this session now writes: a form being saved
    assert services.other_rows(date(2026, 4, 1), date(2026, 5, 1), MISSIONS, now, PARIS) == read
    db.session.commit()
    assert db.session.scalars(select(call_months.ReportCallMonthMark)).all() == []


def test_the_median_of_a_histogram_is_statistics_median():
    for values in ([5], [5, 6], [1, 2, 2, 9], [0, 0, 1], [3, 1, 2, 8, 8, 8], [7] * 4 + [8] * 4):
        counts: dict[int, int] = defaultdict(int)
        for value in values:
            counts[value] += 1
        expected = int(Decimal(str(median(values))).quantize(Decimal(1), rounding=ROUND_HALF_UP))
        assert tidy.whole_median(counts) == expected
