"""Permanences: saving them (a running series is split, so that its past keeps its rule), the
conflicts that refuse a change, cancelling an occurrence, listing the coming ones, those held (the
report's `permanences_held`) and exporting them to a calendar. Services flush only.

What is booked in a permanence is not read here: a change, a split or a cancelled day is announced
through core.signals, and appointments/subscribers.py refuses it or follows it."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from hotline.auth.models import User
from hotline.core import clock, signals
from hotline.core.calendar import is_holiday
from hotline.extensions import db
from hotline.permanences import recurrence
from hotline.permanences.errors import PermanenceError
from hotline.permanences.models import (
    DutyShift,
    Permanence,
    PermanenceCancellation,
    Place,
)
from hotline.permanences.places import find_or_create
from hotline.reference.services import territory_for_insee

__all__ = [
    "PermanenceError",
    "Occurrence",
    "save",
    "cancel",
    "restore",
    "occurrences",
    "occurrence_on",
    "next_held",
    "held",
    "calendar",
    "horizon",
    "duty_conflict",
]


@dataclass(frozen=True)
class Occurrence:
    permanence: Permanence
    day: date
    not_held: str | None  # why it does not take place (cancelled, public holiday), or None

    def starts_at(self, zone: ZoneInfo) -> datetime:
        return datetime.combine(self.day, self.permanence.starts, zone)

    def ends_at(self, zone: ZoneInfo) -> datetime:
        return datetime.combine(self.day, self.permanence.ends, zone)


FIELDS = (
    "mission",
    "user_id",
    "frequency",
    "weekday",
    "week_of_month",
    "starts",
    "ends",
    "first_day",
    "last_day",
    "active",
)
# What makes a series: changing one of these on a running series starts a new stretch of it.
SERIES_FIELDS = ("place_id", "mission", "user_id", "frequency", "weekday", "week_of_month", "starts", "ends")


def fr_day(day: date) -> str:
    return f"{recurrence.DAY_NAMES[day.weekday()]} {day:%d/%m/%Y}"


def hours(starts: time, ends: time) -> str:
    return f"de {starts:%H:%M} à {ends:%H:%M}"


def save(
    permanence: Permanence | None,
    *,
    place: Place | None = None,
    commune_insee: str | None = None,
    name: str | None = None,
    address: str | None = None,
    today: date | None = None,
    **values,
) -> Permanence:
    """Create (permanence=None) or edit a permanence, held in `place` or in the place at name,
    address and commune (created if new). Returns the row holding the new values.

    Days before `today` never change: editing the rule, hours, place, mission or jurist of a series
    that has begun ends its row the day before and starts a new row on `today` (or on a later first
    day), carrying the booked appointments and the cancellations of the coming days over. Refused,
    with a French reason: an appointment the new rule would leave out, a jurist elsewhere then."""
    place = place or find_or_create(name, address, commune_insee)
    values = _checked(values)
    values["place_id"] = place.id
    today = today or clock.local_today()
    if permanence is None or permanence.first_day >= today:
        return _save_row(permanence, place, values, today)
    if values["first_day"] != permanence.first_day and values["first_day"] < today:
        raise PermanenceError(
            f"Cette permanence a commencé le {permanence.first_day:%d/%m/%Y} : ses dates passées "
            "ne changent plus. Pour la changer à partir d'un jour à venir, indiquez ce jour "
            "comme premier jour."
        )
    yesterday = today - timedelta(days=1)
    new_end = values["last_day"]
    if new_end != permanence.last_day and new_end is not None and new_end < yesterday:
        raise PermanenceError(
            f"Le dernier jour ne peut pas précéder le {yesterday:%d/%m/%Y} : les permanences passées "
            "restent comptées. Annulez plutôt les dates qui n'ont pas eu lieu."
        )
    same = values["first_day"] == permanence.first_day and all(
        getattr(permanence, field) == values[field] for field in SERIES_FIELDS
    )
    ended = permanence.last_day is not None and permanence.last_day < yesterday
    if same and not (ended and new_end != permanence.last_day):
        return _save_row(permanence, place, values, today)  # only its end or its state: the past stays
    if ended and new_end is not None and new_end < today:
        raise PermanenceError(
            f"Cette permanence s'est terminée le {permanence.last_day:%d/%m/%Y} : ses dates ne "
            "changent plus. Pour la reprendre autrement, indiquez un dernier jour à venir, ou aucun."
        )
    return _split(permanence, place, values, today)


def _checked(values: dict) -> dict:
    values = {field: values.get(field) for field in FIELDS}
    if values["starts"] >= values["ends"]:
        raise PermanenceError("L'heure de fin doit suivre l'heure de début.")
    if values["frequency"] != "monthly":
        values["week_of_month"] = None
    try:
        recurrence.check(
            values["frequency"], values["weekday"], values["week_of_month"], values["first_day"], values["last_day"]
        )
    except recurrence.RecurrenceError as error:
        raise PermanenceError(str(error)) from None
    if values["user_id"]:
        user = db.session.get(User, values["user_id"])
        if user is None or user.role != "jurist":
            raise PermanenceError("Choisissez un(e) juriste.")
    else:
        values["user_id"] = None
    values["active"] = bool(values["active"])
    return values


def _schedule(values: dict) -> recurrence.Schedule:
    return recurrence.Schedule(
        values["frequency"],
        values["weekday"],
        values["week_of_month"],
        values["first_day"],
        values["last_day"],
        values["starts"],
        values["ends"],
    )


def _save_row(permanence: Permanence | None, place: Place, values: dict, today: date) -> Permanence:
    """A new permanence, or one edited in place (not begun yet, or only its end or state changes)."""
    schedule = _schedule(values)
    if permanence is not None:
        _ask_first(
            signals.permanence_changing,
            permanence=permanence,
            start=max(today, values["first_day"]),
            schedule=schedule if values["active"] else None,
        )
    _refuse_conflicts(values, schedule, max(today, values["first_day"]), ignore={getattr(permanence, "id", None)})
    permanence = permanence or Permanence()
    _assign(permanence, place, values)
    db.session.add(permanence)
    db.session.flush()
    return permanence


def _split(old: Permanence, place: Place, values: dict, today: date) -> Permanence:
    start = max(today, values["first_day"])
    if values["first_day"] == old.first_day:
        start = recurrence.continue_from(start, old.first_day, old.frequency, values["frequency"])
    if values["last_day"] is not None and values["last_day"] < start:
        raise PermanenceError(f"La permanence modifiée reprend le {start:%d/%m/%Y} : le dernier jour doit suivre.")
    values = {**values, "first_day": start}
    schedule = _schedule(values)
    _ask_first(
        signals.permanence_changing, permanence=old, start=start, schedule=schedule if values["active"] else None
    )
    _refuse_conflicts(values, schedule, start, ignore={old.id})
    new = Permanence(slot_minutes=old.slot_minutes)
    _assign(new, place, values)
    db.session.add(new)
    if old.last_day is None or old.last_day >= start:
        old.last_day = start - timedelta(days=1)
    db.session.flush()
    signals.permanence_split.send(db.session, old=old, new=new, start=start)  # the appointments follow
    for cancellation in [c for c in old.cancellations if c.day >= start]:
        old.cancellations.remove(cancellation)
        if schedule.days(cancellation.day, cancellation.day):
            new.cancellations.append(
                PermanenceCancellation(
                    day=cancellation.day,
                    reason=cancellation.reason,
                    cancelled_by_id=cancellation.cancelled_by_id,
                    cancelled_at=cancellation.cancelled_at,
                )
            )
    db.session.flush()
    return new


def _assign(permanence: Permanence, place: Place, values: dict) -> None:
    for field in FIELDS:
        setattr(permanence, field, values[field])
    permanence.place = place
    permanence.territory_code = territory_for_insee(place.commune_insee)


def _ask_first(signal, **about) -> None:
    """Send a "...-changing" or "...-cancelling" signal (core.signals): the first French reason a receiver
    answers with (what is booked in the permanence: appointments/subscribers.py) refuses the change."""
    for _, reason in signal.send(db.session, **about):
        if reason:
            raise PermanenceError(reason)


def _refuse_conflicts(values: dict, schedule: recurrence.Schedule, start: date, ignore: set) -> None:
    """A jurist is in one place at a time: not in two permanences, nor on duty, at once."""
    if not values["user_id"] or not values["active"]:
        return
    jurist = db.session.get(User, values["user_id"])
    others = db.session.scalars(
        select(Permanence)
        .options(selectinload(Permanence.place))
        .where(
            Permanence.user_id == jurist.id,
            Permanence.active.is_(True),
            Permanence.weekday == schedule.weekday,
            Permanence.id.not_in([i for i in ignore if i is not None] or [0]),
            or_(Permanence.last_day.is_(None), Permanence.last_day >= start),
        )
        .order_by(Permanence.id)
    )
    for other in others:
        day = recurrence.first_common_day(schedule, schedule_of(other), start)
        if day is not None:
            raise PermanenceError(
                f"{jurist.name} tient déjà la permanence « {other.name} » le {fr_day(day)} "
                f"{hours(other.starts, other.ends)} : un(e) juriste ne peut pas être à deux endroits à la fois."
            )
    shifts = db.session.scalars(
        select(DutyShift)
        .where(
            DutyShift.user_id == jurist.id,
            DutyShift.weekday == schedule.weekday,
            or_(DutyShift.valid_until.is_(None), DutyShift.valid_until >= start),
        )
        .order_by(DutyShift.starts)
    )
    for shift in shifts:
        day = recurrence.first_common_day(schedule, duty_schedule(shift, schedule.weekday, start), start)
        if day is not None:
            raise PermanenceError(
                f"{jurist.name} est de garde au numéro vert chaque {recurrence.DAY_NAMES[schedule.weekday]} "
                f"{hours(shift.starts, shift.ends)} : la permanence du {fr_day(day)} "
                f"{hours(schedule.starts, schedule.ends)} tomberait pendant cette garde."
            )


def schedule_of(permanence: Permanence) -> recurrence.Schedule:
    return recurrence.Schedule(
        permanence.frequency,
        permanence.weekday,
        permanence.week_of_month,
        permanence.first_day,
        permanence.last_day,
        permanence.starts,
        permanence.ends,
    )


def duty_schedule(series, weekday: int, start: date) -> recurrence.Schedule:
    """The shifts of a duty series (.valid_from .valid_until .starts .ends) on one of its weekdays,
    from `start` on, as a weekly recurrence."""
    first = max(start, series.valid_from) if series.valid_from else start
    return recurrence.Schedule("weekly", weekday, None, first, series.valid_until, series.starts, series.ends)


def duty_conflict(user: User, series, start: date) -> str | None:
    """Why a duty series of `user` (.weekdays .starts .ends .valid_from .valid_until) would clash, from
    `start` on, with one of their permanences (a French message), or None."""
    query = (
        select(Permanence)
        .options(selectinload(Permanence.place))
        .where(
            Permanence.user_id == user.id,
            Permanence.active.is_(True),
            Permanence.weekday.in_(series.weekdays),
            or_(Permanence.last_day.is_(None), Permanence.last_day >= start),
        )
        .order_by(Permanence.id)
    )
    for permanence in db.session.scalars(query):
        day = recurrence.first_common_day(
            schedule_of(permanence), duty_schedule(series, permanence.weekday, start), start
        )
        if day is not None:
            return (
                f"{user.name} tient la permanence « {permanence.name} » le {fr_day(day)} "
                f"{hours(permanence.starts, permanence.ends)} : une garde ne peut pas tomber pendant une "
                "permanence."
            )
    return None


def can_change_occurrences(permanence: Permanence, user) -> bool:
    """An admin, or the jurist holding the permanence."""
    return user.role == "admin" or (user.role == "jurist" and permanence.user_id == user.id)


def cancel(permanence: Permanence, day: date, reason: str, user) -> PermanenceCancellation:
    """Cancel a day of the permanence; refused while appointments are booked in it (their receiver)."""
    _ask_first(signals.permanence_cancelling, permanence=permanence, day=day)
    reason = (reason or "").strip()
    if not reason:
        raise PermanenceError("Indiquez le motif de l'annulation.")
    occurrence = occurrence_on(permanence, day)
    if occurrence is None:
        raise PermanenceError("Cette permanence n'a pas lieu ce jour-là.")
    if day in {c.day for c in permanence.cancellations}:
        raise PermanenceError("Cette permanence est déjà annulée ce jour-là.")
    row = PermanenceCancellation(day=day, reason=reason[:200], cancelled_by_id=user.id)
    permanence.cancellations.append(row)  # the loaded collection stays true
    db.session.flush()
    return row


def restore(permanence: Permanence, day: date) -> None:
    row = db.session.scalar(
        select(PermanenceCancellation).where(
            PermanenceCancellation.permanence_id == permanence.id, PermanenceCancellation.day == day
        )
    )
    if row is None:
        raise PermanenceError("Cette permanence n'était pas annulée ce jour-là.")
    permanence.cancellations.remove(row)  # delete-orphan
    db.session.flush()


def occurrences(
    start: date,
    end: date,
    *,
    mission: str | None = None,
    territory: str | None = None,
    user_id: int | None = None,
    active_only: bool = True,
) -> list[Occurrence]:
    """Every occurrence from start to end (both included), in date then time order."""
    query = select(Permanence).options(
        selectinload(Permanence.cancellations),
        selectinload(Permanence.user),
        selectinload(Permanence.place).selectinload(Place.commune),
    )
    if active_only:
        query = query.where(Permanence.active.is_(True))
    if mission:
        query = query.where(Permanence.mission == mission)
    if territory and territory != "all":
        query = query.where(Permanence.territory_code == territory)
    if user_id:
        query = query.where(Permanence.user_id == user_id)
    found = [o for permanence in db.session.scalars(query) for o in _occurrences_of(permanence, start, end)]
    return sorted(found, key=lambda o: (o.day, o.permanence.starts, o.permanence.name))


def _occurrences_of(permanence: Permanence, start: date, end: date) -> list[Occurrence]:
    cancelled = {c.day: c.reason for c in permanence.cancellations}
    return [
        Occurrence(permanence, day, recurrence.not_held(day, cancelled, is_holiday))
        for day in schedule_of(permanence).days(start, end)
    ]


def occurrence_on(permanence: Permanence, day: date) -> Occurrence | None:
    """The permanence's occurrence of that day (held or not), or None when it has none that day."""
    found = _occurrences_of(permanence, day, day)
    return found[0] if found else None


