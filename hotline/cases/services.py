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

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from hotline.auth.access import readable_missions
from hotline.cases.models import Case, CaseStatement, ProcedureAct
from hotline.cases.notices import legal_order
from hotline.cases.path import Situation, situation
from hotline.core import audit
from hotline.core.models_base import utcnow
from hotline.extensions import db
from hotline.reference import labels, taxonomy

if TYPE_CHECKING:  # named for the type checker, not imported when run: consultations imports cases, never back
    from hotline.consultations.models import Consultation, Household

EVICTION_MISSION = "prevention_expulsion"
UNPAID_RENT_THEME = "impayes_expulsion"
CASE_FIELDS = ("lease_signed_on", "landlord_type", "rent_amount", "housing_benefit")
_CODED = {"landlord_type": "landlord_types", "housing_benefit": "housing_benefits"}
MAX_AMOUNT = Decimal("10000000")
# A hearing's date is known in advance, from the assignation; every other act has already happened.
MAY_BE_AHEAD = {"audience"}
ACTS_FROM = date(1990, 1, 1)
EARLIEST = date(1950, 1, 1)  # a lease still running may be that old
JUDGMENTS = ("jugement", "jugement_delais", "jugement_resiliation", "jugement_rejet", "arret_appel")


class CaseError(ValueError):
    """What is wrong, in French, by field: a CASE_FIELDS name, or `acts` / `acts.<stage>`. `current`:
    {code: id of its latest current act, None when none is left} for the acts changed since the form was
    opened, so that the form shown again names them (the next save then says what the jurist meant)."""

    def __init__(self, errors: dict[str, str], current: dict[str, int | None] | None = None):
        self.errors = errors
        self.current = current or {}
        super().__init__(" ; ".join(errors.values()))


def concerns_the_case(consultation: Consultation) -> bool:
    """The eviction-prevention mission, or an info-line consultation about unpaid rent."""
    return concerns(consultation.mission, consultation.codes_of("theme"))


def concerns(mission: str | None, themes: Iterable[str]) -> bool:
    """concerns_the_case() of a consultation's mission and themes (codes, or `theme/subtheme` as a form holds them)."""
    return mission == EVICTION_MISSION or any(theme.partition("/")[0] == UNPAID_RENT_THEME for theme in themes)


def case_codes() -> list[str]:
    """The codes a case records: the acts in legal order, then the events."""
    return [*legal_order(), *taxonomy()["case_events"]]


def code_label(code: str) -> str:
    return labels("procedure_stages").get(code) or labels("case_events").get(code, code)


@dataclass(frozen=True)
class Stated:
    """What a consultation states of one code: its date(s), and, for a date typed over a known act's
    (`corrects`: that act's id), whether it corrects that act (the default) or is another act (`new`)."""

    dates: tuple[date, ...]
    corrects: int | None = None
    new: bool = False


def stated(value) -> Stated:
    """A date, several dates or a Stated, as a Stated."""
    if isinstance(value, Stated):
        return value
    if isinstance(value, (list, tuple)):
        return Stated(tuple(value))
    return Stated((value,))


