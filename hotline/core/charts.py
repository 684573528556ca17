"""Charts drawn on the server with matplotlib, for the reports and the household page: the same figure on
the page (SVG), in the PDF bilan (PNG) and in print. Pure: numbers in, bytes out; no Flask, no database.

Each chart carries its title and a text description inside the SVG (<title>, <desc>, role="img"), and
the page shows the table of the same numbers beside it, so that nothing is said by the drawing alone.
matplotlib is imported when a chart is drawn, not when the app starts. The reports pages name their charts
by a signed token (Chart.token) and the browser asks for each after the page (reports.views.chart): the page
is not kept waiting while they are drawn (0.1 s each), and they are drawn once per numbers.

Charts that tell the truth: a percentage is drawn on a 0-100 % axis; a series with nothing in it is no chart but
the words "Aucune donnée sur la période"; long labels are wrapped and the bars sized to them; no legend (a line
is named at its end, grouped bars are one panel per series, a heat map prints its numbers in its cells). And how
a change is said (`change_text`: on a base under 20, the difference, not a percentage) and coloured (`tone`: by
what the figure means, not by its sign).
"""

from __future__ import annotations

import hashlib
import io
import math
import re
import textwrap
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from html import escape

from itsdangerous import BadData, URLSafeSerializer

# The colours of the two missions and of the other series: distinct for colour-blind readers
# (Okabe-Ito palette) and dark enough on white.
PALETTE = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#56B4E9", "#E69F00", "#000000")
WIDTH_INCHES = 6.0  # as wide as the PDF prints it (85 % of A4 between margins): drawn at its size
CHAR_EM = 0.62  # mean width of a bold DejaVu Sans character, in ems
_lock = threading.Lock()  # pyplot's state is global: one drawing at a time
KINDS = ("bars", "grouped", "lines", "heatmap")
LABEL_WIDTH = 28  # characters a bar's label line holds at most (longer labels are wrapped)
NO_DATA = "Aucune donnée sur la période."
SMALL_BASE = 20  # a change on fewer than this is said as the difference ("+3"), not a percentage ("+150 %")
# The colour of a change by what it means (the manager's home, the bilan): dark enough on white.
TONES = {"good": "#1E6B2F", "bad": "#B00020", "neutral": "#1B1B1B"}
TOKEN_SALT = "hotline.chart"


@dataclass(frozen=True)
class Chart:
    """What to draw: `kind` is "bars" (horizontal bars, one per label), "grouped" (horizontal bars, one
    per label and series: a panel per series), "lines" (a series per name over the labels, e.g. months) or
    "heatmap" (a row per series, a column per label, e.g. weekdays x hours)."""

    kind: str
    title: str
    labels: Sequence[str]
    series: dict[str, Sequence[float]] = field(default_factory=dict)
    unit: str = ""  # e.g. "%" or "€", shown after the values
    description: str = ""  # the sentence a screen reader says instead of the drawing

    def svg(self) -> str:
        return _with_accessible_title(_draw(self, "svg").decode("utf-8"), self)

    def png(self, dpi: int = 150) -> bytes:
        return _draw(self, "png", dpi)

    def image(self, dpi: int = 150):
        """The drawing as a PIL image (RGB), for the PDF: no PNG to encode then decode again (a third of the time
        a PDF spends on its charts)."""
        from PIL import Image  # matplotlib's own dependency, loaded with it (start-up time)

        raw = _draw(self, "rgb", dpi)
        width, height = int.from_bytes(raw[:4], "big"), int.from_bytes(raw[4:8], "big")
        return Image.frombuffer("RGB", (width, height), raw[8:], "raw", "RGB", 0, 1)

    def scalable_svg(self) -> str:
        """The SVG for an <img>, without its fixed size: it takes the width of its container. (The pages'
        Content-Security-Policy forbids the inline styles of an inlined SVG; an image is its own document.)"""
        svg = self.svg()
        opening = _SVG_OPEN.search(svg)
        return _SIZE.sub("", opening.group(0)) + svg[opening.end() :]

    def token(self, secret: str) -> str:
        """What to draw, signed (and compressed) for a URL: a page names its charts, which are drawn when the
        browser asks for them (from_token), after the page."""
        series = [[name, list(values)] for name, values in self.series.items()]
        spec = [self.kind, self.title, list(self.labels), series, self.unit, self.description]
        return URLSafeSerializer(secret, salt=TOKEN_SALT).dumps(spec)

    @property
    def alt(self) -> str:
        return f"{self.title}. {self.description}"

    @property
    def empty(self) -> bool:
        """Nothing to draw (the bilan then says NO_DATA instead of a chart): no label, or every count 0. A share of
        0 % is a finding, not an absence: a chart in % is given only the labels that have a whole to divide by."""
        if not self.labels or not self.series:
            return True
        return self.unit != "%" and not any(value for values in self.series.values() for value in values)


