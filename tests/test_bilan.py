"""The bilan handed to the Comité technique FSL, from tidy rows built by hand: every section, column headers,
French labels only (no code), the charts drawn into the PDF, the comparison with the year before and the
qualitative analysis."""

import io
import re
from datetime import UTC, date, datetime
from decimal import Decimal

from pypdf import PdfReader

from hotline.reference import taxonomy
from hotline.reports import bilan, labels, pdf, tidy
from hotline.reports.tidy import Row

EVICTION, INFO = "prevention_expulsion", "info_logement"
TERRITORIES = {"lens-henin": "Lens-Hénin", "boulonnais": "Boulonnais", "hors_departement": "Hors département"}
GENERATED = datetime(2026, 5, 2, 8, tzinfo=UTC)


def record(
    month,
    territory,
    household,
    mission=EVICTION,
    family="couple_avec_enfants",
    sector="prive",
    stage="impaye",
    debt="1200",
    themes=("impayes_expulsion",),
):
    codes = {name: "inconnu" for name in tidy.SINGLE_CODES + tidy.CASE_CODES} | {
        "mode": "telephone",
        "consultant_type": "particulier",
        "family_situation": family,
        "housing_sector": sector,
        "procedure_stage": stage,
    }
    return tidy.ConsultationRecord(
        mission,
        month,
        territory,
        household,
        codes,
        {"theme": frozenset(themes), "outcome": frozenset({"saisine_fsl"})},
        Decimal(debt) if debt else None,
    )


def rows_of(records, year=2026, cross=True):
    rows = tidy.build(
        records, permanences_held={(EVICTION, f"{year}-03", "lens-henin"): 4, (EVICTION, f"{year}-04", "boulonnais"): 2}
    )
    rows += [
        Row(EVICTION, "total", "all", "first_contact_stage", "impaye", 2),
        Row(EVICTION, "total", "all", "first_contact_stage", "assignation", 1),
        Row(EVICTION, "total", "all", "reached_before_commandement", "", 2),
        Row(EVICTION, "total", "all", "first_contacts_situated", "", 3),
        Row(EVICTION, "total", "lens-henin", "first_contact_stage", "impaye", 2),
        Row(EVICTION, "total", "lens-henin", "reached_before_commandement", "", 2),
        Row(EVICTION, "total", "lens-henin", "first_contacts_situated", "", 2),
        Row(EVICTION, "total", "boulonnais", "first_contacts_situated", "", 1),
        Row(EVICTION, "total", "boulonnais", "first_contact_stage", "assignation", 1),
        Row(EVICTION, "total", "all", "debt_months", "de_3_a_6_mois", 2),
        Row(EVICTION, "total", "all", "debt_months", "plus_de_6_mois", 1),
    ]
    if cross:  # the households' family situation by sector (the eviction mission's table), written out here
        rows += [
            Row(EVICTION, "total", "all", "households_family_situation_by_sector", "couple_avec_enfants|prive", 2),
            Row(EVICTION, "total", "all", "households_family_situation_by_sector", "personne_seule|social", 1),
        ]
    return rows


def this_year():
    return rows_of(
        [
            record("2026-03", "lens-henin", "h1"),
            record("2026-04", "lens-henin", "h1"),
            record(
                "2026-04",
                "boulonnais",
                "h2",
                family="personne_seule",
                sector="social",
                stage="assignation",
                debt="800.50",
            ),
        ]
    )


def last_year():
    return rows_of([record("2025-03", "boulonnais", "h9")], year=2025, cross=False)


def pdf_text(pdf: bytes) -> str:
    reader = PdfReader(io.BytesIO(pdf))
    return " ".join(" ".join(page.extract_text().split()) for page in reader.pages)


def build(**extra):
    return pdf.build(this_year(), date(2026, 3, 1), date(2026, 4, 1), [EVICTION], TERRITORIES, GENERATED, **extra)


def test_the_pdf_has_every_section_with_column_headers():
    text = pdf_text(build(previous=last_year(), notes={EVICTION: "Hausse des impayés dans le Boulonnais."}))
    assert "Indicateur 03/2026 à 04/2026 03/2025 à 04/2025 Évolution" in text
    assert "Consultations 3 1 +200 %" in text
    assert "Territoire Consultations Part" in text and "Lens-Hénin 2 67 %" in text
    # months x territories, with the months as column headers
    assert "Consultations par territoire et par mois" in text and "Territoire 03/2026 04/2026 Total" in text
    assert "Lens-Hénin 1 1 2" in text and "Boulonnais 0 1 1" in text
    # permanences held and calls per territory
    assert "Permanences tenues et appels par territoire" in text
    assert "Territoire Permanences tenues Appels reçus sur le numéro" in text
    assert "Lens-Hénin 4 0 0 0 0" in text and "Tous territoires 6 0 0 0 0" in text
    # family situation x private/social housing
    assert "Situation familiale Parc privé Parc social Non renseigné Total" in text
    assert "Couple avec enfant(s) 2 0 0 2" in text and "Personne seule 0 1 0 1" in text
    # the same months a year before
    assert "Comparaison avec les mêmes mois de l'année précédente" in text
    assert "Mois Consultations Un an plus tôt Évolution" in text and "03/2026 1 1 =" not in text
    assert "03/2026 1 1 0 %" in text and "04/2026 2 0 —" in text
    # per household, and the share before the commandement de payer
    assert "Dette par ménage, en mois de loyer" not in text  # a chart's title is in the image, not the text
    assert "Dette en mois de loyer (par ménage) Ménages" in text and "Plus de 6 mois de loyer 1" in text
    assert "Territoire ou mois Premiers contacts avant le commandement de payer" in text
    assert "Lens-Hénin 2 sur 2 (100 %)" in text and "Boulonnais 0 sur 1 (0 %)" in text
    assert "Analyse qualitative Hausse des impayés dans le Boulonnais." in text


