"""The demo's households and their consultations over two years, told as a service would see them: who
consults (tenants mostly, some landlords and social workers), a procedure of the eviction mission moving
on from act to act (a quarter to a third of the first contacts come before the commandement de payer), on
working days within the line's opening hours.

They are written through the consultations import of docs/formats.md (the same checks as any file, a
few statements per 2 000 rows, the reports kept current by its signal), then completed with what a file
does not carry: each consultation's jurist and time, each household's name and phone.

The first households have stable ids in a fresh database (the import creates them in this order): the
README and the browser tests open them. NEAR_TRUCE are past the commandement de quitter near the truce;
SHOWCASE holds two households of each branch of the path, followed from some 20 months ago and seen
after each act.
"""

from __future__ import annotations

import csv
import io
import random
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

import click
from sqlalchemy import bindparam, select, update

from hotline.auth.models import User
from hotline.cases.deadlines import after_truce, in_winter_truce, next_working_day
from hotline.cases.models import ProcedureAct
from hotline.consultations.imports.parse import COLUMNS
from hotline.consultations.imports.write import import_file
from hotline.consultations.models import Consultation, Household
from hotline.extensions import db
from hotline.jobs.demo.days import Hours, window, working_day_between, working_day_on_or_before
from hotline.reference import labels, theme_codes
from hotline.reference.models import Commune

HOUSEHOLDS = 2900  # some 2 600 consultations a year, as a departmental service records
EVICTION, INFO = "prevention_expulsion", "info_logement"
NEAR_TRUCE = (1, 3, 6, 7, 8, 10)
SHOWCASE = {
    13: "amiable",
    14: "amiable",
    18: "surendettement",
    19: "surendettement",
    20: "protocole",
    21: "protocole",
    22: "relogement",
    23: "relogement",
    27: "depart",
    29: "depart",
    31: "expulsion",
    32: "expulsion",
    35: "refere",
    36: "refere",
    37: "resiliation",
    39: "resiliation",
    40: "rejet",
    41: "rejet",
    43: "delais_rompus",
    46: "delais_rompus",
    47: "delais_en_cours",
    48: "delais_en_cours",
    51: "delais_tenus",
    53: "delais_tenus",
}
FOLLOWED_BEFORE = 200  # days: households of the eviction mission first seen before the demo's first day
EARLY_SHARE = 0.33  # of the other households of the eviction mission: first seen before any commandement de payer

FIRST_NAMES = [
    "Martin",
    "Bernard",
    "Dubois",
    "Durand",
    "Lefebvre",
    "Leroy",
    "Moreau",
    "Simon",
    "Laurent",
    "Lefèvre",
    "Michel",
    "Garcia",
    "David",
    "Bertrand",
    "Roux",
    "Vincent",
    "Fournier",
    "Morel",
    "Girard",
    "Andre",
    "Mercier",
    "Dupont",
    "Lambert",
    "Bonnet",
    "François",
    "Martinez",
    "Legrand",
    "Garnier",
    "Faure",
    "Rousseau",
    "Blanc",
    "Guerin",
    "Muller",
    "Henry",
    "Roussel",
    "Nicolas",
    "Perrin",
    "Morin",
    "Mathieu",
    "Clement",
    "Gauthier",
    "Dumont",
    "Lopez",
    "Fontaine",
    "Chevalier",
]


def _pick(rng: random.Random, vocabulary: str, unknown_share: float = 0.15) -> str:
    codes = list(labels(vocabulary))
    if "inconnu" in codes and rng.random() < unknown_share:
        return "inconnu"
    return rng.choice([c for c in codes if c != "inconnu"])


def _weighted(rng: random.Random, weights: dict[str, float]) -> str:
    return rng.choices(list(weights), list(weights.values()))[0]