def from_token(token: str, secret: str) -> Chart | None:
    """The chart a token names, or None if it is not one that token() signed with this secret (or names no
    chart that can be drawn: a token signed by an older version of this module)."""
    try:
        kind, title, labels, series, unit, description = URLSafeSerializer(secret, salt=TOKEN_SALT).loads(token)
        chart = Chart(kind, title, labels, {name: values for name, values in series}, unit, description)
    except (BadData, TypeError, ValueError):
        return None
    return chart if _drawable(chart) else None


def _drawable(chart: Chart) -> bool:
    texts = (chart.title, chart.unit, chart.description, *chart.labels, *chart.series)
    values = [value for values in chart.series.values() for value in values]
    return (
        chart.kind in KINDS
        and isinstance(chart.labels, list)
        and all(isinstance(text, str) for text in texts)
        and (chart.kind != "bars" or list(chart.series) == [""])
        and (chart.kind != "heatmap" or len(chart.series) <= 24)
        and all(isinstance(values, list) and len(values) == len(chart.labels) for values in chart.series.values())
        and all(
            isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value) for value in values
        )
    )


def bars(title: str, values: dict[str, float], *, unit: str = "", description: str = "") -> Chart:
    return Chart("bars", title, list(values), {"": list(values.values())}, unit, description or _describe(values, unit))


def shares(title: str, counts: dict[str, float], whole: float, *, description: str = "") -> Chart:
    """Each count as a percentage of `whole` (horizontal bars in %): a theme's share of the consultations."""
    percents = {label: round(count * 100 / whole, 1) if whole else 0.0 for label, count in counts.items()}
    return bars(title, percents, unit="%", description=description)


def grouped(
    title: str, labels: Sequence[str], series: dict[str, Sequence[float]], *, unit: str = "", description: str = ""
) -> Chart:
    """Horizontal bars grouped per label, one colour per series (e.g. this year and the year before)."""
    described = description or " ; ".join(
        f"{label} : "
        + ", ".join(f"{name} {_number(values[i])}{' ' + unit if unit else ''}" for name, values in series.items())
        for i, label in enumerate(labels)
    )
    return Chart("grouped", title, list(labels), {name: list(v) for name, v in series.items()}, unit, described)


def heatmap(
    title: str, rows: Sequence[str], columns: Sequence[str], values: Sequence[Sequence[float]], *, description: str = ""
) -> Chart:
    """A grid of counts, a row per `rows` and a column per `columns`, each cell shaded by its count and printing it:
    e.g. the unanswered calls by weekday (rows) and hour (columns)."""
    series = {row: list(line) for row, line in zip(rows, values, strict=True)}
    busiest = sorted(
        ((value, row, column) for row, line in series.items() for column, value in zip(columns, line, strict=True)),
        key=lambda item: -item[0],
    )[:3]
    described = description or (
        "Les plus nombreux : "
        + " ; ".join(f"{row} {column} : {_number(value)}" for value, row, column in busiest if value)
        if any(value for value, _, _ in busiest)
        else NO_DATA
    )
    return Chart("heatmap", title, list(columns), series, "", described)


def lines(
    title: str, labels: Sequence[str], series: dict[str, Sequence[float]], *, unit: str = "", description: str = ""
) -> Chart:
    return Chart(
        "lines",
        title,
        list(labels),
        {name: list(v) for name, v in series.items()},
        unit,
        description or f"{title} : {len(series)} série(s) sur {len(labels)} période(s).",
    )


