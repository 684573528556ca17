"""SMS of appointments, sent through the SMS outbox (hotline/sms/outbox.py) by the scheduler process
(`hotline scheduler`) or `hotline reminders send`: the confirmation, queued at booking (key
"confirmation:<appointment id>"), and the reminder, queued once when it falls due (key
"reminder:<appointment id>"); both only if the household agreed and is not flagged "ne pas envoyer de
SMS" (consultations/flags.py: the household, or another holding its number). The outbox sends each exactly
once. A message names the day, time and place, never the reason.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import exists, select

from hotline.appointments.models import Appointment
from hotline.consultations import flags
from hotline.core import clock
from hotline.core.calendar import DAYS, MONTHS
from hotline.extensions import db
from hotline.sms import outbox as sms
from hotline.sms.models import SmsMessage
from hotline.sms.twilio_client import check_configured

PURPOSE = "reminder"
CONFIRMATION = "confirmation"


def text(
    appointment: Appointment, zone: ZoneInfo, office: str, phone: str | None, *, opening: str = "Rappel : rendez-vous"
) -> str:
    local = appointment.starts_at.astimezone(zone)
    when = f"le {DAYS[local.weekday()]} {local.day} {MONTHS[local.month - 1]} à {local:%H}h{local:%M}"
    place = f"{appointment.permanence.name}, {appointment.permanence.address}" if appointment.permanence else office
    back = f" Pour annuler ou déplacer : {phone}." if phone else ""
    return f"{opening} avec un juriste du service logement {when}, {place}.{back}"


def due(now: datetime, hours_before: int) -> list[int]:
    """Ids of booked appointments agreed for a reminder, starting within `hours_before` hours, not queued yet."""
    queued = exists().where(SmsMessage.appointment_id == Appointment.id, SmsMessage.purpose == PURPOSE)
    return list(
        db.session.scalars(
            select(Appointment.id).where(
                Appointment.status == "booked",
                Appointment.sms_reminder.is_(True),
                ~queued,
                Appointment.starts_at > now,
                Appointment.starts_at <= now + timedelta(hours=hours_before),
            )
        )
    )


def _render(message: SmsMessage, opening: str) -> sms.Outgoing:
    """The text of the message's appointment; wanted while it is booked, ahead and agreed."""
    cfg = current_app.config
    appointment = db.session.get(Appointment, message.appointment_id)
    phone = appointment.household.phone
    wanted = (
        appointment.status == "booked"
        and appointment.sms_reminder
        and appointment.starts_at > clock.now()
        and bool(phone)
        and not refused(appointment)
    )
    return sms.Outgoing(
        phone,
        text(appointment, clock.local_zone(), cfg["OFFICE_ADDRESS"], cfg.get("CONTACT_PHONE"), opening=opening),
        wanted,
    )


def render(message: SmsMessage) -> sms.Outgoing:
    return _render(message, "Rappel : rendez-vous")


def render_confirmation(message: SmsMessage) -> sms.Outgoing:
    return _render(message, "Rendez-vous confirmé")


RENDERERS = {PURPOSE: render, CONFIRMATION: render_confirmation}


def refused(appointment: Appointment) -> bool:
    """The household, or another holding its number, is flagged "ne pas envoyer de SMS" today."""
    today = clock.local_today()
    return flags.blocks(appointment.household_id, "sms", today) or flags.sms_refused(appointment.household.phone, today)


def confirm(appointment: Appointment, now: datetime) -> None:
    """Queue the booking's confirmation, if the household agreed; sent by the next outbox run. Flushes."""
    if appointment.sms_reminder and not refused(appointment):
        sms.enqueue(CONFIRMATION, appointment.id, now)


def send_due(now: datetime, also: Mapping[str, sms.Render] | None = None) -> dict[str, int]:
    """Queue the reminders now due, then work the SMS outbox (with the renderers of `also`, the outbox's
    other purposes); returns counts by outcome."""
    check_configured(current_app.config)
    for appointment_id in due(now, current_app.config["REMINDER_HOURS_BEFORE"]):
        sms.enqueue(PURPOSE, appointment_id, now)
    db.session.commit()
    return sms.run(RENDERERS | dict(also or {}))
