"""Booking appointments, the free slots of permanences, and what became of an appointment.
Services flush only; times are local wall times of the service's zone, stored in UTC."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from hotline.appointments import office
from hotline.appointments.models import Appointment
from hotline.auth.access import readable_missions
from hotline.auth.models import User
from hotline.cases.services import case_of
from hotline.consultations.models import Household
from hotline.core import date_bounds, opening
from hotline.core.formatting import fr_date
from hotline.core.hours import is_holiday
from hotline.core.ids import parse_id
from hotline.extensions import db
from hotline.permanences import services as permanences
from hotline.permanences.models import Permanence
from hotline.reference import labels
from hotline.sms.models import SmsMessage

EVICTION = "prevention_expulsion"


class BookingError(ValueError):
    """A French message: why this booking or change is refused."""


@dataclass(frozen=True)
class Slot:
    permanence: Permanence
    starts: datetime  # aware, local

    @property
    def key(self) -> str:
        return f"{self.permanence.id}|{self.starts.isoformat()}"


def slot_starts(occurrence: permanences.Occurrence, zone: ZoneInfo) -> list[datetime]:
    """Every slot of a held occurrence (aware, local), from its opening to its last full slot."""
    p = occurrence.permanence
    moment, last = occurrence.starts_at(zone), occurrence.ends_at(zone)
    step, found = timedelta(minutes=p.slot_minutes or 30), []
    while moment + step <= last:
        found.append(moment)
        moment += step
    return found


def booked_slots(start: datetime, end: datetime) -> set[tuple[int, datetime]]:
    """(permanence id, UTC start) of the slots booked from start to end."""
    return {
        (a.permanence_id, a.starts_at)
        for a in db.session.scalars(
            select(Appointment).where(
                Appointment.status == "booked",
                Appointment.permanence_id.is_not(None),
                Appointment.starts_at >= start,
                Appointment.starts_at < end,
            )
        )
    }


def free_slots(
    start: date, end: date, now: datetime, zone: ZoneInfo, *, mission: str | None = None, territory: str | None = None
) -> list[Slot]:
    """The permanences' slots from start to end that are still free and not past."""
    booked = booked_slots(now, datetime.combine(end + timedelta(days=1), datetime.min.time(), zone))
    return [
        Slot(o.permanence, moment)
        for o in permanences.occurrences(start, end, mission=mission, territory=territory)
        if not o.not_held
        for moment in slot_starts(o, zone)
        if moment > now and (o.permanence.id, moment.astimezone(now.tzinfo)) not in booked
    ]


def parse_slot(key: str, zone: ZoneInfo) -> tuple[Permanence, datetime] | None:
    """The permanence and local start of a slot key "id|ISO instant"; None for anything else."""
    permanence_id, _, moment = (key or "").partition("|")
    identifier = parse_id(permanence_id)
    try:
        starts = datetime.fromisoformat(moment)
        starts = starts.astimezone(zone) if starts.tzinfo is not None else None
    except (ValueError, OverflowError):
        return None
    permanence = db.session.get(Permanence, identifier) if identifier else None
    if permanence is None or starts is None:
        return None
    return permanence, starts


def book(
    household: Household,
    *,
    mission: str,
    jurist: User | None,
    booked_by: User,
    now: datetime,
    zone: ZoneInfo,
    slot: str | None = None,
    office_at: datetime | None = None,
    minutes: int = 30,
    sms_reminder: bool = False,
) -> Appointment:
    """An appointment in a permanence's slot ("id|ISO instant") or at the office at `office_at`."""
    if sms_reminder and not household.phone:
        raise BookingError("Ce ménage n'a pas de numéro de téléphone : pas de rappel par SMS possible.")
    if slot:
        found = parse_slot(slot, zone)
        if found is None:
            raise BookingError("Ce créneau n'existe pas.")
        permanence, starts = found
        if permanence.mission != mission:
            raise BookingError(
                f"Ce créneau est celui d'une permanence « {labels('missions')[permanence.mission]} » : "
                "choisissez cette mission ou un autre créneau."
            )
        _refuse_out_of_range(starts, now, zone)
        occurrence = permanences.occurrence_on(permanence, starts.date()) if permanence.active else None
        if occurrence is None or occurrence.not_held:
            raise BookingError("La permanence n'a pas lieu ce jour-là.")
        minutes = permanence.slot_minutes or 30
        offset = (starts - occurrence.starts_at(zone)).total_seconds() / 60
        if offset < 0 or offset % minutes or starts + timedelta(minutes=minutes) > occurrence.ends_at(zone):
            raise BookingError("Ce créneau n'existe pas.")
        jurist = permanence.user or jurist
    elif office_at is not None:
        permanence, starts = None, office_at if office_at.tzinfo else office_at.replace(tzinfo=zone)
        if jurist is None:
            raise BookingError("Choisissez le juriste qui reçoit au bureau.")
        _refuse_out_of_range(starts, now, zone)
    else:
        raise BookingError("Choisissez un créneau de permanence ou une date au bureau.")
    if permanence is None:
        _check_office_hours(mission, starts.astimezone(zone), minutes)
    starts_utc = starts.astimezone(now.tzinfo)
    if permanence is not None and db.session.scalar(
        select(Appointment.id).where(
            Appointment.permanence_id == permanence.id,
            Appointment.starts_at == starts_utc,
            Appointment.status == "booked",
        )
    ):
        raise BookingError("Ce créneau vient d'être pris : choisissez-en un autre.")
    if jurist is not None and _overlaps(jurist.id, starts_utc, minutes):
        raise BookingError(f"{jurist.name} a déjà un rendez-vous à cette heure-là.")
    appointment = Appointment(
        household_id=household.id,
        mission=mission,
        permanence_id=permanence.id if permanence else None,
        starts_at=starts_utc,
        minutes=minutes,
        user_id=jurist.id if jurist else None,
        booked_by_id=booked_by.id,
        status="booked",
        sms_reminder=sms_reminder,
    )
    db.session.add(appointment)
    db.session.flush()
    return appointment