def change_text(current: float, previous: float, *, with_difference: bool = False) -> str:
    """How a change is said: "=", "+3" on a base under SMALL_BASE (a percentage of a small base says more than it
    knows: 2 to 5 is "+150 %"), else "+12 %" ("+24 (+12 %)" with_difference); "−" is the minus sign."""
    difference = current - previous
    if difference == 0:
        return "="
    sign = "+" if difference > 0 else "\u2212"
    absolute = f"{sign}{_number(abs(difference))}"
    if previous < SMALL_BASE:
        return absolute
    percent = f"{sign}{round(abs(difference) * 100 / previous)}\u202f%"
    return f"{absolute} ({percent})" if with_difference else percent


def tone(current: float, previous: float, better: int) -> str:
    """ "good", "bad" or "neutral": the colour of a change by what the figure means. better: 1 when more is
    better (callbacks done), -1 when more is worse (missed calls), 0 when neither (consultations)."""
    if not better or current == previous:
        return "neutral"
    return "good" if (current > previous) == (better > 0) else "bad"


def _describe(values: dict[str, float], unit: str) -> str:
    return " ; ".join(f"{label} : {_number(value)}{' ' + unit if unit else ''}" for label, value in values.items())


def _number(value: float) -> str:
    text = f"{value:,.1f}" if value != int(value) else f"{int(value):,}"
    return text.replace(",", "\u202f").replace(".", ",")


def _draw(chart: Chart, fmt: str, dpi: int = 100) -> bytes:
    """Drawn once per figures: a page shown again, or its PDF, reuses the drawing (matplotlib takes tenths of a
    second per chart)."""
    series = tuple((name, tuple(values)) for name, values in chart.series.items())
    return _drawn(chart.kind, chart.title, tuple(chart.labels), series, chart.unit, chart.description, fmt, dpi)


@lru_cache(maxsize=256)
def _drawn(
    kind: str, title: str, labels: tuple, series: tuple, unit: str, description: str, fmt: str, dpi: int
) -> bytes:
    chart = Chart(kind, title, labels, dict(series), unit, description)
    import matplotlib  # loaded when a chart is drawn, not when the app starts (start-up time)
    from matplotlib.backends.backend_agg import FigureCanvasAgg  # the Agg canvas itself: no pyplot, no backend chosen
    from matplotlib.figure import Figure

    with (
        _lock,  # rcParams are global
        matplotlib.rc_context(SETTINGS),
    ):
        # Made at the resolution it is drawn at (an SVG: the default 100), so that the layout measures its texts with
        # the renderer that then draws them (matplotlib caches a text's measure per renderer).
        figure = _figure(Figure, FigureCanvasAgg, chart, dpi)
        if fmt == "rgb":  # the pixels, preceded by the width and height (4 bytes each)
            figure.canvas.draw()
            width, height = figure.canvas.get_width_height(physical=True)
            import numpy  # matplotlib's own dependency, loaded with it

            rgb = numpy.asarray(figure.canvas.buffer_rgba())[:, :, :3].tobytes()  # white ground: alpha is 255
            return width.to_bytes(4, "big") + height.to_bytes(4, "big") + rgb
        out = io.BytesIO()
        figure.savefig(out, format=fmt, dpi=dpi, metadata={"Date": None} if fmt == "svg" else None)
        return out.getvalue()


FONT_SIZE = 10
# matplotlib's settings while a chart is drawn
SETTINGS = {
    "svg.fonttype": "none",
    "svg.hashsalt": "hotline",
    "text.parse_math": False,
    "font.family": "DejaVu Sans",
    "font.size": FONT_SIZE,
    "axes.spines.top": False,
    "axes.spines.right": False,
}
LINE_INCHES = 0.19  # the height of a line of text at FONT_SIZE, with its leading


def _wrap(text: str, width: int) -> str:
    return "\n".join(textwrap.wrap(text, width)) or text


def _title(chart: Chart) -> tuple[str, float]:
    """The title wrapped to the figure's width, and the height it takes at the top, in inches."""
    title = _wrap(chart.title, int(WIDTH_INCHES * 72 / ((FONT_SIZE + 1) * CHAR_EM)))
    return title, (title.count("\n") + 1) * LINE_INCHES + 0.15


