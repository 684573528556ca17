"""Pages of the consultation log and of households. Thin: the work is in services."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    g,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user, login_required
from sqlalchemy import select

from hotline.auth.access import (
    can_edit_consultation,
    can_read_consultation,
    readable_missions,
    refuse_mission,
    refuse_role,
    roles_required,
)
from hotline.auth.models import User
from hotline.cases import referrals
from hotline.cases import services as cases
from hotline.cases.page import CasePage, case_page
from hotline.cases.path import WARNINGS
from hotline.consultations import flags, household_list, services
from hotline.consultations.flag_form import FlagForm, flag_forms
from hotline.consultations.forms import (
    ConsultationForm,
    HouseholdForm,
    SearchForm,
    act_field,
    case_data,
    case_error_fields,
    cleaned,
    decision_kind,
    fill_case,
    fill_from,
    prefill_from_call,
    prefill_from_household,
)
from hotline.consultations.history import describe
from hotline.consultations.imports import jobs as import_jobs
from hotline.consultations.imports import write as importer
from hotline.consultations.imports.jobs import ImportJob
from hotline.consultations.models import Consultation, ConsultationRevision, Household
from hotline.core import audit, clock, versions
from hotline.core.ids import parse_id
from hotline.extensions import db
from hotline.ivr import calls as call_service
from hotline.reference import labels
from hotline.reference.services import commune_field_value, territory_labels
from hotline.web.paging import page_within

bp = Blueprint("consultations", __name__)


REFRESH_SECONDS = 3  # a running import's page
INVALID_FORM = "Le formulaire contient des erreurs : elles sont indiquées à chaque champ."


def _household_or_404(household_id) -> Household:
    household = db.session.get(Household, household_id) if household_id is not None else None
    if household is None:
        abort(404)
    if not services.can_read_household(current_user, household):
        refuse_mission(current_user, (c.mission for c in household.consultations))
    return household


def _requested_household(text: str | None, posted: bool) -> tuple[Household | None, str | None]:
    """The household a form is about, from `?household=` or its hidden field: (household, French error).
    An unknown one is a 404 when the form opens, an error beside the kept form when it is posted."""
    if not text:
        return None, None
    household_id = parse_id(text)
    household = db.session.get(Household, household_id) if household_id is not None else None
    if household is None and posted:
        return None, "Ménage introuvable : recherchez-le à nouveau, ou laissez le formulaire en créer un nouveau."
    household = _household_or_404(household_id)
    audit.record("household.read", "household", household.id)
    return household, None


@bp.route("/consultations/")
@login_required
def index():
    if readable_missions(current_user) == []:
        refuse_role(current_user, ("jurist", "manager"))
    form = SearchForm(request.args)
    form.mission.choices = [("", "Toutes")] + list(labels("missions").items())
    form.territory.choices = [("", "Tous")] + list(territory_labels().items())
    jurists = db.session.scalars(select(User).where(User.role == "jurist").order_by(User.name))
    form.jurist.choices = [("", "Tous")] + [(str(u.id), u.name) for u in jurists]
    form.stage.choices = [("", "Tous")] + list(labels("procedure_stages").items())
    filters = form.data if form.validate() else {}
    page = db.paginate(
        services.search_consultations(current_user, filters),
        page=None,
        per_page=current_app.config["PER_PAGE"],
        error_out=False,
    )
    args = {k: v for k, v in request.args.items() if k != "page"}
    return render_template("consultations/index.html", form=form, page=page, args=args)


def _new_household_from(form: ConsultationForm) -> Household:
    commune = form.resolved_commune
    return services.create_household(
        name=form.household_name.data,
        phone=form.parsed_phone,
        commune_insee=commune.insee if commune else None,
        adults=form.household_adults.data,
        children=form.household_children.data,
        author_id=current_user.id,
    )


def _record_case(
    form: ConsultationForm, household: Household | None, consultation: Consultation, editing: bool
) -> dict:
    """What the form says of the household's case, for a consultation that concerns it (else ignored,
    as the form says), kept in the consultation's history; returns what changed. Raises
    cases.CaseError. A new consultation states only what was typed; an edit also clears what its
    earlier version stated."""
    if household is None or not cases.concerns_the_case(consultation) or not cases.may_read_cases(current_user):
        return {}  # the case block is read and written only by those who may read the eviction mission
    acts, fields = case_data(form)
    if not (editing and cases.statement_of(consultation)):
        fields = {name: value for name, value in fields.items() if value is not None}
    if not (acts or fields or decision_kind(form)):
        return {}
    before = _date_warnings(household)
    _, changes = cases.record_case(
        household, consultation, acts, decision_kind=decision_kind(form), author_id=current_user.id, **fields
    )
    if changes:
        consultation.revisions.append(ConsultationRevision(changed_by_id=current_user.id, changes=changes))
    # What the dates just typed reveal (an act before the lease, on a Sunday...) is said once saved, not
    # only on the household's page: the jurist may still have the document in hand.
    g.case_warnings = [WARNINGS[code] for code in sorted(_date_warnings(household) - before)]
    return changes


def _date_warnings(household: Household) -> frozenset[str]:
    """The codes of the warnings the dates of the household's case reveal today (cases.path.WARNINGS)."""
    return cases.situation_of(cases.case_of(household), clock.local_today()).warnings


