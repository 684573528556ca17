"""Administration pages. Thin: the rules live in auth.services, reference.services,
permanences.duty and ivr.opening; the account form asks each of them before saving, so that every
problem shows at once.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from hotline.admin.forms import ClosureForm, HoursForm, MoveForm
from hotline.auth import sessions
from hotline.auth.access import roles_required
from hotline.auth.forms import UserForm
from hotline.auth.models import User
from hotline.auth.passwords import weakness
from hotline.auth.services import (
    AccountError,
    create_user,
    find_user,
    normalize_phone,
    update_user,
    validate_scope,
)
from hotline.core import audit, opening, versions
from hotline.core.opening import Closure, OpeningHours
from hotline.extensions import db
from hotline.permanences import duty
from hotline.reference import labels
from hotline.reference.models import Commune, Epci
from hotline.reference.services import fold, move_commune, move_epci, territories

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.before_request
@roles_required("admin")
def admins_only():
    return None


def _user_form(**kwargs) -> UserForm:
    form = UserForm(**kwargs)
    form.missions.choices = list(labels("missions").items())
    form.territories.choices = [(t.code, t.label) for t in territories(include_buckets=False)]
    return form


@bp.route("/users/")
def users():
    rows = db.session.scalars(select(User).order_by(User.active.desc(), User.role, User.name))
    return render_template("admin/users.html", users=list(rows))


@bp.route("/users/new", methods=["GET", "POST"])
def user_new():
    form = _user_form()
    if form.is_submitted() and _without_problems(form, None):
        try:
            user = create_user(
                form.email.data,
                form.name.data,
                form.role.data,
                form.password.data,
                phone=form.phone.data,
                missions=form.missions.data,
                territories=form.territories.data,
            )
            user.active = bool(form.active.data)
            audit.record(f"user.created:{user.role}", "user", user.id)
            db.session.commit()
            flash(f"Compte créé pour {user.name}.", "success")
            return redirect(url_for(".users"))
        except AccountError as error:
            db.session.rollback()
            _attach_error(form, error)
    return render_template("admin/user_form.html", form=form, user=None)


def _without_problems(form: UserForm, user: User | None) -> bool:
    """Check the whole account form in one round, each problem at its field: the form's own checks, then
    the services' (an address already used, the initial password, its strength, the phone, the missions
    and territories), so that an administrator corrects everything at once. True when there is none."""
    valid = form.validate()
    problems: list[tuple] = []
    if user is None and form.email.data and not form.email.errors and find_user(form.email.data) is not None:
        problems.append((form.email, "Un compte existe déjà pour cette adresse."))
    if user is None and not form.password.data:
        problems.append((form.password, "Indiquez un mot de passe initial."))
    elif form.password.data:
        reason = weakness(form.password.data, form.email.data, form.name.data)
        if reason:
            problems.append((form.password, reason))
    try:
        normalize_phone(form.phone.data)
    except AccountError as error:
        problems.append((form.phone, str(error)))
    try:
        validate_scope(form.role.data, form.missions.data or [], form.territories.data or [])
    except AccountError as error:
        problems.append((form.missions if error.field == "missions" else form.territories, str(error)))
    for field, message in problems:
        if message not in field.errors:
            field.errors = [*field.errors, message]
    return valid and not problems


def _attach_error(form: UserForm, error: AccountError) -> None:
    """Show a service's message at the field it names, or else at the one its words are about."""
    message = str(error)
    lowered = message.lower()
    field = (
        form[error.field]
        if error.field
        else form.password
        if "mot de passe" in lowered
        else form.phone
        if "téléphone" in lowered or "numéro" in lowered
        else form.email
        if "adresse" in lowered or "compte existe" in lowered
        else form.role
    )
    field.errors = [*field.errors, message]


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
def user_edit(user_id: int):
    user = db.session.get(User, user_id) or abort(404)
    form = _user_form(obj=user)
    if request.method == "GET":
        form.missions.data, form.territories.data = user.missions, user.territories
    form.email.data = user.email  # the email is the login: not changed here
    if form.is_submitted() and _without_problems(form, user):
        try:
            with versions.saving(user, form.opened_version(), versions.ACCOUNT):
                update_user(
                    user,
                    actor=current_user,
                    name=form.name.data,
                    role=form.role.data,
                    phone=form.phone.data,
                    missions=form.missions.data,
                    territories=form.territories.data,
                    active=form.active.data,
                    password=form.password.data or None,
                )
                versions.move_on(user)  # its missions and territories are rows of their own
                db.session.commit()
            if user.id == current_user.id:
                sessions.keep_current(user)  # a new password of one's own ends the other sessions only
            flash("Compte mis à jour.", "success")
            return redirect(url_for(".users"))
        except AccountError as error:
            db.session.rollback()
            _attach_error(form, error)
        except versions.ConflictError as error:
            db.session.rollback()
            flash(str(error), "error")
    return render_template("admin/user_form.html", form=form, user=user)


