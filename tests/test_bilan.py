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
    assert "Consultations 3 1 +2" in text and "+200 %" not in text  # on a base under 20, the difference
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
    assert "Mois Consultations Un an plus tôt Évolution" in text
    assert "03/2026 1 1 =" in text and "04/2026 2 0 +2" in text
    # per household, and the share before the commandement de payer
    assert "Dette par ménage, en mois de loyer" not in text  # a chart's title is in the image, not the text
    assert "Dette en mois de loyer (par ménage) Ménages" in text and "Plus de 6 mois de loyer 1" in text
    assert "Territoire ou mois Premiers contacts avant le commandement de payer" in text
    assert "Lens-Hénin 2 sur 2 (100 %)" in text and "Boulonnais 0 sur 1 (0 %)" in text
    assert "Analyse qualitative Hausse des impayés dans le Boulonnais." in text  # on the summary page


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


def test_without_analysis_the_summary_has_none_and_foreign_characters_do_not_break_the_pdf():
    text = pdf_text(build())
    assert "Analyse qualitative" not in text and bilan.NO_NOTE not in text
    text = pdf_text(build(notes={EVICTION: "Très bien 👍 — « œuvre » Ελλάδα"}))
    assert "Très bien ? — « œuvre » Ελλάδα" in text  # the embedded font has Greek, not the emoji


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
    assert bilan.change(30, 40).text() == "−25 %" and bilan.change(40, 20).text() == "+100 %"
    # on a base under 20, the difference: 2 to 4 is "+2", not "+100 %"
    assert bilan.change(3, 4).text() == "−1" and bilan.change(4, 2).text() == "+2"
    assert bilan.change(4, 0).text() == "+4" and bilan.change(5, 5).text() == "="
    assert bilan.share(1, 3).text() == "33 %"


def test_the_info_mission_has_no_household_section():
    rows = rows_of([record("2026-03", "lens-henin", "h1", mission=INFO, stage=None, debt=None)])
    [mission] = bilan.assemble(rows, date(2026, 3, 1), date(2026, 3, 1), [INFO], TERRITORIES)
    assert "households" not in [s.key for s in mission.sections]
    assert "Dette médiane" not in [line[0] for line in mission.sections[0].tables[0].lines]


FACE = pdf.Face("ADIL du Pas-de-Calais", "Département du Pas-de-Calais", "Convention FSL n° 2026-014")


def reader_of(document: bytes) -> PdfReader:
    return PdfReader(io.BytesIO(document))


def outline_titles(reader: PdfReader) -> list:
    def walk(items):
        return [walk(item) if isinstance(item, list) else item.title for item in items]

    return walk(reader.outline)


def test_the_pdf_has_a_face_metadata_embedded_fonts_and_bookmarks():
    reader = reader_of(build(previous=last_year(), face=FACE))
    title = "Bilan d'activité 03/2026 à 04/2026 — Prévention des expulsions locatives (numéro vert)"
    assert reader.metadata.title == title and reader.metadata.author == "ADIL du Pas-de-Calais"
    assert "Département du Pas-de-Calais" in reader.metadata.subject and "2026-014" in reader.metadata.subject
    first = " ".join(reader.pages[0].extract_text().split())
    for words in ("ADIL du Pas-de-Calais", "Bilan d'activité", "Période : mars 2026 à avril 2026"):
        assert words in first
    assert "Remis à : Département du Pas-de-Calais" in first
    assert "Référence de la convention : Convention FSL n° 2026-014" in first
    fonts = [font.get_object() for page in reader.pages for font in page["/Resources"]["/Font"].values()]
    assert fonts and all(
        "/FontFile2" in font["/DescendantFonts"][0].get_object()["/FontDescriptor"] for font in fonts
    ), "every font embedded (TrueType), none of the 14 core fonts"
    assert {font["/BaseFont"].split("+")[-1] for font in fonts} == {"DejaVuSansBook", "DejaVuSansBold"}
    [mission, sections, annex] = outline_titles(reader)
    assert mission == "Prévention des expulsions locatives (numéro vert)"
    assert sections[:4] == ["Synthèse", "Chiffres clés", "Territoires", "Mois"]
    assert (
        "Ménages suivis (chaque ménage compté une fois)" in sections and annex == "Annexe : définitions des indicateurs"
    )


