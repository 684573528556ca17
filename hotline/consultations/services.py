"""Recording, editing and finding consultations and households. Services flush; views commit."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.exc import StaleDataError

from hotline.auth.access import can_read_consultation, readable_missions
from hotline.cases.models import Case, ProcedureAct
from hotline.cases.path import LONGEST_DELAY
from hotline.cases.services import concerns_the_case, situation_of
from hotline.consultations.models import Consultation, ConsultationRevision, Household
from hotline.core import signals, versions
from hotline.core.models_base import utcnow
from hotline.extensions import db
from hotline.reference import NON_RENSEIGNE
from hotline.reference.services import (
    fold,
    territory_for_insee,
)

EVICTION_MISSION = "prevention_expulsion"

# The plain columns a form or an import sets, in the order the history shows them.
SCALAR_FIELDS = (
    "date",
    "time",
    "duration_minutes",
    "mission",
    "mode",
    "jurist_id",
    "consultant_type",
    "commune_insee",
    "territory_code",
    "occupancy_status",
    "housing_sector",
    "family_situation",
    "age_band",
    "resource_band",
    "referral_source",
    "procedure_stage",
    "debt_amount",
    "habitat_indigne",
    "permis_louer",
    "notes",
    "household_id",
)
_CODE_KIND = {"resource_types": "resource_type", "debt_origins": "debt_origin", "outcomes": "outcome"}


class ConflictError(versions.ConflictError):
    """Someone else saved the consultation since the form was opened."""

    def __init__(self, message: str = versions.stale_message(versions.CONSULTATION)):
        super().__init__(message)


def place(commune_insee: str | None, territory: str | None) -> tuple[str | None, str]:
    """(commune, territory) from what is known: the commune decides when there is one."""
    if commune_insee:
        return commune_insee, territory_for_insee(commune_insee)
    return None, territory or NON_RENSEIGNE


def apply(consultation: Consultation, data: dict) -> None:
    """Set fields from cleaned data; the stage, debt and its origins are kept only for the eviction
    mission or a consultation about unpaid rent (cases.services.concerns_the_case)."""
    for name in SCALAR_FIELDS:
        if name in data:
            setattr(consultation, name, data[name])
    for name, kind in _CODE_KIND.items():
        if name in data:
            consultation.set_codes(kind, data[name])
    if "themes" in data:
        themes = list(dict.fromkeys(code.split("/")[0] for code in data["themes"]))
        consultation.set_codes("theme", themes)
        consultation.set_codes("subtheme", [code for code in data["themes"] if "/" in code])
    if not concerns_the_case(consultation):
        consultation.procedure_stage = consultation.debt_amount = None
        consultation.set_codes("debt_origin", [])


def snapshot(consultation: Consultation) -> dict:
    values = {name: getattr(consultation, name) for name in SCALAR_FIELDS}
    values.update(
        resource_types=consultation.codes_of("resource_type"),
        debt_origins=consultation.codes_of("debt_origin"),
        outcomes=consultation.codes_of("outcome"),
        themes=sorted(consultation.themes),
    )
    return values


def _jsonable(value):
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if isinstance(value, list):
        return sorted(value)
    return value


def record_consultation(data: dict, author_id: int | None, household: Household | None) -> Consultation:
    consultation = Consultation(created_by_id=author_id, household=household, external_id=data.get("external_id"))
    apply(consultation, data)
    db.session.add(consultation)
    db.session.flush()
    signals.consultation_saved.send(db.session, consultation=consultation, changed=True)  # the reports follow
    return consultation


def update_consultation(consultation: Consultation, data: dict, author_id: int, expected_version: int | None) -> dict:
    """Apply an edit and keep its history; returns {field: [before, after]} of what changed.

    ConflictError if the consultation is no longer at `expected_version`: checked here, and again by
    the row's own UPDATE (... WHERE version = ?), which a concurrent save that committed first makes
    match nothing. That UPDATE is always emitted when something changed (updated_at), and before the
    codes and the revision are written, so the loser of a race gets the conflict, never a duplicate."""
    if expected_version is not None and expected_version != consultation.version:
        raise ConflictError()
    with db.session.no_autoflush:  # one flush, below, in the order described
        signals.consultation_changing.send(db.session, consultation=consultation)
        before = {k: _jsonable(v) for k, v in snapshot(consultation).items()}
        apply(consultation, data)
        after = {k: _jsonable(v) for k, v in snapshot(consultation).items()}
        changes = {k: [before[k], after[k]] for k in before if before[k] != after[k]}
        if changes:
            consultation.updated_at = utcnow()
            consultation.revisions.append(ConsultationRevision(changed_by_id=author_id, changes=changes))
    try:
        db.session.flush()
    except StaleDataError:
        raise ConflictError() from None
    signals.consultation_saved.send(db.session, consultation=consultation, changed=bool(changes))
    return changes


def create_household(
    name=None, phone=None, commune_insee=None, adults=None, children=None, author_id=None, external_ref=None
) -> Household:
    household = Household(
        name=(name or "").strip() or None,
        phone=phone,
        commune_insee=commune_insee,
        adults=adults,
        children=children,
        created_by_id=author_id,
        external_ref=external_ref,
    )
    db.session.add(household)
    db.session.flush()
    return household


def update_household(household: Household, *, name, phone, commune_insee, adults, children) -> dict:
    """Correct a household's record; returns {field: [before, after]} of what changed."""
    changes = {}
    for field, value in (
        ("name", (name or "").strip() or None),
        ("phone", phone),
        ("commune_insee", commune_insee),
        ("adults", adults),
        ("children", children),
    ):
        if getattr(household, field) != value:
            changes[field] = [getattr(household, field), value]
            setattr(household, field, value)
    db.session.flush()
    return changes


