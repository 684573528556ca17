"""The XLSX read back with openpyxl: sheets to read (one per group of indicators, French labels, column headers,
numbers as numbers), the tidy sheet unchanged, and no cell a spreadsheet would run as a formula."""

import io
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook
from test_bilan import EVICTION, TERRITORIES, last_year, this_year

from hotline.reports import bilan, tidy, workbook


def book(notes=None):
    rows = this_year()
    bilans = bilan.assemble(rows, date(2026, 3, 1), date(2026, 4, 1), [EVICTION], TERRITORIES, last_year(), notes)
    return rows, load_workbook(io.BytesIO(workbook.to_xlsx(rows, bilans)))


def lines(sheet):
    return [[v for v in line if v is not None] for line in sheet.iter_rows(values_only=True)]


def test_one_sheet_per_group_of_indicators_then_the_tidy_sheet():
    rows, read = book()
    assert read.sheetnames == [
        "Chiffres clés",
        "Territoires",
        "Mois",
        "Année précédente",
        "Profil des consultations",
        "Ménages suivis",
        "Analyse qualitative",
        "rapport",
    ]
    key = lines(read["Chiffres clés"])
    assert key[0] == ["Prévention des expulsions locatives (numéro vert) — Chiffres clés"]
    assert ["Indicateur", "03/2026 à 04/2026", "03/2025 à 04/2025", "Évolution"] in key
    assert ["Consultations", 3, 1, 2.0] in key  # +2: on a base under 20 the difference, not +200 %
    [amounts] = [line for line in key if line[0] == "Montant total des dettes"]
    assert amounts[:3] == ["Montant total des dettes", 3200.5, 1200] and amounts[3] == pytest.approx(2000.5 / 1200)
    territories = lines(read["Territoires"])
    assert ["Territoire", "Consultations", "Part"] in territories and ["Lens-Hénin", 2, 2 / 3] in territories
    months = lines(read["Mois"])
    assert ["Territoire", "03/2026", "04/2026", "Total"] in months and ["Boulonnais", 0, 1, 1] in months
    profile = lines(read["Profil des consultations"])
    assert ["Situation familiale", "Parc privé", "Parc social", "Non renseigné", "Total"] in profile
    assert ["Couple avec enfant(s)", 2, 0, 0, 2] in profile
    tidy_sheet = [[("" if v is None else v) for v in line] for line in read["rapport"].iter_rows(values_only=True)]
    assert tidy_sheet[0] == list(tidy.COLUMNS) and len(tidy_sheet) == len(rows) + 1
    assert [EVICTION, "total", "all", "debt_amount_sum", "", 3200.5] in tidy_sheet


def first_lines(sheet):
    """The first line of the sheet that each label names."""
    found = {}
    for line in sheet.iter_rows():
        found.setdefault(line[0].value, line)
    return found


def test_number_formats_for_people():
    _, read = book()
    sheet = read["Chiffres clés"]
    cells = first_lines(sheet)
    assert cells["Montant total des dettes"][1].number_format == workbook.EUROS
    assert cells["Consultations"][3].number_format == workbook.DIFFERENCE
    territories = first_lines(read["Territoires"])
    assert territories["Lens-Hénin"][2].number_format == workbook.PERCENT


def test_the_rows_alone_make_readable_sheets_too():
    read = load_workbook(io.BytesIO(workbook.to_xlsx(this_year())))
    assert "Chiffres clés" in read.sheetnames and "rapport" in read.sheetnames
    assert ["Lens-Hénin", 2, 2 / 3] in lines(read["Territoires"])


@settings(max_examples=30, deadline=None)
@given(st.sampled_from("=+-@"), st.text(max_size=30))
def test_text_that_starts_like_a_formula_is_neutralised(start, rest):
    text = start + rest
    _, read = book({EVICTION: text})
    for sheet in read.worksheets:
        for line in sheet.iter_rows():
            for cell in line:
                assert cell.data_type != "f", (sheet.title, cell.coordinate, cell.value)
    written = lines(read["Analyse qualitative"])
    if len(written) > 1 and written[1][0] != bilan.NO_NOTE:  # a text of blanks alone is no analysis
        assert written[1][0].startswith("'" + start)


def test_a_formula_in_the_analysis_stays_text():
    _, read = book({EVICTION: '=HYPERLINK("http://example.org","clic")'})
    assert lines(read["Analyse qualitative"])[1] == ['\'=HYPERLINK("http://example.org","clic")']
