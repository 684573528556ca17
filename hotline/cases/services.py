"""Recording and reading a household's case and the acts of its procedure. Services flush; views
and commands commit.

Corrections are kept, not overwritten: a stage has one current act per case, and an act whose date
is corrected stays in the table with `replaced_at` set. The deadlines a jurist saw were computed
from the old date; keeping it shows where a date came from (which consultation, when) and lets a
wrong correction be spotted. The current act of a stage is the one stated at the latest
consultation (by date, then order of recording, as in docs/formats.md), so that importing an old
file after a live correction does not bring the old date back: the older statement goes straight
into the history.

An act entered by mistake (a wrong type or date) may be deleted from the case page by a jurist of
the eviction mission: it is kept as a correction is, marked deleted, and leaves the current acts, so
that the deadlines and notices, computed from the current acts, no longer count it. The consultation
that stated it is left as it was (its stage, its notes, its history): the act no longer shows in its
edit form, and stating the date again there records it anew.
"""
from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal, InvalidOperation

from sqlalchemy import select

from hotline.auth.access import readable_missions
from hotline.cases import notices
from hotline.cases.models import Case, CaseStatement, ProcedureAct
from hotline.cases.notices import legal_order
from hotline.consultations.models import Consultation, Household
from hotline.extensions import db
from hotline.models_base import utcnow
from hotline.reference import labels

EVICTION_MISSION = "prevention_expulsion"
UNPAID_RENT_THEME = "impayes_expulsion"
CASE_FIELDS = ("lease_signed_on", "landlord_type", "rent_amount", "housing_benefit")
_CODED = {"landlord_type": "landlord_types", "housing_benefit": "housing_benefits"}
MAX_AMOUNT = Decimal("10000000")
# A hearing's date is known in advance, from the assignation; every other act has already happened.
MAY_BE_AHEAD = {"audience"}


class CaseError(ValueError):
    """What is wrong, in French, by field: a CASE_FIELDS name, or `acts` / `acts.<stage>`."""

    def __init__(self, errors: dict[str, str]):
        self.errors = errors
        super().__init__(" ; ".join(errors.values()))


def concerns_the_case(consultation: Consultation) -> bool:
    """The eviction-prevention mission, or an info-line consultation about unpaid rent."""
    return consultation.mission == EVICTION_MISSION or UNPAID_RENT_THEME in consultation.codes_of("theme")


def _check(household: Household, consultation: Consultation, acts: Mapping[str, date],
           fields: dict) -> dict[str, str]:
    errors: dict[str, str] = {}
    if consultation.household_id is not None and household.id is not None \
            and consultation.household_id != household.id:
        errors["household"] = "Cette consultation concerne un autre ménage."
    if (acts or any(v is not None for v in fields.values())) and not concerns_the_case(consultation):
        errors["acts"] = ("Le dossier du ménage (bail, actes de la procédure) se renseigne pour la prévention "
                          "des expulsions ou une consultation sur un impayé de loyer.")
    known = set(legal_order())
    for stage, day in acts.items():
        if stage not in known:
            errors[f"acts.{stage}"] = f"« {stage} » n'est pas un acte de la procédure."
        elif not isinstance(day, date):
            errors[f"acts.{stage}"] = f"{labels('procedure_stages')[stage]} : date manquante ou illisible."
        elif day > consultation.date and stage not in MAY_BE_AHEAD:
            errors[f"acts.{stage}"] = (f"{labels('procedure_stages')[stage]} : la date ne peut pas être postérieure "
                                       "à celle de la consultation.")
    for name in set(fields) - set(CASE_FIELDS):
        errors[name] = f"Champ inconnu : {name}."
    lease = fields.get("lease_signed_on")
    if lease is not None and (not isinstance(lease, date) or lease > consultation.date):
        errors["lease_signed_on"] = "La date de signature du bail doit être une date passée."
    for name, vocabulary in _CODED.items():
        if fields.get(name) is not None and fields[name] not in labels(vocabulary):
            errors[name] = "Choisissez une valeur de la liste."
    rent = fields.get("rent_amount")
    if rent is not None:
        try:
            amount = Decimal(rent)
        except (InvalidOperation, TypeError, ValueError):
            amount = None
        if amount is None or not amount.is_finite() or not 0 <= amount < MAX_AMOUNT:
            errors["rent_amount"] = "Le loyer doit être un montant en euros, de 0 à moins de 10 000 000."
    return errors