def _check(
    household: Household,
    consultation: Consultation,
    acts: Mapping[str, Stated],
    fields: dict,
    decision_kind: str | None,
) -> dict[str, str]:
    errors: dict[str, str] = {}
    if consultation.household_id is not None and household.id is not None and consultation.household_id != household.id:
        errors["household"] = "Cette consultation concerne un autre ménage."
    if (acts or any(v is not None for v in fields.values())) and not concerns_the_case(consultation):
        errors["acts"] = (
            "Le dossier du ménage (bail, actes de la procédure) se renseigne pour la prévention "
            "des expulsions ou une consultation sur un impayé de loyer."
        )
    known = set(case_codes())
    for code, said in acts.items():
        if code not in known:
            errors[f"acts.{code}"] = f"« {code} » n'est pas un acte de la procédure ni un événement du dossier."
            continue
        for day in said.dates:
            if not isinstance(day, date):
                errors[f"acts.{code}"] = f"{code_label(code)} : date manquante ou illisible."
            elif problem := act_date_problem(code, day, consultation.date):
                errors[f"acts.{code}"] = f"{code_label(code)} : {problem}"
    if decision_kind is not None and decision_kind not in labels("decision_kinds"):
        errors["decision_kind"] = "Choisissez une valeur de la liste."
    for name in set(fields) - set(CASE_FIELDS):
        errors[name] = f"Champ inconnu : {name}."
    lease = fields.get("lease_signed_on")
    if lease is not None and (not isinstance(lease, date) or lease > consultation.date or lease < EARLIEST):
        errors["lease_signed_on"] = (
            "La date de signature du bail doit être comprise entre le 01/01/1950 et la date de la consultation."
        )
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


def act_date_problem(code: str, day: date, consultation_date: date) -> str | None:
    """Why `day` cannot be the date of an act or event `code` stated at a consultation of that date,
    in French; None when it can. Acts and events from 1990; none after the consultation, but a
    hearing, which is scheduled, up to a year after it."""
    if day < ACTS_FROM:
        return "la date doit être le 01/01/1990 ou après."
    if code in MAY_BE_AHEAD:
        if day > consultation_date + timedelta(days=366):
            return "une audience se fixe au plus un an après la consultation."
    elif day > consultation_date:
        return "la date ne peut pas être postérieure à celle de la consultation."
    return None


def parse_acts(cell: str | None) -> dict[str, Stated]:
    """The import's `procedure_acts` cell (docs/formats.md): `code=YYYY-MM-DD` separated by `|`, codes
    of procedure_stages or case_events; a code named twice with two dates is two acts.
    Raises CaseError({"procedure_acts": French message}) naming what is wrong."""
    acts: dict[str, list[date]] = {}
    known = set(case_codes())
    items = filter(None, (part.strip() for part in (cell or "").split("|")))
    for n, item in enumerate(items, start=1):  # the messages name a rank or a known code, never the cell's text
        code, equals, text = (piece.strip() for piece in item.partition("="))
        rank = "1er" if n == 1 else f"{n}e"
        if not equals or code not in known:
            raise CaseError(
                {
                    "procedure_acts": f"{rank} élément de la cellule : attendu code=AAAA-MM-JJ avec un code "
                    "de procedure_stages (sauf inconnu) ou de case_events."
                }
            )
        try:
            day = date.fromisoformat(text)
        except ValueError:
            raise CaseError(
                {"procedure_acts": f"{code} ({rank} élément) : date illisible ou qui n'existe pas, attendu AAAA-MM-JJ."}
            ) from None
        dates = acts.setdefault(code, [])
        if day not in dates:
            dates.append(day)
    return {code: Stated(tuple(sorted(dates))) for code, dates in acts.items()}


def case_of(household: Household) -> Case | None:
    return db.session.scalar(select(Case).where(Case.household_id == household.id))


def _history_value(value):
    if isinstance(value, date):
        return value.isoformat()
    return str(value) if isinstance(value, Decimal) else value


def _statement(case: Case, consultation: Consultation, fields: dict) -> dict:
    """Keep what `consultation` said of the lease, landlord, rent and aid; returns {field: [before, after]}."""
    statement = db.session.scalar(select(CaseStatement).where(CaseStatement.consultation_id == consultation.id))
    if statement is None:
        statement = CaseStatement(case_id=case.id, consultation_id=consultation.id)
        db.session.add(statement)
    changes = {}
    for name, value in fields.items():
        value = Decimal(value) if name == "rent_amount" and value is not None else value
        before = getattr(statement, name)
        if before != value:
            changes[name] = [_history_value(before), _history_value(value)]
        setattr(statement, name, value)
    db.session.flush()
    _refresh(case)
    return changes


