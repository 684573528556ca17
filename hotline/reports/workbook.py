"""The XLSX of the report: sheets to read, one per group of indicators (the bilan's sections, every label in
French, column headers, numbers as numbers), then the tidy sheet "rapport" of formats.md, unchanged, for pivot
tables. Pure: rows in, bytes out.

A text cell that starts with "=", "+", "-" or "@" is neutralised (a leading apostrophe) so that a spreadsheet
never runs it as a formula: the qualitative analysis is typed by people.

The tidy sheet's rows (50 000 x 6 cells for a year at 1M consultations) are written as the XML openpyxl writes for
them (the form of its lxml writer), each distinct text escaped once, instead of a cell object per value: 0.35 s
instead of 2.5 s at 1M. openpyxl writes the rest (styles, the frozen header, the other sheets), and
tests/test_workbook.py reads the result back the same as openpyxl's own writing of those rows.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from xml.sax.saxutils import escape

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ERROR_CODES, ILLEGAL_CHARACTERS_RE
from openpyxl.compat.strings import safe_string
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from hotline.reference import labels as vocabulary
from hotline.reports import bilan, labels, tidy

FORMULA_STARTS = ("=", "+", "-", "@")
EUROS = '#,##0.00 "€"'
PERCENT = "0 %"
CHANGE = "+0 %;-0 %;0 %"
DIFFERENCE = "+0;-0;="  # a change on a base under 20 (charts.SMALL_BASE): the difference
TIDY_SHEET = "rapport"
TITLE, TEXT = Font(bold=True, size=13), Alignment(wrap_text=True, vertical="top")
CAPTION, HEADER = Font(bold=True, italic=True), Font(bold=True)


def neutralised(value):
    """Text that a spreadsheet would read as a formula, made plain text; control characters (which XLSX cannot
    hold) left out."""
    if not isinstance(value, str):
        return value
    value = ILLEGAL_CHARACTERS_RE.sub("", value)
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def to_xlsx(rows: list[tidy.Row], bilans: list[bilan.MissionBilan] | None = None) -> bytes:
    """The readable sheets (of `bilans`, or of the rows' own missions and months when not given) and the tidy
    sheet of the rows. Written in openpyxl's write-only mode: each row streamed as it is appended (a year's
    tidy sheet holds hundreds of thousands of cells; the normal mode kept them all and looked for the last
    row at every append)."""
    book = Workbook(write_only=True)
    for key, title in bilan.SHEETS.items():
        sections = [
            (mission, section)
            for mission in (bilans if bilans is not None else _bilans(rows))
            for section in mission.sections
            if section.key == key
        ]
        if sections:
            _readable(book.create_sheet(title), sections)
    sheet = book.create_sheet(TIDY_SHEET)
    style = _tidy(sheet)
    out = io.BytesIO()
    book.save(out)
    return _with_rows(out.getvalue(), sheet.path.lstrip("/"), _tidy_rows(rows, style))


def _bilans(rows: list[tidy.Row]) -> list[bilan.MissionBilan]:
    """The bilan of the rows alone (the command line): missions and months as the rows hold them."""
    months = sorted({row.period for row in rows if row.period != tidy.TOTAL})
    missions = [m for m in vocabulary("missions") if any(row.mission == m for row in rows)]
    if not months:
        return []
    first, last = (tidy_month(m) for m in (months[0], months[-1]))
    return bilan.assemble(rows, first, last, missions, labels.default_territories())


def tidy_month(code: str) -> date:
    return date(int(code[:4]), int(code[5:7]), 1)


def _readable(sheet: WriteOnlyWorksheet, sections: list[tuple[bilan.MissionBilan, bilan.Section]]) -> None:
    widest = max((len(table.headers) for _mission, section in sections for table in section.tables), default=0)
    sheet.column_dimensions["A"].width = 60  # before the first row: a write-only sheet writes them first
    for index in range(2, widest + 1):
        sheet.column_dimensions[get_column_letter(index)].width = 16
    for mission, section in sections:
        sheet.append([_styled(sheet, neutralised(f"{mission.title} — {section.title}"), font=TITLE)])
        if section.text is not None:
            sheet.append([_styled(sheet, neutralised(section.text), alignment=TEXT)])
        for table in section.tables:
            sheet.append([_styled(sheet, neutralised(table.caption), font=CAPTION)])
            sheet.append([_styled(sheet, neutralised(header), font=HEADER) for header in table.headers])
            for line in table.lines:
                sheet.append([_formatted(sheet, value) for value in line])
            sheet.append([])
        sheet.append([])


def _styled(sheet: WriteOnlyWorksheet, value, **style) -> WriteOnlyCell:
    cell = WriteOnlyCell(sheet, value)
    for name, given in style.items():
        setattr(cell, name, given)
    return cell


def _value(value: bilan.Cell):
    if isinstance(value, bilan.Ratio) and value.difference is not None:  # a change on a small base: "+3"
        return float(value.difference)
    if isinstance(value, bilan.Ratio):
        return value.value if value.value is not None else bilan.NOT_APPLICABLE
    if isinstance(value, Decimal):
        return float(value)
    return neutralised(value)


def _formatted(sheet: WriteOnlyWorksheet, value: bilan.Cell):
    """The cell's value, with its number format when it has one (a plain value otherwise: cheaper to write)."""
    if isinstance(value, bilan.Ratio) and value.difference is not None:
        return _styled(sheet, _value(value), number_format=DIFFERENCE)
    if isinstance(value, bilan.Ratio) and value.value is not None:
        return _styled(sheet, _value(value), number_format=CHANGE if value.signed else PERCENT)
    if isinstance(value, Decimal):
        return _styled(sheet, _value(value), number_format=EUROS)
    return _value(value)


