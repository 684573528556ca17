"""on_duty(): the one question the voice menu asks the roster; gaps(): the opening hours nobody covers."""

from datetime import date, datetime, time
from types import SimpleNamespace as Row
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hotline.core.opening import OpeningHours
from hotline.extensions import db
from hotline.permanences.duty import Gap, duty_gaps, gaps, on_duty
from hotline.permanences.models import DutyShift

PARIS = ZoneInfo("Europe/Paris")


def test_on_duty_by_mission_territory_and_instant(app, make_user):
    local = make_user("jurist", phone="+33612345601", territories=("boulonnais",))
    pool = make_user("jurist", phone="+33612345602")
    away = make_user("jurist", phone="+33612345603", active=False)
    no_phone = make_user("jurist")
    with app.app_context():
        for user, territory in ((local, "boulonnais"), (pool, None), (away, "boulonnais"), (no_phone, "boulonnais")):
            db.session.add(
                DutyShift(
                    user_id=user.id,
                    mission="prevention_expulsion",
                    territory_code=territory,
                    weekday=1,
                    starts=time(9),
                    ends=time(12),
                )
            )
        db.session.commit()
        tuesday_10 = datetime(2026, 12, 1, 10, 0, tzinfo=PARIS)

        def ids(*args, **kwargs):
            return [u.id for u in on_duty(*args, **kwargs)]

        assert ids("prevention_expulsion", "boulonnais", tuesday_10, PARIS) == [local.id, pool.id]
        assert ids("prevention_expulsion", "boulonnais", tuesday_10, PARIS, include_pool=False) == [local.id]
        assert ids("prevention_expulsion", "calaisis", tuesday_10, PARIS) == [pool.id]
        assert ids("prevention_expulsion", None, tuesday_10, PARIS) == [local.id, pool.id]
        assert ids("info_logement", "boulonnais", tuesday_10, PARIS) == []
        assert ids("prevention_expulsion", "boulonnais", datetime(2026, 12, 1, 12, 0, tzinfo=PARIS), PARIS) == []
        assert ids("prevention_expulsion", "boulonnais", datetime(2026, 12, 2, 10, 0, tzinfo=PARIS), PARIS) == []
        # An instant given in UTC is read in local time: 9:30 UTC is 10:30 in Paris in winter.
        assert ids("prevention_expulsion", "boulonnais", datetime(2026, 12, 1, 9, 30, tzinfo=ZoneInfo("UTC")), PARIS)


# --- duty gaps: each opening interval of the coming days with nobody on duty -----------------------------

EVICTION, INFO = "prevention_expulsion", "info_logement"
MONDAY = date(2026, 11, 30)
TUESDAY = date(2026, 12, 1)


def hours_of(mission, weekday, opens, closes):
    return Row(mission=mission, weekday=weekday, opens=time(*opens), closes=time(*closes))


def shift(mission, weekday, starts, ends, valid_from=None, valid_until=None):
    return Row(
        mission=mission,
        weekdays=(weekday,),
        starts=time(*starts),
        ends=time(*ends),
        valid_from=valid_from,
        valid_until=valid_until,
    )


OPEN_TUESDAY = [hours_of(EVICTION, 1, (9,), (12,)), hours_of(EVICTION, 1, (13, 30), (17,))]


@pytest.mark.parametrize(
    "shifts, expected",
    [
        # nobody: both intervals
        ([], [(9, 0, 12, 0), (13, 30, 17, 0)]),
        # the whole day covered, by one shift or by two that meet
        ([shift(EVICTION, 1, (8,), (18,))], []),
        ([shift(EVICTION, 1, (9,), (12,)), shift(EVICTION, 1, (13, 30), (17,))], []),
        # a hole in the morning, the end of the afternoon
        (
            [shift(EVICTION, 1, (9,), (10,)), shift(EVICTION, 1, (11,), (12,)), shift(EVICTION, 1, (13, 30), (16,))],
            [(10, 0, 11, 0), (16, 0, 17, 0)],
        ),
        # overlapping shifts of two jurists (any territory covers the line)
        ([shift(EVICTION, 1, (9,), (11,)), shift(EVICTION, 1, (10,), (12,)), shift(EVICTION, 1, (13, 30), (17,))], []),
        # another mission's shift, another day's shift: no cover
        ([shift(INFO, 1, (9,), (17,)), shift(EVICTION, 2, (9,), (17,))], [(9, 0, 12, 0), (13, 30, 17, 0)]),
        # a shift starting late in the afternoon
        ([shift(EVICTION, 1, (9,), (12,)), shift(EVICTION, 1, (15,), (17,))], [(13, 30, 15, 0)]),
    ],
)
def test_gaps_of_a_day(shifts, expected):
    found = gaps(shifts, OPEN_TUESDAY, [], TUESDAY, 1)
    assert [(g.starts.hour, g.starts.minute, g.ends.hour, g.ends.minute) for g in found] == expected
    assert all((g.mission, g.day) == (EVICTION, TUESDAY) for g in found)