def test_the_summary_page_says_the_six_figures_their_change_and_two_sentences():
    note = "Hausse des impayés dans le Boulonnais."
    reader = reader_of(build(previous=last_year(), notes={EVICTION: note}, face=FACE))
    summary = " ".join(reader.pages[0].extract_text().split())
    for name in (
        "Consultations",
        "Ménages accompagnés",
        "Nouveaux ménages (premier contact)",
        "Premiers contacts avant le commandement de payer",
        "Ménages maintenus ou relogés (procédures terminées)",
        "Appels du numéro vert ayant obtenu une réponse",
    ):
        assert name in summary
    assert "+2 sur un an (1 l'année précédente)" in summary  # 3 consultations against 1: not "+200 %"
    assert "67 %" in summary  # 2 of the 3 first contacts whose stage is known, reached before the commandement
    assert (
        "Sur la période, le service a tenu 3 consultations pour 2 ménages, soit 2 consultations de plus qu'un an "
        "plus tôt." in summary
    )
    assert (
        "67 % des premiers contacts dont la situation est connue ont été atteints avant le commandement de payer"
        in summary
    )
    assert "aucun appel n'a été reçu sur le numéro" in summary
    assert "Analyse qualitative " + note in summary
    # the results are not in these rows, and the year before had no call: said so, not 0
    assert summary.count("non disponible") >= 2 and "Année précédente : non disponible" in summary


def test_without_a_year_before_nothing_is_invented():
    text = pdf_text(build(previous=[]))
    assert "Un an plus tôt" not in text and "03/2025 à 04/2025" not in text
    assert "la comparaison avec l'année précédente n'est pas disponible (aucune donnée)" in text
    assert "Année précédente : non disponible" in text


def test_a_year_before_without_calls_says_not_available_for_the_calls():
    text = pdf_text(build(previous=last_year()))
    assert "Appels reçus sur le numéro 0 non disponible non disponible" in text
    assert "Consultations signalant un habitat indigne" in text


def test_the_annex_defines_every_indicator_it_names():
    text = pdf_text(build())
    annex = text[text.index("Annexe : définitions des indicateurs") :]
    label = labels.indicator("reached_before_commandement")
    assert f"{label} Prévention des expulsions : premiers contacts" in annex
    assert "Mesure propre au service, non une statistique nationale." in annex
    # the summary's share kept in their home, defined where the committee looks it up
    assert "parmi ceux dont la procédure a trouvé une issue (expulsion, relogement, départ volontaire" in annex
    for code in tidy.INDICATOR_ORDER:
        assert labels.indicator(code) in annex


def twelve_months(months: int):
    records = [
        record(f"{2026 + (m - 1) // 12}-{(m - 1) % 12 + 1:02d}", territory, f"h{m}{territory}")
        for m in range(1, months + 1)
        for territory in ("lens-henin", "boulonnais")
    ]
    return rows_of(records)


def test_a_years_month_tables_are_on_a_landscape_page_whole():
    reader = reader_of(
        pdf.build(twelve_months(12), date(2026, 1, 1), date(2026, 12, 1), [EVICTION], TERRITORIES, GENERATED)
    )
    [page] = [p for p in reader.pages if "Consultations par territoire et par mois" in p.extract_text()]
    assert page.mediabox.width > page.mediabox.height
    text = " ".join(page.extract_text().split())
    header = "Territoire " + " ".join(f"{m:02d}/2026" for m in range(1, 13)) + " Total"
    assert header in text and "Lens-Hénin 1 1 1 1 1 1 1 1 1 1 1 1 12" in text  # one table, not two halves
    assert "Activité par mois" in text


def test_more_months_than_a_landscape_page_holds_are_rows():
    reader = reader_of(
        pdf.build(twelve_months(24), date(2026, 1, 1), date(2027, 12, 1), [EVICTION], TERRITORIES, GENERATED)
    )
    text = " ".join(" ".join(page.extract_text().split()) for page in reader.pages)
    assert "Mois Lens-Hénin Boulonnais Hors département Tous territoires" in text
    assert "01/2026 1 1 0 2" in text and "12/2027 1 1 0 2" in text and "Total 24 24 0 48" in text