def _refuse_out_of_range(starts: datetime, now: datetime, zone: ZoneInfo) -> None:
    """Not past, at most twelve months ahead: checked before any arithmetic on a typed instant (9999-12-31
    at 23:59 plus the appointment's minutes overflowed)."""
    refusal = date_bounds.appointment_start(starts, now.astimezone(zone))
    if refusal:
        raise BookingError(refusal)


def _check_office_hours(mission: str, starts: datetime, minutes: int) -> None:
    slots, closures = opening.slots(mission), opening.periods(mission)
    if office.within_hours(starts, minutes, slots, closures):
        return
    day = starts.date()
    why = (
        " (jour férié)"
        if is_holiday(day)
        else " (fermeture)"
        if any(p.starts_on <= day <= p.ends_on for p in closures)
        else ""
    )
    usual = office.day_hours(starts.weekday(), slots)
    raise BookingError(
        f"Le {fr_date(day)} à {starts:%H:%M}, le bureau est fermé{why} : un rendez-vous au bureau "
        f"({minutes} min) se prend pendant les heures d'ouverture"
        + (f", ce jour-là {usual}." if usual and not why else ".")
    )


def _overlaps(user_id: int, starts: datetime, minutes: int) -> bool:
    ends = starts + timedelta(minutes=minutes)
    window = select(Appointment).where(
        Appointment.user_id == user_id,
        Appointment.status == "booked",
        Appointment.starts_at < ends,
        Appointment.starts_at > starts - timedelta(hours=4),
    )
    return any(a.starts_at + timedelta(minutes=a.minutes) > starts for a in db.session.scalars(window))


OUTCOMES = {"held", "no_show", "cancelled"}


def settle(appointment: Appointment, status: str, now: datetime) -> None:
    """Mark a booked appointment held, missed (no_show) or cancelled; held and no_show once started."""
    if status not in OUTCOMES:
        raise BookingError("Choix inconnu.")
    if appointment.status != "booked":
        raise BookingError("Ce rendez-vous est déjà clos.")
    if status in ("held", "no_show") and appointment.starts_at > now:
        raise BookingError("Ce rendez-vous n'a pas encore commencé.")
    appointment.status = status
    db.session.flush()


def listing(user: User, start: datetime, *, limit: int = 200) -> list[Appointment]:
    """Coming appointments (and those of today): a jurist's own and their missions'; everything for a manager."""
    query = (
        select(Appointment)
        .where(Appointment.starts_at >= start)
        .order_by(Appointment.starts_at)
        .limit(limit)
        .options(selectinload(Appointment.reminder), selectinload(Appointment.confirmation))
    )
    if user.role == "jurist":
        query = query.where((Appointment.user_id == user.id) | Appointment.mission.in_(user.missions or ["-"]))
    elif user.role != "manager":
        return []
    return list(db.session.scalars(query))


def for_household(household: Household, user: User) -> list[Appointment]:
    """The household's appointments the user may see, latest first."""
    if user.role not in ("jurist", "manager"):
        return []
    query = select(Appointment).where(Appointment.household_id == household.id).order_by(Appointment.starts_at.desc())
    return [a for a in db.session.scalars(query) if user.role == "manager" or can_change(user, a)]


def can_change(user: User, appointment: Appointment) -> bool:
    return user.role == "jurist" and (appointment.user_id == user.id or appointment.mission in (user.missions or []))


def default_mission(household: Household, user: User) -> str | None:
    """The mission of the household's case, for this user: that of its latest consultation the user
    may read, or the eviction mission when it has a case (hotline.cases); one of a jurist's missions."""
    readable = readable_missions(user)
    seen = [c.mission for c in household.consultations if readable is None or c.mission in readable]
    mission = seen[-1] if seen else EVICTION if case_of(household) is not None else None
    if mission is None or user.role != "jurist" or mission in user.missions:
        return mission
    return user.missions[0] if user.missions else None


def messages(user: User, *, limit: int = 300) -> list[tuple[SmsMessage, Appointment]]:
    """The SMS of the appointments the user may see (a jurist's own and their missions'; every one
    for a manager), latest first."""
    query = (
        select(SmsMessage, Appointment)
        .join(Appointment, SmsMessage.appointment_id == Appointment.id)
        .options(selectinload(Appointment.household), selectinload(Appointment.permanence))
        .order_by(SmsMessage.id.desc())
        .limit(limit)
    )
    if user.role == "jurist":
        query = query.where((Appointment.user_id == user.id) | Appointment.mission.in_(user.missions or ["-"]))
    elif user.role != "manager":
        return []
    return [(message, appointment) for message, appointment in db.session.execute(query)]