def parse_acts(cell: str | None) -> dict[str, date]:
    """The import's `procedure_acts` cell (docs/formats.md): `code=YYYY-MM-DD` separated by `|`.
    Raises CaseError({"procedure_acts": French message}) naming what is wrong."""
    acts: dict[str, date] = {}
    known = set(legal_order())
    for item in filter(None, (part.strip() for part in (cell or "").split("|"))):
        code, equals, text = (piece.strip() for piece in item.partition("="))
        if not equals or code not in known:
            raise CaseError({"procedure_acts": f"« {item} » : attendu code=AAAA-MM-JJ avec un code de "
                                               "procedure_stages (sauf inconnu)."})
        try:
            day = date.fromisoformat(text)
        except ValueError:
            raise CaseError({"procedure_acts": f"« {item} » : la date doit s'écrire AAAA-MM-JJ."}) from None
        if acts.setdefault(code, day) != day:
            raise CaseError({"procedure_acts": f"{code} figure deux fois avec deux dates différentes."})
    return acts


def case_of(household: Household) -> Case | None:
    return db.session.scalar(select(Case).where(Case.household_id == household.id))


def _statement(case: Case, consultation: Consultation, fields: dict) -> None:
    statement = db.session.scalar(select(CaseStatement).where(CaseStatement.consultation_id == consultation.id))
    if statement is None:
        statement = CaseStatement(case_id=case.id, consultation_id=consultation.id)
        db.session.add(statement)
    for name, value in fields.items():
        setattr(statement, name, Decimal(value) if name == "rent_amount" and value is not None else value)
    db.session.flush()
    _refresh(case)


def _refresh(case: Case) -> None:
    """The case holds, field by field, what the latest consultation that said something said."""
    query = (select(CaseStatement).join(Consultation, CaseStatement.consultation_id == Consultation.id)
             .where(CaseStatement.case_id == case.id).order_by(Consultation.date, Consultation.id))
    latest: dict[str, object] = {}
    for statement in db.session.scalars(query):
        latest.update({name: getattr(statement, name) for name in CASE_FIELDS
                       if getattr(statement, name) is not None})
    case.lease_signed_on = latest.get("lease_signed_on")
    case.rent_amount = latest.get("rent_amount")
    case.landlord_type = latest.get("landlord_type", "inconnu")
    case.housing_benefit = latest.get("housing_benefit", "inconnu")


def _current(case: Case, stage: str) -> ProcedureAct | None:
    return db.session.scalar(select(ProcedureAct).where(
        ProcedureAct.case_id == case.id, ProcedureAct.stage == stage, ProcedureAct.replaced_at.is_(None)))


def _said_later(consultation: Consultation, act: ProcedureAct) -> bool:
    """Whether `consultation` comes at or after the one that recorded `act` (date, then recording)."""
    if act.consultation is None:
        return True
    return (consultation.date, consultation.id) >= (act.consultation.date, act.consultation.id)


def _record_act(case: Case, consultation: Consultation, stage: str, day: date) -> None:
    current = _current(case, stage)
    if current is not None and current.occurred_on == day:
        return
    act = ProcedureAct(case_id=case.id, stage=stage, occurred_on=day, consultation_id=consultation.id)
    if current is None or _said_later(consultation, current):
        if current is not None:
            current.replaced_at = utcnow()
            db.session.flush()  # the old act leaves the one-a-stage index before the new one enters
    else:
        act.replaced_at = utcnow()  # an older consultation's date: history only
    db.session.add(act)
    db.session.flush()


def record_acts(household: Household, consultation: Consultation, acts: Mapping[str, date],
                **case_fields) -> Case:
    """Add or correct the acts stated at `consultation`, and what it said of the lease, landlord,
    rent (Decimal, monthly with charges) and housing aid (CASE_FIELDS; None: not said).

    Raises CaseError (French messages by field) and writes nothing when anything is wrong. Acting
    twice with the same values changes nothing."""
    if consultation.id is None:
        db.session.flush()
    errors = _check(household, consultation, acts, case_fields)
    if errors:
        raise CaseError(errors)
    case = case_of(household)
    if case is None:
        case = Case(household_id=household.id)
        db.session.add(case)
        db.session.flush()
    if case_fields:
        _statement(case, consultation, case_fields)
    for stage, day in acts.items():
        _record_act(case, consultation, stage, day)
    db.session.flush()
    return case


def _legal_order(act: ProcedureAct) -> tuple:
    return legal_order().index(act.stage), act.occurred_on, act.id


def acts_of(case: Case | None) -> list[ProcedureAct]:
    """The current acts, in legal order."""
    if case is None:
        return []
    current = db.session.scalars(select(ProcedureAct).where(
        ProcedureAct.case_id == case.id, ProcedureAct.replaced_at.is_(None)))
    return sorted(current, key=_legal_order)