def test_a_table_never_starts_with_one_row_at_a_pages_foot():
    doc = pdf.Document("Essai")
    doc.add_page()
    doc.set_y(doc.page_break_trigger - 20)  # room for the header and a row or two
    table = bilan.Table("Essai", ["Indicateur", "Valeur"], [[f"Ligne {i}", i] for i in range(8)])
    pdf._table(doc, table)
    assert doc.page == 2  # the whole table went to the next page
    short = bilan.Table("Court", ["Indicateur", "Valeur"], [["Seule", 1]])
    doc.set_y(doc.page_break_trigger - 30)
    pdf._table(doc, short)
    assert doc.page == 2  # a table that fits stays


def test_a_change_is_coloured_by_what_it_means_in_the_key_figures():
    table = bilan.Table(
        "Chiffres clés",
        ["Indicateur", "2026", "2025", "Évolution"],
        [
            [labels.indicator("calls_missed"), 30, 20, bilan.change(30, 20)],
            [labels.indicator("callbacks_done"), 30, 20, bilan.change(30, 20)],
            ["Consultations", 30, 20, bilan.change(30, 20)],
        ],
    )
    assert pdf._tones(table) == ["bad", "good", "neutral"]


def test_the_face_comes_from_the_settings(app):
    app.config.update(SERVICE_NAME="ADIL 62", FUNDER="Département", AGREEMENT_REFERENCE="Convention 7")
    try:
        with app.app_context():
            assert pdf.Face.from_settings() == pdf.Face("ADIL 62", "Département", "Convention 7")
    finally:
        for key in ("SERVICE_NAME", "FUNDER", "AGREEMENT_REFERENCE"):
            app.config.pop(key)
    assert pdf.Face.from_settings({}) == pdf.Face(
        "Nom du service à renseigner", "Financeur à renseigner", "à renseigner"
    )


def test_both_missions_are_titled_as_such():
    rows = this_year() + rows_of([record("2026-03", "lens-henin", "h7", mission=INFO, stage=None, debt=None)])
    reader = reader_of(pdf.build(rows, date(2026, 3, 1), date(2026, 4, 1), [INFO, EVICTION], TERRITORIES, GENERATED))
    assert reader.metadata.title == (
        "Bilan d'activité 03/2026 à 04/2026 — Information sur le logement et l'habitat et Prévention des expulsions "
        "locatives (numéro vert)"
    )
    assert [item for item in outline_titles(reader) if isinstance(item, str)] == [
        "Information sur le logement et l'habitat",
        "Prévention des expulsions locatives (numéro vert)",
        "Annexe : définitions des indicateurs",
    ]


def test_the_unanswered_hours_are_a_heat_map_beside_their_table():
    """Issue 18, item 3: the hours of the week when calls go unanswered, drawn as weekday x hour."""
    rows = this_year() + [
        Row(EVICTION, "total", "all", "calls_unanswered_by_hour", "1|09", 3),
        Row(EVICTION, "total", "all", "calls_unanswered_by_hour", "5|14", 2),
    ]
    [found] = bilan.assemble(rows, date(2026, 3, 1), date(2026, 4, 1), [EVICTION], TERRITORIES)
    [section] = [s for s in found.sections if s.key == "calls"]
    [heat] = [chart for chart in section.charts if chart.kind == "heatmap"]
    assert heat.labels == ["9 h", "14 h"]
    assert heat.series["Lundi"] == [3, 0] and heat.series["Vendredi"] == [0, 2] and heat.series["Dimanche"] == [0, 0]
    [table] = [t for t in section.tables if t.caption.startswith("Appels sans réponse")]
    assert ["Lundi", 3, 0, 3] in table.lines