def next_held(
    mission: str | None, territory: str | None, now: datetime, zone: ZoneInfo, days: int = 14
) -> Occurrence | None:
    """The next occurrence that will take place in the territory, starting after `now`, within `days`."""
    if not territory:
        return None
    today = now.astimezone(zone).date()
    for occurrence in occurrences(today, today + timedelta(days=days), mission=mission, territory=territory):
        if occurrence.not_held is None and occurrence.starts_at(zone) > now:
            return occurrence
    return None


def held(
    start: date, end: date, now: datetime, zone: ZoneInfo, *, mission: str | None = None, territory: str | None = None
) -> list[Occurrence]:
    """`permanences_held`: occurrences from start to end that took place (over at `now`, neither
    cancelled nor on a public holiday), including those of permanences since deactivated."""
    return [
        o
        for o in occurrences(start, end, mission=mission, territory=territory, active_only=False)
        if o.not_held is None and o.ends_at(zone) <= now
    ]


# RFC 5545's TEXT holds no control character but tab; icalendar escapes line breaks, not the others (a
# vertical tab or a NUL would go out as typed). Forms refuse them (web.forms); rows written before may hold them.
_NOT_IN_ICS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def _ics_text(text: str | None) -> str | None:
    return _NOT_IN_ICS.sub(" ", text) if text else text


