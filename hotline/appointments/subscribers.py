"""What the appointments do when a permanence changes (core.signals, sent by permanences.services): they
refuse a change that would leave them outside its days and hours, or a cancelled day that still holds
one, and follow a split series to its new row. subscribe(app), called by create_app, connects them:
permanences asks, appointments answers, so that permanences never imports appointments."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from flask import Flask
from sqlalchemy import func, select

from hotline.appointments.models import Appointment
from hotline.core import clock, signals
from hotline.extensions import db
from hotline.permanences.models import Permanence
from hotline.permanences.recurrence import Schedule


def _booked(permanence: Permanence, start: date) -> list[Appointment]:
    """The appointments booked in the permanence from `start` on, soonest first."""
    if permanence.id is None:
        return []
    since = datetime.combine(start, time(), clock.local_zone())
    return list(
        db.session.scalars(
            select(Appointment)
            .where(
                Appointment.permanence_id == permanence.id,
                Appointment.status == "booked",
                Appointment.starts_at >= since,
            )
            .order_by(Appointment.starts_at)
        )
    )


def left_out(_session, permanence: Permanence, start: date, schedule: Schedule | None) -> str | None:
    """Why a change of the permanence from `start` is refused: the booked appointments its new days and
    hours would leave out (schedule None: the permanence stops)."""
    zone, outside = clock.local_zone(), []
    for appointment in _booked(permanence, start):
        begins = appointment.starts_at.astimezone(zone)
        ends = begins + timedelta(minutes=appointment.minutes)
        if schedule is None or not (
            schedule.days(begins.date(), begins.date())
            and schedule.starts <= begins.time()
            and ends.date() == begins.date()
            and ends.time() <= schedule.ends
        ):
            outside.append(f"le {begins:%d/%m/%Y à %H:%M}")
    if not outside:
        return None
    return (
        f"{len(outside)} rendez-vous pris dans cette permanence ne tomberaient plus dans ses "
        f"jours ou horaires : {', '.join(outside)}. Déplacez ou annulez-les d'abord."
    )


def carried_over(_session, old: Permanence, new: Permanence, start: date) -> None:
    """A split series: its appointments from `start` move to the new row (and to its new holder)."""
    for appointment in _booked(old, start):
        appointment.permanence_id = new.id
        if new.user_id and appointment.user_id == old.user_id:
            appointment.user_id = new.user_id  # the new holder receives them


def booked_that_day(_session, permanence: Permanence, day: date) -> str | None:
    """Why the day cannot be cancelled: appointments are still booked in it."""
    start = datetime.combine(day, datetime.min.time(), clock.local_zone())
    booked = db.session.scalar(
        select(func.count(Appointment.id)).where(
            Appointment.permanence_id == permanence.id,
            Appointment.status == "booked",
            Appointment.starts_at >= start,
            Appointment.starts_at < start + timedelta(days=1),
        )
    )
    if not booked:
        return None
    return (
        f"{booked} rendez-vous {'est pris' if booked == 1 else 'sont pris'} ce jour-là : "
        "prévenez les ménages et annulez ces rendez-vous d'abord."
    )


def subscribe(app: Flask) -> None:
    """Connects the receivers (once per process: blinker keeps one of each)."""
    signals.permanence_changing.connect(left_out, weak=False)
    signals.permanence_split.connect(carried_over, weak=False)
    signals.permanence_cancelling.connect(booked_that_day, weak=False)