def test_a_month_the_year_before_does_not_cover_reads_not_available():
    """The data of the year before begins in 04/2025: March reads "non disponible" (not 0 and a change against it),
    and so does the total, which would compare a whole range with a part of it."""
    before = rows_of([record("2025-04", "boulonnais", "h9")], year=2025, cross=False)
    before = [row for row in before if row.period != "2025-03"]  # the permanences of 03/2025 too: nothing then
    [mission] = bilan.assemble(this_year(), date(2026, 3, 1), date(2026, 4, 1), [EVICTION], TERRITORIES, before)
    [table] = next(s for s in mission.sections if s.key == "previous").tables
    assert [[bilan.cell_text(cell) for cell in line] for line in table.lines] == [
        ["03/2026", "1", "non disponible", "non disponible"],
        ["04/2026", "2", "1", "+1"],
        ["Total", "3", "non disponible", "non disponible"],
    ]
    [chart] = next(s for s in mission.sections if s.key == "months").charts
    assert list(chart.series) == ["03/2026 à 04/2026"]  # no line of invented zeros for the year before
    text = pdf_text(
        pdf.build(this_year(), date(2026, 3, 1), date(2026, 4, 1), [EVICTION], TERRITORIES, GENERATED, before)
    )
    assert "03/2026 1 non disponible non disponible" in text and "04/2026 2 1 +1" in text
    assert "03/2026 1 0" not in text


def test_key_figures_against_a_year_before_covered_in_part_read_not_available():
    """The data of the year before begins in 04/2025: the key figures of 03-04/2026 are not compared with one month
    of 2025 (a whole range against a part of one), their year before and change read "non disponible"."""
    before = rows_of([record("2025-04", "boulonnais", "h9")], year=2025, cross=False)
    before = [row for row in before if row.period != "2025-03"]
    [mission] = bilan.assemble(this_year(), date(2026, 3, 1), date(2026, 4, 1), [EVICTION], TERRITORIES, before)
    [table] = next(s for s in mission.sections if s.key == "key").tables
    assert table.headers == ["Indicateur", "03/2026 à 04/2026", "03/2025 à 04/2025", "Évolution"]
    lines = {line[0]: [bilan.cell_text(cell) for cell in line[1:]] for line in table.lines}
    assert lines["Consultations"] == ["3", "non disponible", "non disponible"]
    assert all(line[1:] == ["non disponible", "non disponible"] for line in lines.values())
    # Covered in full, the same figures are compared.
    [mission] = bilan.assemble(this_year(), date(2026, 3, 1), date(2026, 4, 1), [EVICTION], TERRITORIES, last_year())
    [table] = next(s for s in mission.sections if s.key == "key").tables
    lines = {line[0]: [bilan.cell_text(cell) for cell in line[1:]] for line in table.lines}
    assert lines["Consultations"] == ["3", "1", "+2"]


def test_a_month_of_the_year_before_with_data_and_no_consultation_is_a_real_zero():
    before = [row for row in last_year() if row.period != "2025-03" or row.indicator == "permanences_held"]
    [mission] = bilan.assemble(this_year(), date(2026, 3, 1), date(2026, 4, 1), [EVICTION], TERRITORIES, before)
    [table] = next(s for s in mission.sections if s.key == "previous").tables
    assert [bilan.cell_text(cell) for cell in table.lines[0]] == ["03/2026", "1", "0", "+1"]


def test_a_year_before_covered_in_part_is_not_compared_on_the_summary():
    """The data of the year before begins in 04/2025, the range is 03-04/2026: the summary's year-before values and
    changes read "non disponible" (a whole range is not compared with a part of one), its sentences claim no change,
    and neither do the key figures."""
    before = rows_of([record("2025-04", "boulonnais", "h9")], year=2025, cross=False)
    before = [row for row in before if row.period != "2025-03"]
    document = pdf.build(this_year(), date(2026, 3, 1), date(2026, 4, 1), [EVICTION], TERRITORIES, GENERATED, before)
    summary = " ".join(reader_of(document).pages[0].extract_text().split())
    assert summary.count("Année précédente : non disponible") == 6
    assert "sur un an" not in summary and "l'année précédente)" not in summary
    assert "qu'un an plus tôt" not in summary
    assert "la comparaison avec l'année précédente n'est pas disponible (ses données ne couvrent qu'une partie" in (
        summary
    )
    text = pdf_text(document)
    assert "Consultations 3 non disponible non disponible" in text
    assert "04/2026 2 1 +1" in text  # the months the year before covers are still compared, month by month


def test_a_year_before_covering_the_whole_range_is_compared_on_the_summary():
    summary = " ".join(reader_of(build(previous=last_year())).pages[0].extract_text().split())
    assert "+2 sur un an (1 l'année précédente)" in summary
    assert "soit 2 consultations de plus qu'un an plus tôt" in summary