def _figure(Figure, Canvas, chart: Chart, dpi: int):  # noqa: N803 (matplotlib's classes, imported when drawing)
    """The figure, on its Agg canvas: the title at the top left across the whole width (wrapped to it), then the
    drawing sized to its labels; NO_DATA alone when there is nothing to draw."""
    title, title_height = _title(chart)
    if chart.empty:
        figure = Figure(figsize=(WIDTH_INCHES, title_height + 0.45), dpi=dpi)
        Canvas(figure)
        figure.text(0.01, 1 - 0.08 / (title_height + 0.45), title, va="top", fontsize=FONT_SIZE + 1, fontweight="bold")
        figure.text(0.01, 0.12, NO_DATA, fontsize=FONT_SIZE)
        return figure
    if chart.kind == "lines":
        body = 3.0
    elif chart.kind == "heatmap":
        body = 0.34 * len(chart.series) + 0.9
    else:
        labels = [_wrap(label, LABEL_WIDTH) for label in chart.labels]
        body = sum(_slots(labels)) * SLOT_INCHES + 0.6
        body += 0.3 if chart.kind == "grouped" else 0  # the panels' names
    height = title_height + body
    panels = len(chart.series) if chart.kind == "grouped" else 1
    figure = Figure(figsize=(WIDTH_INCHES, height), dpi=dpi)
    Canvas(figure)
    axes = list(figure.subplots(1, panels, sharey=True, sharex=True, squeeze=False)[0])
    if chart.kind == "bars":
        _bars(axes[0], chart, labels, chart.series.get("", []), PALETTE[0])
    elif chart.kind == "grouped":
        for index, (ax, (name, values)) in enumerate(zip(axes, chart.series.items(), strict=True)):
            _bars(ax, chart, labels, values, PALETTE[index % len(PALETTE)])
            ax.set_title(_wrap(name, 24), fontsize=FONT_SIZE, loc="left")
    elif chart.kind == "heatmap":
        _heatmap(figure, axes[0], chart)
    else:
        _lines(axes[0], chart)
    figure.text(0.01, 1 - 0.08 / height, title, va="top", fontsize=FONT_SIZE + 1, fontweight="bold")
    _place(figure, axes, chart, title_height)
    return figure


