"""The activity report (bilan d'activité) as a PDF, A4, to hand to the Comité technique FSL: a document with a
face. Per mission: a first page (the service, the funder and the agreement reference from the settings, the
period), a one-page summary (the six figures that matter, their change on the year before, two sentences made
from them, the qualitative analysis when written), then every section bilan.assemble() gives, rendered the same
way whatever it holds (its tables, charts and text: a new section appears by itself); at the end an annex of
definitions (reports/definitions.py). fpdf2 is imported here only, so that the app starts without it.

Tables fit their page: up to MAX_COLUMNS value columns on a portrait page, up to MAX_LANDSCAPE on a landscape one,
more with their columns as rows (months as rows); a table that fits on a page is never cut, a longer one starts
with at least its header and three rows and repeats its header on each page. The year before is read from the
data: "non disponible" when it has none, never an invented 0. The font (DejaVu Sans) is embedded; the title,
author, subject and language are in the metadata, and each mission and section is a bookmark.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from fpdf import FPDF

from hotline.config import BILAN_FACE
from hotline.core import charts
from hotline.core.formatting import month_name
from hotline.core.pdf_page import FONT, Document
from hotline.reference import labels as vocabulary
from hotline.reports import bilan, definitions, household_facts, labels, tidy
from hotline.reports.bilan import Table

CHART_MM = 153  # a chart's width on the page: charts.WIDTH_INCHES, drawn at its size
MAX_COLUMNS = 7  # value columns on a portrait page
MAX_LANDSCAPE = 15  # value columns on a landscape page; more: the columns become rows
NOT_AVAILABLE = "non disponible"
KEPT_ROWS = 3  # a table cut by a page starts with at least its header and this many rows
TONE_RGB = {name: tuple(int(colour[i : i + 2], 16) for i in (1, 3, 5)) for name, colour in charts.TONES.items()}


@dataclass(frozen=True)
class Face:
    """Who writes the bilan, for whom, under which agreement (settings HOTLINE_SERVICE_NAME, HOTLINE_FUNDER,
    HOTLINE_AGREEMENT_REFERENCE)."""

    service: str = BILAN_FACE["SERVICE_NAME"]
    funder: str = BILAN_FACE["FUNDER"]
    agreement: str = BILAN_FACE["AGREEMENT_REFERENCE"]

    @classmethod
    def from_settings(cls, config=None) -> Face:
        """From the app's settings (the current app's when none given; the defaults outside an app)."""
        if config is None:
            from flask import current_app, has_app_context

            config = current_app.config if has_app_context() else {}
        return cls(*(config.get(key) or default for key, default in BILAN_FACE.items()))


def title_of(missions: list[str], first: date, last: date) -> str:
    """The document's title: the missions it covers (one, or both named), and the period."""
    names = " et ".join(vocabulary("missions")[m] for m in missions)
    return f"Bilan d'activité {bilan.range_label(first, last)} — {names}"


def build(
    rows: Iterable[tidy.Row],
    first: date,
    last: date,
    missions: list[str],
    territory_labels: dict[str, str],
    generated: datetime,
    previous: Iterable[tidy.Row] | None = None,
    notes: dict[str, str] | None = None,
    face: Face | None = None,
) -> bytes:
    rows, previous = list(rows), (list(previous) if previous is not None else [])
    face = face or Face.from_settings()
    doc = Document(title_of(missions, first, last))
    doc.set_author(face.service)
    doc.set_subject(f"Bilan d'activité remis à : {face.funder} ; référence de la convention : {face.agreement}")
    doc.set_keywords("bilan d'activité, FSL, prévention des expulsions, information logement")
    for mission in missions:
        earlier = [row for row in previous if row.mission == mission]
        if not any(_source(row.indicator) == "consultations" for row in earlier):
            earlier = None  # no consultation a year before: no comparison, "non disponible" (never an invented 0)
        [mission_bilan] = bilan.assemble(rows, first, last, [mission], territory_labels, earlier, notes)
        # A whole range is not compared with a part of one: the figures over the range (the summary's, the key
        # figures') only when the year before's data covers each of its months (the month tables say it per month).
        whole = earlier if earlier is not None and bilan.covers(earlier, mission, first, last) else None
        summary = Summary.of(mission, rows, whole, first, last, partial=earlier is not None and whole is None)
        _face(doc, face, mission_bilan.title, first, last, generated)
        _summary(doc, summary, (notes or {}).get(mission))
        doc.add_page(orientation="P")  # the summary is a page of its own
        known = {_source(row.indicator) for row in whole or ()}
        for section in mission_bilan.sections:
            if section.key != "notes":  # the qualitative analysis is on the summary page
                _section(doc, section, known)
    _annex(doc)
    return bytes(doc.output())