def can_read_household(user, household: Household) -> bool:
    missions = readable_missions(user)
    if missions is None:
        return True
    if not missions:
        return False
    if household.created_by_id == user.id:
        return True
    return any(c.mission in missions for c in household.consultations)


@dataclass(frozen=True)
class StageStep:
    date: date
    stage: str
    consultation_id: int
    debt_amount: Decimal | None


def stage_timeline(consultations) -> list[StageStep]:
    """The procedure stages these consultations went through, oldest first, one step per change."""
    steps: list[StageStep] = []
    for consultation in sorted(consultations, key=lambda c: (c.date, c.time or time.min, c.id)):
        if consultation.procedure_stage and (not steps or steps[-1].stage != consultation.procedure_stage):
            steps.append(
                StageStep(consultation.date, consultation.procedure_stage, consultation.id, consultation.debt_amount)
            )
    return steps


@dataclass(frozen=True)
class HouseholdFile:
    """A household as one user may see it: only the consultations they may read, and what follows from
    them alone (the procedure timeline). Every list and figure of a household page or of the form
    beside it comes from here; the case (cases/) only for those who may read the eviction mission."""

    household: Household
    consultations: list[Consultation]  # oldest first
    timeline: list[StageStep]

    @property
    def last(self) -> Consultation | None:
        return self.consultations[-1] if self.consultations else None


def household_file(household: Household, user) -> HouseholdFile:
    visible = [c for c in household.consultations if can_read_consultation(user, c)]
    return HouseholdFile(household, visible, stage_timeline(visible))


def find_households(text: str, user, limit: int = 20) -> list[HouseholdFile]:
    """Households by phone (any format) or by name, among those the user may read."""
    text = (text or "").replace("\x00", "").strip()
    if not text:
        return []
    digits = "".join(ch for ch in text if ch in "0123456789")
    conditions = [func.lower(Household.name).contains(text.lower())]
    if len(digits) >= 6:
        tail = digits[-9:]  # national significant number: 06 12.. and +33 6 12.. meet here
        conditions.append(Household.phone.contains(tail))
    query = (
        select(Household)
        .where(or_(*conditions))
        .options(selectinload(Household.consultations))
        .order_by(Household.id.desc())
        .limit(200)
    )
    found = [h for h in db.session.scalars(query) if can_read_household(user, h)]
    wanted = fold(text)
    found.sort(key=lambda h: (fold(h.name or "") != wanted, -h.id))
    return [household_file(h, user) for h in found[:limit]]


