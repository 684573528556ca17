"""Flags on a household: "ne pas rappeler", "ne pas envoyer de SMS", each with a reason (a code) and an
optional last day. Set and cleared by a jurist who may read the household (audited by the view); obeyed by
the appointments' SMS (appointments/reminders.py), the voice menu's self-service SMS (through the
function create_app hands to the voice app: `sms_refused`) and the callback list (`blocks`).

A flag holds through its last day, in local wall time: `today` is the caller's local date. Services flush.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import or_, select, union

from hotline.consultations.models import Household, HouseholdFlag, HouseholdNumber
from hotline.core import clock, date_bounds
from hotline.core.phones import e164
from hotline.extensions import db

KINDS = {"callback": "Ne pas rappeler", "sms": "Ne pas envoyer de SMS"}
REASONS = {  # short: a drop-down on a phone shows them whole
    "household_request": "Demande du ménage",
    "safety": "Sécurité du ménage",
    "wrong_number": "Numéro erroné ou changé",
    "other": "Autre motif",
}


class FlagError(ValueError):
    """A French message: why the flag is refused."""


def _holding(today: date):
    return or_(HouseholdFlag.ends_on.is_(None), HouseholdFlag.ends_on >= today)


def active(household_id: int, today: date) -> list[HouseholdFlag]:
    """The household's flags that hold today, in KINDS' order."""
    rows = db.session.scalars(select(HouseholdFlag).where(HouseholdFlag.household_id == household_id, _holding(today)))
    order = list(KINDS)
    return sorted(rows, key=lambda flag: order.index(flag.kind) if flag.kind in order else len(order))


def blocks(household_id: int | None, kind: str, today: date) -> bool:
    """Whether the household has a flag of this kind ("callback", "sms") that holds today."""
    if household_id is None:
        return False
    found = select(HouseholdFlag.id).where(
        HouseholdFlag.household_id == household_id, HouseholdFlag.kind == kind, _holding(today)
    )
    return db.session.scalar(found.limit(1)) is not None


def number_blocked(number: str | None, kind: str, today: date) -> bool:
    """Whether a household holding this number has a flag of this kind that holds today."""
    normalized = e164(number)
    return normalized is not None and normalized in refused_numbers([normalized], kind, today)


def sms_refused(number: str | None, today: date) -> bool:
    """No SMS to this number: a household holding it is flagged "ne pas envoyer de SMS"."""
    return number_blocked(number, "sms", today)


def last_day_problem(day: date | None, today: date) -> str | None:
    """A flag's last day: from today on, within the planning's two years; None (until cleared) is fine."""
    if day is None:
        return None
    if day < today:
        return "La date de fin ne peut pas être passée : laissez-la vide pour un signalement sans fin."
    return date_bounds.planning_day(day, today)


def set_flag(household: Household, kind: str, reason: str, ends_on: date | None, user_id: int, today: date):
    """Set (or replace) the household's flag of this kind. Raises FlagError. Flushes."""
    if kind not in KINDS:
        raise FlagError("Choisissez le signalement.")
    if reason not in REASONS:
        raise FlagError("Choisissez le motif.")
    problem = last_day_problem(ends_on, today)
    if problem:
        raise FlagError(problem)
    flag = db.session.scalar(
        select(HouseholdFlag).where(HouseholdFlag.household_id == household.id, HouseholdFlag.kind == kind)
    )
    if flag is None:
        flag = HouseholdFlag(household_id=household.id, kind=kind)
        db.session.add(flag)
    flag.reason, flag.ends_on, flag.set_by_id, flag.set_at = reason, ends_on, user_id, clock.now()
    db.session.flush()
    return flag


def clear_flag(household: Household, kind: str) -> bool:
    """Remove the household's flag of this kind; whether there was one. Flushes."""
    flag = db.session.scalar(
        select(HouseholdFlag).where(HouseholdFlag.household_id == household.id, HouseholdFlag.kind == kind)
    )
    if flag is None:
        return False
    db.session.delete(flag)
    db.session.flush()
    return True


def refused_numbers(numbers, kind: str, today: date) -> dict[str, str]:
    """{E.164 number: the reason's label} for the numbers held by a household (its own or an attached one) with
    a flag of this kind that holds today: one query for a whole list (the callback list)."""
    wanted = {n for n in (e164(number) for number in numbers) if n}
    if not wanted:
        return {}
    holders = union(
        select(Household.phone.label("phone"), Household.id.label("household_id")).where(Household.phone.in_(wanted)),
        select(HouseholdNumber.phone, HouseholdNumber.household_id).where(HouseholdNumber.phone.in_(wanted)),
    ).subquery()
    found = (
        select(holders.c.phone, HouseholdFlag.reason)
        .join(HouseholdFlag, HouseholdFlag.household_id == holders.c.household_id)
        .where(HouseholdFlag.kind == kind, _holding(today))
    )
    return {phone: REASONS.get(reason, reason) for phone, reason in db.session.execute(found)}