# --- The summary --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Figure:
    """One of the summary's figures: its value, the year before's (None: not available), how it reads."""

    name: str
    value: float | None  # None: cannot be computed (no denominator)
    before: float | None
    percent: bool = False  # a share, its change in points
    better: int = 0  # definitions.better

    def text(self) -> str:
        if self.value is None:
            return NOT_AVAILABLE
        return f"{round(self.value)}\u202f%" if self.percent else bilan.cell_text(int(self.value))

    def change(self) -> str:
        if self.value is None or self.before is None:
            return f"Année précédente : {NOT_AVAILABLE}"
        if self.percent:
            points = round(self.value) - round(self.before)
            said = (
                "="
                if points == 0
                else f"{'+' if points > 0 else '−'}{abs(points)} point{'s' if abs(points) > 1 else ''}"
            )
        else:
            said = charts.change_text(self.value, self.before)
        return f"{said} sur un an ({self.before_text()} l'année précédente)"

    def before_text(self) -> str:
        return f"{round(self.before)}\u202f%" if self.percent else bilan.cell_text(int(self.before))

    @property
    def tone(self) -> str:
        if self.value is None or self.before is None:
            return "neutral"
        return charts.tone(round(self.value), round(self.before), self.better)


class _Reader:
    """One mission's rows over the whole range and territory: a value, and whether an indicator has any row."""

    def __init__(self, rows: Iterable[tidy.Row], mission: str):
        self.values: dict[tuple[str, str], int | Decimal] = {}
        for row in rows:
            if row.mission == mission and row.period == tidy.TOTAL and row.territory == tidy.ALL:
                self.values[(row.indicator, row.category)] = row.value
        self.indicators = {indicator for indicator, _ in self.values}

    def __call__(self, indicator: str, category: str = "") -> int | Decimal:
        return self.values.get((indicator, category), 0)

    def total(self, indicator: str, categories: Iterable[str] | None = None) -> int | Decimal:
        return sum(v for (i, c), v in self.values.items() if i == indicator and (categories is None or c in categories))

    def has(self, *indicators: str) -> bool:
        return any(indicator in self.indicators for indicator in indicators)


def _share(part: float, whole: float) -> float | None:
    return float(part) * 100 / float(whole) if whole else None


def _reached(reader: _Reader) -> float | None:
    """The share of first contacts reached before the commandement de payer: over first_contacts_situated when the
    report has it (formats.md), else over the first contacts whose stage is known."""
    if reader.has("first_contacts_situated"):
        return _share(reader("reached_before_commandement"), reader("first_contacts_situated"))
    known = reader.total("first_contact_stage") - reader("first_contact_stage", tidy.UNKNOWN)
    return _share(reader("reached_before_commandement"), known)


def _kept_home(reader: _Reader) -> float | None:
    if not reader.has("household_result"):
        return None
    ended = reader.total("household_result", household_facts.ENDED)
    return _share(reader.total("household_result", household_facts.KEPT_HOME), ended)


def _answered(reader: _Reader) -> float | None:
    return _share(reader("calls_answered"), reader("calls_received"))


# The six figures that matter, per mission: (name, value from a reader, indicators it reads, is a share, better).
_Spec = tuple[str, Callable[[_Reader], float | None], tuple[str, ...], bool, int]
SUMMARY: dict[str, list[_Spec]] = {
    bilan.EVICTION: [
        ("Consultations", lambda r: r("consultations"), ("consultations",), False, 0),
        ("Ménages accompagnés", lambda r: r("households"), ("households",), False, 0),
        ("Nouveaux ménages (premier contact)", lambda r: r("first_contacts"), ("first_contacts",), False, 0),
        (
            "Premiers contacts avant le commandement de payer",
            _reached,
            ("first_contact_stage", "first_contacts_situated"),
            True,
            1,
        ),
        ("Ménages maintenus ou relogés (procédures terminées)", _kept_home, ("household_result",), True, 1),
        ("Appels du numéro vert ayant obtenu une réponse", _answered, ("calls_received",), True, 1),
    ],
}
SUMMARY_OTHER: list[_Spec] = [
    ("Consultations", lambda r: r("consultations"), ("consultations",), False, 0),
    ("Ménages", lambda r: r("households"), ("households",), False, 0),
    ("Ménages reçus en personne", lambda r: r("households_received"), ("households_received",), False, 0),
    ("Permanences tenues", lambda r: r("permanences_held"), ("permanences_held",), False, 0),
    ("Appels reçus", lambda r: r("calls_received"), ("calls_received",), False, 0),
    ("Appels ayant obtenu une réponse", _answered, ("calls_received",), True, 1),
]


