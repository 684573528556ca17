"""SMS reminders of appointments, sent by the scheduler process (`hotline scheduler`).

Each reminder is claimed by a conditional UPDATE before it is sent, so that it goes out once even if
two schedulers ran by mistake. The message names the day, time and place, never the reason.
"""
from __future__ import annotations

import logging
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import select, update

from hotline import sms
from hotline.appointments.models import Appointment
from hotline.extensions import db
from hotline.calendar import DAYS, MONTHS

log = logging.getLogger("hotline.reminders")


def text(appointment: Appointment, zone: ZoneInfo, office: str, phone: str | None) -> str:
    local = appointment.starts_at.astimezone(zone)
    when = f"le {DAYS[local.weekday()]} {local.day} {MONTHS[local.month - 1]} à {local:%H}h{local:%M}"
    place = f"{appointment.permanence.name}, {appointment.permanence.address}" if appointment.permanence else office
    back = f" Pour annuler ou déplacer : {phone}." if phone else ""
    return f"Rappel : rendez-vous avec un juriste du service logement {when}, {place}.{back}"


def due(now: datetime, hours_before: int) -> list[Appointment]:
    """Booked appointments agreed for a reminder, starting within `hours_before` hours, not reminded yet."""
    return list(db.session.scalars(select(Appointment).where(
        Appointment.status == "booked", Appointment.sms_reminder.is_(True), Appointment.reminder_status.is_(None),
        Appointment.starts_at > now, Appointment.starts_at <= now + timedelta(hours=hours_before))))


def send_due(now: datetime, zone: ZoneInfo) -> dict[str, int]:
    """Send every reminder due; returns counts by outcome."""
    cfg = current_app.config
    counts = {"sent": 0, "failed": 0, "retry": 0}
    appointments = due(now, cfg["REMINDER_HOURS_BEFORE"])
    if not appointments:
        return counts
    twilio = sms.client()
    for appointment in appointments:
        claimed = db.session.execute(
            update(Appointment).where(Appointment.id == appointment.id, Appointment.reminder_status.is_(None))
            .values(reminder_status="sending", reminder_at=now).execution_options(synchronize_session=False))
        db.session.commit()
        if claimed.rowcount != 1:
            continue  # another scheduler took it
        db.session.refresh(appointment)
        phone = appointment.household.phone
        result = sms.send(twilio, phone, text(appointment, zone, cfg["OFFICE_ADDRESS"], cfg.get("CONTACT_PHONE")))
        if result.retry:  # Twilio did not answer: the next run tries again while the reminder is due
            appointment.reminder_status, appointment.reminder_at = None, None
            counts["retry"] += 1
        else:
            appointment.reminder_status = "sent" if result.sid else "failed"
            appointment.reminder_sid = result.sid
            counts[appointment.reminder_status] += 1
        db.session.commit()
        if result.error:
            log.warning("reminder of appointment %s not sent: %s", appointment.id, result.error)
    log.info("reminders: %(sent)d sent, %(failed)d failed, %(retry)d to retry", counts)
    return counts
