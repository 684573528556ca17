"""on_duty(mission, territory, at): the single seam between the roster and the voice menu."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import or_, select

from hotline import clock
from hotline.auth.models import User
from hotline.extensions import db
from hotline.permanences.models import DutyShift
from hotline.permanences.services import duty_conflict


def on_duty(mission: str, territory: str | None, at: datetime, zone, *, include_pool: bool = True) -> list[User]:
    """Active jurists with a phone, on duty for the mission at the instant `at`.

    With a territory: those rostered for it, then (include_pool) those rostered for all territories.
    Without one (general pool): everyone rostered for the mission.
    """
    local = at.astimezone(zone)
    wall = local.time().replace(tzinfo=None)
    query = (
        select(User).join(DutyShift, DutyShift.user_id == User.id)
        .where(DutyShift.mission == mission, DutyShift.weekday == local.weekday(),
               DutyShift.starts <= wall, DutyShift.ends > wall,
               User.active.is_(True), User.phone.is_not(None))
        .order_by(DutyShift.territory_code.is_(None), User.id)
    )
    if territory and include_pool:
        query = query.where(or_(DutyShift.territory_code == territory, DutyShift.territory_code.is_(None)))
    elif territory:
        query = query.where(DutyShift.territory_code == territory)
    return list(dict.fromkeys(db.session.scalars(query)))


def roster() -> list[DutyShift]:
    return list(db.session.scalars(select(DutyShift).order_by(DutyShift.mission, DutyShift.weekday,
                                                               DutyShift.starts, DutyShift.user_id)))


def add_shift(user_id: int, mission: str, territory_code: str | None, weekday: int, starts, ends, *,
              today: date | None = None) -> DutyShift:
    """A weekly shift; refused (ValueError, in French) when the jurist holds a permanence then."""
    if starts >= ends:
        raise ValueError("L'heure de fin doit suivre l'heure de début.")
    user = db.session.get(User, user_id)
    if user is None or user.role != "jurist":
        raise ValueError("Choisissez un(e) juriste.")
    if not user.phone:
        raise ValueError("Ce juriste n'a pas de numéro de téléphone : le numéro vert ne pourrait pas le joindre.")
    conflict = duty_conflict(user, weekday, starts, ends, today or clock.local_today())
    if conflict:
        raise ValueError(conflict)
    shift = DutyShift(user_id=user_id, mission=mission, territory_code=territory_code or None,
                      weekday=weekday, starts=starts, ends=ends)
    db.session.add(shift)
    db.session.flush()
    return shift