@dataclass(frozen=True)
class Summary:
    mission: str
    figures: list[Figure]
    sentences: list[str]

    @classmethod
    def of(
        cls,
        mission: str,
        rows: list[tidy.Row],
        previous: list[tidy.Row] | None,
        first: date,
        last: date,
        partial: bool = False,
    ) -> Summary:
        """partial: the year before's data covers only part of the range (previous is then None)."""
        now = _Reader(rows, mission)
        before = _Reader(previous, mission) if previous else None
        figures = []
        for name, read, sources, percent, better in SUMMARY.get(mission, SUMMARY_OTHER):
            # the year before only when its data has this figure's source (never an invented 0)
            earlier = read(before) if before is not None and before.has(*sources) else None
            figures.append(Figure(name, read(now), earlier, percent, better))
        return cls(mission, figures, _sentences(mission, now, before, partial))


def _count(number: float, one: str, many: str) -> str:
    return f"{bilan.cell_text(int(number))} {one if number <= 1 else many}"


def _sentences(mission: str, now: _Reader, before: _Reader | None, partial: bool = False) -> list[str]:
    """Two sentences made from the figures: the activity and its change; then what the mission is for. partial: the
    year before's data covers only part of the range (no change said against it)."""
    consultations, households = now("consultations"), now("households")
    first = (
        f"Sur la période, le service a tenu {_count(consultations, 'consultation', 'consultations')} "
        f"pour {_count(households, 'ménage', 'ménages')}"
    )
    if partial:
        first += (
            " ; la comparaison avec l'année précédente n'est pas disponible (ses données ne couvrent qu'une partie "
            "de la période)."
        )
    elif before is None or not before.has("consultations"):
        first += " ; la comparaison avec l'année précédente n'est pas disponible (aucune donnée)."
    else:
        earlier = before("consultations")
        difference = consultations - earlier
        if difference == 0:
            first += f", autant qu'un an plus tôt ({bilan.cell_text(int(earlier))})."
        else:
            more = "de plus" if difference > 0 else "de moins"
            change = charts.change_text(consultations, earlier)
            first += f", soit {bilan.cell_text(int(abs(difference)))} consultation{'s' if abs(difference) > 1 else ''} "
            first += f"{more} qu'un an plus tôt"
            first += f" ({change})." if change.endswith("%") else "."
    answered = _answered(now)
    calls = (
        f"{round(answered)}\u202f% des {_count(now('calls_received'), 'appel reçu', 'appels reçus')} sur le numéro "
        "ont obtenu une réponse"
        if answered is not None
        else "aucun appel n'a été reçu sur le numéro"
    )
    if mission == bilan.EVICTION:
        reached = _reached(now)
        fresh = now("first_contacts")
        second = (
            f"{round(reached)}\u202f% des premiers contacts dont la situation est connue ont été atteints avant le "
            f"commandement de payer ({_count(fresh, 'nouveau ménage', 'nouveaux ménages')})"
            if reached is not None
            else "aucun premier contact dont la situation est connue ne permet de dire la part atteinte avant le "
            "commandement de payer"
        )
        second += f" ; {calls}."
    else:
        second = (
            f"{_count(now('households_received'), 'ménage a été reçu', 'ménages ont été reçus')} en personne et "
            f"{_count(now('permanences_held'), 'permanence tenue', 'permanences tenues')} ; {calls}."
        )
    return [first, second[0].upper() + second[1:]]


# --- Layout -------------------------------------------------------------------------------------------------------


def _text(doc: FPDF, text: str, size: float = 10, style: str = "", height: float | None = None) -> None:
    doc.set_font(FONT, style, size)
    text, height = doc.in_font(text), height or size * 0.5
    if "\n" not in text and doc.get_string_width(text) < doc.epw - 2 * doc.c_margin:  # one line: no line breaking
        doc.cell(0, height, text, align="L", new_x="LMARGIN", new_y="NEXT")
    else:
        doc.multi_cell(0, height, text, align="L", new_x="LMARGIN", new_y="NEXT")


