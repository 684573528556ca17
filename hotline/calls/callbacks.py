"""The callback list by urgency: per territory (the reader's own first), the callers whose household has the
nearest legal deadline first, then the oldest, and last, marked, those a household's flag says not to call
back; and the missed calls already handled since, which one click marks as seen. Services flush; the view
commits."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from itertools import groupby

from sqlalchemy import func, select

from hotline.calls import known
from hotline.cases.services import may_read_cases
from hotline.consultations import flags
from hotline.consultations.models import Household
from hotline.core.phones import e164
from hotline.extensions import db
from hotline.ivr import calls
from hotline.ivr.models import Call, CallbackTask

NO_TERRITORY = "non_renseigne"


@dataclass(frozen=True)
class Row:
    task: CallbackTask
    households: list[Household]  # known for the caller's number, that the reader may read
    due: tuple[str, date] | None  # the nearest date of their cases (deadline or hearing), for case readers
    handled: bool  # a missed call whose caller was answered, or reached by a callback, since
    do_not_call: str | None = None  # the reason of a "ne pas rappeler" flag on a household holding the number

    @property
    def due_label(self) -> str:
        return known.DEADLINES.get(self.due[0], self.due[0]) if self.due else ""


def handled_since(tasks: list[CallbackTask]) -> set[int]:
    """Ids of the missed-call tasks whose caller got through later: a call of theirs answered after it, or a
    callback to their number that reached them after it."""
    missed = [t for t in tasks if t.kind == "missed" and t.call.from_number]
    numbers = {t.call.from_number for t in missed}
    if not numbers:
        return set()
    answered = select(Call.from_number, func.max(Call.answered_at)).where(
        Call.from_number.in_(numbers), Call.answered_at.is_not(None)
    )
    reached = (
        select(Call.from_number, func.max(CallbackTask.done_at))
        .join(CallbackTask, CallbackTask.call_id == Call.id)
        .where(Call.from_number.in_(numbers), CallbackTask.result == "reached")
    )
    latest: dict[str, datetime] = {}
    for query in (answered, reached):
        for number, at in db.session.execute(query.group_by(Call.from_number)):
            if at is not None and (number not in latest or at > latest[number]):
                latest[number] = at
    return {t.id for t in missed if t.call.from_number in latest and latest[t.call.from_number] > t.call.started_at}


def worklist(user, today: date, own_territories=()) -> list[tuple[str, list[Row]]]:
    """[(territory code, rows)], the reader's own territories first; within one, by urgency then by age."""
    tasks = calls.open_tasks(user)
    households = known.households_for((t.call.from_number for t in tasks), user)
    dates = {}
    if may_read_cases(user):
        every = {h.id for found in households.values() for h in found}
        dates = {k: v.next for k, v in known.case_dates(every, today).items()}
    handled = handled_since(tasks)
    refused = flags.refused_numbers((t.call.from_number for t in tasks), "callback", today)
    rows = []
    for task in tasks:
        number = e164(task.call.from_number) or ""
        theirs = households.get(number, [])
        due = min((dates[h.id] for h in theirs if h.id in dates), key=lambda item: item[1], default=None)
        rows.append(Row(task, theirs, due, task.id in handled, refused.get(number)))
    mine = set(own_territories)
    rows.sort(
        key=lambda r: (
            (r.task.call.territory_code or NO_TERRITORY) not in mine,
            r.task.call.territory_code or NO_TERRITORY,
            r.do_not_call is not None,  # not to be called: last, marked
            r.due is None,
            r.due[1] if r.due else date.min,
            r.task.call.started_at,
            r.task.id,
        )
    )
    return [
        (code, list(group)) for code, group in groupby(rows, key=lambda r: r.task.call.territory_code or NO_TERRITORY)
    ]


def mark_handled_seen(user, at: datetime) -> int:
    """Marks done ("plus nécessaire") every missed call the reader may work that was handled since; returns
    how many. A task another jurist took stays theirs."""
    tasks = [t for t in calls.open_tasks(user) if t.status == "open" or t.claimed_by_id == user.id]
    handled = handled_since(tasks)
    for task in tasks:
        if task.id in handled:
            calls.complete(task, user, "not_needed", None, at)
    return len(handled)
