"""The call log and callback tasks: creating, updating and listing them. Services flush only.

Every statement runs in the step's ORM session and is committed by the step before Twilio gets the
answer (views.run_with_deadline). Twilio's requests for one call come one after the other, except
the status callback, which may land while a step is still being answered (another worker), even
before the entry's row, and a retry of a step whose answer was lost. So:
- the entry inserts the row unless it exists (a retry makes no second row), or completes the one
  the status callback made first (caller, mission, path) and settles its outcome as the status
  callback would have;
- the status callback inserts a bare row unless one exists, then ends it once (conditional UPDATE);
- a step reads its call's row locked (PostgreSQL: FOR UPDATE), so that a status callback waits for
  the step and then sees what it wrote; a step that reaches routing on a call already ended files
  the missed call itself.
"""

from __future__ import annotations

from datetime import datetime
from functools import cache

from sqlalchemy import bindparam, func, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import contains_eager

from hotline.auth.access import readable_missions
from hotline.extensions import db
from hotline.ivr.models import CALLBACK_RESULTS, CLOSE_REASONS, Call, CallbackTask
from hotline.reference import labels
from hotline.web.forms import has_control_characters

FINAL_STATUSES = {"completed", "busy", "failed", "no-answer", "canceled"}
STATUS_FIRST = "backup"  # the outcome of a row made by a status callback: no step of the menu was seen
MAX_ID = 2**31 - 1  # the largest row id (INTEGER)

SEPARATOR = " > "


def steps(call: Call) -> list[str]:
    return call.path.split(SEPARATOR) if call.path else []


def row_id(value) -> int | None:
    """A row id from a URL or a form: ASCII digits within INTEGER's range, else None."""
    text = str(value or "")
    if not (text.isascii() and text.isdigit()) or len(text) > 10:
        return None
    number = int(text)
    return number if 0 < number <= MAX_ID else None


def get_call(call_sid: str, *, lock: bool = False) -> Call | None:
    query = select(Call).where(Call.call_sid == call_sid)
    return db.session.scalar(query.with_for_update() if lock else query)


def _dialect() -> str:
    return db.engine.dialect.name


def _insert(dialect: str):
    """INSERT with ON CONFLICT, in the dialect's own construct (the database is SQLite or PostgreSQL)."""
    return (postgresql_insert if dialect == "postgresql" else sqlite_insert)(Call.__table__)


ROW_COLUMNS = ("call_sid", "to_number", "from_number", "started_at", "mission", "path", "outcome")


def _row_statement():
    """The call's row unless it exists (the entry; the status callback with its own values)."""
    return _row_insert(_dialect())


@cache  # built once per dialect, like any module-level statement
def _row_insert(dialect: str):
    return (
        _insert(dialect)
        .values({c: bindparam(c) for c in ROW_COLUMNS})
        .on_conflict_do_nothing(index_elements=["call_sid"])
        .returning(Call.__table__.c.id)
    )


def entry_path(mission: str | None) -> str:
    return f"accueil{SEPARATOR}numero:{mission}" if mission else "accueil"


def _row(call_sid, to_number, from_number, at, mission, path, outcome="in_progress") -> dict:
    return {
        "call_sid": call_sid,
        "to_number": to_number,
        "from_number": from_number,
        "started_at": at,
        "mission": mission,
        "path": path,
        "outcome": outcome,
    }


def start(call_sid: str, to_number: str | None, from_number: str | None, at: datetime, mission: str | None) -> None:
    """The entry: the call's row, in one statement; or, when the status callback made the row
    first, the row completed with what the entry knows."""
    row = _row(call_sid, to_number, from_number, at, mission, entry_path(mission))
    if db.session.execute(_row_statement(), row).first() is not None:
        return  # the usual case (rowcount is not reliable for ON CONFLICT DO NOTHING on psycopg)
    call = get_call(call_sid, lock=True)
    if call is not None and call.outcome == STATUS_FIRST:
        _complete(call, to_number, from_number, at, mission)