def _orientation(doc: FPDF) -> str:
    """ "P" or "L" (fpdf2 keeps an enum)."""
    return getattr(doc.cur_orientation, "value", doc.cur_orientation)


def _portrait(doc: FPDF) -> None:
    """A new portrait page, unless the current one is portrait and still empty."""
    if doc.page == 0 or _orientation(doc) != "P" or doc.get_y() > doc.t_margin + 1:
        doc.add_page(orientation="P")


def _face(doc: FPDF, face: Face, mission: str, first: date, last: date, generated: datetime) -> None:
    _portrait(doc)
    doc.start_section(mission, level=0)
    _text(doc, face.service, 13, "B")
    doc.ln(14)
    _text(doc, "Bilan d'activité", 24, "B", 11)
    _text(doc, mission, 16, "B", 8)
    doc.ln(2)
    _text(doc, f"Période : {month_name(first)} à {month_name(last)}", 12)
    doc.ln(10)
    doc.set_draw_color(0, 70, 140)
    doc.set_line_width(0.6)
    doc.line(doc.l_margin, doc.get_y(), doc.l_margin + 60, doc.get_y())
    doc.set_line_width(0.2)
    doc.set_draw_color(0)
    doc.ln(4)
    _text(doc, f"Remis à : {face.funder}", 11)
    _text(doc, f"Référence de la convention : {face.agreement}", 11)
    _text(doc, f"Établi le {generated:%d/%m/%Y}", 11)
    doc.ln(8)


def _summary(doc: FPDF, summary: Summary, note: str | None) -> None:
    _heading(doc, "Synthèse", size=14, level=1)
    width = (doc.epw - 8) / 3
    for start in (0, 3):
        top = doc.get_y()
        for index, figure in enumerate(summary.figures[start : start + 3]):
            x = doc.l_margin + index * (width + 4)
            doc.set_fill_color(240, 243, 247)
            doc.rect(x, top, width, 36, style="F")
            doc.set_xy(x + 2, top + 2)
            doc.set_font(FONT, "B", 18)
            doc.cell(width - 4, 9, doc.in_font(figure.text()))
            doc.set_xy(x + 2, top + 12)
            doc.set_font(FONT, "", 9)
            doc.multi_cell(width - 4, 4.2, doc.in_font(figure.name), align="L")
            doc.set_xy(x + 2, top + 25)
            doc.set_font(FONT, "", 8)
            doc.set_text_color(*TONE_RGB[figure.tone])
            doc.multi_cell(width - 4, 3.8, doc.in_font(figure.change()), align="L")
            doc.set_text_color(0)
        doc.set_xy(doc.l_margin, top + 40)
    doc.ln(2)
    for sentence in summary.sentences:
        _text(doc, sentence, 10.5, height=5.5)
        doc.ln(1.5)
    if note:
        _heading(doc, "Analyse qualitative", size=12, keep=10)
        _text(doc, note, 10, height=5)


def _heading(doc: FPDF, text: str, size: float = 13, keep: float = 25, level: int = 1) -> None:
    """A heading and its bookmark, on a new page unless `keep` millimetres of what follows fit under it."""
    if doc.get_y() + 12 + keep > doc.page_break_trigger:
        doc.add_page(orientation=_orientation(doc))
    doc.ln(3)
    doc.start_section(text, level=level)
    _text(doc, text, size, "B", 7)
    doc.set_font(FONT, size=10)


def _section(doc: FPDF, section: bilan.Section, known_before: set[str]) -> None:
    if _orientation(doc) != "P":
        _portrait(doc)
    first = section.charts[0] if section.charts else None
    keep = (_chart_height(first) if first is not None and not first.empty else 20) if first else 25
    _heading(doc, section.title, keep=keep)
    for chart in section.charts:
        _chart(doc, chart)
    for table in section.tables:
        table = _unavailable(table, known_before)
        _table(doc, table, with_caption=table.caption not in (section.title, table.headers[0]))
    if section.text is not None:
        _text(doc, section.text, 10, height=5)


def _chart_height(chart: charts.Chart) -> float:
    width, height = chart.image().size
    return CHART_MM * height / width