# The acts and events of a procedure, each (code, days after the previous one), by the branch it takes
# after the hearing, so that the demo holds every branch of the path (cases/path.py) and every household
# result (taxonomy.yaml). The hearing comes six weeks at least after the assignation reached the prefect
# (loi 89-462 art. 24 III); every date is a working day.
BEFORE_JUDGMENT = [
    ("commandement_payer", (0, 0)),
    ("assignation", (65, 120)),
    ("notification_prefet_assignation", (1, 4)),
    ("diagnostic_social_financier", (15, 40)),
    ("audience", (30, 70)),
]
TERMINATED = [("jugement_resiliation", (15, 45)), ("signification_jugement", (10, 30))]
BRANCHES = {  # branch: (weight, the acts after BEFORE_JUDGMENT, or the whole path when it starts with "!")
    "delais_tenus": (14, [("jugement_delais", (15, 45)), ("dette_soldee", (200, 500))]),
    "delais_en_cours": (10, [("jugement_delais", (15, 45))]),
    "delais_rompus": (6, [("jugement_delais", (15, 45)), ("commandement_quitter", (90, 200))]),
    "rejet": (8, [("jugement_rejet", (15, 45)), ("signification_jugement", (10, 30))]),
    "resiliation": (14, TERMINATED + [("commandement_quitter", (20, 60)), ("requisition_cfp", (65, 100))]),
    "refere": (6, TERMINATED),
    "expulsion": (
        5,
        TERMINATED
        + [
            ("commandement_quitter", (20, 60)),
            ("pv_tentative_expulsion", (65, 90)),
            ("requisition_cfp", (3, 10)),
            ("cfp_accorde", (30, 60)),
            ("expulsion_effective", (15, 40)),
        ],
    ),
    "depart": (5, TERMINATED + [("commandement_quitter", (20, 60)), ("depart_volontaire", (20, 50))]),
    "relogement": (4, TERMINATED + [("relogement_effectif", (40, 120))]),
    "protocole": (4, TERMINATED + [("protocole_cohesion_signe", (30, 90))]),
    "surendettement": (
        5,
        [
            ("depot_surendettement", (10, 40)),
            ("recevabilite_surendettement", (30, 60)),
            ("jugement_delais", (20, 60)),
            ("mesures_surendettement", (60, 150)),
        ],
    ),
    "amiable": (
        12,
        [
            "!",
            ("commandement_payer", (0, 0)),
            ("fsl_demande", (5, 20)),
            ("fsl_accorde", (30, 60)),
            ("plan_apurement", (5, 20)),
        ],
    ),
    # Households seen before any act: the debt paid with the FSL's help, or a plan agreed, before a
    # commandement; and the landlord's notice (congé), a track of its own.
    "fsl_avant_commandement": (
        0,
        ["!", ("fsl_demande", (0, 0)), ("fsl_accorde", (30, 60)), ("dette_soldee", (30, 200))],
    ),
    "plan_avant_commandement": (0, ["!", ("plan_apurement", (0, 0))]),
    "conge": (0, ["!", ("conge_bailleur", (0, 0)), ("relogement_effectif", (120, 240))]),
}
EARLY_BRANCHES = {"fsl_avant_commandement": 2, "plan_avant_commandement": 2}  # else a branch with a commandement
LAW_2023 = date(2023, 7, 29)
BEFORE_ANY_ACT = ("prevention_amont", "impaye", "impaye", "impaye", "signalement_caf")


@dataclass
class _Procedure:
    """A household's procedure as the demo tells it: its lease and the acts and events with their dates."""

    lease_signed_on: date
    landlord_type: str
    rent: Decimal
    housing_benefit: str
    acts: list[tuple[str, date]]
    decision_kind: str
    before_any_act: str = "impaye"  # the stage said before the first act

    def stage_on(self, day: date) -> str:
        known = [code for code, served in self.acts if served <= day and code in labels("procedure_stages")]
        return known[-1] if known else self.before_any_act

    def acts_until(self, day: date) -> dict[str, date]:
        return {code: served for code, served in self.acts if served <= day}