AMOUNT = "0.00"  # the tidy sheet's amounts
_ROWS_HERE = "hotline:tidy-rows"  # the placeholder row that _with_rows replaces with the tidy rows
_PLACEHOLDER = f'<row r="2"><c r="A2" t="inlineStr"><is><t>{_ROWS_HERE}</t></is></c></row>'


def _tidy(sheet: WriteOnlyWorksheet) -> int:
    """The tidy sheet as openpyxl writes it: the frozen header, then a placeholder row for the rows (_tidy_rows);
    the style id of its amounts, registered in the workbook's styles."""
    sheet.freeze_panes = "A2"  # before the first row, as the column widths
    sheet.append(list(tidy.COLUMNS))
    sheet.append([_ROWS_HERE])
    amount = WriteOnlyCell(sheet, 0.0)
    amount.number_format = AMOUNT
    return amount.style_id


def _tidy_rows(rows: list[tidy.Row], style: int) -> Iterator[str]:
    """The same rows as the CSV, as openpyxl's lxml writer writes them (inline strings, numbers as numbers, amounts
    with two decimals): each distinct text (missions, months, territories, indicators, categories, a few hundred)
    neutralised and escaped once."""
    known: dict[str, str] = {}

    def text(value: str) -> str:
        found = known.get(value)
        if found is None:
            shown = neutralised(value)[:32767]  # as openpyxl keeps it (a cell's most)
            if shown == "":
                found = '" t="inlineStr"></c>'
            elif shown in ERROR_CODES:  # "#N/A"...: openpyxl writes it as an error value
                found = f'" t="e"><v>{shown}</v></c>'
            else:
                space = ' xml:space="preserve"' if shown != shown.strip() else ""
                escaped = escape(shown).replace("\r", "&#13;")
                found = f'" t="inlineStr"><is><t{space}>{escaped}</t></is></c>'
            known[value] = found
        return found

    for number, row in enumerate(rows, 2):
        if isinstance(row.value, Decimal):
            value = f'<c r="F{number}" s="{style}" t="n"><v>{safe_string(float(row.value))}</v></c>'
        else:
            value = f'<c r="F{number}" t="n"><v>{safe_string(row.value)}</v></c>'
        yield (
            f'<row r="{number}"><c r="A{number}{text(row.mission)}<c r="B{number}{text(row.period)}'
            f'<c r="C{number}{text(row.territory)}<c r="D{number}{text(row.indicator)}'
            f'<c r="E{number}{text(row.category)}{value}</row>'
        )


def _with_rows(xlsx: bytes, path: str, rows: Iterator[str]) -> bytes:
    """The workbook with the sheet at `path`'s placeholder row replaced by `rows` (the other parts as they are)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(xlsx)) as written, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as patched:
        for part in written.infolist():
            body = written.read(part)
            if part.filename == path:
                sheet = body.decode("utf-8")
                if sheet.count(_PLACEHOLDER) != 1:  # openpyxl wrote it otherwise: never a sheet without its rows
                    raise RuntimeError(f"the tidy sheet's placeholder row is not in {path}")
                before, after = sheet.split(_PLACEHOLDER)
                body = "".join([before, *rows, after]).encode("utf-8")
            patched.writestr(part, body)
    return out.getvalue()
