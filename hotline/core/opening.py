"""Opening hours and closures of each line, read from the database for the pure rules in hours.py."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from hotline.extensions import db
from hotline.core import hours
from hotline.ivr.models import Closure, OpeningHours
from hotline.reference import labels


def line_open(mission: str | None, local: datetime) -> bool:
    missions = [mission] if mission else list(labels("missions"))
    return any(hours.is_open(local, slots(m), periods(m)) for m in missions)


def next_opening(mission: str | None, local: datetime) -> datetime | None:
    missions = [mission] if mission else list(labels("missions"))
    found = [hours.next_opening(local, slots(m), periods(m)) for m in missions]
    found = [moment for moment in found if moment is not None]
    return min(found) if found else None


def slots(mission: str) -> list[hours.Slot]:
    rows = db.session.scalars(select(OpeningHours).where(OpeningHours.mission == mission))
    return [hours.Slot(r.weekday, r.opens, r.closes) for r in rows]


def periods(mission: str) -> list[hours.Period]:
    rows = db.session.scalars(select(Closure).where((Closure.mission == mission) | Closure.mission.is_(None)))
    return [hours.Period(r.starts_on, r.ends_on) for r in rows]


def weekly_hours() -> list[OpeningHours]:
    return list(db.session.scalars(select(OpeningHours).order_by(
        OpeningHours.mission, OpeningHours.weekday, OpeningHours.opens)))


def closures() -> list[Closure]:
    return list(db.session.scalars(select(Closure).order_by(Closure.starts_on.desc())))


def add_hours(mission: str, weekday: int, opens, closes) -> OpeningHours:
    overlapping = [s for s in slots(mission) if s.weekday == weekday and s.opens < closes and opens < s.closes]
    if overlapping:
        raise ValueError("Ce créneau chevauche un créneau existant.")
    row = OpeningHours(mission=mission, weekday=weekday, opens=opens, closes=closes)
    db.session.add(row)
    db.session.flush()
    return row


def add_closure(mission: str | None, starts_on, ends_on, reason: str) -> Closure:
    row = Closure(mission=mission or None, starts_on=starts_on, ends_on=ends_on, reason=reason.strip())
    db.session.add(row)
    db.session.flush()
    return row