def _case_refused(form: ConsultationForm, error: cases.CaseError, household: Household | None) -> None:
    """Nothing is written: the consultation (and a new household) go, the household read stays audited
    (a savepoint would hold SQLite's read snapshot and turn a concurrent save into "database is locked")."""
    db.session.rollback()
    if household is not None:
        audit.record("household.read", "household", household.id)
    case_error_fields(form, error.errors)
    for code, act_id in error.current.items():  # shown again with what the case holds now
        form[f"{act_field(code)}_known"].data = "" if act_id is None else str(act_id)
    flash(INVALID_FORM, "error")


def _referral_hints(consultation: Consultation) -> None:
    """Flash, once saved, the warnings the case's new dates revealed and the hints of referrals that do not
    fit the household (a hint, not a block)."""
    for warning in g.pop("case_warnings", ()):
        flash(warning, "warning")
    stages = [consultation.procedure_stage or ""]
    if consultation.household and cases.may_read_cases(current_user):  # else the hint would tell of the case
        stages += list(cases.act_dates(cases.case_of(consultation.household)))
    for hint in referrals.hints(
        consultation.codes_of("outcome"), consultation.territory_code, consultation.housing_sector, stages
    ):
        flash(hint, "warning")


def _referral_context(form: ConsultationForm) -> dict:
    """Where the referrals fit, and the hints for what the form holds (a hint, not a block)."""
    territory = form.resolved_commune.territory_code if form.resolved_commune else form.territory.data
    stages = [form.procedure_stage.data or "", *(form.acts() if cases.may_read_cases(current_user) else ())]
    return {
        "referral_conditions": referrals.CONDITIONS,
        "referral_rules": referrals.rules(),
        "referral_hints": referrals.hints(form.outcomes.data or [], territory, form.housing_sector.data, stages),
    }


def _prefill_follow_up(form: ConsultationForm, file: services.HouseholdFile) -> None:
    """A follow-up starts from the household's last consultation the user may read, and its case if
    the user may read the eviction mission."""
    if file.last is not None:
        prefill_from_household(form, file.last, current_user.missions)
    if cases.may_read_cases(current_user):
        fill_case(form, *cases.known_case(file.household))


