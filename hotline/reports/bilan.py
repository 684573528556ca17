"""The activity report (bilan d'activité) as a PDF, from the tidy report's rows: per mission, the key
figures, the consultations per territory, and every breakdown of formats.md with French labels.
Uses fpdf2's core fonts in Windows-1252, which holds every French character, « », € and œ."""
from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal

from fpdf import FPDF

from hotline.consultations.parsing import format_euros
from hotline.reference import labels
from hotline.reports import tidy

KEY_FIGURES = [
    ("consultations", "Consultations"), ("households", "Ménages"),
    ("households_received", "Ménages reçus (bureau, permanence, aller-vers)"),
    ("calls_received", "Appels reçus sur le numéro"), ("calls_answered", "Appels répondus"),
    ("calls_missed", "Appels sans réponse (messagerie, rappel, hors horaires)"),
    ("callbacks_done", "Rappels effectués"), ("permanences_held", "Permanences tenues"),
    ("habitat_indigne", "Consultations signalant un habitat indigne"),
    ("permis_louer", "Consultations sur le permis de louer"),
]
DEBT_FIGURES = [("debt_known", "Consultations dont la dette est connue"), ("debt_amount_sum", "Montant total des dettes"),
                ("debt_amount_median", "Dette médiane")]
HOUSEHOLD_FIGURES = [
    ("first_contacts", "Ménages en premier contact avec le service"),
    ("households_debt_known", "Ménages dont la dette est connue"),
    ("household_debt_sum", "Dette totale des ménages (dernière dette connue de chacun)"),
    ("household_debt_median", "Dette médiane par ménage"),
]
HOUSEHOLD_BREAKDOWNS = [  # counted per household, not per consultation (docs/formats.md)
    ("debt_months", "debt_months_bands", "Ancienneté de la dette, en mois de loyer (par ménage)"),
    ("households_by_stage", "procedure_stages", "Ménages par stade de la procédure (dernier stade connu)"),
    ("first_contact_stage", "procedure_stages", "Stade de la procédure au premier contact"),
]
BREAKDOWNS = [  # indicator, vocabulary, title; eviction-only ones last
    ("mode", "modes", "Mode de consultation"), ("consultant_type", "consultant_types", "Qui consulte"),
    ("theme", "themes", "Thèmes"), ("occupancy_status", "occupancy_statuses", "Statut d'occupation"),
    ("housing_sector", "housing_sectors", "Parc"), ("family_situation", "family_situations", "Situation familiale"),
    ("age_band", "age_bands", "Âge"), ("resource_band", "resource_bands", "Ressources mensuelles"),
    ("resource_type", "resource_types", "Nature des ressources"),
    ("referral_source", "referral_sources", "Orienté par"), ("procedure_stage", "procedure_stages", "Stade de la procédure"),
    ("debt_origin", "debt_origins", "Origine de la dette"), ("outcome", "outcomes", "Suites données"),
    ("landlord_type", "landlord_types", "Type de bailleur"), ("housing_benefit", "housing_benefits", "Aide au logement"),
    ("activities", "activity_types", "Activités du service"),
]


class _Document(FPDF):
    def __init__(self, title: str):
        super().__init__(format="A4")
        self.core_fonts_encoding = "windows-1252"
        self.title_text = title
        self.set_auto_page_break(True, margin=15)
        self.set_margins(15, 15, 15)

    def footer(self):
        self.set_y(-12)
        self.set_font("Helvetica", size=8)
        self.cell(0, 6, f"{self.title_text} — page {self.page_no()}", align="C")


def _text(value: str) -> str:
    return value.replace("\u202f", " ")  # the narrow no-break space is not in Windows-1252


def _value(value) -> str:
    if isinstance(value, Decimal):
        return _text(format_euros(value))
    return f"{value:,}".replace(",", " ")


def build(rows: Iterable[tidy.Row], first: date, last: date, missions: list[str], territory_labels: dict[str, str],
          generated: datetime) -> bytes:
    rows = list(rows)
    total = {(r.mission, r.indicator, r.category): r.value for r in rows
             if r.period == tidy.TOTAL and r.territory == tidy.ALL}
    by_territory = {(r.mission, r.territory): r.value for r in rows
                    if r.period == tidy.TOTAL and r.indicator == "consultations" and r.territory != tidy.ALL}
    reached = {mission: tidy.reached_before_commandement(rows, mission) for mission in missions}
    period = f"{first:%m/%Y}" if first == last else f"{first:%m/%Y} à {last:%m/%Y}"
    doc = _Document(f"Bilan d'activité {period}")
    doc.add_page()
    doc.set_font("Helvetica", "B", 18)
    doc.multi_cell(0, 9, "Bilan d'activité — information logement et prévention des expulsions",
                   new_x="LMARGIN", new_y="NEXT")
    doc.set_font("Helvetica", size=11)
    doc.multi_cell(0, 6, f"Pas-de-Calais — période : {period} — établi le {generated:%d/%m/%Y}",
                   new_x="LMARGIN", new_y="NEXT")
    doc.ln(4)
    for mission in missions:
        _mission(doc, mission, total, by_territory, territory_labels)
        if mission == "prevention_expulsion":
            _households(doc, mission, total, reached[mission], territory_labels)
    return bytes(doc.output())


