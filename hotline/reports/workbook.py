"""The XLSX of the report: sheets to read, one per group of indicators (the bilan's sections, every label in
French, column headers, numbers as numbers), then the tidy sheet "rapport" of formats.md, unchanged, for pivot
tables. Pure: rows in, bytes out.

A text cell that starts with "=", "+", "-" or "@" is neutralised (a leading apostrophe) so that a spreadsheet
never runs it as a formula: the qualitative analysis is typed by people.
"""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font
from openpyxl.worksheet.worksheet import Worksheet

from hotline.reference import labels as vocabulary
from hotline.reports import bilan, labels, tidy

FORMULA_STARTS = ("=", "+", "-", "@")
EUROS = '#,##0.00 "€"'
PERCENT = "0 %"
CHANGE = "+0 %;-0 %;0 %"
DIFFERENCE = "+0;-0;="  # a change on a base under 20 (charts.SMALL_BASE): the difference
TIDY_SHEET = "rapport"


def neutralised(value):
    """Text that a spreadsheet would read as a formula, made plain text; control characters (which XLSX cannot
    hold) left out."""
    if not isinstance(value, str):
        return value
    value = ILLEGAL_CHARACTERS_RE.sub("", value)
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def to_xlsx(rows: list[tidy.Row], bilans: list[bilan.MissionBilan] | None = None) -> bytes:
    """The readable sheets (of `bilans`, or of the rows' own missions and months when not given) and the tidy
    sheet of the rows."""
    book = Workbook()
    book.remove(book.active)
    for key, title in bilan.SHEETS.items():
        sections = [
            (mission, section)
            for mission in (bilans if bilans is not None else _bilans(rows))
            for section in mission.sections
            if section.key == key
        ]
        if sections:
            _readable(book.create_sheet(title), sections)
    _tidy(book.create_sheet(TIDY_SHEET), rows)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


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


def _readable(sheet: Worksheet, sections: list[tuple[bilan.MissionBilan, bilan.Section]]) -> None:
    widest = 0
    for mission, section in sections:
        sheet.append([neutralised(f"{mission.title} — {section.title}")])
        sheet.cell(row=sheet.max_row, column=1).font = Font(bold=True, size=13)
        if section.text is not None:
            sheet.append([neutralised(section.text)])
            sheet.cell(row=sheet.max_row, column=1).alignment = Alignment(wrap_text=True, vertical="top")
        for table in section.tables:
            sheet.append([neutralised(table.caption)])
            sheet.cell(row=sheet.max_row, column=1).font = Font(bold=True, italic=True)
            sheet.append([neutralised(header) for header in table.headers])
            for cell in sheet[sheet.max_row]:
                cell.font = Font(bold=True)
            for line in table.lines:
                sheet.append([_value(value) for value in line])
                for cell, value in zip(sheet[sheet.max_row], line, strict=False):
                    _format(cell, value)
            widest = max(widest, len(table.headers))
            sheet.append([])
        sheet.append([])
    sheet.column_dimensions["A"].width = 60
    for index in range(2, widest + 1):
        sheet.column_dimensions[sheet.cell(row=1, column=index).column_letter].width = 16


def _value(value: bilan.Cell):
    if isinstance(value, bilan.Ratio) and value.difference is not None:  # a change on a small base: "+3"
        return float(value.difference)
    if isinstance(value, bilan.Ratio):
        return value.value if value.value is not None else bilan.NOT_APPLICABLE
    if isinstance(value, Decimal):
        return float(value)
    return neutralised(value)


def _format(cell, value: bilan.Cell) -> None:
    if isinstance(value, bilan.Ratio) and value.difference is not None:
        cell.number_format = DIFFERENCE
    elif isinstance(value, bilan.Ratio) and value.value is not None:
        cell.number_format = CHANGE if value.signed else PERCENT
    elif isinstance(value, Decimal):
        cell.number_format = EUROS


def _tidy(sheet: Worksheet, rows: list[tidy.Row]) -> None:
    """The same rows as the CSV; numbers stay numbers, amounts have two decimals."""
    sheet.append(list(tidy.COLUMNS))
    for row in rows:
        value = float(row.value) if isinstance(row.value, Decimal) else row.value
        sheet.append(
            [neutralised(text) for text in (row.mission, row.period, row.territory, row.indicator, row.category)]
            + [value]
        )
        if isinstance(row.value, Decimal):
            sheet.cell(row=sheet.max_row, column=6).number_format = "0.00"
    sheet.freeze_panes = "A2"
