"""The call log and callback tasks: creating, updating and listing them. Services flush only."""
from __future__ import annotations

from datetime import datetime
from functools import lru_cache

from sqlalchemy import bindparam, func, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError

from hotline.auth.access import readable_missions
from hotline.extensions import db
from hotline.ivr import calllog
from hotline.ivr.models import Call, CallbackTask

FINAL_STATUSES = {"completed", "busy", "failed", "no-answer", "canceled"}


SEPARATOR = " > "


def steps(call: Call) -> list[str]:
    return call.path.split(SEPARATOR) if call.path else []


def get_call(call_sid: str) -> Call | None:
    return db.session.scalar(select(Call).where(Call.call_sid == call_sid))


def open_call(call_sid: str, to_number: str | None, from_number: str | None, at: datetime,
              mission: str | None) -> Call:
    """The row of this call, created on first sight; a repeated webhook finds the same row."""
    call = get_call(call_sid)
    if call is not None:
        return call
    call = Call(call_sid=call_sid, to_number=to_number, from_number=from_number, started_at=at,
                mission=mission, path=entry_path(mission))
    try:
        with db.session.begin_nested():
            db.session.add(call)
    except IntegrityError:
        call = get_call(call_sid)
    return call


def step(call: Call, name: str) -> None:
    call.path = f"{call.path}{SEPARATOR}{name}" if call.path else name


def entry_path(mission: str | None) -> str:
    return f"accueil{SEPARATOR}numero:{mission}" if mission else "accueil"


ROW_COLUMNS = ("call_sid", "to_number", "from_number", "started_at", "mission", "path")
POSTAL_COLUMNS = ("postal_code", "territory_code", "commune_insee")


def _insert(dialect: str):
    return (postgresql_insert if dialect == "postgresql" else sqlite_insert)(Call.__table__)


@lru_cache(maxsize=4)
def _start_statement(dialect: str):
    return _insert(dialect).values({c: bindparam(c) for c in ROW_COLUMNS}) \
        .on_conflict_do_nothing(index_elements=["call_sid"])


@lru_cache(maxsize=4)
def _postal_statement(dialect: str):
    table = Call.__table__
    statement = _insert(dialect).values({c: bindparam(c) for c in ROW_COLUMNS + POSTAL_COLUMNS} | {"tries": 0})
    return statement.on_conflict_do_update(
        index_elements=["call_sid"],
        set_={"path": table.c.path.concat(bindparam("step")), "tries": 0,
              **{c: statement.excluded[c] for c in POSTAL_COLUMNS}},
        where=table.c.postal_code.is_distinct_from(statement.excluded.postal_code))


def start(call_sid: str, to_number: str | None, from_number: str | None, at: datetime,
          mission: str | None) -> None:
    """The entry's statement, written by the call-log writer: the call's row unless it exists."""
    writer = calllog.writer()
    writer.submit(_start_statement(writer.dialect), {
        "call_sid": call_sid, "to_number": to_number, "from_number": from_number, "started_at": at,
        "mission": mission, "path": entry_path(mission)})


def postal_code_found(call_sid: str, to_number: str | None, from_number: str | None, at: datetime,
                      mission: str | None, code: str, places) -> None:
    """The postal-code step's statement, written by the call-log writer: the postal code, territory
    and (when the code has one commune) commune on the call's row, made if missing; nothing when the
    row already holds this postal code (routing may have recorded it first, see settle_postal)."""
    name = f"code_postal:{code}"
    writer = calllog.writer()
    writer.submit(_postal_statement(writer.dialect), {
        "call_sid": call_sid, "to_number": to_number, "from_number": from_number, "started_at": at,
        "mission": mission, "path": entry_path(mission) + SEPARATOR + name, "step": SEPARATOR + name,
        "postal_code": code, "territory_code": places[0].territory_code,
        "commune_insee": places[0].insee if len(places) == 1 else None})


def settle_postal(call: Call, code: str, places) -> None:
    """The same as postal_code_found, on a row at hand."""
    call.postal_code = code
    call.territory_code = places[0].territory_code
    call.commune_insee = places[0].insee if len(places) == 1 else None
    call.tries = 0
    step(call, f"code_postal:{code}")


def queue_position(call: Call) -> int:
    ahead = db.session.scalar(
        select(func.count()).select_from(Call).where(
            Call.queued_at.is_not(None), Call.queued_at < call.queued_at, Call.ended_at.is_(None),
            Call.answered_at.is_(None), Call.outcome == "in_progress", Call.id != call.id,
            (Call.mission == call.mission) if call.mission else Call.id.is_not(None)))
    return (ahead or 0) + 1


