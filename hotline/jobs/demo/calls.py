"""The demo's green-number calls, as the voice menu would have logged them over the demo's two years: each
consultation by telephone answered by its jurist (the call it logs), a few answered calls closed without
one (and those of the last days still to log), the calls nobody answered (a message, a callback asked,
hung up in the queue or in the menu) and those at closed hours, with their waiting times; and the
callbacks, done by a jurist of the territory (most within one working day, some later), the last ones
still waiting. Demo voicemails have no recording (nothing to listen to)."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import bindparam, select, update

from hotline.auth.models import User
from hotline.cases.deadlines import next_working_day
from hotline.consultations.models import Consultation, Household
from hotline.core import clock
from hotline.extensions import db
from hotline.ivr.models import Call, CallbackTask
from hotline.jobs.demo.days import Hours

LINE = "+33800000062"
UNANSWERED_SHARE = 0.22  # per answered call, an unanswered one the same day (in opening hours)
CLOSED_SHARE = 0.06  # per answered call, one at closed hours
UNANSWERED = {"voicemail": 30, "callback_requested": 25, "missed": 27, "abandoned": 18}
TASK_KIND = {
    "voicemail": "voicemail",
    "closed": "voicemail",
    "callback_requested": "callback_request",
    "missed": "missed",
}
RESULTS = {"reached": 78, "no_answer": 14, "not_needed": 5, "wrong_number": 3}
WAITING_DAYS = 3  # callbacks of the calls of the last working days are still waiting


def _phone(rng: random.Random) -> str:
    return f"+3363{rng.randrange(10**7):07d}"


def _path(call: Call, *steps: str) -> str:
    entry = ["accueil", f"mission:{call.mission}"]
    if call.commune_insee:
        entry.append(f"commune:{call.commune_insee}")
    return " > ".join(entry + list(steps))


def _answered(rng: random.Random, call: Call, jurist_id: int, talk_minutes: int) -> None:
    call.routed = True
    call.queued_at = call.started_at + timedelta(seconds=rng.randint(20, 45))
    ringing = min(170, int(rng.expovariate(1 / 30)))  # past the first rings (IVR_RING_TIMEOUT): the queue
    call.answered_at = call.queued_at + timedelta(seconds=ringing)
    call.answered_by_id = jurist_id
    call.talk_seconds = max(60, talk_minutes * 60 + rng.randint(-30, 30))
    call.ended_at = call.answered_at + timedelta(seconds=call.talk_seconds)
    call.wait_seconds = int((call.answered_at - call.started_at).total_seconds())
    call.outcome = "answered"
    call.path = _path(call, "routage", *(["file_attente"] if ringing > 20 else []), f"repondu:{jurist_id}")


def _unanswered(rng: random.Random, call: Call, outcome: str) -> None:
    """What the voice menu logs when nobody answered: `closed` is set by the caller (closed hours)."""
    call.outcome = outcome
    if outcome == "abandoned":  # hung up in the menu, before choosing a commune
        call.commune_insee = call.territory_code = None
        ended, steps = rng.randint(8, 40), []
    elif outcome == "closed":
        ended, steps = rng.randint(30, 120), ["routage", "ferme", "message"]
        call.routed = True
        call.recording_seconds = rng.randint(15, 90)
    else:
        call.routed = True
        call.queued_at = call.started_at + timedelta(seconds=rng.randint(20, 45))
        ended, steps = {
            "missed": (rng.randint(40, 170), ["routage", "file_attente"]),  # hung up while waiting
            "voicemail": (rng.randint(200, 300), ["routage", "file_attente", "file_quittee", "message"]),
            "callback_requested": (rng.randint(90, 200), ["routage", "file_attente", "file_quittee", "rappel_demande"]),
        }[outcome]
        if outcome == "voicemail":
            call.recording_seconds = rng.randint(15, 110)
    call.ended_at = call.started_at + timedelta(seconds=ended)
    call.wait_seconds = ended
    call.path = _path(call, *steps)


def _callback(rng: random.Random, call: Call, jurists: list[User], hours: Hours, now: datetime, zone) -> CallbackTask:
    """The callback the call left: done by a jurist of its territory the same or the next working day
    mostly, a few working days later sometimes; still waiting for the last days' calls."""
    task = CallbackTask(call=call, kind=TASK_KIND[call.outcome], created_at=call.ended_at)
    day = call.started_at.astimezone(zone).date()
    if day >= _working_days_back(now.astimezone(zone).date(), WAITING_DAYS) or rng.random() < 0.01:
        return task  # the last days' callbacks, and now and then one nobody took
    later = rng.choices([0, 1, rng.randint(2, 6)], [55, 30, 15])[0]
    for _ in range(later):
        day = next_working_day(day + timedelta(days=1))
    done = hours.instant_in(rng, call.mission, day, zone, margin=5)
    if done <= call.ended_at:  # the same day, after the call: later that day, else the next working day
        day = next_working_day(day + timedelta(days=1))
        done = hours.instant_in(rng, call.mission, day, zone, margin=5)
    if done >= now:
        return task
    jurist = rng.choice(jurists)
    task.status, task.claimed_by_id = "done", jurist.id
    task.claimed_at = (done - timedelta(minutes=rng.randint(1, 30))).astimezone(UTC)
    task.done_at = done.astimezone(UTC)
    task.result = rng.choices(list(RESULTS), list(RESULTS.values()))[0]
    return task


