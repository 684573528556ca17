"""The households a caller's number is known by, as one user may see them: what the screen pop, the
callback list and the whisper say of a caller.

A number matches in E.164 whatever way it was typed (06 12..., +33 6 12...): a household's own number
(`households.phone`) or one of the numbers attached to it since (`household_numbers`). Only households
the user may read are returned; their case (next legal deadline, hearing) only to those who may read the
eviction mission (cases.services.may_read_cases), as on the household's page.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from hotline.cases.models import Case, ProcedureAct
from hotline.cases.services import latest_dates, may_read_cases, situation_of
from hotline.consultations.models import Consultation, Household, HouseholdNumber
from hotline.consultations.services import can_read_household, household_file
from hotline.core.calendar import MONTHS
from hotline.core.phones import e164
from hotline.extensions import db

HEARING = "audience"
# What a coming date is, said by the banner, the callback list and the whisper (Situation.deadlines_ahead keys).
DEADLINES = {
    "audience": "Audience",
    "clause_resolutoire": "Fin du délai pour payer (clause résolutoire)",
    "appel": "Fin du délai d'appel",
    "expulsion_au_plus_tot": "Expulsion possible au plus tôt",
    "refus_implicite_cfp": "Refus implicite du concours de la force publique",
}
SPOKEN = {  # the same, as the whisper says it before the day: "audience le 12 mars"
    "audience": "audience le",
    "clause_resolutoire": "fin du délai pour payer le",
    "appel": "fin du délai d'appel le",
    "expulsion_au_plus_tot": "expulsion possible à partir du",
    "refus_implicite_cfp": "réponse du préfet attendue au plus tard le",
}
MAX_HOUSEHOLDS = 20  # per number: a shared line (a social worker's office) is not a household


def households_for(numbers: Iterable[str | None], user) -> dict[str, list[Household]]:
    """{E.164 number: the households known by it that the user may read, newest first}."""
    wanted = {n for n in (e164(number) for number in numbers) if n}
    if not wanted:
        return {}
    extra = db.session.execute(
        select(HouseholdNumber.phone, HouseholdNumber.household_id).where(HouseholdNumber.phone.in_(wanted))
    ).all()
    ids = {household_id for _, household_id in extra}
    query = (
        select(Household)
        .where(or_(Household.phone.in_(wanted), Household.id.in_(ids)))
        .options(selectinload(Household.consultations))
        .order_by(Household.id.desc())
    )
    readable = [h for h in db.session.scalars(query) if can_read_household(user, h)]
    by_id = {h.id: h for h in readable}
    found: dict[str, list[Household]] = defaultdict(list)
    for household in readable:
        if household.phone in wanted:
            found[household.phone].append(household)
    for phone, household_id in extra:
        household = by_id.get(household_id)
        if household is not None and household not in found[phone]:
            found[phone].append(household)
    return {phone: sorted(households, key=lambda h: -h.id)[:MAX_HOUSEHOLDS] for phone, households in found.items()}


@dataclass(frozen=True)
class CaseDates:
    """A household's next dates from its case: the next legal deadline (situation().deadlines_ahead) and the
    coming hearing, and the sooner of the two."""

    deadline: tuple[str, date] | None
    hearing: date | None

    @property
    def next(self) -> tuple[str, date] | None:
        dates = [d for d in (self.deadline, (HEARING, self.hearing) if self.hearing else None) if d]
        return min(dates, key=lambda item: item[1]) if dates else None


def case_dates(household_ids: Iterable[int], today: date) -> dict[int, CaseDates]:
    """{household id: its CaseDates} for those with a case holding a date from today on. The caller
    checks that the reader may read cases."""
    ids = set(household_ids)
    if not ids:
        return {}
    rows = db.session.execute(
        select(Case, ProcedureAct)
        .join(ProcedureAct, (ProcedureAct.case_id == Case.id) & ProcedureAct.replaced_at.is_(None))
        .where(Case.household_id.in_(ids))
    ).all()
    cases: dict[int, Case] = {}
    acts: dict[int, list[ProcedureAct]] = defaultdict(list)
    for case, act in rows:
        cases[case.id] = case
        acts[case.id].append(act)
    found = {}
    for case_id, held in acts.items():
        ahead = situation_of(cases[case_id], today, held).deadlines_ahead(today)
        hearing = latest_dates(held).get(HEARING)
        dates = CaseDates(ahead[0] if ahead else None, hearing if hearing and hearing >= today else None)
        if dates.next:
            found[cases[case_id].household_id] = dates
    return found


@dataclass(frozen=True)
class Known:
    """A household known for a caller's number, as the reader may see it."""

    household: Household
    last: Consultation | None  # the latest consultation the reader may read
    stage: str | None  # the furthest procedure stage of those consultations, latest first
    dates: CaseDates | None  # None when the reader may not read cases, or no date is ahead


def describe(households: list[Household], user, today: date) -> list[Known]:
    dates = case_dates([h.id for h in households], today) if may_read_cases(user) else {}
    described = []
    for household in households:
        file = household_file(household, user)
        stage = file.timeline[-1].stage if file.timeline else None
        described.append(Known(household, file.last, stage, dates.get(household.id)))
    return described


def spoken_day(day: date, today: date) -> str:
    """date(2027, 3, 12) -> "12 mars" (this year) or "12 mars 2027"; the 1st is "1er"."""
    number = "1er" if day.day == 1 else str(day.day)
    year = "" if day.year == today.year else f" {day.year}"
    return f"{number} {MONTHS[day.month - 1]}{year}"


def whisper_words(number: str | None, user, today: date) -> str | None:
    """What the whisper says of the caller to this jurist: "ménage connu, audience le 12 mars"; the case only
    to a jurist who may read the eviction mission; None when no household they may read has this number."""
    households = next(iter(households_for([number], user).values()), [])
    if not households:
        return None
    words = "ménage connu" if len(households) == 1 else f"{len(households)} ménages connus"
    if not may_read_cases(user):
        return words
    coming = [d.next for d in case_dates([h.id for h in households], today).values()]
    if coming:
        key, day = min(coming, key=lambda item: item[1])
        words += f", {SPOKEN[key]} {spoken_day(day, today)}"
    return words
