"""Appointments pages: book one for a household, list the coming ones, say what became of one.
Thin: see services."""

from __future__ import annotations

from datetime import datetime, time

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user
from sqlalchemy import select

from hotline.appointments import reminders, services
from hotline.appointments.forms import AppointmentForm
from hotline.appointments.models import STATUSES, Appointment
from hotline.auth.access import refuse_mission, roles_required
from hotline.auth.models import User
from hotline.consultations.models import Household
from hotline.consultations.services import can_read_household
from hotline.core import audit, clock
from hotline.core.formatting import fr_date
from hotline.core.ids import parse_id
from hotline.extensions import db
from hotline.reference import labels
from hotline.sms import outbox as sms
from hotline.sms import twilio_client
from hotline.sms.models import PURPOSES as SMS_PURPOSES

bp = Blueprint("appointments", __name__, url_prefix="/appointments")


@bp.route("/")
@roles_required("jurist", "manager")
def index():
    zone = clock.local_zone()
    today = datetime.combine(clock.local_today(), time(), zone)
    items = services.listing(current_user, today)
    return render_template(
        "appointments/index.html",
        items=items,
        statuses=STATUSES,
        zone=zone,
        now=clock.now(),
        sms_label=lambda m: sms.status_label(m, current_app.config),
        can_change=lambda a: services.can_change(current_user, a),
    )


@bp.app_template_global()
def household_appointments(household: Household) -> list[Appointment]:
    """The household's appointments the reader may see, latest first: the "Rendez-vous" block of its page
    (templates/appointments/household.html). A template global registered with this blueprint, so that
    consultations' page shows them without importing appointments, which builds on consultations."""
    return services.for_household(household, current_user)


def household_for(user) -> Household:
    """The household of ?household=, which the user may read (404, 403 otherwise); the read is audited."""
    household = db.session.get(Household, parse_id(request.args.get("household")) or 0) or abort(404)
    if not can_read_household(user, household):
        refuse_mission(user, (c.mission for c in household.consultations))
    audit.record("household.read", "household", household.id)
    return household


@bp.route("/new", methods=["GET", "POST"])
@roles_required("jurist")
def new():
    """Book the slot picked in the agenda (?slot=), or a time at the office (?office=1). Without
    either, the agenda is where a slot is picked."""
    household = household_for(current_user)
    slot_key = (request.form if request.method == "POST" else request.args).get("slot", "")
    office = bool(request.args.get("office"))
    if request.method == "GET" and not slot_key and not office:
        db.session.commit()  # the audited read
        return redirect(url_for("agenda.week", household=household.id))
    zone, now = clock.local_zone(), clock.now()
    found = services.parse_slot(slot_key, zone) if slot_key else None
    refusal = None
    if slot_key and found is None:
        refusal = "Ce créneau n'existe pas : choisissez-en un dans l'agenda."
    elif found and found[0].mission not in current_user.missions:
        refusal = (
            f"Ce créneau est celui d'une permanence « {labels('missions')[found[0].mission]} » : seuls les "
            "juristes de cette mission y prennent rendez-vous."
        )
    form = AppointmentForm()
    form.mission.choices = [(m, labels("missions")[m]) for m in current_user.missions]
    jurists = db.session.scalars(select(User).where(User.role == "jurist", User.active.is_(True)).order_by(User.name))
    form.jurist_id.choices = [("", "— Choisir —")] + [(u.id, u.name) for u in jurists]
    if request.method == "GET":
        form.slot.data = slot_key
        form.jurist_id.data = current_user.id
        asked = request.args.get("mission")
        form.mission.data = (
            found[0].mission
            if found
            else asked
            if asked in current_user.missions
            else services.default_mission(household, current_user)
        )
    elif refusal is None and form.validate_on_submit():
        try:
            appointment = services.book(
                household,
                mission=form.mission.data,
                booked_by=current_user,
                now=now,
                zone=zone,
                jurist=db.session.get(User, form.jurist_id.data) if form.jurist_id.data and not found else None,
                slot=slot_key or None,
                office_at=None if found else form.office_at.data,
                sms_reminder=bool(form.sms_reminder.data),
            )
            reminders.confirm(appointment, now)
            audit.record("appointment.create", "appointment", appointment.id)
            db.session.commit()
            local = appointment.starts_at.astimezone(zone)
            flash(f"Rendez-vous pris le {fr_date(local.date())} à {local:%H:%M}.", "success")
            return redirect(url_for("consultations.household", household_id=household.id))
        except services.BookingError as error:
            db.session.rollback()
            audit.record("household.read", "household", household.id)  # the rollback took it
            if found:
                refusal = str(error)
            else:
                form.office_at.errors = [*form.office_at.errors, str(error)]
    db.session.commit()  # the audited read
    return render_template(
        "appointments/form.html", form=form, household=household, found=found, zone=zone, refusal=refusal
    )


@bp.route("/messages")
@roles_required("jurist", "manager")
def messages():
    """Each SMS of the outbox: purpose, appointment, status, time; the number masked for managers."""
    return render_template(
        "appointments/messages.html",
        rows=services.messages(current_user),
        purposes=SMS_PURPOSES,
        configured=twilio_client.configured(current_app.config),
        sms_label=lambda m: sms.status_label(m, current_app.config),
    )


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
        return redirect(
            url_for(
                "consultations.new",
                household=appointment.household_id,
                mission=appointment.mission,
                mode=appointment.mode,
            )
        )
    flash(f"Rendez-vous marqué « {STATUSES[choice]} ».", "success")
    return redirect(url_for(".index"))