@bp.route("/territories/")
def territory_map():
    q = request.args.get("q", "").strip()
    communes = []
    if q:
        wanted = fold(q)
        communes = [
            c
            for c in db.session.scalars(select(Commune).order_by(Commune.name))
            if wanted in fold(c.name) or c.insee == q or q in {p.postal_code for p in c.postal_codes}
        ][:50]
    epcis = list(db.session.scalars(select(Epci).order_by(Epci.territory_code, Epci.name)))
    return render_template(
        "admin/territories.html",
        epcis=epcis,
        communes=communes,
        q=q,
        territories=territories(include_buckets=False),
        form=MoveForm(),
    )


def _move(mover, key, back):
    form = MoveForm()
    form.territory.choices = [(t.code, t.label) for t in territories(include_buckets=False)]
    if form.validate_on_submit():
        try:
            moved = mover(key, form.territory.data)
            db.session.commit()
            flash(f"Rattachement modifié{f' ({moved} communes)' if moved else ''}.", "success")
        except LookupError as error:
            db.session.rollback()
            flash(str(error), "error")
    else:
        flash("Choisissez un territoire.", "error")
    return redirect(back)


@bp.route("/epcis/<siren>/territory", methods=["POST"])
def epci_move(siren: str):
    return _move(move_epci, siren, url_for(".territory_map"))


@bp.route("/communes/<insee>/territory", methods=["POST"])
def commune_move(insee: str):
    return _move(move_commune, insee, url_for(".territory_map", q=request.args.get("q", insee)))


@bp.route("/roster/")
def roster():
    """The duty roster: its series per jurist and the coming hours with nobody on duty (the series
    are edited in the permanences' pages, /permanences/duty/...)."""
    return render_template("admin/roster.html", shifts=duty.roster())


def _delete(model, row_id: int, message: str, endpoint: str):
    db.session.delete(db.session.get(model, row_id) or abort(404))
    db.session.commit()
    flash(message, "success")
    return redirect(url_for(endpoint))


@bp.route("/hours/", methods=["GET", "POST"])
def hours():
    hours_form, closure_form = HoursForm(prefix="h"), ClosureForm(prefix="c")
    hours_form.mission.choices = list(labels("missions").items())
    closure_form.mission.choices = [("", "Les deux lignes")] + list(labels("missions").items())
    if request.method == "POST" and "h-opens" in request.form and hours_form.validate_on_submit():
        try:
            opening.add_hours(
                hours_form.mission.data, hours_form.weekday.data, hours_form.opens.data, hours_form.closes.data
            )
            db.session.commit()
            flash("Créneau d'ouverture ajouté.", "success")
            return redirect(url_for(".hours"))
        except ValueError as error:
            db.session.rollback()
            hours_form.opens.errors = [*hours_form.opens.errors, str(error)]
    if request.method == "POST" and "c-reason" in request.form and closure_form.validate_on_submit():
        opening.add_closure(
            closure_form.mission.data, closure_form.starts_on.data, closure_form.ends_on.data, closure_form.reason.data
        )
        db.session.commit()
        flash("Fermeture exceptionnelle enregistrée.", "success")
        return redirect(url_for(".hours"))
    return render_template(
        "admin/hours.html",
        hours_form=hours_form,
        closure_form=closure_form,
        weekly=opening.weekly_hours(),
        closures=opening.closures(),
    )


@bp.route("/hours/<int:row_id>/delete", methods=["POST"])
def hours_delete(row_id: int):
    return _delete(OpeningHours, row_id, "Créneau supprimé.", ".hours")


@bp.route("/closures/<int:row_id>/delete", methods=["POST"])
def closure_delete(row_id: int):
    return _delete(Closure, row_id, "Fermeture supprimée.", ".hours")