def _place(figure, axes: list, chart: Chart, title_height: float) -> None:
    """The margins computed from the labels, as tight_layout would set them (its padding, the labels' own extents
    measured by the renderer that draws them) without its two passes over every artist of the figure: the texts
    are known here (a third of a chart's time was tight_layout's)."""
    import matplotlib  # already loaded by _drawn

    rc = matplotlib.rcParams
    width, height = figure.get_size_inches()
    renderer = figure.canvas.get_renderer()
    dpi, point = figure.dpi, 1 / 72
    pad = 1.08 * FONT_SIZE * point  # tight_layout's pad (1.08 font sizes), around and between panels

    def size(text: str, fontsize: float) -> tuple[float, float]:
        """A text's width and height in inches (its height: a line's, ascent to descent, as matplotlib sets it)."""
        prop = matplotlib.font_manager.FontProperties(family="DejaVu Sans", size=fontsize)
        lines = text.split("\n")
        widths = [renderer.get_text_width_height_descent(line, prop, ismath=False)[0] for line in lines]
        line = renderer.get_text_width_height_descent("lp", prop, ismath=False)[1]
        return max(widths) / dpi, (line * len(lines) + line * 0.2 * (len(lines) - 1)) / dpi

    def ticks(axis) -> list[tuple[float, str]]:
        """The axis's tick labels that are drawn, each with its place along the axis (0 to 1)."""
        low, high = sorted(axis.get_view_interval())
        locations = [x for x in axis.get_major_locator()() if low <= x <= high]
        texts = axis.get_major_formatter().format_ticks(locations)
        return [((x - low) / (high - low), text) for x, text in zip(locations, texts, strict=True) if text]

    ax = axes[0]
    small = FONT_SIZE - 2
    xtick = (rc["xtick.major.size"] if chart.kind != "heatmap" else 0) + rc["xtick.major.pad"]
    ytick = (rc["ytick.major.size"] if chart.kind == "lines" else 0) + rc["ytick.major.pad"]
    xlabels = [(at, *size(text, small)) for at, text in ticks(ax.xaxis)]
    ylabels = [(at, *size(text, FONT_SIZE)) for at, text in ticks(ax.yaxis)]
    left = max((w for _at, w, _h in ylabels), default=0) + ytick * point
    if chart.unit and chart.kind == "lines":  # the unit as the y axis's label, turned
        left += size(chart.unit, FONT_SIZE)[1] + rc["axes.labelpad"] * point
    right = top = 0.0
    if chart.kind == "lines":  # the x labels turned by 45 degrees, centred on their ticks
        extents = [(at, (w + h) * math.sqrt(0.5)) for at, w, h in xlabels]
        bottom = max((extent for _at, extent in extents), default=0) + xtick * point
        ends = [size(end.get_text(), FONT_SIZE - 1)[0] + 8 * point for end in ax.texts]  # the series' names
        low, high = ax.get_xlim()
        last = (len(chart.labels) - 1 - low) / (high - low)  # where the lines end, along the axis
        for _ in range(2):  # the room the axis has depends on the margin its labels need: settled in two steps
            room = width - left - right - 2 * pad
            right = max(
                [extent / 2 - (1 - at) * room for at, extent in extents] + [end - (1 - last) * room for end in ends],
                default=0,
            )
        # a label at the axis's top end, centred on its baseline's middle, sticks out by half its ascent
        ascent = (h - _descent(renderer, FONT_SIZE) / dpi for at, _w, h in ylabels if at >= 0.999)
        top = max((height / 2 for height in ascent), default=0)
    else:
        bottom = max((h for _at, _w, h in xlabels), default=0) + xtick * point
        room = (width - left - 2 * pad) / len(axes)
        right = max((w / 2 - (1 - at) * room for at, w, _h in xlabels), default=0)
    right, top = max(right, 0), max(top, 0)
    if chart.kind == "grouped":  # each panel's name above it
        names = max(size(a.get_title(loc="left"), FONT_SIZE)[1] for a in axes)
        names -= _descent(renderer, FONT_SIZE) / dpi  # on their baseline, the pad above the axes
        top += names + rc["axes.titlepad"] * point
    inner = pad + right + max((w / 2 for at, w, _h in xlabels if at <= 0.001), default=0)  # between two panels
    panel = (width - left - right - 2 * pad - inner * (len(axes) - 1)) / len(axes)
    figure.subplots_adjust(
        left=(pad + left) / width,
        right=1 - (pad + right) / width,
        bottom=(pad + bottom) / height,
        top=1 - (title_height + pad + top) / height,
        wspace=inner / panel if len(axes) > 1 else None,
    )


def _descent(renderer, fontsize: float) -> float:
    """A line's descent below its baseline, in pixels."""
    from matplotlib.font_manager import FontProperties  # already loaded by _drawn

    prop = FontProperties(family="DejaVu Sans", size=fontsize)
    return renderer.get_text_width_height_descent("lp", prop, ismath=False)[2]


SLOT_INCHES = 0.3  # the height of a bar whose label holds on one line


def _slots(labels: list[str]) -> list[float]:
    """Each bar's share of the height, in bars of a one-line label: a label wrapped on n lines takes more."""
    return [max(1.0, 0.45 + 0.55 * (label.count("\n") + 1)) for label in labels]


