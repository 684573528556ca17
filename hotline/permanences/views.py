"""Permanences pages: the coming occurrences for everyone, their planning for admins, cancelling an
occurrence for admins and the jurist holding it, and a calendar export. Thin: see services."""
from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select

from hotline import clock
from hotline.actions import attempt
from hotline.appointments import services as appointments
from hotline.auth.access import roles_required
from hotline.auth.models import User
from hotline.extensions import db
from hotline.permanences import recurrence, services
from hotline.permanences.forms import CancelForm, PermanenceForm, RestoreForm
from hotline.permanences.models import Permanence
from hotline.reference import labels
from hotline.reference.services import commune_field_value, territories

bp = Blueprint("permanences", __name__, url_prefix="/permanences")


def _filters() -> dict:
    mission = request.args.get("mission", "")
    territory = request.args.get("territory", "")
    return {"mission": mission if mission in labels("missions") else "",
            "territory": territory if territory in {t.code for t in territories(include_buckets=False)} else ""}


@bp.route("/")
@login_required
def index():
    filters = _filters()
    start, end = services.horizon(clock.local_today())
    items = services.occurrences(start, end, mission=filters["mission"] or None,
                                 territory=filters["territory"] or None)
    return render_template("permanences/index.html", items=items, filters=filters, start=start, end=end,
                           can_change=lambda p: services.can_change_occurrences(p, current_user),
                           describe=recurrence.describe, cancel_form=CancelForm(), restore_form=RestoreForm(),
                           territory_list=territories(include_buckets=False), is_admin=current_user.role == "admin")


@bp.route("/planning")
@roles_required("admin")
def planning():
    rows = db.session.scalars(select(Permanence).order_by(Permanence.active.desc(), Permanence.territory_code,
                                                          Permanence.name))
    return render_template("permanences/planning.html", permanences=list(rows), describe=recurrence.describe)


def _form(permanence: Permanence | None = None) -> PermanenceForm:
    form = PermanenceForm(obj=permanence)
    if permanence is not None and request.method == "GET":
        form.commune.data = commune_field_value(permanence.commune_insee)
    form.mission.choices = list(labels("missions").items())
    jurists = db.session.scalars(select(User).where(User.role == "jurist", User.active.is_(True)).order_by(User.name))
    form.user_id.choices = [("", "— À désigner —")] + [(u.id, u.name) for u in jurists]
    return form


def _save(permanence: Permanence | None):
    form = _form(permanence)
    if form.validate_on_submit():
        values = {name: getattr(form, name).data for name in services.FIELDS}
        try:
            saved = services.save(permanence, commune_insee=form.resolved_commune.insee, **values)
            db.session.commit()
            flash(f"Permanence « {saved.name} » enregistrée.", "success")
            return redirect(url_for(".planning"))
        except services.PermanenceError as error:
            db.session.rollback()
            form.name.errors = [*form.name.errors, str(error)]
    return render_template("permanences/form.html", form=form, permanence=permanence)


@bp.route("/new", methods=["GET", "POST"])
@roles_required("admin")
def new():
    return _save(None)


@bp.route("/<int:permanence_id>/edit", methods=["GET", "POST"])
@roles_required("admin")
def edit(permanence_id: int):
    return _save(db.session.get(Permanence, permanence_id) or abort(404))


def _changeable(permanence_id: int) -> Permanence:
    permanence = db.session.get(Permanence, permanence_id) or abort(404)
    if not services.can_change_occurrences(permanence, current_user):
        abort(403)
    return permanence


def _back():
    return redirect(url_for(".index", **{k: v for k, v in _filters().items() if v}))


def _attempt(action, done: str):
    attempt(action, done, services.PermanenceError)
    return _back()


@bp.route("/<int:permanence_id>/cancel", methods=["POST"])
@login_required
def cancel(permanence_id: int):
    permanence = _changeable(permanence_id)
    form = CancelForm()
    if not form.validate_on_submit():
        flash("Indiquez le motif de l'annulation.", "error")
        return _back()
    return _attempt(lambda: appointments.cancel_occurrence(permanence, form.day.data, form.reason.data,
                                                           current_user, clock.local_zone()),
                    f"Permanence « {permanence.name} » du {form.day.data:%d/%m/%Y} annulée.")


@bp.route("/<int:permanence_id>/restore", methods=["POST"])
@login_required
def restore(permanence_id: int):
    permanence = _changeable(permanence_id)
    form = RestoreForm()
    if not form.validate_on_submit():
        return _back()
    return _attempt(lambda: services.restore(permanence, form.day.data),
                    f"Permanence « {permanence.name} » du {form.day.data:%d/%m/%Y} rétablie.")


@bp.route("/calendar.ics")
@login_required
def calendar():
    """The next twelve weeks: a jurist's own permanences, or every one for managers and admins."""
    start, end = services.horizon(clock.local_today(), weeks=12)
    mine = current_user.role == "jurist"
    items = services.occurrences(start, end, user_id=current_user.id if mine else None)
    body = services.calendar(items, clock.local_zone(), clock.now())
    return Response(body, mimetype="text/calendar",
                    headers={"Content-Disposition": "attachment; filename=permanences.ics"})
