"""How long personal data is kept, and the purge that enforces it (run nightly by the scheduler,
or by `hotline purge`). Statistics survive: rows are kept, the personal fields are emptied
(hotline/privacy/personal.py says which).

- login attempts (address and e-mail typed): RETENTION_LOGIN_DAYS (180);
- audit events (who read what): RETENTION_AUDIT_DAYS (365);
- callers' numbers, voicemail links and callback comments in the call log: RETENTION_CALLER_DAYS (365);
- households without a consultation or appointment for RETENTION_HOUSEHOLD_YEARS (3): their name,
  phone number and file reference, their consultations' notes (and the history of them), the calls
  they came from, callback comments and appointments' SMS are erased; their consultations,
  composition and commune stay for the figures;
- background imports ended RETENTION_IMPORT_JOB_DAYS (30) ago: their errors (which quote the file's
  cells) and their file's name are erased; the job's state, counts, author and dates stay.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from dateutil.relativedelta import relativedelta
from flask import current_app
from sqlalchemy import delete, exists, func, select

from hotline.appointments.models import Appointment
from hotline.auth import throttle
from hotline.auth.models import LoginAttempt
from hotline.consultations.imports import jobs as import_jobs
from hotline.consultations.imports.jobs import ImportJob
from hotline.consultations.models import Consultation, Household
from hotline.core.audit import AuditEvent
from hotline.extensions import db
from hotline.ivr.models import Call
from hotline.privacy import personal


def _count(model, condition) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(condition)) or 0


def purge(now: datetime, *, dry_run: bool = False) -> dict[str, int]:
    """Counts of what was (or, with dry_run, would be) deleted or erased. Flushes; the caller commits."""
    cfg = current_app.config
    login_limit = now - timedelta(days=cfg["RETENTION_LOGIN_DAYS"])
    audit_limit = now - timedelta(days=cfg["RETENTION_AUDIT_DAYS"])
    caller_limit = now - timedelta(days=cfg["RETENTION_CALLER_DAYS"])
    household_since = now - relativedelta(years=cfg["RETENTION_HOUSEHOLD_YEARS"])
    old_import_jobs = import_jobs.ended_before(now - timedelta(days=cfg["RETENTION_IMPORT_JOB_DAYS"]))

    old_calls = (Call.started_at < caller_limit) & personal.call_holds_personal_data()
    recent_consultation = exists().where(
        Consultation.household_id == Household.id, Consultation.date >= household_since.date()
    )
    recent_appointment = exists().where(
        Appointment.household_id == Household.id,
        Appointment.starts_at >= datetime.combine(household_since.date(), datetime.min.time(), now.tzinfo),
    )
    stale_households = (
        personal.household_holds_personal_data()
        & (Household.created_at < household_since)
        & ~recent_consultation
        & ~recent_appointment
    )
    counts = {}
    for name, model, condition in (
        ("login_attempts", LoginAttempt, LoginAttempt.at < login_limit),
        ("audit_events", AuditEvent, AuditEvent.at < audit_limit),
    ):
        counts[name] = _count(model, condition)
        if counts[name] and not dry_run:
            db.session.execute(delete(model).where(condition).execution_options(synchronize_session=False))
    if not dry_run:  # the login throttle's rows hold keyed hashes only, and are not counted
        throttle.forget(login_limit)
    counts["caller_numbers"] = _count(Call, old_calls)
    if counts["caller_numbers"] and not dry_run:
        personal.erase_calls(old_calls)
    counts["import_jobs"] = _count(ImportJob, old_import_jobs)
    if counts["import_jobs"] and not dry_run:
        import_jobs.erase(old_import_jobs)
    households = list(db.session.scalars(select(Household.id).where(stale_households).order_by(Household.id)))
    counts["households"] = len(households)
    if households and not dry_run:
        personal.erase_households(households)
    db.session.flush()
    return counts