def _procedure(
    rng: random.Random,
    first_visit: date,
    today: date,
    near_truce: bool,
    branch: str | None = None,
    early: bool = False,
) -> _Procedure:
    """Leases before and after the law of July 2023, every branch of the path; `near_truce`: a household
    whose commandement de quitter was served shortly before today (the two months end near or in the truce);
    `branch`: the one to take (else drawn by BRANCHES' weights); `early`: the first act comes after the
    first visit (else the household is first seen some way into its procedure, after the judgment at times)."""
    lease = (
        LAW_2023 + timedelta(days=rng.randint(1, 700))
        if rng.random() < 0.3
        else date(rng.randint(2008, 2023), rng.randint(1, 6), rng.randint(1, 28))
    )
    names = [name for name, (weight, _) in BRANCHES.items() if weight]
    if early and branch is None and rng.random() < 0.15:
        branch = _weighted(rng, EARLY_BRANCHES)
    branch = branch or ("resiliation" if near_truce else rng.choices(names, [BRANCHES[name][0] for name in names])[0])
    path = BRANCHES[branch][1]
    steps = path[1:] if path[0] == "!" else BEFORE_JUDGMENT + path
    start = (
        first_visit + timedelta(days=rng.randint(15, 100))
        if early
        else first_visit - timedelta(days=rng.randint(0, 240) if rng.random() < 0.6 else rng.randint(240, 640))
    )
    acts, day = [], start
    for code, (low, high) in steps:
        day = next_working_day(day + timedelta(days=rng.randint(low, high)))
        if code == "expulsion_effective":  # none during the winter truce (CPCE L412-6)
            day = next_working_day(after_truce(day))
        acts.append((code, day))
    if near_truce:  # the commandement de quitter 15 to 80 days ago, the earlier acts before it
        shift = today - timedelta(days=rng.randint(15, 80)) - dict(acts)["commandement_quitter"]
        acts = [(code, next_working_day(served + shift)) for code, served in acts if code != "requisition_cfp"]
    landlord = (
        "bailleur_social"
        if branch == "protocole"
        else rng.choice(
            [
                "personne_physique",
                "personne_physique",
                "sci_familiale",
                "personne_morale_privee",
                "bailleur_social",
                "bailleur_social",
            ]
        )
    )
    kind = "refere" if branch == "refere" else rng.choice(["fond", "fond", "fond", "inconnu"])
    return _Procedure(
        min(lease, acts[0][1] - timedelta(days=365), first_visit - timedelta(days=200)),
        landlord,
        Decimal(rng.randint(350, 900)),
        _pick(rng, "housing_benefits", 0.1),
        acts,
        kind,
        rng.choice(BEFORE_ANY_ACT),
    )


# Who consults, by mission: for the eviction mission the household (a tenant), a social worker for it, a
# landlord (a private one, or a social landlord's officer); for the information mission, anyone.
EVICTION_ROLES = {"locataire": 70, "travailleur_social": 17, "bailleur_prive": 7, "bailleur_social": 4, "autre": 2}
INFO_CONSULTANTS = {
    "particulier": 82,
    "travailleur_social": 7,
    "professionnel_immobilier": 4,
    "bailleur_social": 2,
    "elu_collectivite": 2,
    "autre": 3,
}
INFO_OCCUPANCY = {
    "locataire": 44,
    "proprietaire_occupant": 18,
    "proprietaire_bailleur": 13,
    "accedant": 6,
    "coproprietaire": 8,
    "heberge": 3,
    "sans_logement": 1,
    "autre": 2,
    "inconnu": 5,
}
MODES = {
    "telephone": 50,
    "visite_siege": 15,
    "permanence": 15,
    "aller_vers": 8,
    "courriel": 6,
    "courrier": 3,
    "visio": 3,
}


@dataclass
class _Household:
    number: int  # its id in a fresh database
    mission: str
    commune: Commune
    role: str
    visits: list[date]
    procedure: _Procedure | None = None


def _visits_after_acts(rng: random.Random, first: date, procedure: _Procedure, today: date, every: bool) -> list[date]:
    """The first visit, then a visit a few working days after each act served since (every one, or about
    half of them), until today; at most six."""
    days = {first}
    for _, served in procedure.acts:
        if served >= first and (every or rng.random() < 0.5):
            days.add(next_working_day(served + timedelta(days=rng.randint(2, 8))))
    days = sorted(day for day in days if day < today)
    return days if every else days[:6]