def _chart(doc: FPDF, chart: charts.Chart) -> None:
    """The chart kept whole on one page; a series with nothing in it is no chart but a sentence."""
    if chart.empty:
        _text(doc, f"{chart.title} : {charts.NO_DATA.lower()}", 9.5, "I", 5)
        doc.ln(2)
        return
    height = _chart_height(chart)
    if doc.get_y() + height > doc.page_break_trigger:
        doc.add_page(orientation=_orientation(doc))
    doc.image(chart.image(), x=doc.l_margin, w=CHART_MM, alt_text=chart.alt)
    doc.ln(2)


def _transposed(table: Table) -> Table:
    """The table with its columns as rows (e.g. months as rows): the first header names the new rows."""
    periods = all("/" in header or header == "Total" for header in table.headers[1:])
    headers = ["Mois" if periods else table.headers[0], *(str(line[0]) for line in table.lines)]
    lines = [[table.headers[i], *(line[i] for line in table.lines)] for i in range(1, len(table.headers))]
    return Table(table.caption, headers, lines)


def _table(doc: FPDF, table: Table, with_caption: bool = True) -> None:
    if len(table.headers) - 1 > MAX_LANDSCAPE:
        table = _transposed(table)
    wide = len(table.headers) - 1 > MAX_COLUMNS
    if wide and _orientation(doc) != "L":
        doc.add_page(orientation="L")
    texts = [[bilan.cell_text(value) for value in line] for line in table.lines]
    widths, size = _widths(doc, len(table.headers) - 1, [table.headers[0], *(line[0] for line in texts)])
    caption = 6 if with_caption else 0
    header = _measure(doc, table.headers, widths, size, bold=True)  # each row measured once (fpdf2 breaks lines)
    measured = [_measure(doc, line, widths, size) for line in texts]
    rows = [height for height, _counts in measured]
    whole = caption + header[0] + sum(rows)
    room = doc.page_break_trigger - doc.get_y()
    body = doc.page_break_trigger - doc.t_margin
    if (whole > room and whole <= body) or (caption + header[0] + sum(rows[:KEPT_ROWS]) > room):
        doc.add_page(orientation=_orientation(doc))  # whole on the next page, or at least its start
    if with_caption:
        _text(doc, table.caption, 10, "B", 6)
    tones = _tones(table)
    _row(doc, table.headers, widths, size, header, bold=True)
    for text, tone, line in zip(texts, tones, measured, strict=True):
        if doc.get_y() + line[0] > doc.page_break_trigger:
            doc.add_page(orientation=_orientation(doc))
            _row(doc, table.headers, widths, size, header, bold=True)  # the headers again on the new page
        _row(doc, text, widths, size, line, tone=tone)
    doc.ln(3)


_CODES_BY_NAME = {name: code for code, name in labels.INDICATORS.items()}


# The call log's indicators: a year before without any of them had no line yet (its 0 would be invented); a year
# with one has its other calls' zeros for real (rows whose value is 0 are left out of the report).
CALL_INDICATORS = {
    "calls_received",
    "calls_answered",
    "calls_missed",
    "calls_abandoned",
    "callbacks_done",
    "callbacks_within_one_working_day",
    "call_wait_median_seconds",
}


def _source(code: str) -> str:
    """Where an indicator comes from: the call log, the permanences, the activities, or the consultations."""
    return (
        "calls" if code in CALL_INDICATORS else code if code in ("permanences_held", "activities") else "consultations"
    )


def _unavailable(table: Table, known_before: set[str]) -> Table:
    """A comparison table (indicator, now, a year before, change) with "non disponible" for the year before of an
    indicator the data of that year does not hold at all (the call log started later...), not an invented 0."""
    if table.headers[-1] != "Évolution" or len(table.headers) != 4:
        return table
    lines = []
    for line in table.lines:
        code = _CODES_BY_NAME.get(str(line[0]))
        missing = code is not None and _source(code) not in known_before
        lines.append([line[0], line[1], NOT_AVAILABLE, NOT_AVAILABLE] if missing else list(line))
    return Table(table.caption, table.headers, lines)


def _tones(table: Table) -> list[str]:
    """The colour of each line's change (its last cell), by what the indicator means: for the lines of a table
    whose last column is "Évolution" and whose first names an indicator, comparing its two first values."""
    if table.headers[-1] != "Évolution":
        return ["neutral"] * len(table.lines)
    found = []
    for line in table.lines:
        code = _CODES_BY_NAME.get(str(line[0]))
        now, before = (line[1], line[2]) if len(line) >= 4 else (None, None)
        numbers = all(isinstance(v, int | Decimal) and not isinstance(v, bool) for v in (now, before))
        found.append(charts.tone(now, before, definitions.better(code)) if code and numbers else "neutral")
    return found


