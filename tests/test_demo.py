"""`flask demo` fills two years of data a Département would believe, and can be run again: the eviction
mission's consultants mostly tenants, a quarter to a third of the first contacts before the commandement de
payer (from the dated acts), everything on working days within the opening hours, calls that add up and
callbacks done, every household result, and the stable households of the README still on their branch."""

import random
import re
from collections import Counter, defaultdict
from datetime import date, datetime, time, timedelta
from statistics import median
from zoneinfo import ZoneInfo

from sqlalchemy import distinct, func, select

from hotline.activities.models import Activity
from hotline.appointments.models import Appointment
from hotline.auth.models import User
from hotline.cases import services as cases
from hotline.cases.deadlines import is_working_day, next_working_day
from hotline.cases.models import Case, ProcedureAct
from hotline.consultations.models import Consultation, Household
from hotline.core.calendar import is_holiday
from hotline.extensions import db
from hotline.ivr.models import Call, CallbackTask
from hotline.jobs.demo import households as demo_households
from hotline.permanences.models import DutyShift
from hotline.reference import labels

PARIS = ZoneInfo("Europe/Paris")
NOW = "2026-12-04T10:00"  # a Friday: the last complete month is November 2026
TODAY = date(2026, 12, 4)
TERRITORIES = {"arrageois", "artois", "audomarois", "boulonnais", "calaisis", "lens-henin", "montreuillois", "ternois"}
OPEN = ((time(9), time(12, 30)), (time(13, 30), time(17)))  # the default opening hours, every mission

# household_result (docs/formats.md): the latest act or event by date decides; on one day, the first here wins.
RESULT_OF = {
    "expulsion_effective": "expulsion",
    "relogement_effectif": "relogement",
    "depart_volontaire": "depart_volontaire",
    "dette_soldee": "maintien",
    "protocole_cohesion_signe": "maintien",
    "retablissement_personnel": "maintien",
    "jugement_rejet": "maintien",
    "plan_apurement": "accord_en_cours",
    "jugement_delais": "accord_en_cours",
    "mesures_surendettement": "accord_en_cours",
    "fsl_accorde": "accord_en_cours",
}
# The households the README and the browser tests open, by their id in a fresh database: situation()'s branch,
# and what tells the branches apart beyond it (the act or event that ended it, the latest judgment).
STABLE = {
    **{number: ("titre_et_commandement", "jugement_resiliation") for number in (1, 3, 6, 7, 8, 10, 37, 39)},
    13: ("aucun_titre", None),
    14: ("aucun_titre", None),
    18: ("delais", "mesures_surendettement"),
    19: ("delais", "mesures_surendettement"),
    20: ("protocole", "protocole_cohesion_signe"),
    21: ("protocole", "protocole_cohesion_signe"),
    22: ("fin", "relogement_effectif"),
    23: ("fin", "relogement_effectif"),
    27: ("fin", "depart_volontaire"),
    29: ("fin", "depart_volontaire"),
    31: ("fin", "expulsion_effective"),
    32: ("fin", "expulsion_effective"),
    35: ("titre", "jugement_resiliation"),
    36: ("titre", "jugement_resiliation"),
    40: ("rejet", "jugement_rejet"),
    41: ("rejet", "jugement_rejet"),
    43: ("titre_et_commandement", "jugement_delais"),  # delays broken
    46: ("titre_et_commandement", "jugement_delais"),
    47: ("delais", "jugement_delais"),
    48: ("delais", "jugement_delais"),
    51: ("delais", "dette_soldee"),  # the debt paid under the judge's delays
    53: ("delais", "dette_soldee"),
}


def household_result(acts: list[tuple[str, date]], last_day: date) -> str:
    dated = [(day, code) for code, day in acts if day <= last_day]
    if not dated:
        return "inconnu"
    latest = max(day for day, _ in dated)
    codes = {code for day, code in dated if day == latest}
    for code, result in RESULT_OF.items():
        if code in codes:
            return result
    return "procedure_en_cours"


def in_opening_hours(local: datetime) -> bool:
    return is_working_day(local.date()) and any(opens <= local.time() < closes for opens, closes in OPEN)