def _a_year_before(code: str, day: date) -> date:
    """52 weeks earlier (the same weekday, a day or two later in the calendar), carried to a working day;
    an eviction kept out of the winter truce (CPCE L412-6)."""
    day = next_working_day(day - timedelta(weeks=52))
    if code == "expulsion_effective" and in_winter_truce(day):
        day = working_day_on_or_before(date(day.year if day.month >= 11 else day.year - 1, 10, 31))
    return day


def _plan(rng: random.Random, number: int, communes, weights, today: date) -> _Household:
    """Household `number`: its mission, who consults, its visits and (eviction mission) its procedure."""
    first_day, _ = window(today)
    commune = rng.choices(communes, weights)[0]
    if number in NEAR_TRUCE:
        procedure = _procedure(rng, today, today, True)
        seen = next_working_day(dict(procedure.acts)["commandement_quitter"] + timedelta(days=rng.randint(2, 10)))
        visits = [seen] + [next_working_day(seen + timedelta(days=rng.randint(7, 20)))]
        return _Household(number, EVICTION, commune, "locataire", [d for d in visits if d < today], procedure)
    if number in SHOWCASE:
        first = next_working_day(today - timedelta(days=rng.randint(560, 620)))
        procedure = _procedure(rng, first, today, False, SHOWCASE[number])
        while procedure.acts[-1][1] >= today - timedelta(days=7):  # its branch reached: its last act a year earlier
            procedure.acts = [(code, _a_year_before(code, served)) for code, served in procedure.acts]
        return _Household(
            number, EVICTION, commune, "locataire", _visits_after_acts(rng, first, procedure, today, True), procedure
        )
    first = working_day_between(rng, first_day, today - timedelta(days=1))
    if rng.random() >= 0.45:
        visits = [first]
        for _ in range(0 if rng.random() < 0.8 else rng.randint(1, 2)):
            visits.append(next_working_day(visits[-1] + timedelta(days=rng.randint(7, 90))))
        return _Household(number, INFO, commune, _weighted(rng, INFO_CONSULTANTS), [d for d in visits if d < today])
    role = _weighted(rng, EVICTION_ROLES)
    while True:  # some followed since before the demo's first day: their visits from that day on
        first = working_day_between(rng, first_day - timedelta(days=FOLLOWED_BEFORE), today - timedelta(days=1))
        if role in ("locataire", "travailleur_social") and rng.random() < 0.03:  # seen after the landlord's notice
            procedure = _procedure(rng, first, today, False, "conge")
        else:
            procedure = _procedure(rng, first, today, False, early=rng.random() < EARLY_SHARE)
        visits = [day for day in _visits_after_acts(rng, first, procedure, today, False) if day >= first_day]
        if role.startswith("bailleur"):  # a landlord asks once or twice, early in the procedure, about its own lease
            visits = visits[:2]
            procedure.landlord_type = (
                "bailleur_social" if role == "bailleur_social" else rng.choice(["personne_physique", "sci_familiale"])
            )
        if visits:
            break
    return _Household(number, EVICTION, commune, role, visits, procedure)


