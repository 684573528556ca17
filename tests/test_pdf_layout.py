"""The bilan PDF's layout work (reports/pdf.py): what fpdf2 measures, measured once."""

from hotline.core.pdf_page import Document
from hotline.reports import pdf
from hotline.reports.bilan import Table


def test_each_cell_of_a_table_is_measured_once(monkeypatch):
    """A row's height decides the page break and is drawn with the same measure: fpdf2's line breaking (a dry run of
    multi_cell for a text that does not fit on one line) runs once per cell, the header's once for the table even
    when it is repeated on the pages that follow."""
    measured = []
    original = pdf._lines

    def counted(doc, text, width, line):
        measured.append(text)
        return original(doc, text, width, line)

    monkeypatch.setattr(pdf, "_lines", counted)
    lines = [[f"Territoire numéro {n} au nom assez long pour tenir sur deux lignes", n, n * 2] for n in range(120)]
    table = Table("Consultations par territoire", ["Territoire", "Consultations", "Ménages"], lines)
    doc = Document("Essai")
    doc.add_page()
    pdf._table(doc, table)
    assert doc.page > 2  # the header repeated on each page
    assert len(measured) == 3 * (len(lines) + 1)
