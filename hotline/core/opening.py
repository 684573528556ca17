"""Opening hours and closures of each line (their models, set by an admin), read from the database for
the pure rules in hours.py."""

from __future__ import annotations

from datetime import date, datetime, time

from sqlalchemy import CheckConstraint, Date, Integer, SmallInteger, String, Time, select
from sqlalchemy.orm import Mapped, mapped_column

from hotline.core import hours
from hotline.extensions import db


class OpeningHours(db.Model):
    """Weekly opening hours of a mission's line, in local wall time."""

    __tablename__ = "opening_hours"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    mission: Mapped[str] = mapped_column(String(40), index=True)
    weekday: Mapped[int] = mapped_column(SmallInteger)
    opens: Mapped[time] = mapped_column(Time)
    closes: Mapped[time] = mapped_column(Time)

    __table_args__ = (
        CheckConstraint("weekday BETWEEN 0 AND 6", name="weekday_range"),
        CheckConstraint("opens < closes", name="opens_before_closes"),
    )


class Closure(db.Model):
    """An exceptional closure (bridge day, training...), set by an admin. mission NULL: both lines."""

    __tablename__ = "closures"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    mission: Mapped[str | None] = mapped_column(String(40))
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(String(200))

    __table_args__ = (CheckConstraint("starts_on <= ends_on", name="starts_before_ends"),)


def _missions(mission: str | None) -> list[str]:
    """The one mission asked, or every mission that has opening hours (a mission without any is never
    open)."""
    if mission:
        return [mission]
    return list(db.session.scalars(select(OpeningHours.mission).distinct().order_by(OpeningHours.mission)))


def line_open(mission: str | None, local: datetime) -> bool:
    return any(hours.is_open(local, slots(m), periods(m)) for m in _missions(mission))


def next_opening(mission: str | None, local: datetime) -> datetime | None:
    found = [hours.next_opening(local, slots(m), periods(m)) for m in _missions(mission)]
    found = [moment for moment in found if moment is not None]
    return min(found) if found else None


def slots(mission: str) -> list[hours.Slot]:
    rows = db.session.scalars(select(OpeningHours).where(OpeningHours.mission == mission))
    return [hours.Slot(r.weekday, r.opens, r.closes) for r in rows]


def periods(mission: str) -> list[hours.Period]:
    rows = db.session.scalars(select(Closure).where((Closure.mission == mission) | Closure.mission.is_(None)))
    return [hours.Period(r.starts_on, r.ends_on) for r in rows]


def weekly_hours() -> list[OpeningHours]:
    return list(
        db.session.scalars(
            select(OpeningHours).order_by(OpeningHours.mission, OpeningHours.weekday, OpeningHours.opens)
        )
    )


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