def _profile(rng: random.Random, household: _Household) -> dict:
    """What the jurist notes of the household, the same at every visit (its status may move on, below)."""
    profile = {
        name: _pick(rng, vocabulary)
        for name, vocabulary in (
            ("family_situation", "family_situations"),
            ("age_band", "age_bands"),
            ("resource_band", "resource_bands"),
        )
    }
    profile["referral_source"] = _pick(rng, "referral_sources")
    procedure = household.procedure
    if procedure is None:
        profile["consultant_type"] = household.role
        profile["occupancy_status"] = _weighted(rng, INFO_OCCUPANCY)
        sectors = {"locataire": ("social", "prive", "prive")}.get(profile["occupancy_status"], ("prive",))
        profile["housing_sector"] = rng.choice(sectors) if rng.random() < 0.9 else "inconnu"
        return profile
    profile["housing_sector"] = "social" if procedure.landlord_type == "bailleur_social" else "prive"
    if household.role == "bailleur_prive":
        profile.update(consultant_type="particulier", occupancy_status="proprietaire_bailleur", housing_sector="prive")
        profile.update(family_situation="inconnu", resource_band="inconnu")
    elif household.role == "bailleur_social":
        profile.update(consultant_type="bailleur_social", occupancy_status="locataire", housing_sector="social")
        profile["referral_source"] = "bailleur"
    elif household.role == "autre":
        profile.update(consultant_type=rng.choice(["elu_collectivite", "autre"]), occupancy_status="locataire")
    else:
        profile["consultant_type"] = household.role if household.role == "travailleur_social" else "particulier"
        profile["occupancy_status"] = "locataire" if rng.random() < 0.95 else "inconnu"
    return profile


def _occupancy(profile: dict, known: dict[str, date]) -> str:
    """A tenant's status as the procedure moves on: without right or title once the lease is terminated and
    a commandement de quitter served, without a home after the eviction (until rehoused)."""
    status = profile["occupancy_status"]
    if status != "locataire":
        return status
    if "expulsion_effective" in known and "relogement_effectif" not in known:
        return "sans_logement"
    if "commandement_quitter" in known and "jugement_resiliation" in known:
        return "occupant_sans_titre"
    return status


def _rows(rng: random.Random, household: _Household, jurists: list[User], hours: Hours, themes: list[str]):
    """(row of the import file, its jurist, its time) for each visit of the household."""
    profile = _profile(rng, household)
    procedure = household.procedure
    stated: dict[str, date] = {}
    debt = procedure.rent * rng.randint(1, 8) + Decimal(rng.randint(0, 99)) / 100 if procedure else None
    origins = rng.sample([c for c in labels("debt_origins") if c != "inconnu"], rng.randint(1, 2))
    resources = rng.sample([c for c in labels("resource_types") if c != "inconnu"], rng.randint(1, 2))
    for visit, day in enumerate(household.visits):
        jurist = rng.choice(jurists)
        mode = _weighted(rng, MODES)
        duration = rng.randint(5, 60)
        row = {
            "external_id": f"demo-{household.number}-{visit}",
            "household_ref": f"demo-{household.number}",
            "date": day.isoformat(),
            "mission": household.mission,
            "mode": mode,
            "duration_minutes": duration,
            "commune_insee": household.commune.insee,
            **{name: profile[name] for name in COLUMNS if name in profile},
            "resource_types": "|".join(resources),
            "themes": "|".join(rng.sample(themes, rng.randint(1, 2))),
            "outcomes": "|".join(rng.sample(list(labels("outcomes")), rng.randint(1, 3))),
            "habitat_indigne": int(rng.random() < 0.05),
            "permis_louer": int(rng.random() < 0.04),
        }
        if procedure is not None:
            known = procedure.acts_until(day)
            new = {code: served for code, served in known.items() if code not in stated}
            stated.update(new)
            landlord = household.role.startswith("bailleur")
            subtheme = (
                "impaye_bailleur"
                if landlord
                else rng.choice(["impaye_locataire", "procedure_expulsion", "plan_apurement"])
            )
            row["themes"] = "|".join(["impayes_expulsion/" + subtheme, *row["themes"].split("|")[:1]])
            row["occupancy_status"] = _occupancy(profile, known)
            row["procedure_stage"] = procedure.stage_on(day)
            if "dette_soldee" in known:
                debt = Decimal(0)
            row["debt_amount"] = debt if rng.random() < 0.85 else ""
            row["debt_origins"] = "|".join(origins)
            debt += Decimal(rng.randint(0, int(procedure.rent)))
            row["procedure_acts"] = "|".join(f"{code}={served.isoformat()}" for code, served in new.items())
            if any(code.startswith("jugement") for code in new):
                row["decision_kind"] = procedure.decision_kind
            if visit == 0 or rng.random() < 0.3:
                row["rent_amount"] = procedure.rent
            if visit == 0:
                row.update(landlord_type=procedure.landlord_type, housing_benefit=procedure.housing_benefit)
                if rng.random() < 0.85:
                    row["lease_signed_on"] = procedure.lease_signed_on.isoformat()
        yield row, jurist, hours.time_in(rng, household.mission, day, duration)


