"""What a week (or a day) of the agenda holds: each day's permanences (with their free and booked slots),
duty shifts (none on a day the line is closed) and appointments, as the user may see them, placed in an
hour grid (grid.py). Reads only."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, or_, select
from sqlalchemy.orm import selectinload

from hotline.agenda import grid
from hotline.appointments import services as appointments
from hotline.appointments.models import Appointment
from hotline.auth.models import User
from hotline.consultations.models import Household
from hotline.core.hours import is_holiday
from hotline.core.opening import Closure, OpeningHours
from hotline.extensions import db
from hotline.permanences import services as permanences
from hotline.permanences.models import DutyShift, runs_on
from hotline.reference import labels
from hotline.reference.services import territory_labels


@dataclass(frozen=True)
class Filters:
    start: date  # the first day shown: a Monday for a week
    mission: str | None = None
    territory: str | None = None
    jurist_id: int | None = None
    count: int = 7  # days shown: 7 (a week) or 1 (a day)

    @property
    def end(self) -> date:
        return self.start + timedelta(days=self.count - 1)


@dataclass(frozen=True)
class SlotCell:
    starts: datetime  # aware, local
    key: str  # services.book's slot: "permanence id|ISO instant"
    free: bool
    minutes: int = 30


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
    shifts: list[Entry] = field(default_factory=list)  # duty: the shifts of jurists at overlapping hours

    @property
    def free(self) -> int:
        return sum(s.free for s in self.slots)

    def slot_place(self, slot: SlotCell) -> str:
        """The classes that put a slot at its minute within this permanence's box."""
        return grid.place(int((slot.starts - self.starts).total_seconds()) // 60, slot.minutes)


@dataclass
class Day:
    day: date
    holiday: bool
    closed: dict[str | None, str] = field(default_factory=dict)  # mission (None: both lines) -> why closed
    entries: list[Entry] = field(default_factory=list)
    placed: list[grid.Placed] = field(default_factory=list)  # the permanences and appointments, in lanes
    lanes: int = 1
    duty: list[grid.Placed] = field(default_factory=list)  # the duty blocks (never overlapping): a strip

    def line_closed(self, mission: str) -> bool:
        return self.holiday or None in self.closed or mission in self.closed


@dataclass
class View:
    """The days shown and the hours of their grid (the last one is its bottom line)."""

    days: list[Day]
    first_hour: int
    last_hour: int

    @property
    def hours(self) -> list[int]:
        """Every hour labelled, the last included."""
        return list(range(self.first_hour, self.last_hour + 1))

    @property
    def span(self) -> int:
        return self.last_hour - self.first_hour


def monday_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


def first_free(
    now: datetime, zone: ZoneInfo, *, mission: str | None, territory: str | None
) -> tuple[appointments.Slot | None, bool]:
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


def view(user: User, filters: Filters, now: datetime, zone: ZoneInfo, *, keep: date | None = None) -> View:
    """The days from filters.start, each entry in time order and placed in the grid. A Saturday or Sunday
    with nothing to show is left out of a week (the weekdays get its width), unless it is `keep`."""
    missions = [m for m in visible_missions(user) if filters.mission in (None, m)]
    days = [
        Day(filters.start + timedelta(days=n), is_holiday(filters.start + timedelta(days=n)))
        for n in range(filters.count)
    ]
    _closures(days)
    if missions:
        entries = (
            _permanences(filters, missions, now, zone)
            + _duty(days, filters, missions, zone)
            + _appointments(filters, missions, zone)
        )
        for entry in entries:
            days[(entry.starts.date() - filters.start).days].entries.append(entry)
    for day in days:
        day.entries.sort(key=lambda e: (e.starts, e.kind != "permanence", e.title))
    first, last = grid.hour_range(_opening(missions), [(e.starts, e.ends) for d in days for e in d.entries])
    if filters.count > 1:
        days = [d for d in days if d.entries or d.day.weekday() < 5 or d.day == keep]
    for day in days:
        day.placed, day.lanes = grid.lay_out([e for e in day.entries if e.kind != "duty"], first, last, weight=_room)
        day.duty = [
            grid.Placed(e, *grid.span_of(e.starts, e.ends, first, last), 1, 1) for e in day.entries if e.kind == "duty"
        ]
    return View(days, first, last)


def _room(entry: Entry) -> int:
    """A permanence's lane is three times an appointment's: its slots need a column of their own beside
    its text, and booking needs them in the week (an appointment's time and name are in its title)."""
    return 3 if entry.kind == "permanence" and entry.slots and not entry.not_held else 1


def closing_time(user: User) -> time | None:
    """The latest closing hour of the user's missions' lines (None without opening hours)."""
    found = _opening(visible_missions(user))
    return found[0][1] if found else None


def _opening(missions: list[str]) -> list[tuple[time, time]]:
    if not missions:
        return []
    rows = db.session.execute(
        select(func.min(OpeningHours.opens), func.max(OpeningHours.closes))
        .where(OpeningHours.mission.in_(missions))
        .having(func.count() > 0)
    )
    return [(opens, closes) for opens, closes in rows]


def _closures(days: list[Day]) -> None:
    """Each day's closures of a line (public holidays are Day.holiday)."""
    rows = db.session.scalars(
        select(Closure)
        .where(Closure.starts_on <= days[-1].day, Closure.ends_on >= days[0].day)
        .order_by(Closure.starts_on)
    )
    for closure in rows:
        for day in days:
            if closure.starts_on <= day.day <= closure.ends_on:
                day.closed[closure.mission] = closure.reason


def _permanences(filters: Filters, missions: list[str], now: datetime, zone: ZoneInfo) -> list[Entry]:
    end = filters.end
    booked = appointments.booked_slots(
        datetime.combine(filters.start, time(), zone), datetime.combine(end + timedelta(days=1), time(), zone)
    )
    found = []
    for o in permanences.occurrences(
        filters.start, end, mission=filters.mission, territory=filters.territory, user_id=filters.jurist_id
    ):
        p = o.permanence
        if p.mission not in missions:
            continue
        cells = (
            []
            if o.not_held
            else [
                SlotCell(
                    moment,
                    appointments.Slot(p, moment).key,
                    moment > now and (p.id, moment.astimezone(now.tzinfo)) not in booked,
                    p.slot_minutes or 30,
                )
                for moment in appointments.slot_starts(o, zone)
            ]
        )
        found.append(
            Entry(
                "permanence",
                o.starts_at(zone),
                o.ends_at(zone),
                p.name,
                p.mission,
                jurist=p.user.name if p.user else None,
                detail=f"{p.address}, {p.place.commune.name}",
                not_held=o.not_held,
                slots=cells,
            )
        )
    return found


def _duty(days: list[Day], filters: Filters, missions: list[str], zone: ZoneInfo) -> list[Entry]:
    """The shifts of the series running each day, but none on a day the mission's line is closed."""
    query = (
        select(DutyShift)
        .options(selectinload(DutyShift.user))
        .where(
            DutyShift.mission.in_(missions),
            or_(DutyShift.valid_from.is_(None), DutyShift.valid_from <= filters.end),
            or_(DutyShift.valid_until.is_(None), DutyShift.valid_until >= filters.start),
        )
    )
    if filters.jurist_id:
        query = query.where(DutyShift.user_id == filters.jurist_id)
    if filters.territory:  # the shifts of that territory, and of the general pool
        query = query.where((DutyShift.territory_code == filters.territory) | DutyShift.territory_code.is_(None))
    series = list(db.session.scalars(query))
    found = []
    for day in days:
        shifts = sorted(
            (
                Entry(
                    "duty",
                    datetime.combine(day.day, shift.starts, zone),
                    datetime.combine(day.day, shift.ends, zone),
                    "Garde au numéro vert",
                    shift.mission,
                    jurist=shift.user.name,
                    detail=territory_labels().get(shift.territory_code)
                    if shift.territory_code
                    else "Tous les territoires",
                )
                for shift in series
                if runs_on(shift, day.day) and not day.line_closed(shift.mission)
            ),
            key=lambda e: (e.starts, e.ends, e.mission, e.jurist),
        )
        found += _together(shifts)
    return found


def _together(shifts: list[Entry]) -> list[Entry]:
    """Shifts at overlapping hours as one entry from the first start to the last end, each listed within:
    the grid keeps a readable width when many jurists are on duty at once."""
    blocks: list[Entry] = []
    for shift in shifts:
        if blocks and shift.starts < blocks[-1].ends:
            blocks[-1].ends = max(blocks[-1].ends, shift.ends)
            blocks[-1].shifts.append(shift)
            if shift.mission != blocks[-1].mission:
                blocks[-1].mission = ""
        else:
            blocks.append(Entry("duty", shift.starts, shift.ends, shift.title, shift.mission, shifts=[shift]))
    return blocks


def _appointments(filters: Filters, missions: list[str], zone: ZoneInfo) -> list[Entry]:
    start = datetime.combine(filters.start, time(), zone)
    query = (
        select(Appointment)
        .options(
            selectinload(Appointment.household).selectinload(Household.commune),
            selectinload(Appointment.permanence),
            selectinload(Appointment.user),
        )
        .where(
            Appointment.starts_at >= start,
            Appointment.starts_at < datetime.combine(filters.end + timedelta(days=1), time(), zone),
            Appointment.status != "cancelled",
            Appointment.mission.in_(missions),
        )
        .order_by(Appointment.starts_at)
    )
    if filters.jurist_id:
        query = query.where(Appointment.user_id == filters.jurist_id)
    found = []
    for a in db.session.scalars(query):
        territory = (
            a.permanence.territory_code
            if a.permanence
            else a.household.commune.territory_code
            if a.household.commune
            else None
        )
        if filters.territory and territory != filters.territory:
            continue
        local = a.starts_at.astimezone(zone)
        found.append(
            Entry(
                "appointment",
                local,
                local + timedelta(minutes=a.minutes),
                a.household.display_name,
                a.mission,
                jurist=a.user.name if a.user else None,
                detail=a.permanence.name if a.permanence else "Au bureau",
                appointment=a,
            )
        )
    return found
