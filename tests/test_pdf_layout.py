"""The bilan PDF's layout work (reports/pdf.py): what fpdf2 measures, measured once."""

import io

from pypdf import PdfReader

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


def test_a_text_on_one_line_is_placed_as_fpdf2s_line_breaking_would_place_it(monkeypatch):
    """_text skips fpdf2's line breaking (multi_cell) for a text that holds on one line (most of the annex's names):
    the page and the place after it are the same as with multi_cell, for short, long and multi-line texts."""
    texts = [
        ("Consultations", 9, "B"),
        ("Nombre d'entretiens tenus sur la période, quel que soit leur mode. " * 4, 9, ""),
        ("Deux lignes\nvoulues", 10, ""),
        ("Une ligne de plus", 12, "B"),
    ]

    def written(through_multi_cell: bool):
        doc = Document("Essai")
        doc.add_page()
        if through_multi_cell:
            monkeypatch.setattr(doc, "get_string_width", lambda text: float("inf"))  # never "fits on one line"
        places = []
        for text, size, style in texts:
            pdf._text(doc, text, size, style)
            places.append((doc.page, round(doc.get_x(), 3), round(doc.get_y(), 3)))
        monkeypatch.undo()
        return places, " ".join(PdfReader(io.BytesIO(bytes(doc.output()))).pages[0].extract_text().split())

    assert written(through_multi_cell=False) == written(through_multi_cell=True)
