"""What the downloads read (issue 18, item 8): the PDF, which shows the bilan only, from the page's rows
(services.page), never the whole report; the CSV and the XLSX from the whole report, whose households over all
territories are counted in the households' months: each the same document as before, read back."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader
from test_reports_page import MISSIONS, generated  # noqa: F401 (generated: a fixture)

from hotline.core import clock
from hotline.extensions import db
from hotline.reference.services import territory_labels
from hotline.reports import bilan, pdf, rollup, services, tidy, workbook

FIRST, LAST = date(2026, 1, 1), date(2026, 12, 1)  # the year before holds data in two of its months
QUERY = "from=2026-01&to=2026-12"


def pages_text(body: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(body)).pages]


@pytest.mark.parametrize("mission", ["", *MISSIONS])
def test_the_pdf_reads_the_pages_rows_and_says_what_the_whole_report_says(
    app, client, make_user, login, generated, monkeypatch, mission
):
    login(make_user("manager"))
    reports = []
    real = services.report
    monkeypatch.setattr(services, "report", lambda *args: reports.append(args[:2]) or real(*args))
    response = client.get(f"/reports/export.pdf?{QUERY}&mission={mission}")
    assert response.status_code == 200
    assert reports == []  # the bilan's rows only: no cell's distinct households or medians it never shows
    missions = [mission] if mission else MISSIONS
    with app.app_context():
        rows = real(FIRST, LAST, missions, clock.now(), clock.local_zone())
        previous = services.page(*bilan.year_before(FIRST, LAST), missions, clock.now(), clock.local_zone())
        whole = pdf.build(rows, FIRST, LAST, missions, territory_labels(), clock.now(), previous, {})
    assert len(pages_text(response.data)) > 3
    assert "non disponible" in " ".join(pages_text(response.data))  # the year before covers two months of twelve
    assert pages_text(response.data) == pages_text(whole)  # page by page


def test_the_export_counts_households_over_all_territories_as_the_rollup_does(app, generated):
    """rollup.export_rows (the households of a month or of the range over all territories from the households'
    months) gives rollup.rows' own count, row for row, over ranges that cut households' histories."""
    with app.app_context():
        for first, last in ((FIRST, LAST), (date(2025, 11, 1), date(2026, 5, 1)), (date(2026, 3, 1), date(2026, 3, 1))):
            kept = rollup.rows(db.session, first, last, MISSIONS)
            assert any(row.indicator == "households" and row.territory == tidy.ALL for row in kept)
            assert rollup.export_rows(db.session, first, last, MISSIONS) == kept


def test_the_csv_and_the_xlsx_hold_the_whole_report(app, client, make_user, login, generated):
    login(make_user("manager"))
    with app.app_context():
        rows = services.report(FIRST, LAST, MISSIONS, clock.now(), clock.local_zone())
    expected = [[str(value) for value in row.as_list()] for row in rows]
    assert any(row.indicator == "debt_amount_median" and row.territory != tidy.ALL for row in rows)
    text = client.get(f"/reports/export.csv?{QUERY}").get_data(as_text=True)
    assert list(csv.reader(io.StringIO(text)))[1:] == expected
    book = load_workbook(io.BytesIO(client.get(f"/reports/export.xlsx?{QUERY}").data), read_only=True)
    sheet = [list(line) for line in book[workbook.TIDY_SHEET].iter_rows(min_row=2, values_only=True)]
    assert [[text or "" for text in line[:5]] for line in sheet] == [line[:5] for line in expected]
    # Numbers as numbers; an amount exact in the sheet (shown with two decimals), rounded to the cent in the CSV.
    assert [line[5] for line in sheet] == pytest.approx([float(line[5]) for line in expected], abs=0.0051)
