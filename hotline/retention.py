"""How long personal data is kept, and the purge that enforces it (run nightly by the scheduler,
or by `hotline purge`). Statistics survive: rows are kept, the personal fields are emptied.

- login attempts (address and e-mail typed): RETENTION_LOGIN_DAYS (180);
- audit events (who read what): RETENTION_AUDIT_DAYS (365);
- callers' numbers and voicemail links in the call log: RETENTION_CALLER_DAYS (365);
- households without a consultation or appointment for RETENTION_HOUSEHOLD_YEARS (3): their name
  and phone number are erased; their consultations, composition and commune stay for the figures.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from dateutil.relativedelta import relativedelta
from flask import current_app
from sqlalchemy import delete, exists, func, or_, select, update

from hotline.appointments.models import Appointment
from hotline.audit import AuditEvent
from hotline.auth.models import LoginAttempt
from hotline.consultations.models import Consultation, Household
from hotline.extensions import db
from hotline.ivr.models import Call


def purge(now: datetime, *, dry_run: bool = False) -> dict[str, int]:
    """Counts of what was (or, with dry_run, would be) deleted or erased. Flushes; the caller commits."""
    cfg = current_app.config
    login_limit = now - timedelta(days=cfg["RETENTION_LOGIN_DAYS"])
    audit_limit = now - timedelta(days=cfg["RETENTION_AUDIT_DAYS"])
    caller_limit = now - timedelta(days=cfg["RETENTION_CALLER_DAYS"])
    household_limit = (now - relativedelta(years=cfg["RETENTION_HOUSEHOLD_YEARS"])).date()

    old_calls = (Call.started_at < caller_limit) & (or_(Call.from_number.is_not(None), Call.recording_url.is_not(None)))
    recent_consultation = exists().where(Consultation.household_id == Household.id,
                                         Consultation.date >= household_limit)
    recent_appointment = exists().where(Appointment.household_id == Household.id,
                                        Appointment.starts_at >= datetime.combine(household_limit, datetime.min.time(),
                                                                                  now.tzinfo))
    stale_households = (or_(Household.name.is_not(None), Household.phone.is_not(None))
                        & (Household.created_at < now - relativedelta(years=cfg["RETENTION_HOUSEHOLD_YEARS"]))
                        & ~recent_consultation & ~recent_appointment)
    plan = {
        "login_attempts": (LoginAttempt, LoginAttempt.at < login_limit, None),
        "audit_events": (AuditEvent, AuditEvent.at < audit_limit, None),
        "caller_numbers": (Call, old_calls, {"from_number": None, "recording_url": None}),
        "households": (Household, stale_households, {"name": None, "phone": None}),
    }
    counts = {}
    for name, (model, condition, erase) in plan.items():
        counts[name] = db.session.scalar(select(func.count()).select_from(model).where(condition)) or 0
        if dry_run or not counts[name]:
            continue
        if erase is None:
            db.session.execute(delete(model).where(condition).execution_options(synchronize_session=False))
        else:
            db.session.execute(update(model).where(condition).values(**erase)
                               .execution_options(synchronize_session=False))
    db.session.flush()
    return counts
