"""The worklists read only the cases with a recent act (cases.path.LONGEST_DELAY): every deadline ahead falls
within that delay of the latest act, so no household with a coming deadline is left out; and the jurist's home
reads the open callbacks' calls with them, not one query a callback."""

from datetime import UTC, date, datetime, timedelta

from hypothesis import given, settings, target
from hypothesis import strategies as st
from sqlalchemy import event

from hotline.cases.path import LONGEST_DELAY, situation
from hotline.cases.services import record_acts
from hotline.consultations.services import coming_deadlines
from hotline.extensions import db
from hotline.ivr.models import Call, CallbackTask
from hotline.reference import taxonomy

STAGES = [code for code in taxonomy()["procedure_stages"] if code != "inconnu"]
EVENTS = list(taxonomy()["case_events"])
days = st.dates(min_value=date(2015, 1, 1), max_value=date(2027, 12, 31))
case_acts = st.dictionaries(st.sampled_from(STAGES + EVENTS), days, min_size=1, max_size=12)
kinds = st.sampled_from(list(taxonomy()["decision_kinds"]))
landlords = st.sampled_from(list(taxonomy()["landlord_types"]))


@settings(max_examples=600, deadline=None)
@given(case_acts, kinds, landlords, st.one_of(st.none(), days))
def test_every_deadline_ahead_falls_within_the_longest_delay_of_the_latest_act(acts, kind, landlord, lease):
    found = situation(acts, lease_signed_on=lease, landlord_type=landlord, decision_kind=kind, today=date(2026, 1, 1))
    latest = max(acts.values())
    ahead = found.deadlines_ahead(date.min)
    if ahead:  # steer the search to the farthest deadlines (a commandement de quitter just before the truce)
        target(float((ahead[-1][1] - latest).days))
    for key, day in ahead:
        assert day <= latest + LONGEST_DELAY, (key, day, acts)


def test_the_farthest_deadline_is_a_commandement_de_quitter_served_on_31_august():
    """CPCE L412-1: the day after its two months is 1 November, in the truce (L412-6): 1 April, 213 days on."""
    served = date(2026, 8, 31)
    found = situation({"jugement_resiliation": date(2026, 6, 1), "commandement_quitter": served}, today=served)
    assert found.eviction_possible_from == date(2027, 4, 1)
    assert found.eviction_possible_from - served == timedelta(days=213) <= LONGEST_DELAY


def test_a_case_whose_only_act_is_seven_months_old_is_still_on_the_worklist(
    ctx, make_household, make_consultation, make_user
):
    """The edge of the bound: served on 31 August, evictable on 1 April; listed from 17 March (15 days)."""
    household = db.session.merge(make_household(name="Famille Martin"))
    seen = make_consultation(
        household=household, date=date(2026, 9, 1), mission="prevention_expulsion", themes=["impayes_expulsion"]
    )
    record_acts(
        household,
        db.session.merge(seen),
        {"jugement_resiliation": date(2026, 6, 1), "commandement_quitter": date(2026, 8, 31)},
    )
    db.session.commit()
    jurist = db.session.merge(make_user("jurist", missions=("prevention_expulsion",)))
    due = coming_deadlines(jurist, date(2027, 3, 25))
    assert [(h.id, key, day) for h, key, day in due] == [(household.id, "expulsion_au_plus_tot", date(2027, 4, 1))]
    assert coming_deadlines(jurist, date(2027, 4, 2)) == []  # passed


def test_the_jurist_home_reads_the_open_callbacks_calls_in_one_query(ctx, client, jurist, login):
    """The home sorts the open callbacks by their call's territory: the calls come with the tasks (one query),
    not one query a callback (4 925 callbacks took 3 s at 1M consultations)."""

    def statements_for_home(callbacks: int) -> int:
        created = []
        for n in range(callbacks):
            call = Call(
                call_sid=f"CA{callbacks:03d}{n:04d}",
                from_number="+33600000000",
                started_at=datetime(2026, 12, 7, 8, n % 60, tzinfo=UTC),
                mission="prevention_expulsion",
                territory_code="lens-henin",
            )
            created += [call, CallbackTask(call=call, kind="callback_request", status="open")]
        db.session.add_all(created)
        db.session.commit()
        for made in created:  # not in the session's identity map: the page must read them
            db.session.expunge(made)
        counted = []
        listener = lambda *args: counted.append(1)  # noqa: E731
        event.listen(db.engine, "before_cursor_execute", listener)
        try:
            page = client.get("/")
        finally:
            event.remove(db.engine, "before_cursor_execute", listener)
        assert page.status_code == 200
        assert page.get_data(as_text=True).count("Rappel") >= 1
        return len(counted)

    login(jurist)
    client.get("/")  # what a first request reads once (the session's user...) is not counted
    few = statements_for_home(2)
    many = statements_for_home(30)
    assert many <= few, (few, many)  # main read each callback's call apart: 13 statements with 2, 42 with 30
