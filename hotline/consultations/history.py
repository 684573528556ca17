"""The edit history in French: a revision's {field: [before, after]} (JSON values as services keep them)
as the labels of fields and values a person reads: dates dd/mm/yyyy, euros "1 234,56 €", codes by
their taxonomy label."""
from __future__ import annotations

from collections.abc import Callable
from datetime import date, time
from decimal import Decimal, InvalidOperation

from hotline.consultations.parsing import format_euros
from hotline.reference import label, theme_codes
from hotline.templating import commune_label, fr_date

FIELD_LABELS = {
    "date": "Date", "time": "Heure", "duration_minutes": "Durée", "mission": "Mission",
    "mode": "Mode de consultation", "jurist_id": "Juriste", "consultant_type": "Qui consulte",
    "commune_insee": "Commune", "territory_code": "Territoire", "occupancy_status": "Statut d'occupation",
    "housing_sector": "Parc", "family_situation": "Situation familiale", "age_band": "Âge",
    "resource_band": "Ressources mensuelles", "referral_source": "Orienté par",
    "procedure_stage": "Stade de la procédure", "debt_amount": "Dette", "habitat_indigne": "Habitat indigne",
    "permis_louer": "Permis de louer", "notes": "Notes", "household_id": "Ménage",
    "resource_types": "Nature des ressources", "debt_origins": "Origine de la dette", "outcomes": "Suites données",
    "themes": "Thèmes",
}
_VOCABULARIES = {
    "mission": "missions", "mode": "modes", "consultant_type": "consultant_types",
    "occupancy_status": "occupancy_statuses", "housing_sector": "housing_sectors",
    "family_situation": "family_situations", "age_band": "age_bands", "resource_band": "resource_bands",
    "referral_source": "referral_sources", "procedure_stage": "procedure_stages",
    "resource_types": "resource_types", "debt_origins": "debt_origins", "outcomes": "outcomes",
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
    "date": _day, "time": _hour, "debt_amount": _euros, "commune_insee": commune_label,
    "duration_minutes": lambda minutes: f"{minutes} min",
    "habitat_indigne": lambda flag: "oui" if flag else "non", "permis_louer": lambda flag: "oui" if flag else "non",
    "household_id": lambda number: f"Ménage n° {number}",
    "themes": lambda codes: " ; ".join(theme_codes().get(code, code) for code in codes),
}


def value_label(field: str, value, names: Callable[[str, object], str] | None = None) -> str:
    """One value as a person reads it. `names(field, value)` names what lives in the database
    (the jurist, the territory); without it the raw value is shown."""
    if value is None or value == [] or value == "":
        return "—"
    if field in ("jurist_id", "territory_code") and names is not None:
        return names(field, value)
    if field in _FORMATS:
        return _FORMATS[field](value)
    if field in _VOCABULARIES:
        if isinstance(value, list):
            return " ; ".join(label(_VOCABULARIES[field], code) for code in value)
        return label(_VOCABULARIES[field], value)
    return str(value)


def describe(changes: dict, names: Callable[[str, object], str] | None = None) -> list[tuple[str, str, str]]:
    """[(field label, before, after)] in the order of the revision."""
    return [(FIELD_LABELS.get(field, field), value_label(field, before, names), value_label(field, after, names))
            for field, (before, after) in changes.items()]