@bp.route("/consultations/new", methods=["GET", "POST"])
@roles_required("jurist")
def new():
    # The household finder posts its terms (a name, a phone number): they stay out of URLs and logs.
    finding = request.method == "POST" and "find" in request.form
    posted = request.method == "POST" and not finding
    form = ConsultationForm(formdata=None) if finding else ConsultationForm()
    problems = []
    household, unknown_household = _requested_household(
        form.household_id.data if posted else request.args.get("household"), posted
    )
    call_text = form.call_id.data if posted else request.args.get("call")
    call = call_service.readable_call(parse_id(call_text), current_user) if call_text else None
    if call_text and call is None:
        problems.append("Appel introuvable : la consultation ne sera liée à aucun appel.")
        form.call_id.data = ""
    if unknown_household:
        problems.append(unknown_household)
        form.household_id.data = ""
    if not posted:
        form.date.data = clock.local_today()
        if len(current_user.missions) == 1:
            form.mission.data = current_user.missions[0]
        if call is not None:
            household = household or services.household_by_phone(call.from_number, current_user)
            form.call_id.data = str(call.id)
        if household is not None:
            form.household_id.data = str(household.id)
            _prefill_follow_up(form, services.household_file(household, current_user))
        if call is not None:  # what the call says is fresher than the last consultation
            prefill_from_call(form, call)
        for name in ("mission", "mode"):  # an appointment held opens the form with its own
            if request.args.get(name) in labels(f"{name}s"):
                getattr(form, name).data = request.args[name]
    elif form.validate_on_submit() and not problems:
        if form.mission.data not in current_user.missions:
            form.mission.errors.append("Vous n'êtes pas rattaché(e) à cette mission.")
        else:
            data = cleaned(form) | {"jurist_id": current_user.id}
            try:
                whose = household or _new_household_from(form)
                consultation = services.record_consultation(data, current_user.id, whose)
                _record_case(form, whose, consultation, editing=False)
            except cases.CaseError as error:
                _case_refused(form, error, household)
            else:
                if call is not None:
                    consultation.call_id = call.id
                db.session.commit()
                flash("Consultation enregistrée.", "success")
                _referral_hints(consultation)
                return redirect(url_for("consultations.show", consultation_id=consultation.id))
    elif form.errors:
        flash(INVALID_FORM, "error")
    for problem in problems:
        flash(problem, "error")
    terms = request.form.get("q", "") if finding else ""
    matches = services.find_households(terms, current_user) if terms else []
    db.session.commit()  # the audit of a household read
    return render_template(
        "consultations/form.html",
        form=form,
        household=household,
        terms=terms,
        matches=matches,
        call=call,
        consultation=None,
        **_referral_context(form),
        may_read_case=cases.may_read_cases(current_user),
        file=services.household_file(household, current_user) if household else None,
    )


@bp.route("/consultations/<int:consultation_id>")
@login_required
def show(consultation_id: int):
    consultation = db.session.get(Consultation, consultation_id) or abort(404)
    if not can_read_consultation(current_user, consultation):
        refuse_mission(current_user, [consultation.mission])
    if consultation.household_id:
        audit.record("household.read", "household", consultation.household_id)
    audit.record("consultation.read", "consultation", consultation.id)
    db.session.commit()
    reads_case = cases.may_read_cases(current_user)
    history = [
        (revision, described)
        for revision in reversed(consultation.revisions)
        if (described := describe(revision.changes, _names, with_case=reads_case))
    ]
    case_facts = cases.stated_at(consultation) if reads_case and cases.concerns_the_case(consultation) else None
    return render_template(
        "consultations/show.html",
        c=consultation,
        history=history,
        case_facts=case_facts,
        act_label=CasePage.label,
        about_the_case=cases.concerns_the_case(consultation),
        can_edit=can_edit_consultation(current_user, consultation),
    )


def _names(field: str, value) -> str:
    """The name of a territory or a jurist kept by id in the edit history."""
    if field == "territory_code":
        return territory_labels().get(value, value)
    user = db.session.get(User, value) if isinstance(value, int) else None
    return user.name if user else f"n° {value}"


