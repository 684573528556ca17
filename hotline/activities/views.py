"""Activities page: jurists record the service's activities; jurists and managers list them."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import select

from hotline.activities.forms import ActivityForm
from hotline.activities.models import Activity
from hotline.auth.access import roles_required
from hotline.core import clock
from hotline.extensions import db
from hotline.reference import labels
from hotline.reference.services import territory_labels

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
    rows = db.session.scalars(select(Activity).order_by(Activity.date.desc(), Activity.id.desc()).limit(200))
    return render_template("activities/index.html", form=form, activities=list(rows))
