"""Charts drawn on the server with matplotlib, for the reports and the household page: the same figure on
the page (SVG), in the PDF bilan (PNG) and in print. Pure: numbers in, bytes out; no Flask, no database.

Each chart carries its title and a text description inside the SVG (<title>, <desc>, role="img"), and
the page shows the table of the same numbers beside it, so that nothing is said by the drawing alone.
matplotlib is imported when a chart is drawn, not when the app starts.
"""
from __future__ import annotations

import hashlib
import io
import re
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from html import escape

# The colours of the two missions and of the other series: distinct for colour-blind readers
# (Okabe-Ito palette) and dark enough on white.
PALETTE = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#56B4E9", "#E69F00", "#000000")
_lock = threading.Lock()  # pyplot's state is global: one drawing at a time


@dataclass(frozen=True)
class Chart:
    """What to draw: `kind` is "bars" (horizontal bars, one per label) or "lines" (a series per name
    over the labels, e.g. months)."""

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


def bars(title: str, values: dict[str, float], *, unit: str = "", description: str = "") -> Chart:
    return Chart("bars", title, list(values), {"": list(values.values())}, unit, description or _describe(values, unit))


def lines(title: str, labels: Sequence[str], series: dict[str, Sequence[float]], *, unit: str = "",
          description: str = "") -> Chart:
    return Chart("lines", title, list(labels), {name: list(v) for name, v in series.items()}, unit,
                 description or f"{title} : {len(series)} série(s) sur {len(labels)} période(s).")


def _describe(values: dict[str, float], unit: str) -> str:
    return " ; ".join(f"{label} : {_number(value)}{' ' + unit if unit else ''}" for label, value in values.items())


def _number(value: float) -> str:
    text = f"{value:,.1f}" if value != int(value) else f"{int(value):,}"
    return text.replace(",", "\u202f").replace(".", ",")


def _draw(chart: Chart, fmt: str, dpi: int = 100) -> bytes:
    import matplotlib

    matplotlib.use("Agg", force=False)
    from matplotlib import pyplot

    with _lock, matplotlib.rc_context({
        "svg.fonttype": "none", "svg.hashsalt": "hotline", "font.family": "DejaVu Sans", "font.size": 9,
        "axes.spines.top": False, "axes.spines.right": False,
    }):
        height = max(2.2, 0.32 * len(chart.labels) + 1.0) if chart.kind == "bars" else 3.2
        figure, axes = pyplot.subplots(figsize=(7.0, height))
        try:
            if chart.kind == "bars":
                _bars(axes, chart)
            else:
                _lines(axes, chart)
            axes.set_title(chart.title, loc="left", fontsize=10, fontweight="bold")
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
    for y, value in zip(positions, values):
        axes.text(value + top * 0.01, y, _number(value) + (f" {chart.unit}" if chart.unit else ""),
                  va="center", fontsize=8)
    axes.set_xlim(0, top * 1.15)
    axes.tick_params(axis="x", labelsize=8)


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


def _with_accessible_title(svg: str, chart: Chart) -> str:
    """The SVG as an image with a name and a description, without the XML prolog (it is inlined)."""
    svg = svg[svg.index("<svg"):]
    match = _SVG_OPEN.search(svg)
    key = hashlib.sha1(f"{chart.title}\n{chart.description}".encode()).hexdigest()[:8]  # ids unique on a page
    opening = match.group(0)[:-1] + f' role="img" aria-labelledby="chart-{key}-t chart-{key}-d">'
    inner = (f'<title id="chart-{key}-t">{escape(chart.title)}</title>'
             f'<desc id="chart-{key}-d">{escape(chart.description)}</desc>')
    return opening + inner + svg[match.end():]