def household_by_phone(phone: str | None, user) -> Household | None:
    if not phone:
        return None
    query = select(Household).where(Household.phone == phone).order_by(Household.id.desc())
    for household in db.session.scalars(query):
        if can_read_household(user, household):
            return household
    return None


def search_consultations(user, filters: dict):
    query = select(Consultation).options(selectinload(Consultation.household), selectinload(Consultation.jurist))
    missions = readable_missions(user)
    if missions is not None:
        query = query.where(Consultation.mission.in_(missions or ["-"]))
    if filters.get("date_from"):
        query = query.where(Consultation.date >= filters["date_from"])
    if filters.get("date_to"):
        query = query.where(Consultation.date <= filters["date_to"])
    for key, column in (
        ("mission", Consultation.mission),
        ("territory", Consultation.territory_code),
        ("stage", Consultation.procedure_stage),
    ):
        if filters.get(key):
            query = query.where(column == filters[key])
    if filters.get("jurist"):
        query = query.where(Consultation.jurist_id == int(filters["jurist"]))
    return query.order_by(Consultation.date.desc(), Consultation.id.desc())


def coming_deadlines(user, today: date, within_days: int = 15) -> list[tuple[Household, str, date]]:
    """The households whose next deadline (a Situation.deadlines_ahead key) falls from today to
    today + within_days, soonest first: the jurist's worklist. Only households with an eviction
    consultation the user may read. Here, not in cases/, because it reads the consultations."""
    missions = readable_missions(user)
    if missions is not None and EVICTION_MISSION not in missions:
        return []
    # Followed: the household has a consultation of the eviction mission (one look in the index on
    # (household_id, mission, date) for each case read, not a scan of every eviction consultation).
    followed = (
        select(Consultation.id)
        .where(Consultation.household_id == Case.household_id, Consultation.mission == EVICTION_MISSION)
        .exists()
    )
    # Only cases with an act recent enough to have a deadline ahead (cases.path.LONGEST_DELAY): a
    # followed household's older cases have none, and reading them all took seconds at 60 000 cases.
    recent = select(ProcedureAct.case_id).where(
        ProcedureAct.replaced_at.is_(None), ProcedureAct.occurred_on >= today - LONGEST_DELAY
    )
    # Narrow rows, not ORM objects: every such case is read (thousands of cases, five acts each), and
    # situation_of reads only these attributes (two thirds of the time went to building objects).
    rows = db.session.execute(
        select(
            Case.id.label("case_id"),
            Case.household_id,
            Case.lease_signed_on,
            Case.landlord_type,
            ProcedureAct.id,
            ProcedureAct.stage,
            ProcedureAct.occurred_on,
            ProcedureAct.decision_kind,
        )
        .join(ProcedureAct, (ProcedureAct.case_id == Case.id) & ProcedureAct.replaced_at.is_(None))
        .where(followed, Case.id.in_(recent))
    ).all()
    acts: dict[int, list] = {}
    cases: dict[int, Any] = {}
    for row in rows:
        cases[row.case_id] = row
        acts.setdefault(row.case_id, []).append(row)
    horizon = today + timedelta(days=within_days)
    ahead_of: dict[int, tuple[str, date]] = {}
    for case_id, held in acts.items():
        ahead = situation_of(cases[case_id], today, held).deadlines_ahead(today)
        if ahead and ahead[0][1] <= horizon:
            ahead_of[cases[case_id].household_id] = ahead[0]
    households = db.session.scalars(select(Household).where(Household.id.in_(list(ahead_of))))
    due = [(household, *ahead_of[household.id]) for household in households]
    return sorted(due, key=lambda item: (item[2], item[0].id))