@pytest.mark.parametrize(
    "closures, holiday, days, expected_days",
    [
        ([], False, 14, [date(2026, 12, 1), date(2026, 12, 8)]),
        (
            [Row(mission=EVICTION, starts_on=date(2026, 12, 1), ends_on=date(2026, 12, 1))],
            False,
            14,
            [date(2026, 12, 8)],
        ),
        ([Row(mission=None, starts_on=date(2026, 12, 8), ends_on=date(2026, 12, 20))], False, 14, [date(2026, 12, 1)]),
        (
            [Row(mission=INFO, starts_on=date(2026, 12, 1), ends_on=date(2026, 12, 31))],
            False,
            14,
            [date(2026, 12, 1), date(2026, 12, 8)],
        ),
        ([], True, 14, []),
        ([], False, 7, [date(2026, 12, 1)]),
    ],
)
def test_gaps_skip_closures_and_public_holidays_within_the_horizon(closures, holiday, days, expected_days):
    opening = [hours_of(EVICTION, 1, (9,), (12,))]
    found = gaps([], opening, closures, MONDAY, days, holiday=lambda day: holiday)
    assert [g.day for g in found] == expected_days


def test_gaps_on_the_first_day_leave_out_what_is_over():
    found = gaps([], OPEN_TUESDAY, [], TUESDAY, 1, after=time(12, 0))
    assert [(g.starts, g.ends) for g in found] == [(time(13, 30), time(17))]


def test_a_real_public_holiday_is_no_gap():
    christmas = date(2026, 12, 25)  # a Friday
    found = gaps([], [hours_of(EVICTION, 4, (9,), (12,))], [], christmas, 1)
    assert found == []


def test_gap_reads_as_a_french_sentence():
    gap = Gap(EVICTION, date(2026, 12, 2), time(13, 30), time(17))
    assert (
        gap.text("Prévention des expulsions")
        == "Mercredi 02/12 13:30–17:00 : Prévention des expulsions, personne de garde"
    )


def test_duty_gaps_count_only_jurists_the_line_can_ring(app, make_user):
    reachable = make_user("jurist", phone="+33612345611")
    silent = make_user("jurist")  # no phone: the voice menu cannot ring them
    away = make_user("jurist", phone="+33612345612", active=False)
    with app.app_context():
        db.session.execute(OpeningHours.__table__.delete())
        db.session.add(OpeningHours(mission=EVICTION, weekday=1, opens=time(9), closes=time(12)))
        db.session.add(DutyShift(user_id=reachable.id, mission=EVICTION, weekday=1, starts=time(9), ends=time(10)))
        for user in (silent, away):
            db.session.add(DutyShift(user_id=user.id, mission=EVICTION, weekday=1, starts=time(10), ends=time(12)))
        db.session.commit()
        monday_evening = datetime(2026, 11, 30, 18, 0, tzinfo=PARIS)
        found = duty_gaps(monday_evening, PARIS)
        assert [(g.day, g.starts, g.ends) for g in found] == [
            (date(2026, 12, 1), time(10), time(12)),
            (date(2026, 12, 8), time(10), time(12)),
        ]
        db.session.rollback()


quarter_hours = st.integers(min_value=7 * 4, max_value=19 * 4).map(lambda q: time(q // 4, q % 4 * 15))


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.sampled_from([EVICTION, INFO]), quarter_hours, quarter_hours), max_size=6))
def test_gaps_and_shifts_share_out_the_opening_hours(spans):
    """Each quarter of an hour the line is open is either in a gap or covered by a shift of its mission,
    never both; gaps never overlap and never touch one another."""
    shifts = [shift(m, 1, (a.hour, a.minute), (b.hour, b.minute)) for m, a, b in spans if a < b]
    found = gaps(shifts, OPEN_TUESDAY, [], TUESDAY, 1, holiday=lambda day: False)
    for quarter in range(7 * 4, 19 * 4):
        moment = time(quarter // 4, quarter % 4 * 15)
        is_open = any(o.opens <= moment < o.closes for o in OPEN_TUESDAY)
        covered = any(s.mission == EVICTION and s.starts <= moment < s.ends for s in shifts)
        in_gap = [g for g in found if g.starts <= moment < g.ends]
        assert len(in_gap) == (1 if is_open and not covered else 0), moment
    for before, after in zip(found, found[1:], strict=False):
        assert before.ends < after.starts
