"""A household's personal data, for managers (RGPD): download all of it (JSON, PDF; art. 15) or erase it
(art. 17; the figures stay). Every read, download and erasure is audited. Thin: see personal and export."""

from __future__ import annotations

import json

from flask import Blueprint, Response, abort, flash, redirect, render_template, url_for

from hotline.auth.access import roles_required
from hotline.consultations.models import Household
from hotline.core import audit, clock
from hotline.extensions import db
from hotline.privacy import personal
from hotline.privacy.forms import EraseForm

bp = Blueprint("privacy", __name__, url_prefix="/households/<int:household_id>/personal-data")


def _household(household_id: int) -> Household:
    return db.session.get(Household, household_id) or abort(404)


def _page(household: Household, form: EraseForm):
    audit.record("household.read", "household", household.id)
    db.session.commit()
    from hotline.privacy import (
        export,  # loaded when used: fpdf, start-up time (issue 9)
    )

    data = export.household_data(household, clock.now())
    return render_template("privacy/household.html", h=household, data=data, form=form)


@bp.route("/")
@roles_required("manager")
def show(household_id: int):
    return _page(_household(household_id), EraseForm())


@bp.route("/export.<fmt>")
@roles_required("manager")
def download(household_id: int, fmt: str):
    if fmt not in ("json", "pdf"):
        abort(404)
    household = _household(household_id)
    from hotline.privacy import (
        export,  # loaded when used: fpdf, start-up time (issue 9)
    )

    data = export.household_data(household, clock.now())
    audit.record("household.export", "household", household.id)
    db.session.commit()
    if fmt == "pdf":
        body, mimetype = export.household_pdf(data, clock.local_zone()), "application/pdf"
    else:
        body, mimetype = json.dumps(data, ensure_ascii=False, indent=2), "application/json"
    return Response(
        body,
        mimetype=mimetype,
        headers={
            "Content-Disposition": f"attachment; filename=donnees-menage-{household.id}.{fmt}",
            "Cache-Control": "no-store",
        },
    )


@bp.route("/erase", methods=["POST"])
@roles_required("manager")
def erase(household_id: int):
    household = _household(household_id)
    form = EraseForm()
    if not form.validate_on_submit():
        flash("L'effacement n'a pas été fait : confirmez-le ci-dessous.", "error")
        return _page(household, form)
    personal.erase_households([household.id], calls_from_their_number=True)
    audit.record("household.erase", "household", household.id)
    db.session.commit()
    flash(
        f"Les données personnelles du ménage n° {household.id} sont effacées. Ses consultations restent "
        "comptées dans les statistiques.",
        "success",
    )
    return redirect(url_for(".show", household_id=household.id))
