"""A year of a large service written straight into a migrated SQLite database, without the import (issue 18,
item 8): report_scale.py --generate-directly.

The import of 1M rows takes about 30 minutes on the shared machine; this writes the same tables with
executemany of generated tuples (the consultations and their codes, the households, their cases with what
each consultation stated of the rent and dated acts and events, the call log and its callbacks) in about a
minute, then the report tables are computed by the rebuild functions (`hotline reports rebuild`).

Every column of docs/formats.md's import is filled: mode, consultant type, commune and territory, occupancy,
sector, family situation, age band, resource band, referral source, themes (with subthemes), resource types,
debt origins, outcomes, stage, debt, the two flags, duration, household (seen several times: about three
consultations each), lease date, landlord type, rent, housing benefit, acts and events (with decision kinds),
and a year of calls (every outcome, waits, callbacks done).
"""

from __future__ import annotations

import random
import sqlite3
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

YEAR = 2026
MONTHS = 11  # January to November: the year to the last complete month before 2026-11-29
MODES = ["telephone"] * 5 + ["visite_siege", "permanence", "permanence", "aller_vers", "courriel", "courrier", "visio"]
CONSULTANT = ["particulier"] * 8 + ["travailleur_social", "bailleur_social", "elu_collectivite", "autre"]
OCCUPANCY = ["locataire"] * 6 + ["proprietaire_occupant", "heberge", "occupant_sans_titre", "autre", "inconnu"]
SECTOR = ["prive", "prive", "social", "social", "inconnu"]
FAMILY = ["personne_seule", "couple_sans_enfant", "couple_avec_enfants", "famille_monoparentale", "autre", "inconnu"]
AGE = ["moins_25", "25_39", "40_59", "60_74", "75_plus", "inconnu"]
RESOURCE_BAND = ["moins_800", "800_1200", "1200_1800", "1800_2500", "plus_2500", "inconnu"]
REFERRAL = ["lui_meme", "numero_vert", "travailleur_social", "bailleur", "justice", "caf_msa", "inconnu"]
THEMES = ["rapports_locatifs", "recherche_logement", "accession", "copropriete", "habitat_indigne", "fiscalite"]
SUBTHEMES = ["rapports_locatifs/depot_garantie", "rapports_locatifs/loyer_charges"]  # codes of taxonomy.yaml
RESOURCES = ["salaire", "indemnites_chomage", "rsa_minima", "aah", "retraite", "prestations_familiales", "aucune"]
ORIGINS = ["perte_emploi", "baisse_ressources", "separation", "maladie_accident", "loyer_trop_eleve", "inconnu"]
OUTCOMES = ["information_delivree", "saisine_fsl", "orientation_ccas", "contact_bailleur", "suivi_en_cours"]
STAGES = ["prevention_amont", "impaye", "signalement_caf", "commandement_payer", "assignation", "audience"]
STAGES += ["jugement", "commandement_quitter", "inconnu"]
LANDLORDS = ["personne_physique", "sci_familiale", "personne_morale_privee", "bailleur_social", "inconnu"]
BENEFITS = ["aucune", "versee_bailleur", "versee_locataire", "suspendue", "inconnu"]
# A case's path: acts in order, days after the first; the events that end it (household_results) drawn after.
PATH = [("impaye", 0), ("commandement_payer", 60), ("assignation", 150), ("audience", 240), ("jugement", 270)]
ENDINGS = ["fsl_accorde", "plan_apurement", "dette_soldee", "protocole_cohesion_signe", "relogement_effectif"]
ENDINGS += ["depart_volontaire", "expulsion_effective", "fsl_demande"]
CALL_OUTCOMES = ["answered"] * 12 + ["missed", "voicemail", "callback_requested", "closed", "abandoned", "referred"]
STAMP = "2026-11-29 12:00:00.000000"


def _communes(db: sqlite3.Connection) -> list[tuple[str | None, str]]:
    found = db.execute("SELECT insee, territory_code FROM communes ORDER BY insee").fetchall()
    rng = random.Random(5)
    chosen = rng.sample(found, 120)
    return chosen + [("59350", "hors_departement"), (None, "non_renseigne")]


