"""Appointments pages: book one for a household, list the coming ones, say what became of one.
Thin: see services."""
from __future__ import annotations

from datetime import datetime, time

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from hotline import audit, clock
from hotline.appointments import services
from hotline.appointments.forms import OFFICE, AppointmentForm
from hotline.appointments.models import STATUSES, Appointment
from hotline.auth.access import roles_required
from hotline.auth.models import User
from hotline.consultations.models import Household
from hotline.consultations.services import can_read_household
from hotline.extensions import db
from hotline.permanences.services import horizon
from hotline.reference import labels
from hotline.templating import fr_date

bp = Blueprint("appointments", __name__, url_prefix="/appointments")


@bp.route("/")
@roles_required("jurist", "manager")
def index():
    zone = clock.local_zone()
    today = datetime.combine(clock.local_today(), time(), zone)
    items = services.listing(current_user, today)
    return render_template("appointments/index.html", items=items, statuses=STATUSES, zone=zone, now=clock.now(),
                           can_change=lambda a: services.can_change(current_user, a))


def _slot_label(slot) -> str:
    p = slot.permanence
    return f"{p.name} — {fr_date(slot.starts.date())} à {slot.starts:%H:%M}"


@bp.route("/new", methods=["GET", "POST"])
@roles_required("jurist")
def new():
    household = db.session.get(Household, request.args.get("household", type=int) or 0) or abort(404)
    if not can_read_household(current_user, household):
        abort(403)
    audit.record("household.read", "household", household.id)
    form = AppointmentForm()
    form.mission.choices = [(m, labels("missions")[m]) for m in current_user.missions]
    zone, now = clock.local_zone(), clock.now()
    start, end = horizon(clock.local_today())
    mission = form.mission.data if form.mission.data in current_user.missions else None
    slots = services.free_slots(start, end, now, zone, mission=mission)
    territory = household.commune.territory_code if household.commune else None
    slots.sort(key=lambda s: (s.permanence.territory_code != territory, s.starts))  # the household's first
    form.slot.choices = [("", "— Choisir —"), (OFFICE, "Au bureau (date et heure ci-dessous)")] + \
        [(s.key, _slot_label(s)) for s in slots]
    jurists = db.session.scalars(select(User).where(User.role == "jurist", User.active.is_(True)).order_by(User.name))
    form.jurist_id.choices = [("", "— Choisir —")] + [(u.id, u.name) for u in jurists]
    if request.method == "GET":
        form.jurist_id.data = current_user.id
        if len(current_user.missions) == 1:
            form.mission.data = current_user.missions[0]
    elif form.validate_on_submit():
        office = form.slot.data == OFFICE
        try:
            appointment = services.book(
                household, mission=form.mission.data, booked_by=current_user, now=now, zone=zone,
                jurist=db.session.get(User, form.jurist_id.data) if form.jurist_id.data else None,
                slot=None if office else form.slot.data, office_at=form.office_at.data if office else None,
                sms_reminder=bool(form.sms_reminder.data))
            audit.record("appointment.create", "appointment", appointment.id)
            db.session.commit()
            local = appointment.starts_at.astimezone(zone)
            flash(f"Rendez-vous pris le {fr_date(local.date())} à {local:%H:%M}.", "success")
            return redirect(url_for("consultations.household", household_id=household.id))
        except services.BookingError as error:
            db.session.rollback()
            form.slot.errors = [*form.slot.errors, str(error)]
    return render_template("appointments/form.html", form=form, household=household, office=OFFICE)


@bp.route("/<int:appointment_id>/status", methods=["POST"])
@roles_required("jurist")
def status(appointment_id: int):
    appointment = db.session.get(Appointment, appointment_id) or abort(404)
    if not services.can_change(current_user, appointment):
        abort(403)
    choice = request.form.get("status", "")
    try:
        services.settle(appointment, choice, clock.now())
        audit.record(f"appointment.{choice}", "appointment", appointment.id)
        db.session.commit()
    except services.BookingError as error:
        db.session.rollback()
        flash(str(error), "error")
        return redirect(url_for(".index"))
    if choice == "held":
        flash("Rendez-vous tenu : saisissez la consultation.", "success")
        return redirect(url_for("consultations.new", household=appointment.household_id, mission=appointment.mission,
                                mode=appointment.mode))
    flash(f"Rendez-vous marqué « {STATUSES[choice]} ».", "success")
    return redirect(url_for(".index"))
