"""What each role's home shows: one function per role, reading each concern's services. Reads only.

Jurist: calls and callbacks to handle, today's and tomorrow's appointments, the next permanences, the
deadlines of the coming 15 days, what is left to finish. Manager: the key figures of the month and their
change, the callbacks waiting per territory, the duty gaps. Admin: accounts, duty gaps, the coming
permanences without a jurist.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from itertools import groupby
from zoneinfo import ZoneInfo

from dateutil.relativedelta import relativedelta
from flask import current_app
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from hotline.appointments.models import Appointment
from hotline.auth.models import ROLES, User
from hotline.calls import worklist
from hotline.cases.services import DEADLINE_LABELS
from hotline.consultations.models import Household
from hotline.consultations.services import coming_deadlines
from hotline.core import charts
from hotline.extensions import db
from hotline.ivr import calls
from hotline.ivr.models import Call, CallbackTask
from hotline.permanences import duty
from hotline.permanences import services as permanences
from hotline.reference import labels
from hotline.reports import definitions, tidy
from hotline.reports import services as reports
from hotline.sms import twilio_client as sms

NOT_AVAILABLE = "non disponible"  # a month the data does not cover: never an invented 0
DEADLINES_WITHIN = 15  # days
GAPS_WITHIN = 14  # days
PERMANENCES_WITHIN = 14  # days, for a jurist's next permanences
UNSTAFFED_WITHIN = 8  # weeks, for the permanences without a jurist
# The manager's key figures, in the order shown, with their French names.
KEY_FIGURES = {
    "consultations": "Consultations",
    "households": "Ménages",
    "calls_answered": "Appels répondus",
    "calls_missed": "Appels manqués",
    "callbacks_done": "Rappels faits",
    "permanences_held": "Permanences tenues",
}


@dataclass(frozen=True)
class Deadline:
    household: Household
    key: str
    day: date

    @property
    def label(self) -> str:
        return DEADLINE_LABELS.get(self.key, self.key)


@dataclass
class JuristHome:
    unlogged: list[Call]  # answered calls with neither a consultation nor a closing reason
    my_callbacks: list[CallbackTask]  # claimed by the jurist, not done
    open_callbacks: list[CallbackTask]  # nobody's yet, in the jurist's missions; own territories first
    appointments: list[tuple[date, list[Appointment]]]  # today's and tomorrow's
    to_settle: list[Appointment]  # the jurist's past appointments still "booked": held or absent?
    permanences: list[permanences.Occurrence]
    deadlines: list[Deadline]

    @property
    def to_finish(self) -> int:
        return len(self.unlogged) + len(self.to_settle)


def _local_midnight(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time(), zone)


def _booked(user: User, start: datetime, end: datetime) -> list[Appointment]:
    """The jurist's booked appointments from start to end. (The agenda will offer the same question.)"""
    return list(
        db.session.scalars(
            select(Appointment)
            .where(
                Appointment.user_id == user.id,
                Appointment.status == "booked",
                Appointment.starts_at >= start,
                Appointment.starts_at < end,
            )
            .options(selectinload(Appointment.household), selectinload(Appointment.permanence))
            .order_by(Appointment.starts_at)
        )
    )


def jurist_home(user: User, now: datetime, zone: ZoneInfo) -> JuristHome:
    today = now.astimezone(zone).date()
    tasks = calls.open_tasks(user)
    mine = set(user.territories)
    open_callbacks = sorted(
        (t for t in tasks if t.status == "open"), key=lambda t: (t.call.territory_code not in mine, t.created_at)
    )
    days = [today, today + timedelta(days=1)]
    coming = _booked(user, _local_midnight(today, zone), _local_midnight(today + timedelta(days=2), zone))
    by_day = {day: [a for a in coming if a.starts_at.astimezone(zone).date() == day] for day in days}
    next_permanences = [
        o
        for o in permanences.occurrences(today, today + timedelta(days=PERMANENCES_WITHIN), user_id=user.id)
        if o.not_held is None and o.ends_at(zone) > now
    ]
    return JuristHome(
        unlogged=worklist.unlogged_calls(user),
        my_callbacks=[t for t in tasks if t.status == "claimed" and t.claimed_by_id == user.id],
        open_callbacks=open_callbacks,
        appointments=list(by_day.items()),
        to_settle=_booked(user, now - timedelta(days=60), now),
        permanences=next_permanences[:5],
        deadlines=[Deadline(*item) for item in coming_deadlines(user, today, DEADLINES_WITHIN)],
    )


@dataclass(frozen=True)
class Figure:
    """A key figure of the month, of the month before, and the change."""

    name: str
    current: int | Decimal
    previous: int | Decimal | None  # None: the data does not cover the month before (the service's first month)
    better: int = 0  # definitions.better: 1 more is better, -1 more is worse, 0 neither

    @property
    def previous_text(self) -> str:
        return NOT_AVAILABLE if self.previous is None else str(self.previous)

    @property
    def change(self) -> str:
        """ "+24 (+12 %)", "−30 (−10 %)" (a narrow no-break space before %), "=", or "+3" alone when the month
        before had fewer than charts.SMALL_BASE (2 to 5 is not "+150 %"); "non disponible" without a month before."""
        if self.previous is None:
            return NOT_AVAILABLE
        return charts.change_text(self.current, self.previous, with_difference=True)

    @property
    def tone(self) -> str:
        """ "good", "bad" or "neutral": by what the figure means (more missed calls is bad), not by its sign."""
        if self.previous is None:
            return "neutral"
        return charts.tone(self.current, self.previous, self.better)

    @property
    def meaning(self) -> str:
        """What the colour says, in words (for those who do not see it)."""
        return {"good": "favorable", "bad": "défavorable"}.get(self.tone, "")