def _widths(doc: FPDF, count: int, names: list[str]) -> tuple[list[float], float]:
    """The columns' widths and the font size: on a wide table the first column as wide as its longest name needs
    (months: narrow), the room left to the values."""
    size = 9 if count <= 4 else 8 if count <= MAX_COLUMNS else 7.5
    if count <= MAX_COLUMNS:
        first = doc.epw * (0.62 if count <= 2 else 0.4 if count <= 4 else 0.28)
    else:
        doc.set_font(FONT, "B", size)
        longest = max(doc.get_string_width(doc.in_font(name)) for name in names) + 2 * doc.c_margin + 1
        first = min(max(longest, doc.epw * 0.08), doc.epw * 0.2)
    return [first] + [(doc.epw - first) / count] * count, size


def _measure(doc: FPDF, texts: list, widths: list[float], size: float, bold: bool = False) -> tuple[float, list[int]]:
    """A row's height and the lines of each of its cells."""
    doc.set_font(FONT, "B" if bold else "", size)
    line = size * 0.5
    counts = [_lines(doc, doc.in_font(str(t)), w, line) for t, w in zip(texts, widths, strict=False)]
    return max(counts) * line + 1, counts


def _lines(doc: FPDF, text: str, width: float, line: float) -> int:
    if doc.get_string_width(text) < width - 2 * doc.c_margin:  # most cells: one line, measured fast
        return 1
    return len(doc.multi_cell(width, line, text, dry_run=True, output="LINES"))


def _row(
    doc: FPDF,
    texts: list,
    widths: list[float],
    size: float,
    measured: tuple[float, list[int]],
    bold: bool = False,
    tone: str = "neutral",
) -> None:
    """A row of a table, `measured` by _measure (bold: the header, on grey)."""
    height, counts = measured
    doc.set_font(FONT, "B" if bold else "", size)
    top, x = doc.get_y(), doc.l_margin
    if bold:
        doc.set_fill_color(230, 230, 230)
        doc.rect(x, top, sum(widths), height, style="F")
    for index, (text, width) in enumerate(zip(texts, widths, strict=False)):
        doc.set_xy(x, top)
        text, align = doc.in_font(str(text)), "L" if index == 0 else "R"
        if index == len(texts) - 1 and tone != "neutral":
            doc.set_text_color(*TONE_RGB[tone])
        if counts[index] == 1:
            doc.cell(width, size * 0.5, text, align=align)
        else:
            doc.multi_cell(width, size * 0.5, text, align=align, new_x="RIGHT", new_y="TOP")
        doc.set_text_color(0)
        x += width
    doc.set_y(top + height)
    doc.line(doc.l_margin, top + height, doc.l_margin + sum(widths), top + height)


# --- The annex ----------------------------------------------------------------------------------------------------


def _annex(doc: FPDF) -> None:
    """Every indicator the report knows (its French name), as docs/formats.md defines it."""
    _portrait(doc)
    doc.start_section("Annexe : définitions des indicateurs", level=0)
    _text(doc, "Annexe : définitions des indicateurs", 15, "B", 8)
    _text(
        doc,
        "Chaque indicateur tel que le définit le format d'échange du service (docs/formats.md). Une consultation est "
        "un entretien ; un ménage est compté une fois quel que soit le nombre de ses consultations.",
        9.5,
        height=5,
    )
    doc.ln(2)
    codes = [code for code in dict.fromkeys([*tidy.INDICATOR_ORDER, *labels.INDICATORS]) if code in labels.INDICATORS]
    for code in codes:
        name, text = labels.indicator(code), definitions.definition(code)
        doc.set_font(FONT, "", 9)
        lines = int(doc.get_string_width(doc.in_font(text)) / (doc.epw * 0.92)) + 1  # a fair estimate, fast
        if doc.get_y() + 4.5 + lines * 4.3 > doc.page_break_trigger:  # a definition kept with its name
            doc.add_page(orientation="P")
        _text(doc, name, 9, "B", 4.5)
        _text(doc, text, 9, height=4.3)
        doc.ln(1.5)
