"""The French name of every indicator of the tidy report, of its categories and of its periods: what the bilan,
the readable sheets of the XLSX and the managers' pages show instead of a code. Pure: no Flask, no database."""

from __future__ import annotations

from hotline.reference import BUCKETS, labels, territories_file
from hotline.reports import tidy

INDICATORS: dict[str, str] = {
    "consultations": "Consultations",
    "households": "Ménages",
    "households_received": "Ménages reçus (bureau, permanence, aller-vers)",
    "mode": "Mode de consultation",
    "consultant_type": "Qui consulte",
    "occupancy_status": "Statut d'occupation",
    "housing_sector": "Parc",
    "family_situation": "Situation familiale",
    "age_band": "Âge",
    "resource_band": "Ressources mensuelles",
    "referral_source": "Orienté par",
    "procedure_stage": "Stade de la procédure",
    "theme": "Thèmes",
    "resource_type": "Nature des ressources",
    "debt_origin": "Origine de la dette",
    "outcome": "Suites données",
    "debt_known": "Consultations dont la dette est connue",
    "debt_amount_sum": "Dettes déclarées, additionnées consultation par consultation",
    "debt_amount_median": "Dette médiane par consultation",
    "habitat_indigne": "Consultations signalant un habitat indigne",
    "permis_louer": "Consultations sur le permis de louer",
    "landlord_type": "Type de bailleur",
    "housing_benefit": "Aide au logement",
    "households_debt_known": "Ménages dont la dette est connue",
    "household_debt_sum": "Dette totale des ménages (dernière dette connue de chacun)",
    "household_debt_median": "Dette médiane par ménage",
    "debt_months": "Dette en mois de loyer (par ménage)",
    "households_by_stage": "Ménages par stade de la procédure (dernier stade connu)",
    "first_contacts": "Ménages en premier contact avec le service",
    "first_contact_stage": "Stade de la procédure au premier contact (ménages)",
    "reached_before_commandement": "Premiers contacts avant le commandement de payer",
    "first_contacts_situated": "Premiers contacts situés par rapport au commandement de payer",
    "households_family_situation": "Situation familiale (ménages)",
    "households_housing_sector": "Parc (ménages)",
    "households_occupancy_status": "Statut d'occupation (ménages)",
    "households_age_band": "Âge (ménages)",
    "households_resource_band": "Ressources mensuelles (ménages)",
    "households_debt_origin": "Origine de la dette (ménages)",
    "households_family_situation_by_sector": "Situation familiale selon le parc (ménages)",
    "household_result": "Résultat pour le ménage à la fin de la période",
    "calls_received": "Appels reçus sur le numéro",
    "calls_answered": "Appels répondus",
    "calls_missed": "Appels manqués (messagerie, rappel, hors horaires)",
    "calls_abandoned": "Appels abandonnés (raccroché avant réponse, orienté hors département)",
    "call_wait_median_seconds": "Attente médiane avant réponse (secondes)",
    "calls_unanswered_by_hour": "Appels sans réponse par jour et heure",
    "callbacks_done": "Rappels effectués",
    "sms_information_sent": "SMS d'information envoyés par le menu vocal",
    "callbacks_within_one_working_day": "Rappels effectués dans le jour ouvré suivant l'appel",
    "permanences_held": "Permanences tenues",
    "activities": "Activités du service",
    # Consultations by family situation and housing sector, category "family_situation|housing_sector".
    "family_situation_by_sector": "Situation familiale selon le parc",
}

# indicator -> the vocabulary of its categories
VOCABULARIES: dict[str, str] = {
    "mode": "modes",
    "consultant_type": "consultant_types",
    "occupancy_status": "occupancy_statuses",
    "housing_sector": "housing_sectors",
    "family_situation": "family_situations",
    "age_band": "age_bands",
    "resource_band": "resource_bands",
    "referral_source": "referral_sources",
    "procedure_stage": "procedure_stages",
    "theme": "themes",
    "resource_type": "resource_types",
    "debt_origin": "debt_origins",
    "outcome": "outcomes",
    "landlord_type": "landlord_types",
    "housing_benefit": "housing_benefits",
    "debt_months": "debt_months_bands",
    "households_by_stage": "procedure_stages",
    "first_contact_stage": "procedure_stages",
    "activities": "activity_types",
    "households_family_situation": "family_situations",
    "households_housing_sector": "housing_sectors",
    "households_occupancy_status": "occupancy_statuses",
    "households_age_band": "age_bands",
    "households_resource_band": "resource_bands",
    "households_debt_origin": "debt_origins",
    "household_result": "household_results",
}
CROSS = tidy.CROSS
HOUSEHOLDS_CROSS = f"households_{tidy.CROSS}"
UNKNOWN_LABEL = "Non renseigné"


def indicator(code: str) -> str:
    return INDICATORS.get(code, code)


def category(indicator_code: str, code: str) -> str:
    """The French name of a category; "inconnu" is "Non renseigné" whatever the vocabulary."""
    if indicator_code in (CROSS, HOUSEHOLDS_CROSS):
        family, _, sector = code.partition("|")
        return f"{category('family_situation', family)} — {category('housing_sector', sector)}"
    vocabulary = VOCABULARIES.get(indicator_code)
    if vocabulary is None:
        return code
    return labels(vocabulary).get(code) or (UNKNOWN_LABEL if code == tidy.UNKNOWN else code)


def categories(indicator_code: str) -> dict[str, str]:
    """code -> French name, in the vocabulary's order."""
    vocabulary = VOCABULARIES.get(indicator_code)
    if vocabulary is None:
        return {}
    return {code: category(indicator_code, code) for code in labels(vocabulary)} | {
        tidy.UNKNOWN: category(indicator_code, tidy.UNKNOWN)
    }


def period(code: str) -> str:
    """'2026-03' -> '03/2026'; 'total' -> 'Total'."""
    return "Total" if code == tidy.TOTAL else f"{code[5:]}/{code[:4]}"


def default_territories() -> dict[str, str]:
    """Territory code -> name from the shipped reference data (for outputs made without the database)."""
    return {code: item["label"] for code, item in territories_file()["territories"].items()} | dict(BUCKETS)


def territory(code: str, names: dict[str, str]) -> str:
    if code == tidy.ALL:
        return "Tous territoires"
    return names.get(code) or default_territories().get(code, code)