def _bars(axes, chart: Chart, labels: list[str], values, colour: str) -> None:
    """Horizontal bars, first label on top, each with its value at its end (inside a bar that nearly fills the
    axis); a percentage on 0-100 %. Each bar has the height its wrapped label needs."""
    values = list(values)
    slots = _slots(labels)
    positions = [sum(slots[:i]) + slot / 2 for i, slot in enumerate(slots)]
    axes.barh(positions, values, color=colour, height=0.7)
    axes.set_ylim(sum(slots), 0)  # first label on top, as in the table beside
    axes.set_yticks(positions, labels=labels)
    every = [value for series in chart.series.values() for value in series]
    if chart.unit == "%":
        top, room = 100.0, 100.0
        axes.set_xticks([0, 25, 50, 75, 100], labels=["0 %", "25 %", "50 %", "75 %", "100 %"])
    else:
        top = max(every, default=0) or 1
        room = top * 1.2
    axes.set_xlim(min(0, min(every, default=0)), room)
    for y, value in zip(positions, values, strict=False):
        text = _number(value) + (f"\u202f{chart.unit}" if chart.unit else "")
        inside = value > room * 0.8
        axes.text(
            value - room * 0.01 if inside else value + room * 0.01,
            y,
            text,
            va="center",
            ha="right" if inside else "left",
            color="white" if inside else "#1B1B1B",
            fontsize=FONT_SIZE - 1,
        )
    axes.tick_params(axis="x", labelsize=FONT_SIZE - 2)
    axes.tick_params(axis="y", length=0)


def _lines(axes, chart: Chart) -> None:
    """A line per series, each named at its end (no legend); the first solid, the others dashed."""
    ends = []
    for index, (name, values) in enumerate(chart.series.items()):
        colour = PALETTE[index % len(PALETTE)]
        axes.plot(list(chart.labels), list(values), marker="o", color=colour, linestyle="-" if index == 0 else "--")
        if len(chart.series) > 1 and values:
            ends.append([values[-1], name, colour])
    top = 100 if chart.unit == "%" else max((v for values in chart.series.values() for v in values), default=0) or 1
    axes.set_ylim(0, top * (1 if chart.unit == "%" else 1.12))
    gap = top * 0.08  # names at the ends kept apart
    ends.sort(key=lambda end: end[0])
    for previous, end in zip(ends, ends[1:], strict=False):
        end[0] = max(end[0], previous[0] + gap)
    for y, name, colour in ends:
        axes.annotate(
            name,
            (len(chart.labels) - 1, y),
            xytext=(8, 0),
            textcoords="offset points",
            va="center",
            color=colour,
            fontsize=FONT_SIZE - 1,
            annotation_clip=False,
        )
    axes.tick_params(axis="x", labelrotation=45, labelsize=FONT_SIZE - 2)
    if chart.unit:
        axes.set_ylabel(chart.unit)


def _heatmap(figure, axes, chart: Chart) -> None:
    """Rows (e.g. weekdays) x columns (e.g. hours), each cell shaded by its count and printing it (no colour bar)."""
    rows = list(chart.series)
    grid = [list(chart.series[row]) for row in rows]
    top = max((value for line in grid for value in line), default=0)
    top = top if top > 0 else 1  # counts: nothing above 0 is an empty grid, still drawn
    axes.imshow(grid, cmap="Reds", vmin=0, vmax=top, aspect="auto")
    axes.set_xticks(range(len(chart.labels)), labels=list(chart.labels), fontsize=FONT_SIZE - 2)
    axes.set_yticks(range(len(rows)), labels=rows)
    axes.tick_params(length=0)
    for spine in axes.spines.values():
        spine.set_visible(False)
    for y, line in enumerate(grid):
        for x, value in enumerate(line):
            if value:
                axes.text(
                    x,
                    y,
                    _number(value),
                    ha="center",
                    va="center",
                    fontsize=FONT_SIZE - 2,
                    color="white" if value > top * 0.6 else "#1B1B1B",
                )


_SVG_OPEN = re.compile(r"<svg\b[^>]*>")
_SIZE = re.compile(r' (?:width|height)="[^"]*"')


def _with_accessible_title(svg: str, chart: Chart) -> str:
    """The SVG as an image with a name and a description, without the XML prolog (it is inlined)."""
    svg = svg[svg.index("<svg") :]
    match = _SVG_OPEN.search(svg)
    key = hashlib.sha1(f"{chart.title}\n{chart.description}".encode()).hexdigest()[:8]  # ids unique on a page
    opening = match.group(0)[:-1] + f' role="img" aria-labelledby="chart-{key}-t chart-{key}-d">'
    inner = (
        f'<title id="chart-{key}-t">{escape(chart.title)}</title>'
        f'<desc id="chart-{key}-d">{escape(chart.description)}</desc>'
    )
    return opening + inner + svg[match.end() :]