def _refresh(case: Case) -> None:
    """The case holds, field by field, what the latest consultation that said something said."""
    query = (
        select(CaseStatement).where(CaseStatement.case_id == case.id).options(selectinload(CaseStatement.consultation))
    )
    statements = sorted(db.session.scalars(query), key=lambda s: (s.consultation.date, s.consultation.id))
    latest: dict[str, object] = {}
    for statement in statements:
        latest.update({name: getattr(statement, name) for name in CASE_FIELDS if getattr(statement, name) is not None})
    case.lease_signed_on = latest.get("lease_signed_on")
    case.rent_amount = latest.get("rent_amount")
    case.landlord_type = latest.get("landlord_type", "inconnu")
    case.housing_benefit = latest.get("housing_benefit", "inconnu")


def _current(case: Case, code: str) -> list[ProcedureAct]:
    """The current acts of `code` in the case, oldest first."""
    return list(
        db.session.scalars(
            select(ProcedureAct)
            .where(ProcedureAct.case_id == case.id, ProcedureAct.stage == code, ProcedureAct.replaced_at.is_(None))
            .order_by(ProcedureAct.occurred_on, ProcedureAct.id)
        )
    )


def _said_later(consultation: Consultation, act: ProcedureAct) -> bool:
    """Whether `consultation` comes at or after the one that recorded `act` (date, then recording)."""
    if act.consultation is None:
        return True
    return (consultation.date, consultation.id) >= (act.consultation.date, act.consultation.id)


def _record_code(
    case: Case,
    consultation: Consultation,
    code: str,
    said: Stated,
    kind: str | None,
    author_id: int | None,
    changes: dict,
) -> None:
    """The rules of a stated code (docs/formats.md, "Several acts of one code"): a date already known
    changes nothing; a single date typed over a known act corrects it (the latest act of the code when
    the form did not say which), unless it is stated as a new act; several dates are each an act."""
    current = _current(case, code)
    if said.corrects is not None and all(act.id != said.corrects for act in current):
        _refuse_if_stale(case, code, said.corrects, current)
    unknown = [day for day in said.dates if all(act.occurred_on != day for act in current)]
    target = None
    if len(said.dates) == 1 and not said.new and current:
        target = next((act for act in current if act.id == said.corrects), current[-1])
    for day in unknown:
        inherited = target.decision_kind if target is not None else None  # a corrected date keeps its kind
        act = ProcedureAct(
            case_id=case.id,
            stage=code,
            occurred_on=day,
            consultation_id=consultation.id,
            recorded_by_id=author_id,
            decision_kind=(kind or inherited) if code in JUDGMENTS else None,
        )
        if target is not None:
            act.replaces_id = target.id
            if _said_later(consultation, target):
                target.replaced_at = utcnow()
            else:
                act.replaced_at = utcnow()  # an older consultation's date: history only
        db.session.add(act)
        db.session.flush()
        audit.record("procedure_act.correct" if target else "procedure_act.create", "procedure_act", act.id)
        changes[f"acts.{code}"] = [target.occurred_on.isoformat() if target else None, day.isoformat()]
    if kind is not None and code in JUDGMENTS and not unknown:
        for act in current:
            if act.occurred_on in said.dates and act.decision_kind != kind:
                changes["decision_kind"] = [act.decision_kind, kind]
                act.decision_kind = kind


def _refuse_if_stale(case: Case, code: str, known_id: int, current: list[ProcedureAct]) -> None:
    """The form was opened with an act of this case that has been corrected or deleted since: saving it
    would silently undo that change (a lost update). Refused, naming the date held now. An id that is
    not an act of this case and code is ignored (it names nothing this form may change)."""
    opened = db.session.get(ProcedureAct, known_id)
    if opened is None or opened.case_id != case.id or opened.stage != code:
        return
    now = ", ".join(act.occurred_on.strftime("%d/%m/%Y") for act in current) or "aucune (acte supprimé)"
    raise CaseError(
        {
            f"acts.{code}": f"{code_label(code)} : cette date a été modifiée depuis l'ouverture du "
            f"formulaire (date notée maintenant : {now}). Vérifiez-la, puis enregistrez de "
            "nouveau."
        },
        current={code: current[-1].id if current else None},
    )


