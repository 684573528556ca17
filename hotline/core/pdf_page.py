"""The service's A4 PDF page (fpdf2): margins, core fonts in Windows-1252 (every French character, « », € and
œ), the title and page number in the footer; and `printable`, what such a page can print. Used by the activity
report (reports/pdf.py) and a household's personal-data export (privacy/export.py); fpdf2 is imported by them
only when a PDF is made, so that the app starts without it.
"""

from __future__ import annotations

from fpdf import FPDF


class Document(FPDF):
    """An A4 page of the service: margins, core fonts in Windows-1252, the title and page in the footer."""

    def __init__(self, title: str):
        super().__init__(format="A4")
        self.core_fonts_encoding = "windows-1252"
        self.title_text = title
        self.set_auto_page_break(True, margin=15)
        self.set_margins(15, 15, 15)

    def footer(self):
        self.set_y(-12)
        self.set_font("Helvetica", size=8)
        self.cell(0, 6, f"{self.title_text} — page {self.page_no()}", align="C")


def printable(value) -> str:
    """Printable in Windows-1252: the narrow no-break space and the minus sign as their plain forms, anything
    else missing (what a manager may paste: emoji, other alphabets) as "?"."""
    value = str(value).replace("\u202f", " ").replace("\u2212", "-")
    return value.encode("windows-1252", errors="replace").decode("windows-1252")
