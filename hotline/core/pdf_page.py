"""The service's A4 PDF page (fpdf2): margins, the title and page number in the footer, and an embedded font,
DejaVu Sans (the TTF that ships with matplotlib, a dependency already: every French character, « », €, œ and
most alphabets), under the family FONT; and `printable`, what a page in the core fonts (Windows-1252) can print.
Used by the activity report (reports/pdf.py) and a household's personal-data export (privacy/export.py); fpdf2 is
imported by them only when a PDF is made, so that the app starts without it.
"""

from __future__ import annotations

import os
from functools import cache

from fpdf import FPDF

FONT = "DejaVu"  # embedded (FontFile2), subset to the characters used


@cache
def font_files() -> dict[str, str]:
    """style ("" or "B", "I", "BI") -> the DejaVu Sans TTF shipped with matplotlib."""
    import matplotlib  # only for the path of its fonts (the PDF is made on demand: start-up time)

    folder = os.path.join(matplotlib.get_data_path(), "fonts", "ttf")
    names = {"": "DejaVuSans.ttf", "B": "DejaVuSans-Bold.ttf", "I": "DejaVuSans-Oblique.ttf"}
    return {style: os.path.join(folder, name) for style, name in names.items()}


class Document(FPDF):
    """An A4 page of the service: margins, DejaVu Sans embedded (FONT; the core fonts stay available, in
    Windows-1252), the title and page in the footer."""

    def __init__(self, title: str, orientation: str = "portrait"):
        super().__init__(orientation=orientation, format="A4")
        self.core_fonts_encoding = "windows-1252"
        for style, path in font_files().items():
            self.add_font(FONT, style, path)
        self.title_text = title
        self.set_title(title)
        self.set_lang("fr-FR")
        self.set_creator("hotline")
        self.set_auto_page_break(True, margin=15)
        self.set_margins(15, 15, 15)

    def footer(self):
        self.set_y(-12)
        self.set_font(FONT, size=8)
        self.cell(0, 6, self.in_font(f"{self.title_text} — page {self.page_no()}"), align="C")

    def in_font(self, value) -> str:
        """The text with each character the embedded font lacks (an emoji pasted in a note) as "?"; the text as it is
        in a core font (printable() is for those)."""
        font = self.current_font
        if font is None or not hasattr(font, "cmap"):
            return str(value)
        return "".join(c if ord(c) in font.cmap or c in "\n\r\t" else "?" for c in str(value))


def printable(value) -> str:
    """Printable in Windows-1252: the narrow no-break space and the minus sign as their plain forms, anything
    else missing (what a manager may paste: emoji, other alphabets) as "?"."""
    value = str(value).replace("\u202f", " ").replace("\u2212", "-")
    return value.encode("windows-1252", errors="replace").decode("windows-1252")
