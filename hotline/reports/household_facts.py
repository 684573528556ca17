"""What the eviction mission's household indicators of docs/formats.md read beside cases.figures: each
household's profile as known in each of its months (households_family_situation ... _by_sector), whether its
first contact came before the commandement de payer (reached_before_commandement, first_contacts_situated),
and where its case stands on a given day (household_result). Pure: no database.

A profile value is carried from month to month with the month it was stated (`since`): a period's household
counts with the value of its latest consultation of the period that names one, so a month reads a value
stated in that month, and a range the value of the household's latest month of the range when it was stated
within the range.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

UNKNOWN = "inconnu"
# households_<name>: the consultation's code (debt_origin: its codes; family_situation_by_sector: both).
PROFILE = (
    "family_situation",
    "housing_sector",
    "occupancy_status",
    "age_band",
    "resource_band",
    "debt_origin",
    "family_situation_by_sector",
)
INDICATORS = tuple(f"households_{name}" for name in PROFILE)
SEPARATOR = "|"

# household_result (formats.md): the latest act or event by date decides; on one day, the first here wins.
RESULTS = (
    ("expulsion", ("expulsion_effective",)),
    ("relogement", ("relogement_effectif",)),
    ("depart_volontaire", ("depart_volontaire",)),
    ("maintien", ("dette_soldee", "protocole_cohesion_signe", "retablissement_personnel", "jugement_rejet")),
    ("accord_en_cours", ("plan_apurement", "jugement_delais", "mesures_surendettement", "fsl_accorde")),
)
IN_PROGRESS = "procedure_en_cours"
RESULT_OF = {code: (rank, result) for rank, (result, codes) in enumerate(RESULTS) for code in codes}
KEPT_HOME = ("maintien", "relogement")  # the share kept in their home (or rehoused)...
ENDED = ("expulsion", "relogement", "depart_volontaire", "maintien")  # ...over the households whose procedure ended
# First contacts (formats.md, reached_before_commandement and first_contacts_situated).
COMMANDEMENT = "commandement_payer"
BEFORE_COMMANDEMENT = ("prevention_amont", "impaye", "signalement_caf")
UNSITUATED_STAGES = (UNKNOWN, "conge_bailleur")
REACHED, AFTER, UNSITUATED = "avant", "apres", ""


@dataclass(frozen=True)
class ProfileRecord:
    """One consultation of a household, as the profile indicators see it (codes, None or `inconnu`: unknown)."""

    month: str  # YYYY-MM
    family_situation: str | None = None
    housing_sector: str | None = None
    occupancy_status: str | None = None
    age_band: str | None = None
    resource_band: str | None = None
    debt_origins: frozenset[str] = frozenset()


def _known(code: str | None) -> str | None:
    return code if code and code != UNKNOWN else None


def stated(record: ProfileRecord) -> dict[str, str]:
    """name -> the value this consultation names (only the known ones)."""
    found = {name: _known(getattr(record, name)) for name in PROFILE[:5]}
    origins = sorted(code for code in record.debt_origins if code != UNKNOWN)
    found["debt_origin"] = SEPARATOR.join(origins) or None
    family, sector = found["family_situation"], found["housing_sector"]
    found["family_situation_by_sector"] = f"{family}{SEPARATOR}{sector}" if family and sector else None
    return {name: value for name, value in found.items() if value}


def profile_months(history: Sequence[ProfileRecord]) -> dict[str, dict[str, tuple[str, str]]]:
    """month -> {name: (value, month stated)}: at the household's latest consultation of each month, the value
    of its latest consultation up to it that names one. `history` in the household's order (date, order)."""
    carried: dict[str, tuple[str, str]] = {}
    found: dict[str, dict[str, tuple[str, str]]] = {}
    for record in history:
        carried.update({name: (value, record.month) for name, value in stated(record).items()})
        found[record.month] = dict(carried)
    return found


def value_in(value: str | None, since: str | None, first: str) -> str | None:
    """The carried value as a period starting with month `first` counts it (None: `inconnu`)."""
    return value if value is not None and since is not None and since >= first else None


def categories(name: str, value: str | None) -> list[str]:
    """The categories one household counts in for a profile indicator (debt_origin: each of its codes)."""
    if value is None:
        return [UNKNOWN]
    return value.split(SEPARATOR) if name == "debt_origin" else [value]


def reach(first_day: date, first_stage: str | None, commandements: Iterable[date]) -> str:
    """REACHED, AFTER or UNSITUATED: where a household's first consultation of the eviction mission stands
    against the commandement de payer, from the case's dated commandements, else that consultation's stage."""
    days = list(commandements)
    if any(day > first_day for day in days):
        return REACHED
    if days:
        return AFTER
    stage = first_stage or UNKNOWN
    if stage in BEFORE_COMMANDEMENT:
        return REACHED
    return UNSITUATED if stage in UNSITUATED_STAGES else AFTER


def timeline(acts: Iterable[tuple[str, date]]) -> list[tuple[date, str]]:
    """[(from that day, household_result)] of a case's current acts and events (code, day), in date order,
    one entry a day on which the result changes; before the first day: `inconnu`."""
    best: dict[date, tuple[int, str]] = {}
    for code, day in acts:
        ranked = RESULT_OF.get(code, (len(RESULTS), IN_PROGRESS))
        if day not in best or ranked < best[day]:
            best[day] = ranked
    found: list[tuple[date, str]] = []
    for day in sorted(best):
        result = best[day][1]
        if not found or found[-1][1] != result:
            found.append((day, result))
    return found


def result_on(acts: Iterable[tuple[str, date]], day: date) -> str:
    """household_result of a case on a day (the recount's reading: its acts dated up to that day)."""
    known = [(code, when) for code, when in acts if when <= day]
    entries = timeline(known)
    return entries[-1][1] if entries else UNKNOWN
