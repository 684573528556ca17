"""The duty roster of the green number: series of shifts (a jurist, a mission, a territory or the general
pool, weekdays, hours, from a first day until a last one), saved as permanences are (editing a running
series splits it, so that its past keeps its rule); on_duty(mission, territory, at), the single seam
between the roster and the voice menu; and the duty gaps, the opening hours of the coming days with
nobody on duty (gaps() is pure, duty_gaps() reads it). Services flush only."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from hotline.auth.models import User
from hotline.core import clock
from hotline.core.hours import is_holiday
from hotline.core.opening import Closure, OpeningHours
from hotline.extensions import db
from hotline.permanences.models import WEEKDAYS, DutyShift, runs_on, weekday_mask
from hotline.permanences.services import duty_conflict


class DutyError(ValueError):
    """A French message: why this series of shifts cannot be saved."""


def _running(day: date):
    """The series that have shifts on `day`'s weekday and are valid that day (a query condition)."""
    return (
        DutyShift.weekday == day.weekday(),
        or_(DutyShift.valid_from.is_(None), DutyShift.valid_from <= day),
        or_(DutyShift.valid_until.is_(None), DutyShift.valid_until >= day),
    )


def _line_closed(mission: str, day: date):
    """A closure of the mission's line (or of both) that day (a query condition)."""
    return (
        select(Closure.id)
        .where(
            or_(Closure.mission == mission, Closure.mission.is_(None)), Closure.starts_on <= day, Closure.ends_on >= day
        )
        .exists()
    )


def on_duty(mission: str, territory: str | None, at: datetime, zone, *, include_pool: bool = True) -> list[User]:
    """Active jurists with a phone, on duty for the mission at the instant `at`: nobody on a public
    holiday or a day the mission's line is closed (the voice menu closes the line before asking).

    With a territory: those rostered for it, then (include_pool) those rostered for all territories.
    Without one (general pool): everyone rostered for the mission.
    """
    local = at.astimezone(zone)
    wall = local.time().replace(tzinfo=None)
    if is_holiday(local.date()):
        return []
    query = (
        select(User)
        .join(DutyShift, DutyShift.user_id == User.id)
        .where(
            DutyShift.mission == mission,
            *_running(local.date()),
            ~_line_closed(mission, local.date()),
            DutyShift.starts <= wall,
            DutyShift.ends > wall,
            User.active.is_(True),
            User.phone.is_not(None),
        )
        .order_by(DutyShift.territory_code.is_(None), User.id)
    )
    if territory and include_pool:
        query = query.where(or_(DutyShift.territory_code == territory, DutyShift.territory_code.is_(None)))
    elif territory:
        query = query.where(DutyShift.territory_code == territory)
    return list(dict.fromkeys(db.session.scalars(query)))


@dataclass(frozen=True)
class JuristSeries:
    """One jurist's series of the roster, in order."""

    jurist: User
    series: list[DutyShift]


@dataclass(frozen=True)
class Roster:
    """The roster page: the series running or to come, per jurist; the gaps of the coming 14 days."""

    jurists: list[JuristSeries]
    gaps: list[Gap]
    today: date

    def __len__(self) -> int:
        return sum(len(j.series) for j in self.jurists)


def roster(now: datetime | None = None, zone=None) -> Roster:
    """The series not ended yet, grouped per jurist (by name), each jurist's by mission, first day, hours."""
    now, zone = now or clock.now(), zone or clock.local_zone()
    today = now.astimezone(zone).date()
    rows = db.session.scalars(
        select(DutyShift)
        .options(selectinload(DutyShift.user))
        .join(User)
        .where(or_(DutyShift.valid_until.is_(None), DutyShift.valid_until >= today))
        .order_by(
            User.name,
            User.id,
            DutyShift.mission,
            DutyShift.starts,
            DutyShift.valid_from.is_not(None),
            DutyShift.valid_from,
            DutyShift.id,
        )
    )
    grouped: dict[int, JuristSeries] = {}
    for row in rows:
        grouped.setdefault(row.user_id, JuristSeries(row.user, [])).series.append(row)
    return Roster(list(grouped.values()), duty_gaps(now, zone), today)


SERIES_FIELDS = ("user_id", "mission", "territory_code", "weekday_bits", "starts", "ends")