@dataclass
class Plan:
    """The demo's consultations as an import file, and what the file does not carry: `placed` (each
    consultation's jurist and time, by its external_id) and `people` (each household's name, phone, size
    and author, by its household_ref)."""

    file: str
    placed: list[dict]
    people: list[dict]


def plan(rng: random.Random, jurists: list[User], today: date, households: int = HOUSEHOLDS) -> Plan:
    """The households and their consultations, drawn from `rng` (the same seed and day, the same plan);
    reads the communes and opening hours, writes nothing."""
    communes = list(db.session.scalars(select(Commune).order_by(Commune.insee)))
    weights = [max(c.population, 50) ** 0.8 for c in communes]
    themes = [code for code in theme_codes() if not code.startswith("impayes_expulsion")]
    by_territory: dict[str, list[User]] = {}
    for jurist in jurists:
        by_territory.setdefault(jurist.territories[0], []).append(jurist)
    hours = Hours()
    out = io.StringIO()
    writer = csv.DictWriter(out, COLUMNS)
    writer.writeheader()
    made = Plan("", [], [])
    for number in range(1, households + 1):
        household = _plan(rng, number, communes, weights, today)
        local = by_territory.get(household.commune.territory_code) or jurists
        for row, jurist, at in _rows(rng, household, local, hours, themes):
            writer.writerow(row)
            made.placed.append({"key": row["external_id"], "jurist": jurist.id, "at": at})
        made.people.append(
            {
                "key": f"demo-{household.number}",
                "name": f"{rng.choice(FIRST_NAMES)} {rng.choice('ABCDEFGHJLMNPRST')}." if rng.random() < 0.8 else None,
                "phone": f"+3363{rng.randrange(10**7):07d}" if rng.random() < 0.7 else None,
                "adults": rng.choice([1, 1, 2, 2, 3]),
                "children": rng.choice([0, 0, 1, 2, 3]),
                "author": made.placed[-1]["jurist"],
            }
        )
    made.file = out.getvalue()
    return made


def consultations(rng: random.Random, jurists: list[User], today: date, households: int = HOUSEHOLDS) -> int:
    """Write the plan's consultations through the import, then give each its jurist (one of its
    territory's) and time, and each household its name and phone. Returns the consultations made."""
    made = plan(rng, jurists, today, households)
    result = import_file(io.BytesIO(made.file.encode()), None, today)
    if result.problems:  # the demo's own file: a wrong row is a bug of the demo
        raise click.ClickException("; ".join(str(problem) for problem in result.problems[:5]))
    _complete(made.placed, made.people)
    return result.created


def _complete(placed: list[dict], people: list[dict]) -> None:
    """What the import file does not carry, in two statements each: the jurist and time of each
    consultation, the name, phone and author of each household; the references the import needed dropped."""
    c = Consultation.__table__.c
    db.session.execute(
        update(Consultation.__table__)
        .where(c.external_id == bindparam("key"))
        .values(
            jurist_id=bindparam("jurist"), created_by_id=bindparam("jurist"), time=bindparam("at"), external_id=None
        ),
        placed,
    )
    h = Household.__table__.c
    db.session.execute(
        update(Household.__table__)
        .where(h.external_ref == bindparam("key"))
        .values(
            name=bindparam("name"),
            phone=bindparam("phone"),
            adults=bindparam("adults"),
            children=bindparam("children"),
            created_by_id=bindparam("author"),
            external_ref=None,
        ),
        people,
    )
    acts = ProcedureAct.__table__.c
    said_by = select(c.jurist_id).where(c.id == acts.consultation_id).scalar_subquery()
    db.session.execute(update(ProcedureAct.__table__).values(recorded_by_id=said_by))
    db.session.expire_all()