def _working_days_back(day: date, count: int) -> date:
    while count:
        day -= timedelta(days=1)
        if next_working_day(day) == day:
            count -= 1
    return day


def calls(rng: random.Random, jurists: list[User], now: datetime) -> int:
    """The calls of the consultations by telephone already written, and the others around them."""
    zone, hours = clock.local_zone(), Hours()
    by_territory: dict[str, list[User]] = {}
    for jurist in jurists:
        by_territory.setdefault(jurist.territories[0], []).append(jurist)
    rows = db.session.execute(
        select(
            Consultation.id,
            Consultation.date,
            Consultation.time,
            Consultation.mission,
            Consultation.territory_code,
            Consultation.commune_insee,
            Consultation.jurist_id,
            Consultation.duration_minutes,
            Household.phone,
        )
        .outerjoin(Household, Consultation.household_id == Household.id)
        .where(Consultation.mode == "telephone", Consultation.time.is_not(None))
        .order_by(Consultation.date, Consultation.time, Consultation.id)
    ).all()
    made: list[Call] = []
    logged: list[tuple[Call, int]] = []
    tasks: list[CallbackTask] = []
    to_log_from = _working_days_back(now.astimezone(zone).date(), WAITING_DAYS)

    def call(mission, territory, commune, started: datetime, phone=None) -> Call:
        row = Call(
            call_sid=f"CAdemo{len(made):032d}",
            to_number=LINE,
            from_number=phone or (_phone(rng) if rng.random() < 0.92 else None),
            mission=mission,
            territory_code=territory,
            commune_insee=commune,
            started_at=started.astimezone(UTC),
            twilio_status="completed",
        )
        made.append(row)
        return row

    for cid, day, at, mission, territory, commune, jurist_id, duration, phone in rows:
        started = datetime.combine(day, at, zone) + timedelta(seconds=rng.randint(0, 120))
        answered = call(mission, territory, commune, started, phone)
        _answered(rng, answered, jurist_id, duration or 10)
        logged.append((answered, cid))
        local = by_territory.get(territory) or jurists
        if rng.random() < (0.3 if day >= to_log_from else 0.08):  # answered, no consultation: closed with a
            # reason, or (the last days) still to log
            other = call(mission, territory, commune, hours.instant_in(rng, mission, day, zone, margin=10))
            jurist = rng.choice(local)
            _answered(rng, other, jurist.id, rng.randint(1, 4))
            if day < to_log_from:
                other.closed_reason = rng.choice(["silence", "wrong_number", "other", "duplicate"])
                other.closed_by_id = jurist.id
        extra = []
        if rng.random() < UNANSWERED_SHARE:
            outcome = rng.choices(list(UNANSWERED), list(UNANSWERED.values()))[0]
            extra.append((hours.instant_in(rng, mission, day, zone, margin=10), outcome))
        if rng.random() < CLOSED_SHARE:
            extra.append((hours.closed_instant(rng, mission, day, zone), "closed"))
        for started, outcome in extra:
            unanswered = call(mission, territory, commune, started)
            _unanswered(rng, unanswered, outcome)
            if outcome != "abandoned" and unanswered.from_number:
                tasks.append(_callback(rng, unanswered, local, hours, now, zone))
    db.session.add_all(made)
    db.session.add_all(tasks)
    db.session.flush()
    db.session.execute(
        update(Consultation.__table__)
        .where(Consultation.__table__.c.id == bindparam("cid"))
        .values(call_id=bindparam("call")),
        [{"cid": cid, "call": answered.id} for answered, cid in logged],
    )
    return len(made)