def add_callback(call: Call, kind: str) -> CallbackTask:
    """One callback task per call: a second request on the same call keeps the first task."""
    task = db.session.scalar(select(CallbackTask).where(CallbackTask.call_id == call.id))
    if task is None:
        task = CallbackTask(call_id=call.id, kind=kind)
        db.session.add(task)
    elif kind == "voicemail":
        task.kind = kind
    db.session.flush()
    return task


def finish(call_sid: str, status: str, at: datetime) -> bool:
    """Apply a final status callback once. Returns False when it was already applied.

    The conditional UPDATE makes a repeated or concurrent callback change the row only once.
    """
    if status not in FINAL_STATUSES:
        return False
    call = get_call(call_sid)
    if call is None:
        # The call never reached the menu (the fallback URL answered it): log it all the same.
        call = Call(call_sid=call_sid, started_at=at, outcome="backup", path="secours")
        db.session.add(call)
        db.session.flush()
    result = db.session.execute(
        update(Call).where(Call.call_sid == call_sid, Call.ended_at.is_(None))
        .values(ended_at=at, twilio_status=status)
        .execution_options(synchronize_session=False))
    if result.rowcount != 1:
        return False
    db.session.refresh(call)
    ended = call.ended_at
    if call.answered_at is not None:
        call.wait_seconds = max(0, int((call.answered_at - call.started_at).total_seconds()))
        call.talk_seconds = max(0, int((ended - call.answered_at).total_seconds()))
        call.outcome = "answered"
    else:
        call.wait_seconds = max(0, int((ended - call.started_at).total_seconds()))
        if call.outcome == "in_progress":
            reached_routing = "routage" in steps(call)
            call.outcome = "missed" if reached_routing else "abandoned"
            if reached_routing and call.from_number:
                add_callback(call, "missed")
    db.session.flush()
    return True


# --- for the jurists' "Appels" page ------------------------------------------------------------

def readable_call(call_id, user) -> Call | None:
    """The call if it exists and the user may work on it; None otherwise."""
    if not call_id or not str(call_id).isdigit():
        return None
    call = db.session.get(Call, int(call_id))
    if call is None:
        return None
    missions = readable_missions(user)
    if missions is not None and call.mission not in missions and call.answered_by_id != user.id:
        return None
    return call


def _scoped(query, user):
    missions = readable_missions(user)
    if missions is not None:
        query = query.where((Call.mission.in_(missions or ["-"])) | (Call.answered_by_id == user.id)
                            | Call.mission.is_(None))
    return query


def my_calls(user, limit: int = 20) -> tuple[list[Call], list[Call]]:
    """(in progress, recent) calls answered by the user."""
    query = select(Call).where(Call.answered_by_id == user.id)
    live = list(db.session.scalars(query.where(Call.ended_at.is_(None)).order_by(Call.started_at.desc())))
    recent = list(db.session.scalars(query.where(Call.ended_at.is_not(None))
                                     .order_by(Call.started_at.desc()).limit(limit)))
    return live, recent


def open_tasks(user) -> list[CallbackTask]:
    query = select(CallbackTask).join(Call).where(CallbackTask.status != "done")
    query = _scoped(query, user).order_by(Call.territory_code, CallbackTask.created_at)
    return list(db.session.scalars(query))


def unlogged_calls(user, limit: int = 50) -> list[Call]:
    """Answered calls with neither a consultation nor a closing reason."""
    from hotline.consultations.models import Consultation

    logged = select(Consultation.call_id).where(Consultation.call_id.is_not(None))
    query = select(Call).where(Call.answered_by_id == user.id, Call.closed_reason.is_(None),
                               Call.id.not_in(logged)).order_by(Call.started_at.desc()).limit(limit)
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


def complete(task: CallbackTask, user, result: str, comment: str | None, at: datetime) -> None:
    from hotline.ivr.models import CALLBACK_RESULTS

    if result not in CALLBACK_RESULTS:
        raise TaskError("Choisissez le résultat du rappel.")
    if task.status == "claimed" and task.claimed_by_id != user.id:
        raise TaskError(f"Ce rappel est pris en charge par {task.claimed_by.name}.")
    if task.status == "done":
        raise TaskError("Ce rappel est déjà traité.")
    task.status, task.result, task.done_at = "done", result, at
    task.claimed_by_id = task.claimed_by_id or user.id
    task.comment = (comment or "").strip() or None
    db.session.flush()


def close_without_consultation(call: Call, user, reason: str) -> None:
    from hotline.ivr.models import CLOSE_REASONS

    if reason not in CLOSE_REASONS:
        raise TaskError("Choisissez un motif.")
    call.closed_reason, call.closed_by_id = reason, user.id
    db.session.flush()
