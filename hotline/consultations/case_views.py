"""Pages of a household's case: its fiche de situation to print, and deleting an act of the procedure
entered by mistake (a confirmation page, then a POST). Thin: the work is in cases' services and fiche.py.

They live beside the household's pages, in consultations, which imports cases (never the reverse): they
find the household, check that the reader may read it and keep the deletion in the history of the
consultation that stated the act. Their blueprint keeps the name `cases` (cases.fiche, cases.delete_act)."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from hotline.auth.access import refuse_mission, roles_required
from hotline.cases import services
from hotline.cases.fiche import fiche as build_fiche
from hotline.cases.models import ProcedureAct
from hotline.consultations.models import ConsultationRevision, Household
from hotline.consultations.services import can_read_household, household_file
from hotline.core import audit, clock
from hotline.core.formatting import fr_date
from hotline.extensions import db

bp = Blueprint("cases", __name__)


def _reason(household: Household, may_use_cases: bool) -> list[str]:
    """The missions a refusal names: the eviction mission's, or else those of the household's records."""
    return [c.mission for c in household.consultations] if may_use_cases else [services.EVICTION_MISSION]


def _act_or_abort(household_id: int, act_id: int) -> tuple[Household, ProcedureAct]:
    """The household and one of its acts, for a user who may correct its case: else 404 or 403."""
    household = db.session.get(Household, household_id)
    if household is None:
        abort(404)
    if not (services.may_edit_case(current_user) and can_read_household(current_user, household)):
        refuse_mission(current_user, _reason(household, services.may_edit_case(current_user)))
    act = services.household_act(household, act_id)
    if act is None:
        abort(404)
    return household, act


def named(act: ProcedureAct) -> str:
    """« Commandement de payer » du 03/06/2026: how the pages name an act."""
    return f"« {services.code_label(act.stage)} » du {fr_date(act.occurred_on)}"


@bp.route("/households/<int:household_id>/fiche")
@login_required
def fiche(household_id: int):
    """The household's fiche de situation, to print: readers of the eviction mission only, audited."""
    household = db.session.get(Household, household_id)
    if household is None:
        abort(404)
    if not (services.may_read_cases(current_user) and can_read_household(current_user, household)):
        refuse_mission(current_user, _reason(household, services.may_read_cases(current_user)))
    audit.record("household.read", "household", household.id)
    db.session.commit()
    case = services.case_of(household)
    acts = services.acts_of(case)
    today = clock.local_today()
    readable = household_file(household, current_user).consultations
    stage = next((c.procedure_stage for c in reversed(readable) if c.procedure_stage), None)
    sheet = build_fiche(
        services.situation_of(case, today, acts), [(a.stage, a.occurred_on) for a in acts], today, stage
    )
    return render_template(
        "cases/fiche.html",
        h=household,
        fiche=sheet,
        today=today,
        green_number=current_app.config.get("GREEN_NUMBER_DISPLAY"),
        contact_phone=current_app.config.get("CONTACT_PHONE"),
    )


@bp.route("/households/<int:household_id>/acts/<int:act_id>/delete", methods=["GET", "POST"])
@roles_required("jurist")
def delete_act(household_id: int, act_id: int):
    household, act = _act_or_abort(household_id, act_id)
    back = redirect(url_for("consultations.household", household_id=household.id))
    if act.replaced_at is not None:
        flash(f"L'acte {named(act)} n'est plus dans le dossier : il a déjà été supprimé ou corrigé.", "info")
        return back
    if request.method == "POST":  # the CSRF token is checked before the view (CSRFProtect)
        changes = services.delete_act(act)
        if act.consultation is not None:  # the consultation that stated it says it was deleted, and by whom
            act.consultation.revisions.append(ConsultationRevision(changed_by_id=current_user.id, changes=changes))
        audit.record("procedure_act.delete", "procedure_act", act.id)
        db.session.commit()
        flash(f"L'acte {named(act)} a été supprimé du dossier ; les dates calculées ont été mises à jour.", "success")
        return back
    audit.record("household.read", "household", household.id)
    db.session.commit()
    return render_template("cases/delete_act.html", h=household, act=act, act_name=named(act))
