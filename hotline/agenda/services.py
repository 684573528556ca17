"""What a week of the agenda holds: each day's permanences (with their free and booked slots), duty
shifts and appointments, as the user may see them. Reads only."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from hotline.appointments import services as appointments
from hotline.appointments.models import Appointment
from hotline.auth.models import User
from hotline.consultations.models import Household
from hotline.extensions import db
from hotline.ivr.hours import is_holiday
from hotline.permanences import services as permanences
from hotline.permanences.models import DutyShift
from hotline.reference import labels
from hotline.reference.services import territory_labels


@dataclass(frozen=True)
class Filters:
    week: date  # its Monday
    mission: str | None = None
    territory: str | None = None
    jurist_id: int | None = None


@dataclass(frozen=True)
class SlotCell:
    starts: datetime  # aware, local
    key: str  # services.book's slot: "permanence id|ISO instant"
    free: bool


@dataclass
class Entry:
    kind: str  # permanence | duty | appointment
    starts: datetime  # aware, local
    ends: datetime
    title: str
    mission: str
    jurist: str | None = None
    detail: str | None = None
    not_held: str | None = None  # a permanence cancelled or on a public holiday: why
    slots: list[SlotCell] = field(default_factory=list)
    appointment: Appointment | None = None

    @property
    def free(self) -> int:
        return sum(s.free for s in self.slots)


@dataclass
class Day:
    day: date
    holiday: bool
    entries: list[Entry] = field(default_factory=list)


def monday_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


def first_free(now: datetime, zone: ZoneInfo, *, mission: str | None,
               territory: str | None) -> tuple[appointments.Slot | None, bool]:
    """The next free slot of the mission in the territory within eight weeks; if there is none, the
    next one anywhere, with True (the territory was widened)."""
    start, end = permanences.horizon(now.astimezone(zone).date())
    if territory:
        found = appointments.free_slots(start, end, now, zone, mission=mission, territory=territory)
        if found:
            return found[0], False
    found = appointments.free_slots(start, end, now, zone, mission=mission)
    return (found[0] if found else None), bool(territory)


def visible_missions(user: User) -> list[str]:
    """Jurists see their missions; managers every one; administrators none."""
    if user.role == "jurist":
        return list(user.missions)
    return list(labels("missions")) if user.role == "manager" else []


def week(user: User, filters: Filters, now: datetime, zone: ZoneInfo) -> list[Day]:
    """The seven days from filters.week, each entry in time order."""
    missions = [m for m in visible_missions(user) if filters.mission in (None, m)]
    days = [Day(filters.week + timedelta(days=n), is_holiday(filters.week + timedelta(days=n))) for n in range(7)]
    if missions:
        entries = _permanences(filters, missions, now, zone) + _duty(days, filters, missions, zone) + \
            _appointments(filters, missions, zone)
        for entry in entries:
            days[(entry.starts.date() - filters.week).days].entries.append(entry)
    for day in days:
        day.entries.sort(key=lambda e: (e.starts, e.kind != "permanence", e.title))
    return days


def _permanences(filters: Filters, missions: list[str], now: datetime, zone: ZoneInfo) -> list[Entry]:
    end = filters.week + timedelta(days=6)
    booked = appointments.booked_slots(datetime.combine(filters.week, time(), zone),
                                       datetime.combine(end + timedelta(days=1), time(), zone))
    found = []
    for o in permanences.occurrences(filters.week, end, mission=filters.mission, territory=filters.territory,
                                     user_id=filters.jurist_id):
        p = o.permanence
        if p.mission not in missions:
            continue
        cells = [] if o.not_held else [
            SlotCell(moment, appointments.Slot(p, moment).key,
                     moment > now and (p.id, moment.astimezone(now.tzinfo)) not in booked)
            for moment in appointments.slot_starts(o, zone)]
        found.append(Entry("permanence", o.starts_at(zone), o.ends_at(zone), p.name, p.mission,
                           jurist=p.user.name if p.user else None, detail=f"{p.address}, {p.place.commune.name}",
                           not_held=o.not_held, slots=cells))
    return found


def _duty(days: list[Day], filters: Filters, missions: list[str], zone: ZoneInfo) -> list[Entry]:
    query = select(DutyShift).options(selectinload(DutyShift.user)).where(DutyShift.mission.in_(missions))
    if filters.jurist_id:
        query = query.where(DutyShift.user_id == filters.jurist_id)
    if filters.territory:  # the shifts of that territory, and of the general pool
        query = query.where((DutyShift.territory_code == filters.territory) | DutyShift.territory_code.is_(None))
    found = []
    for shift in db.session.scalars(query):
        day = days[shift.weekday]
        if day.holiday:  # the line is closed
            continue
        found.append(Entry("duty", datetime.combine(day.day, shift.starts, zone),
                           datetime.combine(day.day, shift.ends, zone), "Garde au numéro vert", shift.mission,
                           jurist=shift.user.name, detail=territory_labels().get(shift.territory_code)
                           if shift.territory_code else "Tous les territoires"))
    return found


def _appointments(filters: Filters, missions: list[str], zone: ZoneInfo) -> list[Entry]:
    start = datetime.combine(filters.week, time(), zone)
    query = select(Appointment).options(
        selectinload(Appointment.household).selectinload(Household.commune), selectinload(Appointment.permanence),
        selectinload(Appointment.user)).where(
        Appointment.starts_at >= start, Appointment.starts_at < start + timedelta(days=7),
        Appointment.status != "cancelled", Appointment.mission.in_(missions)).order_by(Appointment.starts_at)
    if filters.jurist_id:
        query = query.where(Appointment.user_id == filters.jurist_id)
    found = []
    for a in db.session.scalars(query):
        territory = a.permanence.territory_code if a.permanence else \
            a.household.commune.territory_code if a.household.commune else None
        if filters.territory and territory != filters.territory:
            continue
        local = a.starts_at.astimezone(zone)
        found.append(Entry("appointment", local, local + timedelta(minutes=a.minutes), a.household.display_name,
                           a.mission, jurist=a.user.name if a.user else None,
                           detail=a.permanence.name if a.permanence else "Au bureau", appointment=a))
    return found
