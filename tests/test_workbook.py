"""The XLSX read back with openpyxl: sheets to read (one per group of indicators, French labels, column headers,
numbers as numbers), the tidy sheet unchanged, and no cell a spreadsheet would run as a formula."""

import io
import os
import re
import zipfile
from datetime import date
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook
from test_bilan import EVICTION, TERRITORIES, last_year, this_year

from hotline.reports import bilan, labels, tidy, workbook


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
        "Numéro vert",
        "Profil des ménages",
        "Profil des consultations",
        "Ménages suivis",
        "Résultats",
        "Analyse qualitative",
        "rapport",
    ]
    key = lines(read["Chiffres clés"])
    assert key[0] == ["Prévention des expulsions locatives (numéro vert) — Chiffres clés"]
    assert ["Indicateur", "03/2026 à 04/2026", "03/2025 à 04/2025", "Évolution"] in key
    assert ["Consultations", 3, 1, 2.0] in key  # +2: on a base under 20 the difference, not +200 %
    assert not [line for line in key if line[0] == "Montant total des dettes"]  # per consultation: not a key figure
    assert [labels.indicator("household_debt_sum"), 0, 0, 0] in key  # the households' one debt total
    territories = lines(read["Territoires"])
    assert ["Territoire", "Consultations", "Part"] in territories and ["Lens-Hénin", 2, 2 / 3] in territories
    months = lines(read["Mois"])
    assert ["Territoire", "03/2026", "04/2026", "Total"] in months and ["Boulonnais", 0, 1, 1] in months
    profile = lines(read["Profil des ménages"])
    assert ["Situation familiale", "Parc privé", "Parc social", "Non renseigné", "Total"] in profile
    assert ["Couple avec enfant(s)", 2, 0, 0, 2] in profile
    assert ["Téléphone", 3, 1] in lines(read["Profil des consultations"])
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
    assert cells[labels.indicator("household_debt_sum")][1].number_format == workbook.EUROS
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


def test_openpyxl_writes_through_lxml_and_the_workbook_reads_back_the_same(tmp_path):
    """lxml is a dependency because openpyxl streams a write-only sheet through it, a quarter faster than through
    et_xmlfile; the workbook read back is the same either way: every sheet, value, number format, font,
    alignment, column width and frozen pane (OPENPYXL_LXML=False: openpyxl without lxml, in another process)."""
    import subprocess
    import sys

    import openpyxl.xml

    assert openpyxl.xml.LXML
    script = (
        "import sys; sys.path[:0] = sys.argv[1:]; from test_workbook import written; sys.stdout.buffer.write(written())"
    )
    tests = str(Path(__file__).parent)
    without = subprocess.run(
        [sys.executable, "-c", script, tests],
        env={**os.environ, "OPENPYXL_LXML": "False"},
        capture_output=True,
        check=True,
    ).stdout
    assert _read_back(without) == _read_back(written())


def test_the_zip_at_level_1_reads_back_as_openpyxls_own_save(monkeypatch):
    """The workbook zipped at compression level 1 (faster) reads back the same as Workbook.save's: every sheet,
    value, number format, font, alignment, column width and frozen pane."""
    fast = written()

    def saved(book):
        out = io.BytesIO()
        book.save(out)
        return out.getvalue()

    monkeypatch.setattr(workbook, "_zipped", saved)
    assert _read_back(fast) == _read_back(written())
    assert _read_back(fast)[workbook.TIDY_SHEET][2] == "A2"


def written() -> bytes:
    """The XLSX of the test rows, the eviction mission's bilan of March-April 2026 with a note."""
    rows = this_year()
    notes = {EVICTION: "Analyse : =1+1 reste du texte."}
    bilans = bilan.assemble(rows, date(2026, 3, 1), date(2026, 4, 1), [EVICTION], TERRITORIES, last_year(), notes)
    return workbook.to_xlsx(rows, bilans)


def _read_back(body: bytes) -> dict:
    read = load_workbook(io.BytesIO(body))
    return {
        sheet.title: (
            [
                (
                    c.coordinate,
                    c.value,
                    c.data_type,
                    c.number_format,
                    c.font.b,
                    c.font.i,
                    c.font.sz,
                    c.alignment.wrap_text,
                )
                for line in sheet.iter_rows()
                for c in line
            ],
            {key: dimension.width for key, dimension in sheet.column_dimensions.items()},
            sheet.freeze_panes,
        )
        for sheet in read.worksheets
    }


def test_the_tidy_sheet_writes_no_empty_cell():
    """An indicator without category leaves its category cell out (openpyxl would write an empty one, a cell of the
    year's 318 000 written for nothing): read back, it is None as before."""
    rows = [
        tidy.Row("info_logement", "2026-01", "all", "consultations", "", 3),
        tidy.Row("info_logement", "2026-01", "all", "mode", "telephone", 2),
    ]
    body = workbook.to_xlsx(rows, [])
    with zipfile.ZipFile(io.BytesIO(body)) as archive:
        [sheet] = [name for name in archive.namelist() if name.startswith("xl/worksheets/sheet")]
        xml = archive.read(sheet).decode()
    assert len(re.findall(r"<c\b", xml)) == 6 + 5 + 6  # the header, then each row's non-empty cells
    read = load_workbook(io.BytesIO(body))[workbook.TIDY_SHEET]
    assert [cell.value for cell in read[2]] == ["info_logement", "2026-01", "all", "consultations", None, 3]
