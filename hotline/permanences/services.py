"""Permanences: saving them, cancelling an occurrence, listing the coming ones, those held
(the report's `permanences_held`) and exporting them to a calendar. Services flush only."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from hotline.auth.models import User
from hotline.calendar import is_holiday
from hotline.extensions import db
from hotline.permanences import recurrence
from hotline.permanences.models import Permanence, PermanenceCancellation
from hotline.reference.services import get_commune, territory_for_insee


class PermanenceError(ValueError):
    """A French message: why this change is refused."""


@dataclass(frozen=True)
class Occurrence:
    permanence: Permanence
    day: date
    not_held: str | None  # why it does not take place (cancelled, public holiday), or None

    def starts_at(self, zone: ZoneInfo) -> datetime:
        return datetime.combine(self.day, self.permanence.starts, zone)

    def ends_at(self, zone: ZoneInfo) -> datetime:
        return datetime.combine(self.day, self.permanence.ends, zone)


FIELDS = ("name", "address", "mission", "user_id", "frequency", "weekday", "week_of_month", "starts", "ends",
          "first_day", "last_day", "active")


def save(permanence: Permanence | None, *, commune_insee: str, **values) -> Permanence:
    """Create (permanence=None) or update a permanence; its territory follows its commune."""
    commune = get_commune(commune_insee or "")
    if commune is None:
        raise PermanenceError("Commune inconnue : choisissez-la dans la liste.")
    if values["starts"] >= values["ends"]:
        raise PermanenceError("L'heure de fin doit suivre l'heure de début.")
    if values["frequency"] != "monthly":
        values["week_of_month"] = None
    try:
        recurrence.check(values["frequency"], values["weekday"], values["week_of_month"], values["first_day"],
                         values["last_day"])
    except recurrence.RecurrenceError as error:
        raise PermanenceError(str(error)) from None
    user = db.session.get(User, values["user_id"]) if values.get("user_id") else None
    if values.get("user_id") and (user is None or user.role != "jurist"):
        raise PermanenceError("Choisissez un(e) juriste.")
    permanence = permanence or Permanence()
    for name in FIELDS:
        setattr(permanence, name, values.get(name))
    permanence.commune_insee = commune.insee
    permanence.territory_code = territory_for_insee(commune.insee)
    db.session.add(permanence)
    db.session.flush()
    return permanence


def can_change_occurrences(permanence: Permanence, user) -> bool:
    """An admin, or the jurist holding the permanence."""
    return user.role == "admin" or (user.role == "jurist" and permanence.user_id == user.id)


def cancel(permanence: Permanence, day: date, reason: str, user) -> PermanenceCancellation:
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
    row = db.session.scalar(select(PermanenceCancellation).where(
        PermanenceCancellation.permanence_id == permanence.id, PermanenceCancellation.day == day))
    if row is None:
        raise PermanenceError("Cette permanence n'était pas annulée ce jour-là.")
    permanence.cancellations.remove(row)  # delete-orphan
    db.session.flush()


def occurrences(start: date, end: date, *, mission: str | None = None, territory: str | None = None,
                user_id: int | None = None, active_only: bool = True) -> list[Occurrence]:
    """Every occurrence from start to end (both included), in date then time order."""
    query = select(Permanence).options(selectinload(Permanence.cancellations), selectinload(Permanence.user))
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
    return [Occurrence(permanence, day, recurrence.not_held(day, cancelled, is_holiday))
            for day in recurrence.days(permanence.frequency, permanence.weekday, permanence.week_of_month,
                                       permanence.first_day, permanence.last_day, start, end)]


def occurrence_on(permanence: Permanence, day: date) -> Occurrence | None:
    """The permanence's occurrence of that day (held or not), or None when it has none that day."""
    found = _occurrences_of(permanence, day, day)
    return found[0] if found else None


def next_held(mission: str | None, territory: str | None, now: datetime, zone: ZoneInfo,
              days: int = 14) -> Occurrence | None:
    """The next occurrence that will take place in the territory, starting after `now`, within `days`."""
    if not territory:
        return None
    today = now.astimezone(zone).date()
    for occurrence in occurrences(today, today + timedelta(days=days), mission=mission, territory=territory):
        if occurrence.not_held is None and occurrence.starts_at(zone) > now:
            return occurrence
    return None


def held(start: date, end: date, now: datetime, zone: ZoneInfo, *, mission: str | None = None,
         territory: str | None = None) -> list[Occurrence]:
    """`permanences_held`: occurrences from start to end that took place (over at `now`, neither
    cancelled nor on a public holiday), including those of permanences since deactivated."""
    return [o for o in occurrences(start, end, mission=mission, territory=territory, active_only=False)
            if o.not_held is None and o.ends_at(zone) <= now]


def calendar(items: list[Occurrence], zone: ZoneInfo, stamp: datetime) -> bytes:
    """An iCalendar file of these occurrences; those that do not take place are marked cancelled."""
    cal = Calendar()
    cal.add("prodid", "-//hotline//Permanences//FR")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", "Permanences")
    for item in items:
        p = item.permanence
        event = Event()
        event.add("uid", f"permanence-{p.id}-{item.day:%Y%m%d}@hotline")
        event.add("dtstamp", stamp)
        event.add("dtstart", item.starts_at(zone))
        event.add("dtend", item.ends_at(zone))
        event.add("summary", f"Permanence — {p.name}")
        event.add("location", p.address)
        if item.not_held:
            event.add("status", "CANCELLED")
            event.add("description", f"Annulée : {item.not_held}")
        cal.add_component(event)
    return cal.to_ical()


def horizon(today: date, weeks: int = 8) -> tuple[date, date]:
    return today, today + timedelta(weeks=weeks)