def _complete(call: Call, to_number, from_number, at: datetime, mission) -> None:
    call.to_number, call.from_number = call.to_number or to_number, call.from_number or from_number
    call.mission = call.mission or mission
    call.started_at = min(call.started_at, at)
    call.path = entry_path(call.mission)
    call.outcome = "in_progress"
    if call.ended_at is not None:
        _settle(call)
    db.session.flush()


def open_call(call_sid: str, to_number: str | None, from_number: str | None, at: datetime, mission: str | None) -> Call:
    """The row of this call, locked for the step; a step reached without the entry makes it."""
    call = get_call(call_sid, lock=True)
    if call is None:
        start(call_sid, to_number, from_number, at, mission)
        call = get_call(call_sid, lock=True)
    return call


def step(call: Call, name: str) -> None:
    call.path = f"{call.path}{SEPARATOR}{name}" if call.path else name


def note_postal_code(
    call_sid: str, code: str, step_name: str, territory_code: str | None, commune_insee: str | None
) -> bool:
    """The postal code, what it tells (territory, commune) and its step on the call's row, in one
    UPDATE. False when there is no row yet, or when the row already holds this code (a retry)."""
    return (
        db.session.execute(
            _postal_statement(),
            {
                "sid": call_sid,
                "code": code,
                "step": SEPARATOR + step_name,
                "territory": territory_code,
                "commune": commune_insee,
            },
        ).rowcount
        == 1
    )


@cache  # a statement of bound parameters, built once
def _postal_statement():
    return (
        update(Call)
        .where(Call.call_sid == bindparam("sid"), Call.postal_code.is_distinct_from(bindparam("code")))
        .values(
            postal_code=bindparam("code"),
            territory_code=bindparam("territory"),
            commune_insee=bindparam("commune"),
            tries=0,
            path=Call.path.concat(bindparam("step")),
        )
        .execution_options(synchronize_session=False)
    )


def reach_routing(call: Call) -> None:
    """The call reached routing (a jurist is sought): a hang-up from now on is a missed call."""
    if call.routed:
        return
    call.routed = True
    step(call, "routage")
    if call.ended_at is not None and call.answered_at is None and call.outcome == "abandoned":
        call.outcome = "in_progress"  # the status callback came first: settle it again
        _settle(call)


def queue_position(call: Call) -> int:
    ahead = db.session.scalar(
        select(func.count())
        .select_from(Call)
        .where(
            Call.queued_at.is_not(None),
            Call.queued_at < call.queued_at,
            Call.ended_at.is_(None),
            Call.answered_at.is_(None),
            Call.outcome == "in_progress",
            Call.id != call.id,
            (Call.mission == call.mission) if call.mission else Call.id.is_not(None),
        )
    )
    return (ahead or 0) + 1


def add_callback(call: Call, kind: str) -> CallbackTask:
    """One callback task per call: a second request on the same call keeps the first task."""
    db.session.flush()
    task = db.session.scalar(select(CallbackTask).where(CallbackTask.call_id == call.id))
    if task is None:
        task = CallbackTask(call_id=call.id, kind=kind)
        db.session.add(task)
    elif kind == "voicemail":
        task.kind = kind
    db.session.flush()
    return task


@cache
def _end_statement():
    return (
        update(Call)
        .where(Call.call_sid == bindparam("sid"), Call.ended_at.is_(None))
        .values(ended_at=bindparam("at"), twilio_status=bindparam("status"))
        .execution_options(synchronize_session=False)
    )


def finish(call_sid: str, status: str, at: datetime) -> bool:
    """Apply a final status callback once. Returns False when it was already applied.

    A call whose row does not exist yet is logged all the same (the fallback URL answered it, or the
    entry is still being answered: it then completes this row). The conditional UPDATE makes a
    repeated or concurrent callback change the row only once.
    """
    if status not in FINAL_STATUSES:
        return False
    db.session.execute(_row_statement(), _row(call_sid, None, None, at, None, "secours", STATUS_FIRST))
    if db.session.execute(_end_statement(), {"sid": call_sid, "at": at, "status": status}).rowcount != 1:
        return False
    call = get_call(call_sid)
    db.session.refresh(call)
    _settle(call)
    db.session.flush()
    return True


