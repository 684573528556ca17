"""The callbacks done, counted once per month and process (services.callback_records keeps each month's records while
its done tasks are those it counted them from): after any change of the tasks (one marked done, reopened, its instant
moved, the tasks and calls written again under the same ids), a read gives what counting them again gives
(services._counted_callbacks, itself compared with the per-callback reading in test_reports_calls.py)."""

from collections import Counter
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, select

from hotline.extensions import db
from hotline.ivr.models import Call, CallbackTask
from hotline.reports import services

PARIS = ZoneInfo("Europe/Paris")
MISSIONS = ["info_logement", "prevention_expulsion"]
RANGES = [
    (date(2026, 1, 1), date(2027, 1, 1)),
    (date(2026, 3, 1), date(2026, 5, 1)),
    (date(2026, 4, 1), date(2026, 5, 1)),
]

instant = st.builds(
    lambda day, seconds: datetime.combine(day, datetime.min.time(), PARIS).astimezone(UTC) + timedelta(seconds=seconds),
    st.dates(date(2026, 2, 20), date(2026, 6, 10)),
    st.sampled_from([0, 3_599, 36_000, 82_800, 86_399]),
)
task = st.fixed_dictionaries(
    {
        "started": instant,
        "mission": st.sampled_from(MISSIONS),
        "territory": st.sampled_from(["lens-henin", "boulonnais", None]),
        "done_after": st.one_of(st.none(), st.sampled_from([timedelta(hours=2), timedelta(days=1), timedelta(days=4)])),
    }
)
change = st.one_of(
    st.tuples(
        st.just("done"), st.integers(0, 30), st.sampled_from([timedelta(0), timedelta(days=1), timedelta(days=35)])
    ),
    st.tuples(st.just("reopen"), st.integers(0, 30), st.just(timedelta(0))),
    st.tuples(
        st.just("move"),
        st.integers(0, 30),
        st.sampled_from([timedelta(seconds=1), timedelta(days=-1), timedelta(days=3)]),
    ),
    st.tuples(st.just("again"), st.just(0), st.just(timedelta(0))),
)


def write(tasks: list[dict], salt: int) -> None:
    for n, spec in enumerate(tasks):
        call = Call(
            call_sid=f"CA{salt}-{n}",
            mission=spec["mission"],
            territory_code=spec["territory"],
            started_at=spec["started"],
            outcome="missed",
        )
        db.session.add(call)
        db.session.flush()
        done = spec["done_after"]
        db.session.add(
            CallbackTask(
                call_id=call.id,
                kind="missed",
                status="open" if done is None else "done",
                done_at=None if done is None else spec["started"] + done,
            )
        )
    db.session.commit()


def recounted(first: date, end: date, missions: list[str]) -> Counter:
    return Counter(services._counted_callbacks(first, end, missions, PARIS))


def read(first: date, end: date, missions: list[str]) -> Counter:
    return Counter(services.callback_records(first, end, missions, PARIS))


def empty() -> None:
    db.session.rollback()
    db.session.execute(delete(CallbackTask))
    db.session.execute(delete(Call))
    db.session.commit()


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    tasks=st.lists(task, min_size=1, max_size=12),
    again=st.lists(task, min_size=1, max_size=12),
    changes=st.lists(change, max_size=5),
    span=st.sampled_from(RANGES),
)
def test_the_callbacks_kept_are_what_counting_them_again_gives(ctx, tasks, again, changes, span):
    try:
        write(tasks, 0)
        for missions in (MISSIONS, MISSIONS[1:]):
            assert read(*span, missions) == recounted(*span, missions)
        for what, which, delta in changes:
            found = db.session.scalars(select(CallbackTask).order_by(CallbackTask.id)).all()
            if what == "again":  # the same ids, other calls (SQLite gives an emptied table's ids again)
                empty()
                write(again, 1)
            elif found:
                task_ = found[which % len(found)]
                if what == "done":
                    task_.status, task_.done_at = "done", task_.call.started_at + delta
                elif what == "reopen":
                    task_.status = "open"
                elif task_.done_at is not None:
                    task_.done_at += delta
                db.session.commit()
            for missions in (MISSIONS, MISSIONS[1:]):
                assert read(*span, missions) == recounted(*span, missions)
    finally:
        empty()


def test_a_month_kept_is_read_without_counting_it_again(ctx, monkeypatch):
    """The second read of the same months counts nothing: each month's mark matches the one it was counted from."""
    at = datetime(2026, 4, 14, 9, tzinfo=UTC)
    write([{"started": at, "mission": MISSIONS[1], "territory": "boulonnais", "done_after": timedelta(hours=3)}], 2)
    first = read(date(2026, 4, 1), date(2026, 5, 1), MISSIONS)
    assert sum(first.values()) == 1 and next(iter(first)).within_one_working_day

    def counted(*args):
        raise AssertionError("counted again")

    monkeypatch.setattr(services, "_counted_callbacks", counted)
    assert read(date(2026, 4, 1), date(2026, 5, 1), MISSIONS) == first
    task_ = db.session.scalars(select(CallbackTask)).one()
    task_.done_at = at + timedelta(days=6)  # the next week: no longer within one working day
    db.session.commit()
    monkeypatch.undo()
    (record,) = read(date(2026, 4, 1), date(2026, 5, 1), MISSIONS)
    assert not record.within_one_working_day
