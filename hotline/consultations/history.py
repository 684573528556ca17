"""The edit history in French: a revision's {field: [before, after]} (JSON values as services keep them)
as the labels of fields and values a person reads: dates dd/mm/yyyy, euros "1 234,56 €", codes by
their taxonomy label."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, time
from decimal import Decimal, InvalidOperation

from hotline.core.formatting import format_euros, fr_date
from hotline.reference import label, labels, theme_codes
from hotline.reference.services import commune_label

FIELD_LABELS = {
    "date": "Date",
    "time": "Heure",
    "duration_minutes": "Durée",
    "mission": "Mission",
    "mode": "Mode de consultation",
    "jurist_id": "Juriste",
    "consultant_type": "Qui consulte",
    "commune_insee": "Commune",
    "territory_code": "Territoire",
    "occupancy_status": "Statut d'occupation",
    "housing_sector": "Parc",
    "family_situation": "Situation familiale",
    "age_band": "Âge",
    "resource_band": "Ressources mensuelles",
    "referral_source": "Orienté par",
    "procedure_stage": "Stade de la procédure",
    "debt_amount": "Dette",
    "habitat_indigne": "Habitat indigne",
    "permis_louer": "Permis de louer",
    "notes": "Notes",
    "household_id": "Ménage",
    "resource_types": "Nature des ressources",
    "debt_origins": "Origine de la dette",
    "outcomes": "Suites données",
    "themes": "Thèmes",
    # what the consultation stated of the household's case (cases/): readers of the eviction mission only
    "lease_signed_on": "Bail signé le",
    "landlord_type": "Bailleur",
    "rent_amount": "Loyer charges comprises",
    "housing_benefit": "Aide au logement",
    "decision_kind": "Nature de la décision",
}
CASE_KEYS = ("lease_signed_on", "landlord_type", "rent_amount", "housing_benefit", "decision_kind")
_VOCABULARIES = {
    "mission": "missions",
    "mode": "modes",
    "consultant_type": "consultant_types",
    "occupancy_status": "occupancy_statuses",
    "housing_sector": "housing_sectors",
    "family_situation": "family_situations",
    "age_band": "age_bands",
    "resource_band": "resource_bands",
    "referral_source": "referral_sources",
    "procedure_stage": "procedure_stages",
    "resource_types": "resource_types",
    "debt_origins": "debt_origins",
    "outcomes": "outcomes",
    "landlord_type": "landlord_types",
    "housing_benefit": "housing_benefits",
    "decision_kind": "decision_kinds",
}


def _euros(value) -> str:
    try:
        return format_euros(Decimal(value))
    except (InvalidOperation, TypeError, ValueError):
        return str(value)


def _day(value) -> str:
    try:
        return fr_date(date.fromisoformat(value))
    except (TypeError, ValueError):
        return str(value)


def _hour(value) -> str:
    try:
        return time.fromisoformat(value).strftime("%H:%M")
    except (TypeError, ValueError):
        return str(value)


_FORMATS: dict[str, Callable[[object], str]] = {
    "date": _day,
    "time": _hour,
    "debt_amount": _euros,
    "lease_signed_on": _day,
    "rent_amount": _euros,
    "commune_insee": commune_label,
    "duration_minutes": lambda minutes: f"{minutes} min",
    "habitat_indigne": lambda flag: "oui" if flag else "non",
    "permis_louer": lambda flag: "oui" if flag else "non",
    "household_id": lambda number: f"Ménage n° {number}",
    "themes": lambda codes: " ; ".join(theme_codes().get(code, code) for code in codes),
}


def value_label(field: str, value, names: Callable[[str, object], str] | None = None) -> str:
    """One value as a person reads it. `names(field, value)` names what lives in the database
    (the jurist, the territory); without it the raw value is shown."""
    if value is None or value == [] or value == "":
        return "—"
    if field.startswith("acts."):
        return _day(value)
    if field in ("jurist_id", "territory_code") and names is not None:
        return names(field, value)
    if field in _FORMATS:
        return _FORMATS[field](value)
    if field in _VOCABULARIES:
        if isinstance(value, list):
            return " ; ".join(label(_VOCABULARIES[field], code) for code in value)
        return label(_VOCABULARIES[field], value)
    return str(value)


def is_case_key(field: str) -> bool:
    """Whether a history key tells of the household's case (lease, rent, aid, acts and events)."""
    return field in CASE_KEYS or field.startswith("acts.")


def field_label(field: str) -> str:
    if field.startswith("acts."):
        code = field.partition(".")[2]
        vocabulary = "procedure_stages" if code in labels("procedure_stages") else "case_events"
        return f"Acte ou événement : {label(vocabulary, code)}"
    return FIELD_LABELS.get(field, field)


def describe(
    changes: dict, names: Callable[[str, object], str] | None = None, with_case: bool = True
) -> list[tuple[str, str, str]]:
    """[(field label, before, after)] in the order of the revision; `with_case`: False for a reader who
    may not read the eviction mission (the case's keys are left out)."""
    return [
        (field_label(field), value_label(field, before, names), value_label(field, after, names))
        for field, (before, after) in changes.items()
        if with_case or not is_case_key(field)
    ]