@bp.route("/consultations/<int:consultation_id>/edit", methods=["GET", "POST"])
@roles_required("jurist")
def edit(consultation_id: int):
    consultation = db.session.get(Consultation, consultation_id) or abort(404)
    if not can_edit_consultation(current_user, consultation):
        refuse_mission(current_user, [consultation.mission])
    form = ConsultationForm()
    if request.method == "GET":
        fill_from(form, consultation)
        if cases.may_read_cases(current_user):
            fill_case(form, *cases.stated_at(consultation))
    elif form.validate_on_submit():
        if form.mission.data not in current_user.missions:
            form.mission.errors.append("Vous n'êtes pas rattaché(e) à cette mission.")
        else:
            expected = parse_id(form.version.data)
            try:
                if expected is None:  # a form without its version could overwrite anyone's edit
                    raise services.ConflictError(versions.missing_message(versions.CONSULTATION))
                changes = services.update_consultation(consultation, cleaned(form), current_user.id, expected)
                changes |= _record_case(form, consultation.household, consultation, editing=True)
                db.session.commit()
            except services.ConflictError as error:
                db.session.rollback()
                flash(str(error), "error")
            except cases.CaseError as error:
                _case_refused(form, error, None)  # the edit page audits its household read below
            else:
                flash("Modifications enregistrées." if changes else "Aucune modification.", "success")
                _referral_hints(consultation)
                return redirect(url_for("consultations.show", consultation_id=consultation.id))
    else:
        flash(INVALID_FORM, "error")
    household = consultation.household
    if household is not None:
        audit.record("household.read", "household", household.id)
    db.session.commit()
    return render_template(
        "consultations/form.html",
        form=form,
        household=household,
        matches=[],
        call=None,
        consultation=consultation,
        terms="",
        **_referral_context(form),
        may_read_case=cases.may_read_cases(current_user),
        file=services.household_file(household, current_user) if household else None,
    )


@bp.route("/households/", methods=["GET", "POST"])
@login_required
def households():
    """The households the user may read, the most recently consulted first, filtered (territory, mission,
    stage, next deadline) and paginated; beside it, the search, whose terms are posted, so that names and
    numbers stay out of URLs and logs."""
    missions = readable_missions(current_user)
    if missions == []:
        refuse_role(current_user, ("jurist", "manager"))
    terms = request.form.get("q", "").strip() if request.method == "POST" else ""
    may_read_cases = cases.may_read_cases(current_user)
    choices = {
        "territory": territory_labels(),
        "mission": household_list.mission_choices(labels("missions"), missions),
        "stage": labels("procedure_stages"),
        "deadline": {code: text for code, (text, _) in household_list.DEADLINE_WINDOWS.items()}
        if may_read_cases
        else {},
    }
    filters = household_list.Filters.read(request.args, choices)
    today = clock.local_today()
    page, page_note = page_within(household_list.query(current_user, filters, today), current_app.config["PER_PAGE"])
    return render_template(
        "consultations/households.html",
        notes=[*household_list.Filters.ignored(request.args, choices), *filter(None, [page_note])],
        terms=terms,
        matches=services.find_households(terms, current_user),
        page=page,
        rows=household_list.rows(current_user, page.items, today),
        filters=filters,
        choices=choices,
        args=filters.as_args(),
        deadline_labels=cases.DEADLINE_LABELS,
        may_read_cases=may_read_cases,
    )


@bp.route("/households/<int:household_id>")
@login_required
def household(household_id: int):
    return _household_page(_household_or_404(household_id))


def _household_page(household: Household, posted_kind: str | None = None, posted: FlagForm | None = None):
    audit.record("household.read", "household", household.id)
    db.session.commit()
    file = services.household_file(household, current_user)
    case = case_page(household, file.consultations, clock.local_today()) if cases.may_read_cases(current_user) else None
    holding = flags.active(household.id, clock.local_today())
    return render_template(
        "consultations/household.html",
        h=household,
        consultations=file.consultations,
        timeline=file.timeline,
        case=case,
        readable=[c.id for c in file.consultations],
        household_flags=holding,
        flag_forms=flag_forms(posted_kind, posted, holding),
        flag_kinds=flags.KINDS,
        flag_reasons=flags.REASONS,
    )


@bp.route("/households/<int:household_id>/flags/<kind>", methods=["POST"])
@roles_required("jurist")
def household_flag(household_id: int, kind: str):
    """Set or clear a flag ("ne pas rappeler", "ne pas envoyer de SMS"): audited; a wrong value is shown at
    its field on the household's page, what was typed kept."""
    household = _household_or_404(household_id)
    if kind not in flags.KINDS:
        abort(404)
    if request.form.get("action") == "clear":
        if flags.clear_flag(household, kind):
            audit.record(f"household.flag.{kind}.clear", "household", household.id)
            db.session.commit()
            flash(f"Signalement « {flags.KINDS[kind]} » retiré.", "success")
        return redirect(url_for(".household", household_id=household.id, _anchor="flags"))
    form = FlagForm(prefix=kind)
    if not form.validate_on_submit():
        flash(INVALID_FORM, "error")
        return _household_page(household, kind, form), 422
    flags.set_flag(household, kind, form.reason.data, form.ends_on.data, current_user.id, clock.local_today())
    audit.record(f"household.flag.{kind}.set", "household", household.id)
    db.session.commit()
    flash(f"Signalement « {flags.KINDS[kind]} » enregistré.", "success")
    return redirect(url_for(".household", household_id=household.id, _anchor="flags"))