def _settle(call: Call) -> None:
    """The outcome and durations of an ended call, from what its row says."""
    ended = call.ended_at
    if call.answered_at is not None:
        call.wait_seconds = max(0, int((call.answered_at - call.started_at).total_seconds()))
        call.talk_seconds = max(0, int((ended - call.answered_at).total_seconds()))
        call.outcome = "answered"
        return
    call.wait_seconds = max(0, int((ended - call.started_at).total_seconds()))
    if call.outcome == "in_progress":
        call.outcome = "missed" if call.routed else "abandoned"
        if call.routed and call.from_number:
            add_callback(call, "missed")


# --- for the jurists' "Appels" page ------------------------------------------------------------


def _works_without_mission(missions: list[str]) -> bool:
    """A call with no mission (the caller never chose one) is worked by the jurists of every mission."""
    return set(labels("missions")) <= set(missions)


def readable_call(call_id, user) -> Call | None:
    """The call if it exists and the user may work on it; None otherwise."""
    number = row_id(call_id)
    call = db.session.get(Call, number) if number else None
    if call is None:
        return None
    missions = readable_missions(user)
    if missions is None or call.mission in missions or call.answered_by_id == user.id:
        return call
    return call if call.mission is None and _works_without_mission(missions) else None


def _scoped(query, user):
    missions = readable_missions(user)
    if missions is not None:
        visible = Call.mission.in_(missions or ["-"]) | (Call.answered_by_id == user.id)
        if _works_without_mission(missions):
            visible |= Call.mission.is_(None)
        query = query.where(visible)
    return query


def my_calls(user, limit: int = 20) -> tuple[list[Call], list[Call]]:
    """(in progress, recent) calls answered by the user."""
    query = select(Call).where(Call.answered_by_id == user.id)
    live = list(db.session.scalars(query.where(Call.ended_at.is_(None)).order_by(Call.started_at.desc())))
    recent = list(
        db.session.scalars(query.where(Call.ended_at.is_not(None)).order_by(Call.started_at.desc()).limit(limit))
    )
    return live, recent


def open_tasks(user) -> list[CallbackTask]:
    # The joined call fills each task's `call` (the pages and the home's sort read it): not a query a task.
    query = (
        select(CallbackTask).join(Call).options(contains_eager(CallbackTask.call)).where(CallbackTask.status != "done")
    )
    query = _scoped(query, user).order_by(Call.territory_code, CallbackTask.created_at)
    return list(db.session.scalars(query))


class TaskError(ValueError):
    """A French message: why this action on a callback task is refused."""


def claim(task: CallbackTask, user, at: datetime) -> None:
    if task.status == "done":
        raise TaskError("Ce rappel est déjà traité.")
    if task.status == "claimed" and task.claimed_by_id != user.id:
        raise TaskError(f"Ce rappel est déjà pris en charge par {task.claimed_by.name}.")
    task.status, task.claimed_by_id, task.claimed_at = "claimed", user.id, at
    db.session.flush()


COMMENT_MAX = 500  # as the page's field


def complete(task: CallbackTask, user, result: str, comment: str | None, at: datetime) -> None:
    if result not in CALLBACK_RESULTS:
        raise TaskError("Choisissez le résultat du rappel.")
    if has_control_characters(comment) or len(comment or "") > COMMENT_MAX:  # a one-line field (PostgreSQL refuses NUL)
        raise TaskError(f"Commentaire : une seule ligne de {COMMENT_MAX} caractères au plus, sans caractère invisible.")
    if task.status == "claimed" and task.claimed_by_id != user.id:
        raise TaskError(f"Ce rappel est pris en charge par {task.claimed_by.name}.")
    if task.status == "done":
        raise TaskError("Ce rappel est déjà traité.")
    task.status, task.result, task.done_at = "done", result, at
    task.claimed_by_id = task.claimed_by_id or user.id
    task.comment = (comment or "").strip() or None
    db.session.flush()


def close_without_consultation(call: Call, user, reason: str) -> None:
    if reason not in CLOSE_REASONS:
        raise TaskError("Choisissez un motif.")
    call.closed_reason, call.closed_by_id = reason, user.id
    db.session.flush()
