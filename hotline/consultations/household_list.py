"""The "Ménages" list: the households the reader may read, the most recently consulted first, each with its
commune, the territory, missions and stage of its consultations the reader may read, and, for readers of
the eviction mission, its next legal deadline (cases: situation()); filtered by territory, mission, stage
and next deadline, a page at a time. Need to know: a jurist's list is built from the consultations of
their missions only. Reads only."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from sqlalchemy import exists, func, select

from hotline.auth.access import readable_missions
from hotline.cases import services as cases
from hotline.consultations.models import Consultation, Household
from hotline.consultations.services import coming_deadlines
from hotline.core.formatting import short_label
from hotline.extensions import db

# The next-deadline filter: its code, its French name and how many days ahead (None: any to come).
DEADLINE_WINDOWS = {
    "15": ("dans les 15 jours", 15),
    "30": ("dans les 30 jours", 30),
    "90": ("dans les 3 mois", 90),
    "tout": ("une échéance à venir", None),
}
ANY_DEADLINE_DAYS = 366 * 3  # "any to come": the furthest a deadline of the procedure falls


def mission_choices(missions: Mapping[str, str], readable: list[str] | None) -> dict[str, str]:
    """The mission filter's choices: the missions the reader may read (None: every one), short-named (a
    phone's drop-down shows them whole)."""
    return {code: short_label(text) for code, text in missions.items() if readable is None or code in readable}


@dataclass(frozen=True)
class Filters:
    territory: str | None = None
    mission: str | None = None
    stage: str | None = None
    deadline: str | None = None  # a DEADLINE_WINDOWS code

    @classmethod
    def read(cls, args: Mapping[str, str], choices: Mapping[str, Mapping[str, str]]) -> Filters:
        """The filters of a query string, each kept only if it is one of its choices (else ignored)."""
        return cls(**{name: args.get(name) if args.get(name) in choices[name] else None for name in choices})

    def as_args(self) -> dict[str, str]:
        return {name: value for name, value in vars(self).items() if value}

    @staticmethod
    def ignored(args: Mapping[str, str], choices: Mapping[str, Mapping[str, str]]) -> list[str]:
        """What `read` left out of the address, said in French: "Territoire : choix inconnu, filtre ignoré."."""
        return [
            f"{FILTER_NAMES[name]} : choix inconnu, filtre ignoré."
            for name in choices
            if args.get(name) and args.get(name) not in choices[name]
        ]


FILTER_NAMES = {  # as the filters' fields are labelled (households.html)
    "territory": "Territoire",
    "mission": "Mission",
    "stage": "Stade de la procédure",
    "deadline": "Prochaine échéance",
}


@dataclass(frozen=True)
class Row:
    household: Household
    last: date  # its latest consultation the reader may read
    territory: str
    missions: list[str]
    stage: str | None  # the stage its latest readable consultation stated
    deadline: tuple[str, date] | None  # (Situation.deadlines_ahead key, day): readers of the eviction mission


def _readable(user):
    """Consultations of a household that the user may read."""
    missions = readable_missions(user)
    condition = Consultation.household_id.is_not(None)
    return condition if missions is None else condition & Consultation.mission.in_(missions or ["-"])


def _latest(user):
    """Per household, its latest readable consultation: household_id, date, territory_code, stage."""
    ranked = (
        select(
            Consultation.household_id,
            Consultation.date,
            Consultation.territory_code,
            Consultation.procedure_stage,
            func.row_number()
            .over(
                partition_by=Consultation.household_id,
                order_by=(Consultation.date.desc(), Consultation.id.desc()),
            )
            .label("rank"),
        )
        .where(_readable(user))
        .subquery()
    )
    return select(ranked).where(ranked.c.rank == 1).subquery()


def query(user, filters: Filters, today: date):
    """The households of the list, most recently consulted first (then the newest), as a select to paginate."""
    latest = _latest(user)
    found = select(Household).join(latest, latest.c.household_id == Household.id)
    if filters.territory:
        found = found.where(latest.c.territory_code == filters.territory)
    if filters.stage:
        found = found.where(latest.c.procedure_stage == filters.stage)
    if filters.mission:
        found = found.where(
            exists().where(
                Consultation.household_id == Household.id,
                Consultation.mission == filters.mission,
                _readable(user),
            )
        )
    if filters.deadline and cases.may_read_cases(user):
        days = DEADLINE_WINDOWS[filters.deadline][1] or ANY_DEADLINE_DAYS
        due = {household.id for household, _, _ in coming_deadlines(user, today, days)}
        found = found.where(Household.id.in_(due or [0]))
    return found.order_by(latest.c.date.desc(), Household.id.desc())


def rows(user, households: list[Household], today: date) -> list[Row]:
    """The page's households with what the list shows of each."""
    if not households:
        return []
    ids = [h.id for h in households]
    latest = _latest(user)
    last = {r.household_id: r for r in db.session.execute(select(latest).where(latest.c.household_id.in_(ids)))}
    missions: dict[int, set[str]] = {}
    for household_id, mission in db.session.execute(
        select(Consultation.household_id, Consultation.mission).where(
            Consultation.household_id.in_(ids), _readable(user)
        )
    ):
        missions.setdefault(household_id, set()).add(mission)
    deadlines = cases.may_read_cases(user)
    found = []
    for household in households:
        latest_row = last[household.id]
        ahead = (
            cases.situation_of(cases.case_of(household), today).deadlines_ahead(today)
            if deadlines and cases.EVICTION_MISSION in missions.get(household.id, ())
            else []
        )
        found.append(
            Row(
                household,
                latest_row.date,
                latest_row.territory_code,
                sorted(missions.get(household.id, ())),
                latest_row.procedure_stage,
                ahead[0] if ahead else None,
            )
        )
    return found