def record_acts(
    household: Household,
    consultation: Consultation,
    acts: Mapping[str, object],
    *,
    decision_kind: str | None = None,
    author_id: int | None = None,
    **case_fields,
) -> Case:
    """record_case(), for callers that want the case rather than what changed."""
    return record_case(household, consultation, acts, decision_kind=decision_kind, author_id=author_id, **case_fields)[
        0
    ]


def record_case(
    household: Household,
    consultation: Consultation,
    acts: Mapping[str, object],
    *,
    decision_kind: str | None = None,
    author_id: int | None = None,
    **case_fields,
) -> tuple[Case, dict]:
    """Add or correct the acts and events stated at `consultation` ({code: a date, several dates or a
    Stated}), the kind of the judgments it names (`decision_kind`), and what it said of the lease,
    landlord, rent (Decimal, monthly with charges) and housing aid (CASE_FIELDS; None: not said).

    Raises CaseError (French messages by field) and writes nothing when anything is wrong. Returns the
    case and {key: [before, after]} of what changed (`acts.<code>` as ISO dates, CASE_FIELDS, `decision_kind`),
    which the caller keeps in the consultation's history; acting twice with the same values changes
    nothing."""
    if consultation.id is None:
        db.session.flush()
    acts = {code: stated(value) for code, value in acts.items()}
    errors = _check(household, consultation, acts, case_fields, decision_kind)
    if errors:
        raise CaseError(errors)
    case = case_of(household)
    if case is None:
        case = Case(household_id=household.id)
        db.session.add(case)
        db.session.flush()
    changes: dict = {}
    if case_fields:
        changes.update(_statement(case, consultation, case_fields))
    for code, said in acts.items():
        _record_code(case, consultation, code, said, decision_kind, author_id, changes)
    db.session.flush()
    return case, changes


def _order(act: ProcedureAct) -> tuple:
    codes = case_codes()
    return codes.index(act.stage) if act.stage in codes else len(codes), act.occurred_on, act.id


def acts_of(case: Case | None) -> list[ProcedureAct]:
    """The current acts and events, in legal order (then by date)."""
    if case is None:
        return []
    current = db.session.scalars(
        select(ProcedureAct).where(ProcedureAct.case_id == case.id, ProcedureAct.replaced_at.is_(None))
    )
    return sorted(current, key=_order)


def act_history(case: Case) -> list[ProcedureAct]:
    """Every act ever recorded, corrections included, by code in legal order then recording."""
    every = db.session.scalars(select(ProcedureAct).where(ProcedureAct.case_id == case.id))
    return sorted(every, key=lambda act: (_order(act)[0], act.recorded_at, act.id))


def latest_each(acts: list[ProcedureAct]) -> dict[str, ProcedureAct]:
    """{code: its latest act} of these acts (by date, then recording)."""
    found: dict[str, ProcedureAct] = {}
    for act in sorted(acts, key=lambda act: (act.occurred_on, act.id)):
        found[act.stage] = act
    return found


def latest_dates(acts: list[ProcedureAct]) -> dict[str, date]:
    """{code: the latest day} of these acts: what situation() and deadlines() take."""
    return {code: act.occurred_on for code, act in latest_each(acts).items()}


def act_dates(case: Case | None) -> dict[str, date]:
    """{code: the latest day} of the current acts and events."""
    return latest_dates(acts_of(case))


def decision_kind_of(acts: list[ProcedureAct]) -> str:
    """The kind of the latest judgment or appeal ruling among these acts ("inconnu" when not said)."""
    judged = [act for act in acts if act.stage in JUDGMENTS]
    if not judged:
        return "inconnu"
    latest = max(judged, key=lambda act: (act.occurred_on, JUDGMENTS.index(act.stage), act.id))
    return latest.decision_kind or "inconnu"


