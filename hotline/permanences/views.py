"""Permanences pages: the coming occurrences for everyone, their planning and places for admins,
cancelling an occurrence for admins and the jurist holding it, and a calendar export. Thin: see
services and places."""

from __future__ import annotations

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user, login_required
from sqlalchemy import select

from hotline.auth.access import roles_required
from hotline.auth.models import User
from hotline.core import clock, versions
from hotline.extensions import db
from hotline.permanences import duty, places, recurrence, services
from hotline.permanences.forms import (
    CancelForm,
    DutySeriesForm,
    PermanenceForm,
    PlaceForm,
    RestoreForm,
    StopForm,
)
from hotline.permanences.models import DutyShift, Permanence, Place
from hotline.reference import labels
from hotline.reference.services import commune_field_value, territories
from hotline.web.actions import attempt

bp = Blueprint("permanences", __name__, url_prefix="/permanences")


def _filters() -> dict:
    mission = request.args.get("mission", "")
    territory = request.args.get("territory", "")
    return {
        "mission": mission if mission in labels("missions") else "",
        "territory": territory if territory in {t.code for t in territories(include_buckets=False)} else "",
    }


@bp.route("/")
@login_required
def index():
    filters = _filters()
    start, end = services.horizon(clock.local_today())
    items = services.occurrences(start, end, mission=filters["mission"] or None, territory=filters["territory"] or None)
    return render_template(
        "permanences/index.html",
        items=items,
        filters=filters,
        start=start,
        end=end,
        can_change=lambda p: services.can_change_occurrences(p, current_user),
        describe=recurrence.describe,
        cancel_form=CancelForm(),
        restore_form=RestoreForm(),
        territory_list=territories(include_buckets=False),
        is_admin=current_user.role == "admin",
    )


@bp.route("/planning")
@roles_required("admin")
def planning():
    rows = db.session.scalars(
        select(Permanence)
        .join(Place)
        .order_by(Permanence.active.desc(), Permanence.territory_code, Place.name, Permanence.first_day)
    )
    return render_template(
        "permanences/planning.html", permanences=list(rows), describe=recurrence.describe, today=clock.local_today()
    )


def _form(permanence: Permanence | None = None) -> PermanenceForm:
    form = PermanenceForm(obj=permanence)
    if permanence is not None and request.method == "GET":
        form.name.data = form.address.data = form.commune.data = None  # the place is chosen in the list
    form.place_id.choices = [("", "— Nouveau lieu (ci-dessous) —")] + [
        (p.id, f"{p.name} — {p.address}, {p.commune.name}")
        for p in places.choices(permanence.place if permanence else None)
    ]
    form.mission.choices = list(labels("missions").items())
    jurists = db.session.scalars(select(User).where(User.role == "jurist", User.active.is_(True)).order_by(User.name))
    form.user_id.choices = [("", "— À désigner —")] + [(u.id, u.name) for u in jurists]
    return form


def _save(permanence: Permanence | None):
    form = _form(permanence)
    if form.validate_on_submit():
        values = {name: getattr(form, name).data for name in services.FIELDS}
        where = (
            {"place": db.session.get(Place, form.place_id.data)}
            if form.place_id.data
            else {"name": form.name.data, "address": form.address.data, "commune_insee": form.resolved_commune.insee}
        )
        try:
            with versions.saving(permanence, form.opened_version(), versions.PERMANENCE):
                saved = services.save(permanence, today=clock.local_today(), **where, **values)
                db.session.commit()
            split = permanence is not None and saved is not permanence
            flash(
                f"Permanence « {saved.name} » enregistrée"
                + (
                    f" : les nouvelles règles s'appliquent à partir du {saved.first_day:%d/%m/%Y}, "
                    "les dates passées restent telles qu'elles ont eu lieu."
                    if split
                    else "."
                ),
                "success",
            )
            return redirect(url_for(".planning"))
        except (services.PermanenceError, versions.ConflictError) as error:
            db.session.rollback()
            form.form_errors.append(str(error))
    return render_template("permanences/form.html", form=form, permanence=permanence, today=clock.local_today())


@bp.route("/new", methods=["GET", "POST"])
@roles_required("admin")
def new():
    return _save(None)


@bp.route("/<int:permanence_id>/edit", methods=["GET", "POST"])
@roles_required("admin")
def edit(permanence_id: int):
    return _save(db.session.get(Permanence, permanence_id) or abort(404))


@bp.route("/places")
@roles_required("admin")
def place_list():
    return render_template("permanences/places.html", rows=places.listing(), display_phone=places.display_phone)


def _save_place(place: Place | None):
    form = PlaceForm(obj=place)
    if place is not None and request.method == "GET":
        form.commune.data = commune_field_value(place.commune_insee)
        form.public_phone.data = places.display_phone(place.public_phone)
    if form.validate_on_submit():
        try:
            with versions.saving(place, form.opened_version(), versions.PLACE):
                saved = places.save_place(
                    place,
                    name=form.name.data,
                    address=form.address.data,
                    commune_insee=form.resolved_commune.insee,
                    access_notes=form.access_notes.data,
                    public_phone=form.public_phone.data,
                    active=form.active.data,
                    today=clock.local_today(),
                )
                db.session.commit()
            flash(f"Lieu « {saved.name} » enregistré.", "success")
            return redirect(url_for(".place_list"))
        except (services.PermanenceError, versions.ConflictError) as error:
            db.session.rollback()
            form.form_errors.append(str(error))
    return render_template("permanences/place_form.html", form=form, place=place)