def save(
    series: DutyShift | None,
    *,
    user_id: int,
    mission: str,
    territory_code: str | None,
    weekdays,
    starts: time,
    ends: time,
    valid_from: date | None = None,
    valid_until: date | None = None,
    today: date | None = None,
) -> DutyShift:
    """Create (series=None) or edit a series of shifts; returns the row holding the new values.

    Days before `today` never change: editing the jurist, mission, territory, days or hours of a series
    that has begun ends its row the day before and starts a new row on `today` (or on a later first
    day). Refused (DutyError, in French): no day, hours backwards, a jurist the line cannot ring, a
    first day in the past, a permanence of the jurist during a shift."""
    today = today or clock.local_today()
    values = _checked(
        user_id=user_id,
        mission=mission,
        territory_code=territory_code or None,
        weekday_bits=weekday_mask(weekdays),
        starts=starts,
        ends=ends,
        valid_from=valid_from,
        valid_until=valid_until,
    )
    begun = series is not None and (series.valid_from is None or series.valid_from < today)
    if not begun:
        values["valid_from"] = values["valid_from"] or today
        if values["valid_from"] < today:
            raise DutyError("Le premier jour ne peut pas être passé : une garde s'ajoute à partir d'aujourd'hui.")
        if values["valid_until"] is not None and values["valid_until"] < values["valid_from"]:
            raise DutyError(f"Le dernier jour doit suivre le premier, le {values['valid_from']:%d/%m/%Y}.")
        return _save_row(series, values, today)
    if series.valid_until is not None and series.valid_until < today - timedelta(days=1):
        raise DutyError(
            f"Cette série de gardes s'est terminée le {series.valid_until:%d/%m/%Y} : elle ne change "
            "plus. Ajoutez plutôt une nouvelle série."
        )
    if values["valid_from"] != series.valid_from and (values["valid_from"] is None or values["valid_from"] < today):
        since = f" le {series.valid_from:%d/%m/%Y}" if series.valid_from else ""
        raise DutyError(
            f"Cette série de gardes a commencé{since} : ses jours passés ne changent plus. Pour la "
            "changer à partir d'un jour à venir, indiquez ce jour comme premier jour."
        )
    yesterday = today - timedelta(days=1)
    if values["valid_until"] is not None and values["valid_until"] < yesterday:
        raise DutyError(
            f"Le dernier jour ne peut pas précéder le {yesterday:%d/%m/%Y} : les gardes passées ne changent plus."
        )
    if values["valid_from"] == series.valid_from and all(
        getattr(series, field) == values[field] for field in SERIES_FIELDS
    ):
        return _save_row(series, values, today)  # only its last day: the past stays
    return _split(series, values, today)


def _checked(**values) -> dict:
    if not values["weekday_bits"]:
        raise DutyError("Choisissez au moins un jour.")
    if values["starts"] >= values["ends"]:
        raise DutyError("L'heure de fin doit suivre l'heure de début.")
    user = db.session.get(User, values["user_id"]) if values["user_id"] else None
    if user is None or user.role != "jurist":
        raise DutyError("Choisissez un(e) juriste.")
    if not user.phone:
        raise DutyError("Ce juriste n'a pas de numéro de téléphone : le numéro vert ne pourrait pas le joindre.")
    if values["valid_from"] and values["valid_until"] and values["valid_until"] < values["valid_from"]:
        raise DutyError("Le dernier jour doit suivre le premier.")
    return values


def _refuse_conflicts(values: dict, start: date) -> None:
    conflict = duty_conflict(db.session.get(User, values["user_id"]), DutyShift(**values), start)
    if conflict:
        raise DutyError(conflict)


def _save_row(series: DutyShift | None, values: dict, today: date) -> DutyShift:
    _refuse_conflicts(values, max(today, values["valid_from"] or today))
    series = series or DutyShift()
    for field, value in values.items():
        setattr(series, field, value)
    db.session.add(series)
    db.session.flush()
    return series


def _split(old: DutyShift, values: dict, today: date) -> DutyShift:
    start = max(today, values["valid_from"] or today)
    if values["valid_until"] is not None and values["valid_until"] < start:
        raise DutyError(f"La série modifiée reprend le {start:%d/%m/%Y} : le dernier jour doit suivre.")
    values = {**values, "valid_from": start}
    _refuse_conflicts(values, start)
    new = DutyShift(**values)
    db.session.add(new)
    if old.valid_until is None or old.valid_until >= start:
        old.valid_until = start - timedelta(days=1)
    db.session.flush()
    return new


def stop(series: DutyShift, today: date) -> None:
    """No more shifts of this series from today on: one that has not begun goes, the past of one that
    has begun stays."""
    if series.valid_from is not None and series.valid_from >= today:
        db.session.delete(series)
    elif series.valid_until is None or series.valid_until >= today:
        series.valid_until = today - timedelta(days=1)
    db.session.flush()


@dataclass(frozen=True)
class Gap:
    """An opening interval of a mission's line with nobody on duty."""

    mission: str
    day: date
    starts: time
    ends: time

    def text(self, mission_label: str) -> str:
        """ "Mardi 02/12 13:30–17:00 : Prévention des expulsions, personne de garde"."""
        return (
            f"{WEEKDAYS[self.day.weekday()]} {self.day:%d/%m} {self.starts:%H:%M}–{self.ends:%H:%M} : "
            f"{mission_label}, personne de garde"
        )


def gaps(
    shifts: Iterable,
    opening: Iterable,
    closures: Iterable,
    start: date,
    days: int = 14,
    *,
    after: time | None = None,
    holiday: Callable[[date], bool] = is_holiday,
) -> list[Gap]:
    """Each opening interval from `start` for `days` days (public holidays and closures left out) that no
    shift covers, by mission. shifts: series with .mission .weekdays .valid_from .valid_until .starts .ends
    (any territory covers the line);
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
            covering = sorted(
                (s for s in shifts if s.mission == slot.mission and runs_on(s, day)), key=lambda s: s.starts
            )
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
    shifts = db.session.scalars(
        select(DutyShift).join(User, User.id == DutyShift.user_id).where(User.active.is_(True), User.phone.is_not(None))
    )
    return gaps(
        shifts,
        db.session.scalars(select(OpeningHours)),
        db.session.scalars(select(Closure)),
        local.date(),
        days,
        after=local.time().replace(tzinfo=None),
    )