def act_history(case: Case) -> list[ProcedureAct]:
    """Every act ever recorded, corrections included, by stage in legal order then recording."""
    every = db.session.scalars(select(ProcedureAct).where(ProcedureAct.case_id == case.id))
    return sorted(every, key=lambda act: (legal_order().index(act.stage), act.recorded_at, act.id))


def act_dates(case: Case | None) -> dict[str, date]:
    """{stage: day} of the current acts: what deadlines() and the notices take."""
    return {act.stage: act.occurred_on for act in acts_of(case)}


def case_notices(household: Household, today: date, stage: str | None = None) -> list[notices.Notice]:
    """What the household page says of the procedure: the notices of its acts and deadlines.
    `stage`: the furthest stage known without a date (the latest consultation's), if any."""
    case = case_of(household)
    return notices.statements(act_dates(case), case.lease_signed_on if case else None, today, stage)


def coming_deadlines(user, today: date, within_days: int = 15) -> list[tuple[Household, str, date]]:
    """The households whose next deadline (deadlines() key) falls from today to today + within_days,
    soonest first: the jurist's worklist. Only households with an eviction consultation the user may read."""
    missions = readable_missions(user)
    if missions is not None and EVICTION_MISSION not in missions:
        return []
    followed = select(Consultation.household_id).where(Consultation.mission == EVICTION_MISSION)
    rows = db.session.execute(
        select(Case, ProcedureAct.stage, ProcedureAct.occurred_on)
        .join(ProcedureAct, (ProcedureAct.case_id == Case.id) & ProcedureAct.replaced_at.is_(None))
        .where(Case.household_id.in_(followed))).all()
    acts: dict[int, dict[str, date]] = {}
    cases: dict[int, Case] = {}
    for case, stage, day in rows:
        cases[case.id] = case
        acts.setdefault(case.id, {})[stage] = day
    due = []
    for case_id, dated in acts.items():
        found = notices.next_deadline(dated, cases[case_id].lease_signed_on, today, within_days)
        if found:
            due.append((cases[case_id].household, *found))
    return sorted(due, key=lambda item: (item[2], item[0].id))


def may_edit_case(user) -> bool:
    """Whether the user may correct a case's acts (delete one entered by mistake): a jurist of the
    eviction mission. The household must be one the user may read (the view checks it)."""
    return user.role == "jurist" and EVICTION_MISSION in user.missions


def household_act(household: Household, act_id: int) -> ProcedureAct | None:
    """The act `act_id` of this household's case, current or not; None when it is not one of its acts."""
    return db.session.scalar(select(ProcedureAct).join(Case, ProcedureAct.case_id == Case.id)
                             .where(ProcedureAct.id == act_id, Case.household_id == household.id))


def delete_act(act: ProcedureAct) -> None:
    """Take a current act out of the case (kept in its history, marked deleted): the deadlines and
    notices no longer count it. The consultation that stated it is not changed."""
    if act.replaced_at is not None:
        raise ValueError("only a current act can be deleted")
    act.replaced_at = act.deleted_at = utcnow()
    db.session.flush()


def may_read_cases(user) -> bool:
    """Whether the user may read households' cases: those who may read the eviction mission."""
    missions = readable_missions(user)
    return missions is None or EVICTION_MISSION in missions


def statement_of(consultation: Consultation) -> CaseStatement | None:
    """What this consultation said of the lease, landlord, rent and aid, if anything."""
    return db.session.scalar(select(CaseStatement).where(CaseStatement.consultation_id == consultation.id))


def stated_at(consultation: Consultation) -> tuple[dict, dict[str, date]]:
    """(CASE_FIELDS values, {stage: day} of the current acts) that this consultation stated: the edit form."""
    statement = statement_of(consultation)
    fields = {name: getattr(statement, name) for name in CASE_FIELDS} if statement else {}
    acts = db.session.scalars(select(ProcedureAct).where(
        ProcedureAct.consultation_id == consultation.id, ProcedureAct.replaced_at.is_(None)))
    return fields, {act.stage: act.occurred_on for act in acts}


def known_case(household: Household) -> tuple[dict, dict[str, date]]:
    """(CASE_FIELDS values known, {stage: day} of the current acts): a follow-up's form starts from them."""
    case = case_of(household)
    if case is None:
        return {}, {}
    fields = {name: getattr(case, name) for name in CASE_FIELDS}
    return {name: value for name, value in fields.items() if value not in (None, "inconnu")}, act_dates(case)