def test_demo_data(app, runner, client):
    app.config["FIXED_NOW"] = NOW
    result = runner.invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    passwords = dict(re.findall(r"(\S+@demo\.example\.org)\s+(\S+)", result.output))
    assert {"admin@demo.example.org", "responsable@demo.example.org", "juriste1@demo.example.org"} <= set(passwords)
    with app.app_context():
        _two_years_on_working_days()
        _the_eviction_mission()
        _the_calls()
        _the_stable_households()
        kinds = dict(
            db.session.execute(select(Activity.activity_type, func.count()).group_by(Activity.activity_type)).all()
        )
        assert kinds.get("ccapex", 0) > 50 and len(kinds) >= 5
        assert {"info_logement", "prevention_expulsion"} == set(db.session.scalars(select(Activity.mission).distinct()))
        assert all(is_working_day(day) for day in db.session.scalars(select(Activity.date)))
        assert db.session.scalar(select(func.count()).select_from(DutyShift)) > 0
    again = runner.invoke(args=["demo"])
    assert again.exit_code == 0 and "déjà présentes" in again.output
    new_passwords = dict(re.findall(r"(\S+@demo\.example\.org)\s+(\S+)", again.output))
    from conftest import csrf_token

    token = csrf_token(client, "/login")
    response = client.post(
        "/login",
        data={
            "email": "juriste1@demo.example.org",
            "password": new_passwords["juriste1@demo.example.org"],
            "csrf_token": token,
        },
    )
    assert response.status_code == 302


def _two_years_on_working_days():
    """The whole of 2025 and 2026 to the last complete month, at a real service's volume; consultations on
    working days within the opening hours, acts of the procedure on working days too."""
    rows = db.session.execute(select(Consultation.date, Consultation.time, Consultation.territory_code)).all()
    per_year = Counter(day.year for day, _, _ in rows)
    assert 2000 <= per_year[2025] <= 4000, per_year  # a few thousand a year
    assert per_year[2026] >= 0.8 * per_year[2025] * 11 / 12, per_year
    months = {f"{day:%Y-%m}" for day, _, _ in rows}
    assert {f"{year}-{month:02d}" for year in (2025, 2026) for month in range(1, 13)} - {"2026-12"} <= months
    assert min(day for day, _, _ in rows) >= date(2025, 1, 1) and max(day for day, _, _ in rows) < TODAY
    assert TERRITORIES <= {territory for _, _, territory in rows}
    wrong = [(day, at) for day, at, _ in rows if not in_opening_hours(datetime.combine(day, at))]
    assert not wrong, wrong[:5]
    assert not [day for day, _, _ in rows if day.weekday() >= 5 or is_holiday(day)]
    acts = list(db.session.scalars(select(ProcedureAct.occurred_on)))
    assert acts and all(is_working_day(day) for day in acts)
    jurists = set(db.session.scalars(select(User.id).where(User.role == "jurist")))
    assert set(db.session.scalars(select(Consultation.jurist_id).distinct())) == jurists
    named = db.session.scalar(select(func.count()).select_from(Household).where(Household.name.is_not(None)))
    assert named > 0.7 * db.session.scalar(select(func.count()).select_from(Household))
    assert db.session.scalar(select(func.count()).where(Consultation.external_id.is_not(None))) == 0
    booked = list(db.session.scalars(select(Appointment.starts_at)))
    assert booked and all(in_opening_hours(starts_at.astimezone(PARIS)) for starts_at in booked)


def _the_eviction_mission():
    eviction = db.session.execute(
        select(
            Consultation.household_id,
            Consultation.date,
            Consultation.id,
            Consultation.consultant_type,
            Consultation.occupancy_status,
            Consultation.procedure_stage,
        ).where(Consultation.mission == "prevention_expulsion")
    ).all()
    # Who consults: tenants mostly, some landlords and social workers; few without a home.
    count = len(eviction)
    people = Counter(row.consultant_type for row in eviction)
    status = Counter(row.occupancy_status for row in eviction)
    assert status["locataire"] / count > 0.6, status
    assert 0.1 < people["travailleur_social"] / count < 0.3, people
    landlords = status["proprietaire_bailleur"] + people["bailleur_social"]
    assert 0.05 < landlords / count < 0.2, (people, status)
    assert status["sans_logement"] / count < 0.03, status
    # The first contacts (formats.md): before the commandement de payer when the case holds one dated after
    # the first consultation, or none dated by then and the stage said so; situated when placed at all.
    first: dict[int, tuple] = {}
    for row in sorted(eviction, key=lambda row: (row.date, row.id)):
        first.setdefault(row.household_id, row)
    acts: dict[int, list[tuple[str, date]]] = defaultdict(list)
    for household, code, day in db.session.execute(
        select(Case.household_id, ProcedureAct.stage, ProcedureAct.occurred_on)
        .join(Case)
        .where(ProcedureAct.replaced_at.is_(None))
    ):
        acts[household].append((code, day))
    for year in (2025, 2026):
        reached = situated = reached_by_act = dated = 0
        for household, row in first.items():
            if row.date.year != year:
                continue
            commandements = [day for code, day in acts[household] if code == "commandement_payer"]
            before = [day for day in commandements if day <= row.date]
            is_reached = (commandements and not before) or (
                not before and row.procedure_stage in ("prevention_amont", "impaye", "signalement_caf")
            )
            reached += bool(is_reached)
            situated += bool(commandements) or row.procedure_stage not in ("inconnu", "conge_bailleur")
            dated += bool(commandements)
            reached_by_act += bool(commandements and not before)
        assert 0.25 <= reached / situated <= 0.34, (year, reached, situated)
        # From the dated acts alone (the households whose case holds a commandement de payer).
        assert 0.2 <= reached_by_act / dated <= 0.34, (year, reached_by_act, dated)
    # Every household result, today and at the end of the previous year.
    for last_day in (TODAY, date(2025, 12, 31)):
        results = Counter(
            household_result(acts[household], last_day) for household, row in first.items() if row.date <= last_day
        )
        assert set(labels("household_results")) <= set(results), (last_day, results)
        assert results["procedure_en_cours"] < 0.6 * sum(results.values()), results