@bp.route("/households/<int:household_id>/edit", methods=["GET", "POST"])
@roles_required("jurist")
def household_edit(household_id: int):
    household = _household_or_404(household_id)
    form = HouseholdForm(obj=household)
    if request.method == "GET":
        form.commune.data = commune_field_value(household.commune_insee)
    elif form.validate_on_submit():
        try:
            with versions.saving(household, form.opened_version(), versions.HOUSEHOLD):
                changes = services.update_household(
                    household,
                    name=form.name.data,
                    phone=form.parsed_phone,
                    commune_insee=form.resolved_commune.insee if form.resolved_commune else None,
                    adults=form.adults.data,
                    children=form.children.data,
                )
                if changes:
                    audit.record("household.update", "household", household.id)
                db.session.commit()
        except versions.ConflictError as error:
            db.session.rollback()
            flash(str(error), "error")
        else:
            flash("Ménage mis à jour." if changes else "Aucune modification.", "success")
            return redirect(url_for("consultations.household", household_id=household.id))
    audit.record("household.read", "household", household.id)
    db.session.commit()
    return render_template("consultations/household_form.html", form=form, h=household)


@bp.route("/consultations/import", methods=["GET", "POST"])
@roles_required("manager")
def import_file():
    """Managers import a CSV of consultations (formats.md): all or nothing, every error listed. A file of
    more than IMPORT_BACKGROUND_ROWS rows is queued: its page shows the job."""
    result, dry_run = None, False
    if request.method == "POST":
        upload = request.files.get("file")
        dry_run = bool(request.form.get("dry_run"))
        if upload is None or not upload.filename:
            flash("Choisissez un fichier CSV.", "error")
        elif not dry_run and (rows := import_jobs.data_rows(upload.stream)) > import_jobs.background_rows():
            job = import_jobs.queue(upload.stream, upload.filename, current_user.id, rows)
            audit.record("consultations.import.queued", "import_job", job.id)
            db.session.commit()
            flash(
                f"Fichier d'environ {rows} lignes : il sera importé en arrière-plan. Cette page montre l'avancement.",
                "success",
            )
            return redirect(url_for(".import_job", job_id=job.id))
        else:
            result = importer.import_file(upload.stream, current_user.id, clock.local_today(), dry_run=dry_run)
            if result.problems or dry_run:
                db.session.rollback()
            else:
                audit.record("consultations.import", "import", f"{result.created}+{result.updated}")
                db.session.commit()
                flash(
                    f"Import terminé : {result.created} consultation(s) créées, {result.updated} mises à jour.",
                    "success",
                )
                return redirect(url_for(".import_file"))
    return render_template(
        "consultations/import.html",
        result=result,
        dry_run=dry_run,
        jobs=import_jobs.recent(current_user),
        states=import_jobs.STATES,
        background_rows=import_jobs.background_rows(),
    )


@bp.route("/consultations/import/jobs/<int:job_id>")
@login_required
def import_job(job_id: int):
    """A background import: its state and progress (the page reloads itself while it runs), then its
    result or its errors. Only for the person who queued it, and administrators."""
    job = db.session.get(ImportJob, job_id) or abort(404)
    if not import_jobs.may_see(current_user, job):
        abort(403)
    state, done, total = import_jobs.progress_of(job)
    response = make_response(
        render_template(
            "consultations/import_job.html", job=job, state=state, done=done, total=total, states=import_jobs.STATES
        )
    )
    if job.running:  # an HTTP refresh: no script needed
        response.headers["Refresh"] = str(REFRESH_SECONDS)
    return response
