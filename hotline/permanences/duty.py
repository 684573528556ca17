"""on_duty(mission, territory, at): the single seam between the roster and the voice menu; and the duty
gaps, the opening hours of the coming days with nobody on duty (gaps() is pure, duty_gaps() reads it)."""
from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import or_, select

from hotline import clock
from hotline.auth.models import User
from hotline.extensions import db
from hotline.ivr.hours import is_holiday
from hotline.ivr.models import Closure, OpeningHours
from hotline.permanences.models import WEEKDAYS, DutyShift
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


@dataclass(frozen=True)
class Gap:
    """An opening interval of a mission's line with nobody on duty."""
    mission: str
    day: date
    starts: time
    ends: time

    def text(self, mission_label: str) -> str:
        """"Mardi 02/12 13:30–17:00 : Prévention des expulsions, personne de garde"."""
        return (f"{WEEKDAYS[self.day.weekday()]} {self.day:%d/%m} {self.starts:%H:%M}–{self.ends:%H:%M} : "
                f"{mission_label}, personne de garde")


def gaps(shifts: Iterable, opening: Iterable, closures: Iterable, start: date, days: int = 14, *,
         after: time | None = None, holiday: Callable[[date], bool] = is_holiday) -> list[Gap]:
    """Each opening interval from `start` for `days` days (public holidays and closures left out) that no
    shift covers, by mission. shifts: .mission .weekday .starts .ends (any territory covers the line);
    opening: .mission .weekday .opens .closes; closures: .mission (None: every line) .starts_on .ends_on.
    `after`: on the first day, intervals that end by then are past. Pure."""
    shifts, opening, closures = list(shifts), list(opening), list(closures)
    found = []
    for offset in range(days):
        day = start + timedelta(days=offset)
        if holiday(day):
            continue
        for slot in sorted((o for o in opening if o.weekday == day.weekday()), key=lambda o: (o.mission, o.opens)):
            if offset == 0 and after is not None and slot.closes <= after:
                continue
            if any(c.mission in (None, slot.mission) and c.starts_on <= day <= c.ends_on for c in closures):
                continue
            cursor = slot.opens
            covering = sorted((s for s in shifts if s.mission == slot.mission and s.weekday == day.weekday()),
                              key=lambda s: s.starts)
            for shift in covering:
                if shift.ends <= cursor or shift.starts >= slot.closes:
                    continue
                if shift.starts > cursor:
                    found.append(Gap(slot.mission, day, cursor, shift.starts))
                cursor = max(cursor, shift.ends)
            if cursor < slot.closes:
                found.append(Gap(slot.mission, day, cursor, slot.closes))
    return sorted(found, key=lambda g: (g.day, g.starts, g.mission))


def duty_gaps(now: datetime, zone, days: int = 14) -> list[Gap]:
    """The gaps of the next `days` days, from now. Only a jurist the voice menu can ring (active, with a
    phone, as on_duty() asks) covers a shift."""
    local = now.astimezone(zone)
    shifts = db.session.scalars(select(DutyShift).join(User, User.id == DutyShift.user_id)
                                .where(User.active.is_(True), User.phone.is_not(None)))
    return gaps(shifts, db.session.scalars(select(OpeningHours)), db.session.scalars(select(Closure)),
                local.date(), days, after=local.time().replace(tzinfo=None))