def situation_of(case: Case | None, today: date, acts: list[ProcedureAct] | None = None) -> Situation:
    """situation() of a case as recorded: its current acts, lease, landlord and latest judgment's kind."""
    acts = acts_of(case) if acts is None else acts
    return situation(
        latest_dates(acts),
        lease_signed_on=case.lease_signed_on if case else None,
        landlord_type=case.landlord_type if case else "inconnu",
        decision_kind=decision_kind_of(acts),
        today=today,
    )


# The jurists' names of the Situation.deadlines_ahead keys (worklists: the home, "Ménages").
DEADLINE_LABELS = {
    "clause_resolutoire": "Fin du délai pour payer (clause résolutoire)",
    "appel": "Fin du délai d'appel",
    "expulsion_au_plus_tot": "Expulsion possible au plus tôt",
    "refus_implicite_cfp": "Refus implicite du concours de la force publique",
}


def may_edit_case(user) -> bool:
    """Whether the user may correct a case's acts (delete one entered by mistake): a jurist of the
    eviction mission. The household must be one the user may read (the view checks it)."""
    return user.role == "jurist" and EVICTION_MISSION in user.missions


def household_act(household: Household, act_id: int) -> ProcedureAct | None:
    """The act `act_id` of this household's case, current or not; None when it is not one of its acts."""
    return db.session.scalar(
        select(ProcedureAct)
        .join(Case, ProcedureAct.case_id == Case.id)
        .where(ProcedureAct.id == act_id, Case.household_id == household.id)
    )


def delete_act(act: ProcedureAct) -> dict:
    """Take a current act out of the case (kept in its history, marked deleted): the deadlines and
    notices no longer count it. The consultation that stated it keeps its fields. Returns
    {`acts.<code>`: [its ISO date, None]}, which the caller keeps in that consultation's history, as
    record_case's changes."""
    if act.replaced_at is not None:
        raise ValueError("only a current act can be deleted")
    act.replaced_at = act.deleted_at = utcnow()
    db.session.flush()
    return {f"acts.{act.stage}": [act.occurred_on.isoformat(), None]}


def may_read_cases(user) -> bool:
    """Whether the user may read households' cases: those who may read the eviction mission."""
    missions = readable_missions(user)
    return missions is None or EVICTION_MISSION in missions


def statement_of(consultation: Consultation) -> CaseStatement | None:
    """What this consultation said of the lease, landlord, rent and aid, if anything."""
    return db.session.scalar(select(CaseStatement).where(CaseStatement.consultation_id == consultation.id))


def stated_acts(consultation: Consultation) -> list[ProcedureAct]:
    """The current acts and events this consultation stated, in legal order."""
    acts = db.session.scalars(
        select(ProcedureAct).where(ProcedureAct.consultation_id == consultation.id, ProcedureAct.replaced_at.is_(None))
    )
    return sorted(acts, key=_order)


def stated_at(consultation: Consultation) -> tuple[dict, dict[str, ProcedureAct]]:
    """(CASE_FIELDS values, {code: the latest current act of it}) that this consultation stated: the edit form."""
    statement = statement_of(consultation)
    fields = {name: getattr(statement, name) for name in CASE_FIELDS} if statement else {}
    return fields, latest_each(stated_acts(consultation))


def known_case(household: Household) -> tuple[dict, dict[str, ProcedureAct]]:
    """(CASE_FIELDS values known, {code: the latest current act of it}): a follow-up's form starts from them."""
    case = case_of(household)
    if case is None:
        return {}, {}
    fields = {name: getattr(case, name) for name in CASE_FIELDS}
    return (
        {name: value for name, value in fields.items() if value not in (None, "inconnu")},
        latest_each(acts_of(case)),
    )