@bp.route("/places/new", methods=["GET", "POST"])
@roles_required("admin")
def new_place():
    return _save_place(None)


@bp.route("/places/<int:place_id>/edit", methods=["GET", "POST"])
@roles_required("admin")
def edit_place(place_id: int):
    return _save_place(db.session.get(Place, place_id) or abort(404))


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


def _first_error(form) -> str:
    """A button's form has no page of its own: its first French error is flashed."""
    return next((messages[0] for messages in form.errors.values()), "Formulaire incomplet.")


@bp.route("/<int:permanence_id>/cancel", methods=["POST"])
@login_required
def cancel(permanence_id: int):
    permanence = _changeable(permanence_id)
    form = CancelForm()
    if not form.validate_on_submit():
        flash(_first_error(form), "error")
        return _back()
    return _attempt(
        lambda: services.cancel(permanence, form.day.data, form.reason.data, current_user),
        f"Permanence « {permanence.name} » du {form.day.data:%d/%m/%Y} annulée.",
    )


@bp.route("/<int:permanence_id>/restore", methods=["POST"])
@login_required
def restore(permanence_id: int):
    permanence = _changeable(permanence_id)
    form = RestoreForm()
    if not form.validate_on_submit():
        flash(_first_error(form), "error")
        return _back()
    return _attempt(
        lambda: services.restore(permanence, form.day.data),
        f"Permanence « {permanence.name} » du {form.day.data:%d/%m/%Y} rétablie.",
    )


@bp.route("/calendar.ics")
@login_required
def calendar():
    """The next twelve weeks: a jurist's own permanences, or every one for managers and admins."""
    start, end = services.horizon(clock.local_today(), weeks=12)
    mine = current_user.role == "jurist"
    items = services.occurrences(start, end, user_id=current_user.id if mine else None)
    body = services.calendar(items, clock.local_zone(), clock.now())
    return Response(
        body, mimetype="text/calendar", headers={"Content-Disposition": "attachment; filename=permanences.ics"}
    )


# --- the duty roster: its series are listed in "Gardes" (admin.roster) ---------------------------------


def _duty_form(series: DutyShift | None) -> DutySeriesForm:
    form = DutySeriesForm(obj=series)
    if series is not None and request.method == "GET":
        form.territory.data = series.territory_code or ""
        form.weekdays.data = [str(day) for day in series.weekdays]
    jurists = db.session.scalars(select(User).where(User.role == "jurist", User.active.is_(True)).order_by(User.name))
    form.user_id.choices = [("", "— Choisir —")] + [(u.id, u.name) for u in jurists]
    form.mission.choices = list(labels("missions").items())
    form.territory.choices = [("", "Tous les territoires")] + [
        (t.code, t.label) for t in territories(include_buckets=False)
    ]
    return form


def _save_duty(series: DutyShift | None):
    form = _duty_form(series)
    today = clock.local_today()
    if form.validate_on_submit():
        try:
            with versions.saving(series, form.opened_version(), versions.DUTY_SERIES):
                saved = duty.save(
                    series,
                    user_id=form.user_id.data,
                    mission=form.mission.data,
                    territory_code=form.territory.data or None,
                    weekdays=[int(d) for d in form.weekdays.data],
                    starts=form.starts.data,
                    ends=form.ends.data,
                    valid_from=form.valid_from.data,
                    valid_until=form.valid_until.data,
                    today=today,
                )
                db.session.commit()
            split = series is not None and saved is not series
            flash(
                "Série de gardes enregistrée"
                + (
                    f" : les nouvelles règles s'appliquent à partir du {saved.valid_from:%d/%m/%Y}, les gardes "
                    "passées restent telles qu'elles ont eu lieu."
                    if split
                    else "."
                ),
                "success",
            )
            return redirect(url_for("admin.roster"))
        except (duty.DutyError, versions.ConflictError) as error:
            db.session.rollback()
            form.form_errors.append(str(error))
    return render_template("permanences/duty_form.html", form=form, series=series, today=today)


@bp.route("/duty/new", methods=["GET", "POST"])
@roles_required("admin")
def duty_new():
    return _save_duty(None)


@bp.route("/duty/<int:series_id>/edit", methods=["GET", "POST"])
@roles_required("admin")
def duty_edit(series_id: int):
    return _save_duty(db.session.get(DutyShift, series_id) or abort(404))


@bp.route("/duty/<int:series_id>/stop", methods=["POST"])
@roles_required("admin")
def duty_stop(series_id: int):
    series = db.session.get(DutyShift, series_id) or abort(404)
    if StopForm().validate_on_submit():

        def stop():
            with versions.saving(None, None, versions.DUTY_SERIES):  # saved by someone else meanwhile
                duty.stop(series, clock.local_today())

        attempt(stop, "Série de gardes arrêtée à partir d'aujourd'hui.", versions.ConflictError)
    return redirect(url_for("admin.roster"))