def _heading(doc: FPDF, text: str, size: int = 13) -> None:
    if doc.get_y() > 250:
        doc.add_page()
    doc.ln(3)
    doc.set_font("Helvetica", "B", size)
    doc.multi_cell(0, 7, _text(text), new_x="LMARGIN", new_y="NEXT")
    doc.set_font("Helvetica", size=10)


def _table(doc: FPDF, lines: list[tuple[str, int | Decimal]], share_of: int | None = None) -> None:
    width = doc.epw
    for label, value in lines:
        if doc.get_y() > 275:
            doc.add_page()
        share = f"{value * 100 / share_of:.0f} %" if share_of and isinstance(value, int) else ""
        doc.cell(width * 0.66, 6, _text(label), border="B")
        doc.cell(width * 0.2, 6, _value(value), border="B", align="R")
        doc.cell(width * 0.14, 6, share, border="B", align="R", new_x="LMARGIN", new_y="NEXT")


def _mission(doc: FPDF, mission: str, total: dict, by_territory: dict, territory_labels: dict[str, str]) -> None:
    if doc.get_y() > 60:
        doc.add_page()
    _heading(doc, labels("missions")[mission], size=15)
    consultations = int(total.get((mission, "consultations", ""), 0))
    _heading(doc, "Chiffres clés")
    figures = KEY_FIGURES + (DEBT_FIGURES if mission == "prevention_expulsion" else [])
    _table(doc, [(label, total.get((mission, name, ""), 0)) for name, label in figures])
    _heading(doc, "Consultations par territoire")
    _table(doc, [(label, by_territory.get((mission, code), 0)) for code, label in territory_labels.items()],
           share_of=consultations)
    for indicator, vocabulary, title in BREAKDOWNS:
        counts = [(code, total[(mission, indicator, code)]) for code in labels(vocabulary)
                  if (mission, indicator, code) in total]
        if not counts:
            continue
        _heading(doc, title)
        names = labels(vocabulary)
        counts.sort(key=lambda item: -item[1])
        share = consultations if indicator != "activities" else None
        _table(doc, [(names[code], value) for code, value in counts], share_of=share)


def _share(reached: int, known: int) -> str:
    return f"{reached} sur {known} ({reached * 100 / known:.0f} %)" if known else "aucun premier contact au stade connu"


def _households(doc: FPDF, mission: str, total: dict, reached: dict, territory_labels: dict[str, str]) -> None:
    """The eviction mission counted per household: each once, with its latest debt, and the households
    reached before the commandement de payer (the prevention measure), per territory and month."""
    _heading(doc, "Ménages suivis (chaque ménage compté une fois)")
    _table(doc, [(label, total.get((mission, name, ""), 0)) for name, label in HOUSEHOLD_FIGURES])
    for indicator, vocabulary, title in HOUSEHOLD_BREAKDOWNS:
        names = labels(vocabulary)
        counts = [(names[code], total[(mission, indicator, code)]) for code in names if (mission, indicator, code) in total]
        if counts:
            _heading(doc, title)
            _table(doc, counts)
    _heading(doc, "Ménages atteints avant le commandement de payer (parmi les premiers contacts au stade connu)")
    width = doc.epw
    lines = [("Pas-de-Calais (tous territoires)", reached.get((tidy.TOTAL, tidy.ALL), (0, 0)))]
    lines += [(label, reached.get((tidy.TOTAL, code), (0, 0))) for code, label in territory_labels.items()]
    months = sorted(period for period, territory in reached if territory == tidy.ALL and period != tidy.TOTAL)
    lines += [(f"Mois {month[5:]}/{month[:4]}", reached[(month, tidy.ALL)]) for month in months]
    for label, (count, known) in lines:
        if doc.get_y() > 275:
            doc.add_page()
        doc.cell(width * 0.6, 6, _text(label), border="B")
        doc.cell(width * 0.4, 6, _share(count, known), border="B", align="R", new_x="LMARGIN", new_y="NEXT")
