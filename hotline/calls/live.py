"""What is happening on the line now, read from the call log the voice line writes: the calls a jurist's
phone rings for (the screen pop), and the line's state for managers and jurists on duty.

Everything is read from the database, so that every worker and every server of the pages sees what any
worker of the voice line wrote, on SQLite and on PostgreSQL alike, with no other server. The pages ask
again every second (a light poll with an ETag: see views.pop); an answer costs a few indexed queries, and
a 304 when nothing changed.

Why a poll and not Server-Sent Events: the pages' production server is `gunicorn -w 2 --threads 8`
(threads, no event loop), and an event stream holds its thread for as long as the page is open: nine
jurists with two tabs each would take every one of the 16 threads, and every other page would wait. A
poll holds a thread for a few milliseconds. Measured with bench/live_poll.py on the demo data (18
jurists' pages every second, 2 line-now pages every two seconds): a 304 in 6-9 ms (p50), about 10 % of
one core in all, each rung jurist's banner 0.5-0.9 s after the ring. LISTEN/NOTIFY would need
PostgreSQL and a listening connection per process, and SQLite has no equivalent: the rows the voice
line writes anyway are the events.

Who a call rings is what the voice line computes when it dials (ivr.views.jurists_for, from the duty
roster): a call waiting for a jurist (`queued_at` set, not answered, not ended) rings every jurist it
would dial now. With IVR_RING_STRATEGY=sequential the voice line rings them one after the other, and the
banner shows on each of them from the first ring.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta

from sqlalchemy import and_, exists, false, func, or_, select

from hotline.auth.models import User
from hotline.consultations.models import Consultation
from hotline.core import clock
from hotline.extensions import db
from hotline.ivr import calls
from hotline.ivr.models import OUTCOMES, Call, CallbackTask
from hotline.ivr.views import jurists_for
from hotline.permanences.duty import on_duty
from hotline.reference import labels

STALE = timedelta(hours=2)  # a row still "in progress" after this lost its status callback: not a live call
AFTER_THE_CALL = timedelta(minutes=15)  # an answered call stays in its jurist's banner until logged, this long
RINGS_CACHE_SECONDS = 10  # who a waiting call rings, per process: the roster moves by the minute, polls by the second

RINGING, TALKING, TO_LOG = "ringing", "talking", "to_log"


def waiting_for_a_jurist():
    """Calls that ring the jurists on duty (or wait between two rings): queued, neither answered nor ended."""
    return and_(
        Call.ended_at.is_(None), Call.outcome == "in_progress", Call.answered_at.is_(None), Call.queued_at.is_not(None)
    )


_rings: dict[tuple, tuple[int, ...]] = {}


def rung(call: Call, at: datetime) -> tuple[int, ...]:
    """The ids of the jurists this waiting call rings now."""
    key = (call.id, call.mission, call.territory_code, int(at.timestamp()) // RINGS_CACHE_SECONDS)
    found = _rings.get(key)
    if found is None:
        if len(_rings) > 512:
            _rings.clear()
        found = _rings[key] = tuple(u.id for u in jurists_for(call, at))
    return found


@dataclass(frozen=True)
class Pop:
    call: Call
    state: str  # RINGING, TALKING (answered by this jurist) or TO_LOG (ended, no consultation yet)


def pops_for(user, now: datetime) -> list[Pop]:
    """The calls this jurist's banner shows: those ringing their phone, the one they are in, and those they
    answered in the last AFTER_THE_CALL with neither a consultation nor a closing reason."""
    if user.role != "jurist":
        return []
    theirs = and_(
        Call.answered_by_id == user.id,
        or_(Call.ended_at.is_(None), Call.ended_at >= now - AFTER_THE_CALL),
        Call.closed_reason.is_(None),
        ~exists().where(Consultation.call_id == Call.id),  # through the index on consultations.call_id
    )
    ringing = waiting_for_a_jurist() if user.phone else false()
    query = select(Call).where(Call.started_at >= now - STALE, or_(ringing, theirs)).order_by(Call.started_at)
    pops = []
    for call in db.session.scalars(query):
        if call.answered_by_id == user.id:
            pops.append(Pop(call, TALKING if call.ended_at is None else TO_LOG))
        elif call.answered_at is None and user.id in rung(call, now):
            pops.append(Pop(call, RINGING))
    return pops


def fingerprint(*parts) -> str:
    """A short ETag of what a live fragment shows: equal parts, equal fragment."""
    return hashlib.sha256(repr(parts).encode()).hexdigest()[:24]


# --- the line now -----------------------------------------------------------------------------------


@dataclass
class Line:
    in_menu: int = 0  # callers still in the voice menu (mission, postal code...)
    waiting: int = 0  # waiting for a jurist: ringing, or in the queue between two rings
    longest_wait: int | None = None  # seconds since the first ring of the longest-waiting call
    ringing: list[User] = field(default_factory=list)  # the jurists whose phone rings now
    talking: list[User] = field(default_factory=list)  # the jurists in a call
    on_duty: list[tuple[User, list[str]]] = field(default_factory=list)  # (jurist, missions) on duty and reachable
    today: list[tuple[str, int]] = field(default_factory=list)  # (outcome's label, calls started today)
    received: int = 0
    callbacks: int = 0  # callbacks waiting on the whole line (open or claimed): a count, nothing personal
    oldest_callback: datetime | None = None  # when the caller of the oldest one called

    def parts(self) -> tuple:
        """What the fragment shows, for its ETag (the longest wait by tens of seconds, as it is shown)."""
        return (
            self.in_menu,
            self.waiting,
            None if self.longest_wait is None else self.longest_wait // 10,
            [u.id for u in self.ringing],
            [u.id for u in self.talking],
            [(u.id, m) for u, m in self.on_duty],
            self.today,
            self.callbacks,
            self.oldest_callback,
        )


def line_now(now: datetime) -> Line:
    """The line's state now. Counts and jurists' names only: no caller's number, no household."""
    zone = clock.local_zone()
    line = Line()
    live = list(db.session.scalars(select(Call).where(Call.started_at >= now - STALE, Call.ended_at.is_(None))))
    ringing: set[int] = set()
    for call in live:
        if call.answered_at is not None:
            continue
        if call.outcome != "in_progress":
            continue  # leaving a message, or hearing the line is closed
        if call.queued_at is None:
            line.in_menu += 1
            continue
        line.waiting += 1
        waited = int((now - call.queued_at).total_seconds())
        line.longest_wait = max(line.longest_wait or 0, waited)
        ringing.update(rung(call, now))
    talking = {call.answered_by_id for call in live if call.answered_at is not None and call.answered_by_id}
    duty: dict[int, tuple[User, list[str]]] = {}
    for mission in labels("missions"):
        for jurist in on_duty(mission, None, now, zone):
            duty.setdefault(jurist.id, (jurist, []))[1].append(mission)
    line.on_duty = sorted(duty.values(), key=lambda item: item[0].name)
    people = {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(ringing | talking)))}
    line.ringing = sorted((people[i] for i in ringing if i in people), key=lambda u: u.name)
    line.talking = sorted((people[i] for i in talking if i in people), key=lambda u: u.name)

    midnight = datetime.combine(now.astimezone(zone).date(), time(), zone)
    counted = dict(
        db.session.execute(
            select(Call.outcome, func.count()).where(Call.started_at >= midnight).group_by(Call.outcome)
        ).all()
    )
    line.received = sum(counted.values())
    line.today = [(label, counted[code]) for code, label in OUTCOMES.items() if counted.get(code)]
    line.callbacks, line.oldest_callback = db.session.execute(
        select(func.count(), func.min(Call.started_at))
        .select_from(CallbackTask)
        .join(Call)
        .where(CallbackTask.status != "done")
    ).one()
    return line


def may_watch_the_line(user, now: datetime) -> bool:
    """Managers, and the jurists on duty now (for any mission)."""
    if user.role == "manager":
        return True
    if user.role != "jurist":
        return False
    zone = clock.local_zone()
    return any(user.id in {u.id for u in on_duty(m, None, now, zone)} for m in user.missions)


def open_callbacks(numbers, user) -> dict[str, CallbackTask]:
    """{caller's number: the oldest callback still waiting from it} among these numbers, that the user may work."""
    query = (
        select(CallbackTask)
        .join(Call)
        .where(CallbackTask.status != "done", Call.from_number.in_({n for n in numbers if n}))
        .order_by(Call.started_at)
    )
    found: dict[str, CallbackTask] = {}
    for task in db.session.scalars(query):
        if task.call.from_number not in found and calls.readable_call(task.call_id, user) is not None:
            found[task.call.from_number] = task
    return found