def test_the_pdf_draws_the_charts():
    reader = PdfReader(io.BytesIO(build(previous=last_year())))
    images = [image for page in reader.pages for image in page.images]
    # territories, months, family x housing (households), mode, themes, debt per household, first contact stage,
    # reached
    assert len(images) == 8


def test_no_code_is_visible_in_the_pdf():
    text = pdf_text(build(previous=last_year()))
    codes = {code for vocabulary in taxonomy().values() for code in vocabulary if "_" in code}
    codes |= {name for name in labels.INDICATORS if "_" in name} | set(TERRITORIES)
    codes.discard("hors_departement")
    found = sorted(code for code in codes if re.search(rf"(?<![\w-]){re.escape(code)}(?![\w-])", text))
    assert found == [] and "prevention_expulsion" not in text and "households_debt_known" not in text


def test_without_analysis_the_section_says_so_and_foreign_characters_do_not_break_the_pdf():
    text = pdf_text(build())
    assert "Analyse qualitative " + bilan.NO_NOTE in text
    text = pdf_text(build(notes={EVICTION: "Très bien 👍 — « œuvre »"}))
    assert "Très bien ? — « œuvre »" in text


def test_the_sections_and_charts_the_page_shows():
    [mission] = bilan.assemble(this_year(), date(2026, 3, 1), date(2026, 4, 1), [EVICTION], TERRITORIES, last_year())
    assert [s.key for s in mission.sections] == [
        "key",
        "territories",
        "months",
        "previous",
        "calls",
        "household_profile",
        "profile",
        "households",
        "results",
        "notes",
    ]
    titles = [chart.title for section in mission.sections for chart in section.charts]
    assert titles == [
        "Consultations par territoire",
        "Évolution mensuelle des consultations",
        "Situation familiale selon le parc (ménages)",
        "Mode de consultation : part des consultations (%)",
        "Thèmes : part des consultations (%)",
        "Dette en mois de loyer (nombre de ménages)",
        "Stade de la procédure au premier contact (nombre de ménages)",
        "Premiers contacts atteints avant le commandement de payer (%)",
    ]
    trend = mission.sections[2].charts[0]
    assert trend.series == {"03/2026 à 04/2026": [1, 2], "03/2025 à 04/2025": [1, 0]}
    themes = mission.sections[6].charts[1]
    assert dict(zip(themes.labels, themes.series[""], strict=False)) == {
        "Impayés de loyer et prévention des expulsions": 100.0
    }


def test_a_territory_shows_its_own_figures():
    [mission] = bilan.assemble(
        this_year(), date(2026, 3, 1), date(2026, 4, 1), [EVICTION], TERRITORIES, territory="boulonnais"
    )
    assert [s.key for s in mission.sections] == [
        "key",
        "months",
        "calls",
        "profile",
        "households",
        "results",
    ]
    key = mission.sections[0].tables[0]
    assert key.lines[0] == ["Consultations", 1]
    assert ["Permanences tenues", 2] in key.lines
    reached = mission.sections[4].tables[-1]
    assert reached.lines[0] == ["Boulonnais", "0 sur 1 (0 %)"]


def test_amounts_in_euros_and_changes_signed():
    assert bilan.cell_text(Decimal("1234.5")) == "1\u202f234,50\u00a0€"
    assert bilan.change(3, 4).text() == "−25 %" and bilan.change(4, 2).text() == "+100 %"
    assert bilan.change(4, 0).text() == "—" and bilan.share(1, 3).text() == "33 %"


def test_the_info_mission_has_no_household_section():
    rows = rows_of([record("2026-03", "lens-henin", "h1", mission=INFO, stage=None, debt=None)])
    [mission] = bilan.assemble(rows, date(2026, 3, 1), date(2026, 3, 1), [INFO], TERRITORIES)
    assert "households" not in [s.key for s in mission.sections]
    assert "Dette médiane" not in [line[0] for line in mission.sections[0].tables[0].lines]
