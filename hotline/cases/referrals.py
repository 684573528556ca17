"""Referrals that fit the household: where and for whom two outcomes of the eviction prevention are
offered. Pure. A hint, never a block: the jurist may know better (a team taking a case out of its
area, a protocol signed on other grounds), so the consultation is saved and the hint shown.

- `equipe_mobile`: the mobile teams of eviction prevention work in Lens-Hénin, Artois, Boulonnais,
  Audomarois and Montreuillois, for tenants of the private sector.
- `protocole_cohesion_sociale`: a social landlord's protocol with a tenant whose lease was
  terminated (CCH L353-15-2, L442-6-5): social housing, after the lease's termination, i.e. a judgment of
  résiliation or, later in the procedure, a commandement de quitter les lieux or what follows it.
"""

from __future__ import annotations

from collections.abc import Iterable
from itertools import combinations

from hotline.reference import label

MOBILE_TEAM_TERRITORIES = ("lens-henin", "artois", "boulonnais", "audomarois", "montreuillois")
# The stages that tell the lease was terminated: a judgment of résiliation, or an act that only
# follows one (a signification or an appeal may follow a judgment of any kind).
LEASE_TERMINATED = (
    "jugement_resiliation",
    "commandement_quitter",
    "saisine_jex",
    "requisition_cfp",
    "cfp_accorde",
    "cfp_refuse",
    "expulsion_effective",
)
WHERE_MOBILE_TEAMS = "Lens-Hénin, Artois, Boulonnais, Audomarois et Montreuillois"


def _mobile_team(territory: str | None, sector: str | None) -> str | None:
    problems = []
    if territory not in MOBILE_TEAM_TERRITORIES:
        problems.append(f"les équipes mobiles interviennent en {WHERE_MOBILE_TEAMS}")
    if sector != "prive":
        problems.append("pour des locataires du parc privé")
    if not problems:
        return None
    return f"{label('outcomes', 'equipe_mobile')} : à vérifier, {' et '.join(problems)}."


def _protocol(sector: str | None, stages: Iterable[str]) -> str | None:
    problems = []
    if sector != "social":
        problems.append("il concerne le parc social")
    if not set(stages) & set(LEASE_TERMINATED):
        problems.append("il suit la résiliation du bail (jugement de résiliation ou commandement de quitter les lieux)")
    if not problems:
        return None
    return f"{label('outcomes', 'protocole_cohesion_sociale')} : à vérifier, {' et '.join(problems)}."


def hints(outcomes: Iterable[str], territory: str | None, sector: str | None, stages: Iterable[str]) -> list[str]:
    """French hints for the chosen outcomes that do not fit the household. `territory`: the
    consultation's territory code; `sector`: its housing_sector code; `stages`: every stage known
    (the consultation's and the case's acts)."""
    chosen = set(outcomes)
    found = []
    if "equipe_mobile" in chosen and (hint := _mobile_team(territory, sector)):
        found.append(hint)
    if "protocole_cohesion_sociale" in chosen and (hint := _protocol(sector, stages)):
        found.append(hint)
    return found


CONDITIONS_BY_OUTCOME = {
    "equipe_mobile": f"{label('outcomes', 'equipe_mobile')} : en {WHERE_MOBILE_TEAMS}, pour le parc privé.",
    "protocole_cohesion_sociale": f"{label('outcomes', 'protocole_cohesion_sociale')} : parc social, après la "
    "résiliation du bail.",
}
# What each rule checks: a form value (`territory`, `sector`, `stages`: any stage known) and the values that fit.
FITS = {
    "equipe_mobile": {"territory": MOBILE_TEAM_TERRITORIES, "sector": ("prive",)},
    "protocole_cohesion_sociale": {"sector": ("social",), "stages": LEASE_TERMINATED},
}


def _hint(outcome: str, misfits: frozenset[str]) -> str | None:
    """The hint hints() gives for `outcome` when exactly the checks named in `misfits` do not fit."""

    def value(check: str):
        fitting = FITS[outcome][check][0]
        return None if check in misfits else fitting

    found = hints(
        [outcome],
        value("territory") if "territory" in FITS[outcome] else None,
        value("sector"),
        [value("stages")] if "stages" in FITS[outcome] else [],
    )
    return found[0] if found else None


def rules() -> dict[str, dict]:
    """The referral rules as the consultation form's script reads them (a data- attribute), so that it
    shows, as an outcome, a stage or a sector is picked, the very texts the server would: per outcome,
    its conditions, the values that fit each check, and the hint for each set of checks that do not
    fit (key: the checks' names, sorted, joined by a space)."""
    found = {}
    for outcome, fits in FITS.items():
        names = sorted(fits)
        subsets = [frozenset(chosen) for size in range(1, len(names) + 1) for chosen in combinations(names, size)]
        found[outcome] = {
            "conditions": CONDITIONS_BY_OUTCOME[outcome],
            "fits": {name: list(values) for name, values in fits.items()},
            "hints": {" ".join(sorted(subset)): _hint(outcome, subset) for subset in subsets},
        }
    return found


# Where the referrals fit, as one French text (the form shows it whole; its script narrows it with rules()).
CONDITIONS = " ".join(CONDITIONS_BY_OUTCOME.values())
