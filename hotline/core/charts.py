"""Charts drawn on the server with matplotlib, for the reports and the household page: the same figure on
the page (SVG), in the PDF bilan (PNG) and in print. Pure: numbers in, bytes out; no Flask, no database.

Each chart carries its title and a text description inside the SVG (<title>, <desc>, role="img"), and
the page shows the table of the same numbers beside it, so that nothing is said by the drawing alone.
matplotlib is imported when a chart is drawn, not when the app starts. The reports pages name their charts
by a signed token (Chart.token) and the browser asks for each after the page (reports.views.chart): the page
is not kept waiting while they are drawn (0.1 s each), and they are drawn once per numbers.
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
TITLE_WIDTH = 50  # characters a title line holds at most
WIDTH_INCHES = 7.0
CHAR_EM = 0.62  # mean width of a bold DejaVu Sans character, in ems
_lock = threading.Lock()  # pyplot's state is global: one drawing at a time
KINDS = ("bars", "grouped", "lines")
TOKEN_SALT = "hotline.chart"


@dataclass(frozen=True)
class Chart:
    """What to draw: `kind` is "bars" (horizontal bars, one per label), "grouped" (horizontal bars, one
    per label and series) or "lines" (a series per name over the labels, e.g. months)."""

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
    import matplotlib

    matplotlib.use("Agg", force=False)
    from matplotlib import pyplot

    with (
        _lock,
        matplotlib.rc_context(
            {
                "svg.fonttype": "none",
                "svg.hashsalt": "hotline",
                "text.parse_math": False,
                "font.family": "DejaVu Sans",
                "font.size": 9,
                "axes.spines.top": False,
                "axes.spines.right": False,
            }
        ),
    ):
        per_label = 0.32 * (len(chart.series) if chart.kind == "grouped" else 1)
        height = 3.2 if chart.kind == "lines" else max(2.2, per_label * len(chart.labels) + 1.0)
        figure, axes = pyplot.subplots(figsize=(WIDTH_INCHES, height))
        try:
            if chart.kind == "bars":
                _bars(axes, chart)
            elif chart.kind == "grouped":
                _grouped(axes, chart)
            else:
                _lines(axes, chart)
            # Wrapped: a title starts at the axes (right of the labels) and must end at the drawing's edge.
            axes.set_title(
                "\n".join(textwrap.wrap(chart.title, TITLE_WIDTH)), loc="left", fontsize=10, fontweight="bold"
            )
            figure.tight_layout()
            room = (1 - axes.get_position().x0) * WIDTH_INCHES * 72 / (10 * CHAR_EM)  # characters that fit
            if room < TITLE_WIDTH:
                axes.set_title(
                    "\n".join(textwrap.wrap(chart.title, max(12, int(room)))),
                    loc="left",
                    fontsize=10,
                    fontweight="bold",
                )
                figure.tight_layout()
            out = io.BytesIO()
            figure.savefig(out, format=fmt, dpi=dpi, metadata={"Date": None} if fmt == "svg" else None)
            return out.getvalue()
        finally:
            pyplot.close(figure)


def _bars(axes, chart: Chart) -> None:
    values = list(chart.series.get("", []))
    positions = range(len(values))
    axes.barh(list(positions), values, color=PALETTE[0])
    axes.set_yticks(list(positions), labels=list(chart.labels))
    axes.invert_yaxis()  # first label on top, as in the table beside
    top = max(values, default=0) or 1
    for y, value in zip(positions, values, strict=False):
        axes.text(
            value + top * 0.01, y, _number(value) + (f" {chart.unit}" if chart.unit else ""), va="center", fontsize=8
        )
    axes.set_xlim(0, top * 1.15)
    axes.tick_params(axis="x", labelsize=8)


def _grouped(axes, chart: Chart) -> None:
    count = max(len(chart.series), 1)
    thickness = 0.8 / count
    top = max((value for values in chart.series.values() for value in values), default=0) or 1
    for index, (name, values) in enumerate(chart.series.items()):
        positions = [i - 0.4 + thickness * (index + 0.5) for i in range(len(values))]
        axes.barh(positions, list(values), height=thickness, color=PALETTE[index % len(PALETTE)], label=name)
        for y, value in zip(positions, values, strict=False):
            axes.text(
                value + top * 0.01,
                y,
                _number(value) + (f" {chart.unit}" if chart.unit else ""),
                va="center",
                fontsize=7,
            )
    axes.set_yticks(list(range(len(chart.labels))), labels=list(chart.labels))
    axes.invert_yaxis()
    axes.set_xlim(0, top * 1.18)
    axes.tick_params(axis="x", labelsize=8)
    axes.legend(fontsize=8, frameon=False, loc="lower right")


def _lines(axes, chart: Chart) -> None:
    for index, (name, values) in enumerate(chart.series.items()):
        axes.plot(list(chart.labels), list(values), marker="o", color=PALETTE[index % len(PALETTE)], label=name)
    if len(chart.series) > 1:
        axes.legend(fontsize=8, frameon=False)
    axes.set_ylim(bottom=0)
    axes.tick_params(axis="x", labelrotation=45, labelsize=8)
    if chart.unit:
        axes.set_ylabel(chart.unit)


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