@dataclass
class MissionFigures:
    mission: str
    figures: list[Figure]


@dataclass
class TerritoryCallbacks:
    territory: str
    waiting: int  # nobody took them yet
    claimed: int  # taken, not done
    oldest: datetime  # when the oldest of their calls came in


@dataclass
class ManagerHome:
    month: date  # the last complete month
    before: date  # the month before it
    current: date  # the month in progress
    missions: list[MissionFigures]
    month_to_date: dict[str, int]  # mission -> consultations so far this month
    callbacks: list[TerritoryCallbacks]
    gaps: list[duty.Gap]


def key_figures(rows: list[tidy.Row], mission: str, month: date, before: date) -> list[Figure]:
    """The figures of `month` and `before` (first days) read from the report's rows (whole territory). A month
    before without a single row of the mission is one the data does not cover (the service's log began after
    it, as the bilan reads it): its figures are not 0s, and no change is said against it."""

    def value(period: date, indicator: str):
        return tidy.value_of(rows, mission, f"{period:%Y-%m}", tidy.ALL, indicator)

    covered = any(row.mission == mission and row.period == f"{before:%Y-%m}" for row in rows)
    return [
        Figure(
            name,
            value(month, indicator),
            value(before, indicator) if covered else None,
            definitions.better(indicator),
        )
        for indicator, name in KEY_FIGURES.items()
    ]


def callbacks_by_territory(tasks: list[CallbackTask]) -> list[TerritoryCallbacks]:
    def territory(task: CallbackTask) -> str:
        return task.call.territory_code or "non_renseigne"

    found = []
    for code, group in groupby(sorted(tasks, key=territory), key=territory):
        group = list(group)
        found.append(
            TerritoryCallbacks(
                code,
                sum(t.status == "open" for t in group),
                sum(t.status == "claimed" for t in group),
                min(t.call.started_at for t in group),
            )
        )
    return sorted(found, key=lambda t: (-(t.waiting + t.claimed), t.territory))


def manager_home(user: User, now: datetime, zone: ZoneInfo) -> ManagerHome:
    """The figures are those of "Rapports", read as its page reads them (the monthly rollup, not the
    consultations: reports.services.page), so that the home and the reports agree and the home stays fast
    whatever the number of consultations: the last complete month against the month before (a month in
    progress would always seem to fall), and the consultations of the month in progress so far."""
    current = now.astimezone(zone).date().replace(day=1)
    month, before = current - relativedelta(months=1), current - relativedelta(months=2)
    missions = list(labels("missions"))
    rows = reports.page(before, current, missions, now, zone, households=False)
    return ManagerHome(
        month=month,
        before=before,
        current=current,
        missions=[MissionFigures(m, key_figures(rows, m, month, before)) for m in missions],
        month_to_date={m: int(tidy.value_of(rows, m, f"{current:%Y-%m}", tidy.ALL, "consultations")) for m in missions},
        callbacks=callbacks_by_territory(calls.open_tasks(user)),
        gaps=duty.duty_gaps(now, zone, GAPS_WITHIN),
    )


@dataclass
class AdminHome:
    accounts: dict[str, int]  # role label -> active accounts
    disabled: int
    jurists_without_mission: list[User]
    gaps: list[duty.Gap]
    unstaffed: list[permanences.Occurrence] = field(default_factory=list)
    sms_missing: list[str] = field(default_factory=list)  # the settings SMS still need (sms.missing_settings)


def admin_home(now: datetime, zone: ZoneInfo) -> AdminHome:
    counts = dict(
        db.session.execute(select(User.role, func.count()).where(User.active.is_(True)).group_by(User.role)).all()
    )
    disabled = db.session.scalar(select(func.count()).select_from(User).where(User.active.is_(False)))
    jurists = db.session.scalars(
        select(User)
        .where(User.role == "jurist", User.active.is_(True))
        .options(selectinload(User.mission_links))
        .order_by(User.name)
    )
    today = now.astimezone(zone).date()
    start, end = permanences.horizon(today, UNSTAFFED_WITHIN)
    unstaffed = [
        o
        for o in permanences.occurrences(start, end)
        if o.permanence.user_id is None and o.not_held is None and o.ends_at(zone) > now
    ]
    return AdminHome(
        accounts={label: counts.get(role, 0) for role, label in ROLES.items()},
        disabled=disabled or 0,
        jurists_without_mission=[u for u in jurists if not u.missions],
        gaps=duty.duty_gaps(now, zone, GAPS_WITHIN),
        unstaffed=unstaffed,
        sms_missing=sms.missing_settings(current_app.config),
    )
