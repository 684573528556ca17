"""Activities page: jurists record the service's activities; jurists and managers list them, newest
first, a page at a time, filtered by who, what, when and where."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from hotline.activities.forms import IGNORED, ActivityFilters, ActivityForm
from hotline.activities.models import Activity
from hotline.auth.access import roles_required
from hotline.auth.models import User
from hotline.core import clock
from hotline.core.formatting import short_label
from hotline.core.ids import parse_id
from hotline.extensions import db
from hotline.reference import labels
from hotline.reference.services import territory_labels
from hotline.web.paging import page_within

bp = Blueprint("activities", __name__, url_prefix="/activities")


@bp.route("/", methods=["GET", "POST"])
@roles_required("jurist", "manager")
def index():
    form = ActivityForm()
    form.mission.choices = [(m, labels("missions")[m]) for m in (current_user.missions or labels("missions"))]
    form.activity_type.choices = [("", "— Choisir —")] + list(labels("activity_types").items())
    form.territory.choices = [("", "— Choisir —")] + list(territory_labels().items())
    if current_user.role == "jurist" and form.validate_on_submit():
        if form.mission.data not in current_user.missions:
            form.mission.errors.append("Vous n'êtes pas rattaché(e) à cette mission.")
        else:
            db.session.add(
                Activity(
                    date=form.date.data,
                    mission=form.mission.data,
                    activity_type=form.activity_type.data,
                    territory_code=form.territory.data,
                    title=form.title.data.strip(),
                    created_by_id=current_user.id,
                )
            )
            db.session.commit()
            flash("Activité enregistrée.", "success")
            return redirect(url_for(".index"))
    elif not form.is_submitted():
        form.date.data = clock.local_today()
    filters = _filters()
    page, page_note = page_within(_listed(_valid(filters)), current_app.config["PER_PAGE"])
    args = {k: v for k, v in request.args.items() if k != "page" and v}
    return render_template(
        "activities/index.html", form=form, filters=filters, page=page, args=args, page_note=page_note
    )


def _filters() -> ActivityFilters:
    filters = ActivityFilters(request.args, prefix="f")  # the ids of the form above stay unique
    filters.activity_type.choices = [("", "Tous")] + list(labels("activity_types").items())
    filters.mission.choices = [("", "Toutes")] + [
        (code, short_label(text)) for code, text in labels("missions").items()
    ]
    filters.territory.choices = [("", "Tous")] + list(territory_labels().items())
    authors = db.session.scalars(
        select(User).where(User.id.in_(select(Activity.created_by_id).distinct())).order_by(User.name)
    )
    filters.author.choices = [("", "Tous")] + [(str(u.id), u.name) for u in authors]
    return filters


def _valid(filters: ActivityFilters) -> dict:
    """The filters' values, each one that is wrong left out, and said at its field: "… : filtre ignoré."."""
    filters.validate()
    for field in filters:
        field.errors = [e if e.endswith(IGNORED) else f"{e.rstrip('.')} : {IGNORED}" for e in field.errors]
    return {name: field.data for name, field in filters._fields.items() if not field.errors}


def _listed(wanted: dict):
    """The activities these filters keep (each given one), newest first."""
    query = select(Activity).order_by(Activity.date.desc(), Activity.id.desc())
    if wanted.get("date_from"):
        query = query.where(Activity.date >= wanted["date_from"])
    if wanted.get("date_to"):
        query = query.where(Activity.date <= wanted["date_to"])
    for name, column in (
        ("activity_type", Activity.activity_type),
        ("mission", Activity.mission),
        ("territory", Activity.territory_code),
    ):
        if wanted.get(name):
            query = query.where(column == wanted[name])
    author = parse_id(wanted.get("author"))
    if author is not None:
        query = query.where(Activity.created_by_id == author)
    return query