def _day(rng: random.Random) -> date:
    while True:  # weekdays only, as a service's
        day = date(YEAR, 1, 1) + timedelta(days=rng.randrange(334))
        if day.weekday() < 5:
            return day


def generate(path: Path, n: int, seed: int = 62) -> dict[str, int]:
    """Write n consultations (and the rest) into the migrated SQLite database at path; the counts written."""
    rng = random.Random(seed)
    db = sqlite3.connect(path)
    db.execute("PRAGMA journal_mode=OFF")
    db.execute("PRAGMA synchronous=OFF")
    communes = _communes(db)
    households_n = n // 5  # 60 % of rows with a household, about three consultations each
    db.executemany(
        "INSERT INTO households (id, external_ref, created_at, version) VALUES (?, ?, ?, 1)",
        ((h, f"H{h}", STAMP) for h in range(1, households_n + 1)),
    )
    # Each household: an eviction one (a third) or not, its commune, its profile; it moves little.
    profile = {}
    for h in range(1, households_n + 1):
        profile[h] = (rng.random() < 0.35, rng.choice(communes), rng.choice(FAMILY), rng.choice(SECTOR))
    consultations, codes, first_of = [], [], {}
    for i in range(1, n + 1):
        household = rng.randint(1, households_n) if rng.random() < 0.6 else None
        if household:
            eviction, (insee, territory), family, sector = profile[household]
        else:
            eviction, (insee, territory) = rng.random() < 0.3, rng.choice(communes)
            family, sector = rng.choice(FAMILY), rng.choice(SECTOR)
        day = _day(rng)
        mission = "prevention_expulsion" if eviction else "info_logement"
        debt = round(rng.uniform(100, 20000), 2) if eviction and rng.random() < 0.7 else None
        consultations.append(
            (
                i,
                f"G{i}",
                household,
                day.isoformat(),
                f"{rng.randint(8, 17):02d}:{rng.randrange(60):02d}:00.000000",
                rng.randint(5, 60),
                mission,
                rng.choice(MODES),
                rng.choice(CONSULTANT),
                insee,
                territory,
                rng.choice(OCCUPANCY) if not eviction else rng.choice(["locataire"] * 9 + ["inconnu"]),
                sector,
                family,
                rng.choice(AGE),
                rng.choice(RESOURCE_BAND),
                rng.choice(REFERRAL),
                rng.choice(STAGES) if eviction else None,
                debt,
                int(rng.random() < 0.05),
                int(rng.random() < 0.03),
                STAMP,
            )
        )
        themes = ["impayes_expulsion"] if eviction else rng.sample(THEMES, rng.choice([1, 2]))
        if not eviction and rng.random() < 0.2:
            themes.append(rng.choice(SUBTHEMES))
        for kind, values in (
            ("theme", themes),
            ("resource_type", rng.sample(RESOURCES, rng.choice([1, 2]))),
            ("debt_origin", rng.sample(ORIGINS, rng.choice([1, 2])) if eviction else []),
            ("outcome", rng.sample(OUTCOMES, 2)),
        ):
            codes.extend((i, kind, value) for value in dict.fromkeys(values))
        if household and eviction and (household not in first_of or day < first_of[household][1]):
            first_of[household] = (i, day)
        if len(consultations) >= 50_000:
            _flush(db, consultations, codes)
    _flush(db, consultations, codes)
    # Cases: every eviction household seen; the rent stated at its first consultation; dated acts and events.
    cases, statements, acts = [], [], []
    for case_id, (household, (consultation, day)) in enumerate(sorted(first_of.items()), start=1):
        rent = round(rng.uniform(350, 900), 2)
        lease = date(rng.randint(2005, 2024), rng.randint(1, 12), 1).isoformat()
        landlord, benefit = rng.choice(LANDLORDS), rng.choice(BENEFITS)
        cases.append((case_id, household, lease, landlord, rent, benefit, STAMP))
        statements.append((case_id, case_id, consultation, lease, landlord, rent, benefit, STAMP))
        start = day - timedelta(days=rng.choice([-400, -200, -90, -30, 0, 20]))  # some before the first contact
        for stage, after in PATH[: rng.randint(1, len(PATH))]:
            when = min(start + timedelta(days=after), day)
            decision = rng.choice(["fond", "refere"]) if stage == "jugement" else None
            acts.append((case_id, stage, when.isoformat(), consultation, STAMP, decision))
        if rng.random() < 0.6:
            acts.append((case_id, rng.choice(ENDINGS), day.isoformat(), consultation, STAMP, None))
    db.executemany(
        "INSERT INTO cases (id, household_id, lease_signed_on, landlord_type, rent_amount, housing_benefit, "
        "created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
        cases,
    )
    db.executemany(
        "INSERT INTO case_statements (id, case_id, consultation_id, lease_signed_on, landlord_type, rent_amount, "
        "housing_benefit, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        statements,
    )
    db.executemany(
        "INSERT INTO procedure_acts (case_id, stage, occurred_on, consultation_id, recorded_at, decision_kind) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        acts,
    )
    calls = _calls(db, rng, n // 5, communes)
    db.commit()
    db.close()
    return {
        "consultations": n,
        "households": households_n,
        "cases": len(cases),
        "acts": len(acts),
        "calls": calls,
    }


def _flush(db: sqlite3.Connection, consultations: list, codes: list) -> None:
    db.executemany(
        "INSERT INTO consultations (id, external_id, household_id, date, time, duration_minutes, mission, mode, "
        "consultant_type, commune_insee, territory_code, occupancy_status, housing_sector, family_situation, "
        "age_band, resource_band, referral_source, procedure_stage, debt_amount, habitat_indigne, permis_louer, "
        "created_at, version) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1)",
        consultations,
    )
    db.executemany("INSERT INTO consultation_codes (consultation_id, kind, code) VALUES (?, ?, ?)", codes)
    consultations.clear()
    codes.clear()


def _calls(db: sqlite3.Connection, rng: random.Random, count: int, communes: list) -> int:
    """A year of the green number: every outcome, the waits of the answered calls, callbacks mostly done."""
    calls, tasks = [], []
    for call_id in range(1, count + 1):
        day = _day(rng)
        started = datetime(day.year, day.month, day.day, rng.randint(7, 19), rng.randrange(60), tzinfo=UTC)
        outcome = rng.choice(CALL_OUTCOMES)
        wait = rng.randint(5, 600) if outcome in ("answered", "missed", "abandoned", "voicemail") else None
        answered = started + timedelta(seconds=wait) if outcome == "answered" else None
        insee, territory = rng.choice(communes)
        calls.append(
            (
                call_id,
                f"CA{call_id:032d}",
                rng.choice(["prevention_expulsion", "info_logement"]),
                insee,
                territory if insee else None,
                "",
                1,
                f"{started:%Y-%m-%d %H:%M:%S}.000000",
                f"{answered:%Y-%m-%d %H:%M:%S}.000000" if answered else None,
                f"{started + timedelta(seconds=(wait or 30) + 300):%Y-%m-%d %H:%M:%S}.000000",
                wait,
                outcome,
            )
        )
        if outcome in ("voicemail", "callback_requested", "missed"):
            done = rng.random() < 0.85
            later = started + timedelta(hours=rng.choice([1, 3, 20, 30, 70]))
            tasks.append(
                (
                    call_id,
                    f"{started:%Y-%m-%d %H:%M:%S}.000000",
                    {"callback_requested": "callback_request"}.get(outcome, outcome),
                    "done" if done else "open",
                    f"{later:%Y-%m-%d %H:%M:%S}.000000" if done else None,
                )
            )
    db.executemany(
        "INSERT INTO calls (id, call_sid, mission, commune_insee, territory_code, path, tries, started_at, "
        "answered_at, ended_at, wait_seconds, outcome, routed) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1)",
        calls,
    )
    db.executemany(
        "INSERT INTO callback_tasks (call_id, created_at, kind, status, done_at) VALUES (?, ?, ?, ?, ?)", tasks
    )
    return count