def _the_calls():
    """received = answered + missed (voicemail, callback, closed) + abandoned (in the menu or the queue), each
    in opening hours but those at closed hours; waiting times; callbacks done, most within one working day."""
    every = list(db.session.scalars(select(Call)))
    groups = {
        "answered": {"answered"},
        "missed": {"voicemail", "callback_requested", "closed"},
        "abandoned": {"abandoned", "missed"},  # "missed": hung up in the queue (the voice menu's outcome)
    }
    outcomes = Counter(call.outcome for call in every)
    assert set(outcomes) == set().union(*groups.values()), outcomes
    counted = {name: sum(outcomes[code] for code in codes) for name, codes in groups.items()}
    assert sum(counted.values()) == len(every) > 2500, counted
    assert 0.7 < counted["answered"] / len(every) < 0.86, counted
    assert min(counted.values()) > 0.03 * len(every), counted
    for call in every:
        local = call.started_at.astimezone(PARIS)
        assert is_working_day(local.date()) and local.date() < TODAY, local
        assert in_opening_hours(local) != (call.outcome == "closed"), (local, call.outcome)
        assert call.wait_seconds >= 0 and (call.talk_seconds or 0) >= 0 and call.ended_at > call.started_at
        assert call.recording_url is None  # nothing fake to listen to
        assert (call.answered_at is not None) == (call.outcome == "answered")
    waits = [call.wait_seconds for call in every if call.outcome == "answered"]
    assert 20 < median(waits) < 120 and max(waits) < 240
    # Most answered calls are logged as a consultation; the others closed with a reason, or (the last days) to log.
    logged = set(db.session.scalars(select(Consultation.call_id).where(Consultation.call_id.is_not(None))))
    unlogged = [call for call in every if call.outcome == "answered" and call.id not in logged]
    assert len(logged) > 0.85 * counted["answered"]
    assert all(call.closed_reason or call.started_at.astimezone(PARIS).date() >= date(2026, 12, 1) for call in unlogged)
    assert any(call.closed_reason is None for call in unlogged)  # a few calls to log on the homes
    tasks = list(db.session.scalars(select(CallbackTask)))
    done = [task for task in tasks if task.status == "done"]
    assert len(done) > 0.9 * len(tasks) and 0 < len(tasks) - len(done) < 40
    within = 0
    for task in done:
        called, at = task.call.started_at.astimezone(PARIS), task.done_at.astimezone(PARIS)
        assert in_opening_hours(at) and task.done_at > task.call.ended_at and task.result
        within += at.date() <= next_working_day(called.date() + timedelta(days=1))
    assert 0.7 < within / len(done) < 0.95, (within, len(done))


def _the_stable_households():
    first = db.session.scalar(select(func.min(Household.id)))  # 1 in a fresh database (PostgreSQL keeps its sequence)
    for number, (branch, marker) in STABLE.items():
        household = db.session.get(Household, first + number - 1)
        case = cases.case_of(household)
        found = cases.situation_of(case, TODAY)
        acts = cases.act_dates(case)
        assert found.branch == branch, (number, found.branch)
        judgment = found.judgment[0] if found.judgment else None
        assert marker is None or marker in (judgment, found.ending and found.ending[0]) or marker in acts, number
        if number in (51, 53):
            assert found.debt_paid_on is not None
        if number in (13, 14):
            assert "plan_apurement" in acts and judgment is None
    moving = db.session.execute(
        select(Consultation.household_id)
        .where(Consultation.procedure_stage.is_not(None))
        .group_by(Consultation.household_id)
        .having(func.count(distinct(Consultation.procedure_stage)) >= 3)
    ).all()
    assert len(moving) > 100


def test_the_plan_is_reproducible(app, make_user):
    """The same seed on the same day draws the same households, consultations, jurists and times."""
    made = [make_user("jurist", territories=(territory,)) for territory in sorted(TERRITORIES)]
    app.config["FIXED_NOW"] = NOW
    with app.app_context():
        jurists = [db.session.get(User, user.id) for user in made]
        plans = [demo_households.plan(random.Random(62), jurists, TODAY, households=120) for _ in range(2)]
        other = demo_households.plan(random.Random(63), jurists, TODAY, households=120)
    assert plans[0] == plans[1] and plans[0].file != other.file
    assert plans[0].file.count("\n") > 150
