"""The activity report (bilan d'activité) as a PDF, A4, from what bilan.assemble() says: the sections'
headings, charts (PNG) and tables with their column headers. fpdf2 is imported here only, so that the app
starts without it (the page and the XLSX do not need it).

The PDF uses fpdf2's core fonts in Windows-1252, which holds every French character, « », € and œ; a character
outside it (typed in the qualitative analysis) is printed as "?".
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from datetime import date, datetime

from fpdf import FPDF

from hotline.core import charts
from hotline.core.pdf_page import Document, printable
from hotline.reports import bilan, tidy
from hotline.reports.bilan import Cell, Table


def build(
    rows: Iterable[tidy.Row],
    first: date,
    last: date,
    missions: list[str],
    territory_labels: dict[str, str],
    generated: datetime,
    previous: Iterable[tidy.Row] | None = None,
    notes: dict[str, str] | None = None,
) -> bytes:
    bilans = bilan.assemble(rows, first, last, missions, territory_labels, previous, notes)
    period = bilan.range_label(first, last)
    doc = Document(f"Bilan d'activité {period}")
    doc.add_page()
    doc.set_font("Helvetica", "B", 18)
    doc.multi_cell(
        0, 9, "Bilan d'activité — information logement et prévention des expulsions", new_x="LMARGIN", new_y="NEXT"
    )
    doc.set_font("Helvetica", size=11)
    doc.multi_cell(
        0, 6, f"Pas-de-Calais — période : {period} — établi le {generated:%d/%m/%Y}", new_x="LMARGIN", new_y="NEXT"
    )
    doc.ln(4)
    for mission in bilans:
        if doc.get_y() > 60:
            doc.add_page()
        _heading(doc, mission.title, size=15)
        for section in mission.sections:
            images = [_image(doc, chart) for chart in section.charts]
            _heading(doc, section.title, keep=images[0][1] if images else 25)  # not alone at a page's foot
            for png, height in images:
                _chart(doc, png, height)
            for table in section.tables:
                _table(doc, table, with_caption=table.caption not in (section.title, table.headers[0]))
            if section.text is not None:
                doc.set_font("Helvetica", size=10)
                doc.multi_cell(0, 5, printable(section.text), new_x="LMARGIN", new_y="NEXT")
    return bytes(doc.output())


def _heading(doc: FPDF, text: str, size: int = 13, keep: float = 25) -> None:
    """A heading, on a new page unless `keep` millimetres of what follows fit under it."""
    if doc.get_y() + 12 + keep > doc.page_break_trigger:
        doc.add_page()
    doc.ln(3)
    doc.set_font("Helvetica", "B", size)
    doc.multi_cell(0, 7, printable(text), new_x="LMARGIN", new_y="NEXT")
    doc.set_font("Helvetica", size=10)


def _image(doc: FPDF, chart: charts.Chart) -> tuple[bytes, float]:
    """The chart's PNG and its height on the page (from the PNG's own proportions)."""
    png = chart.png()
    pixels_w, pixels_h = int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")
    return png, CHART_WIDTH * doc.epw * pixels_h / pixels_w


def _chart(doc: FPDF, png: bytes, height: float) -> None:
    if doc.get_y() + height > doc.page_break_trigger:  # kept whole on one page
        doc.add_page()
    doc.image(io.BytesIO(png), x=doc.l_margin, w=CHART_WIDTH * doc.epw)
    doc.ln(2)


CHART_WIDTH = 0.85  # of the page's width between margins
MAX_COLUMNS = 7  # value columns side by side on A4; more are split into several tables


def _table(doc: FPDF, table: Table, with_caption: bool = True) -> None:
    values = len(table.headers) - 1
    for start in range(1, values + 1, MAX_COLUMNS):
        columns = [0, *range(start, min(start + MAX_COLUMNS, values + 1))]
        if with_caption:
            doc.set_font("Helvetica", "B", 10)
            doc.multi_cell(0, 6, printable(table.caption), new_x="LMARGIN", new_y="NEXT")
        _columns(doc, [table.headers[i] for i in columns], [[line[i] for i in columns] for line in table.lines])
        doc.ln(2)


def _columns(doc: FPDF, headers: list[str], lines: list[list[Cell]]) -> None:
    count = len(headers) - 1
    first = doc.epw * (0.62 if count <= 2 else 0.4 if count <= 4 else 0.28)
    widths = [first] + [(doc.epw - first) / count] * count
    size = 10 if count <= 4 else 8
    _row(doc, headers, widths, size, header=True)
    for line in lines:
        texts = [bilan.cell_text(value) for value in line]
        if doc.get_y() + _height(doc, texts, widths, size) > doc.page_break_trigger:
            doc.add_page()
            _row(doc, headers, widths, size, header=True)  # the headers again on the new page
        _row(doc, texts, widths, size)


def _height(doc: FPDF, texts: list[str], widths: list[float], size: int, bold: bool = False) -> float:
    doc.set_font("Helvetica", "B" if bold else "", size)
    line = size * 0.5
    return max(_lines(doc, printable(t), w, line) for t, w in zip(texts, widths, strict=False)) * line + 1


def _lines(doc: FPDF, text: str, width: float, line: float) -> int:
    if doc.get_string_width(text) < width - 2 * doc.c_margin:  # most cells: one line, measured fast
        return 1
    return len(doc.multi_cell(width, line, text, dry_run=True, output="LINES"))


def _row(doc: FPDF, texts: list[str], widths: list[float], size: int, header: bool = False) -> None:
    height = _height(doc, texts, widths, size, bold=header)
    if header and doc.get_y() + height * 2 > doc.page_break_trigger:
        doc.add_page()
    doc.set_font("Helvetica", "B" if header else "", size)
    top, x = doc.get_y(), doc.l_margin
    if header:
        doc.set_fill_color(230, 230, 230)
        doc.rect(x, top, sum(widths), height, style="F")
    for index, (text, width) in enumerate(zip(texts, widths, strict=False)):
        doc.set_xy(x, top)
        text, align = printable(text), "L" if index == 0 else "R"
        if _lines(doc, text, width, size * 0.5) == 1:
            doc.cell(width, size * 0.5, text, align=align)
        else:
            doc.multi_cell(width, size * 0.5, text, align=align, new_x="RIGHT", new_y="TOP")
        x += width
    doc.set_y(top + height)
    doc.line(doc.l_margin, top + height, doc.l_margin + sum(widths), top + height)