def calendar(
    items: list[Occurrence],
    zone: ZoneInfo,
    stamp: datetime,
    *,
    title: str = "Permanences",
    public: Callable[[Occurrence], tuple[str, str]] | None = None,
) -> bytes:
    """An iCalendar file of these occurrences, with the VTIMEZONE of their zone; those that do not
    take place are marked cancelled. `public(occurrence) -> (summary, description)` makes a feed for
    everyone: it does not say why a date is cancelled (the reason may be a jurist's leave)."""
    from icalendar import Calendar, Event  # noqa: PLC0415 - loaded when a calendar is asked: start-up (issue 9)

    cal = Calendar()
    cal.add("prodid", "-//hotline//Permanences//FR")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", _ics_text(title))
    cal.add("x-wr-timezone", zone.key)
    for item in items:
        p = item.permanence
        event = Event()
        event.add("uid", f"permanence-{p.id}-{item.day:%Y%m%d}@hotline")
        event.add("dtstamp", stamp)
        event.add("dtstart", item.starts_at(zone))
        event.add("dtend", item.ends_at(zone))
        summary, description = public(item) if public else (f"Permanence — {p.name}", None)
        event.add("summary", _ics_text(summary))
        event.add("location", _ics_text(f"{p.name}, {p.address}, {p.place.commune.name}"))
        if item.not_held:
            event.add("status", "CANCELLED")
            shown = item.not_held if public is None or item.not_held == recurrence.HOLIDAY else "annulée"
            description = f"Annulée : {shown}"
        if description:
            event.add("description", _ics_text(description))
        cal.add_component(event)
    cal.add_missing_timezones()
    return cal.to_ical()


def horizon(today: date, weeks: int = 8) -> tuple[date, date]:
    return today, today + timedelta(weeks=weeks)
