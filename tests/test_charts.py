"""The reports' charts: SVG with a title and a description a screen reader says, PNG for the PDF."""

import xml.etree.ElementTree as ET

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hotline.core import charts

SVG = "{http://www.w3.org/2000/svg}"


def test_bars_are_an_svg_image_with_title_description_and_every_label():
    chart = charts.bars("Consultations par territoire", {"Lens-Hénin": 120, "Boulonnais": 45.5, "Calaisis": 0})
    root = ET.fromstring(chart.svg())
    assert root.tag == SVG + "svg" and root.get("role") == "img"
    title, desc = root.find(SVG + "title"), root.find(SVG + "desc")
    assert title.text == "Consultations par territoire"
    assert desc.text == "Lens-Hénin : 120 ; Boulonnais : 45,5 ; Calaisis : 0"
    assert root.get("aria-labelledby") == f"{title.get('id')} {desc.get('id')}"
    texts = " ".join(t.text or "" for t in root.iter(SVG + "text"))
    for label in ("Lens-Hénin", "Boulonnais", "Calaisis", "120", "45,5"):
        assert label in texts


def test_two_charts_on_one_page_have_distinct_ids():
    first = ET.fromstring(charts.bars("A", {"x": 1}).svg())
    second = ET.fromstring(charts.bars("B", {"x": 1}).svg())
    assert first.find(SVG + "title").get("id") != second.find(SVG + "title").get("id")


def test_lines_draw_each_series_and_the_png_is_an_image():
    chart = charts.lines(
        "Évolution mensuelle",
        ["2026-01", "2026-02", "2026-03"],
        {"Information": [3, 5, 4], "Prévention": [1, 0, 2]},
        unit="%",
    )
    root = ET.fromstring(chart.svg())
    assert "2 série(s) sur 3 période(s)" in root.find(SVG + "desc").text
    texts = " ".join(t.text or "" for t in root.iter(SVG + "text"))
    assert "Information" in texts and "Prévention" in texts and "2026-02" in texts
    assert chart.png().startswith(b"\x89PNG\r\n\x1a\n")


def test_the_image_for_the_pdf_is_the_png_without_its_encoding():
    chart = charts.bars("Consultations par territoire", {"Lens-Hénin": 120, "Boulonnais": 45})
    image, png = chart.image(), chart.png()
    assert image.mode == "RGB"
    assert image.size == (int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big"))
    assert image.getpixel((0, 0)) == (255, 255, 255)


def test_the_same_numbers_draw_the_same_svg():
    values = {"a": 1, "b": 2}
    assert charts.bars("T", values).svg() == charts.bars("T", values).svg()


def test_shares_are_percentages_of_the_whole():
    chart = charts.shares("Thèmes", {"Impayés": 3, "Copropriété": 1}, 8)
    assert chart.series == {"": [37.5, 12.5]} and chart.unit == "%"
    assert ET.fromstring(chart.svg()).find(SVG + "desc").text == "Impayés : 37,5 % ; Copropriété : 12,5 %"
    assert charts.shares("Vide", {"a": 0}, 0).series == {"": [0.0]}


def test_grouped_bars_name_every_series_and_label():
    chart = charts.grouped("Parc", ["Personne seule", "Couple"], {"Parc privé": [2, 0], "Parc social": [1, 4]})
    root = ET.fromstring(chart.svg())
    assert (
        root.find(SVG + "desc").text == "Personne seule : Parc privé 2, Parc social 1 ; Couple : Parc privé 0, "
        "Parc social 4"
    )
    texts = " ".join(t.text or "" for t in root.iter(SVG + "text"))
    assert "Parc privé" in texts and "Parc social" in texts and "Couple" in texts
    assert chart.png().startswith(b"\x89PNG")


def test_the_image_for_a_page_takes_its_containers_width():
    root = ET.fromstring(charts.bars("T", {"a": 1}).scalable_svg())
    assert root.get("width") is None and root.get("height") is None and root.get("viewBox")
    assert root.find(SVG + "title").text == "T"


def texts_of(chart) -> list[str]:
    return [t.text or "" for t in ET.fromstring(chart.svg()).iter(SVG + "text")]


def test_a_long_title_is_wrapped_inside_the_drawing():
    """The title starts at the drawing's left edge (not after the labels) and is wrapped to its width."""
    title = "Stade de la procédure au premier contact, par territoire et par mois (nombre de ménages)"
    chart = charts.bars(title, {"Assignation devant le juge": 3})
    root = ET.fromstring(chart.svg())
    assert root.find(SVG + "title").text == title  # whole for screen readers
    lines = [text for text in texts_of(chart) if text and text in title and len(text) > 20]
    assert len(lines) == 2 and " ".join(lines) == title
    width = float(root.get("width").removesuffix("pt"))
    assert all(len(line) * 11 * charts.CHAR_EM < width for line in lines)


def test_a_percentage_is_drawn_on_a_0_to_100_axis():
    for chart in (
        charts.shares("Thèmes", {"Impayés": 1, "Copropriété": 2}, 40),
        charts.bars("Premiers contacts atteints avant le commandement de payer (%)", {"Artois": 0.4}, unit="%"),
    ):
        ticks = texts_of(chart)
        assert "0 %" in ticks and "100 %" in ticks and "50 %" in ticks, ticks
        assert "1.0" not in ticks and "0.4" not in ticks


def test_an_empty_series_is_no_chart_but_says_so():
    for chart in (
        charts.bars("Premiers contacts atteints avant le commandement de payer (%)", {}, unit="%"),
        charts.bars("Consultations par territoire", {"Artois": 0, "Calaisis": 0}),
        charts.lines("Évolution mensuelle", ["01/2026", "02/2026"], {"2026": [0, 0]}),
    ):
        assert chart.empty
        texts = texts_of(chart)
        assert charts.NO_DATA in texts and "Artois" not in texts and "01/2026" not in texts
        assert b"PNG" in chart.png()[:8]
    assert not charts.bars("T", {"Artois": 1}).empty
    assert not charts.bars("Part", {"Artois": 0.0}, unit="%").empty  # 0 % of a known whole is a finding


def test_long_labels_are_wrapped_and_each_bar_has_room_for_its_label():
    label = "Jugement : délais de paiement accordés, effets de la clause résolutoire suspendus"
    short = charts.bars("Stade", {"Audience": 3, label: 13, "Signification du jugement": 10})
    texts = texts_of(short)
    lines = [text for text in texts if text and text in label]
    assert " ".join(lines) == label and all(len(line) <= charts.LABEL_WIDTH for line in lines)
    one_line = charts.bars("Stade", {"Audience": 3, "Assignation": 13, "Signification du jugement": 10})
    height = lambda chart: float(ET.fromstring(chart.svg()).get("height").removesuffix("pt"))  # noqa: E731
    assert height(short) > height(one_line)  # the wrapped label's bar takes the height of its lines


def test_no_legend_lines_are_named_at_their_end_and_grouped_bars_are_panels():
    trend = charts.lines("Évolution", ["01/2026", "02/2026"], {"2026": [3, 5], "2025": [2, 2]})
    grouped = charts.grouped("Parc", ["Personne seule", "Couple"], {"Parc privé": [2, 0], "Parc social": [1, 4]})
    for chart in (trend, grouped):
        svg = chart.svg()
        assert 'id="legend_' not in svg
    assert "2026" in texts_of(trend) and "2025" in texts_of(trend)
    assert svg.count('id="axes_') == 2  # one panel per series, each titled with its name


def test_a_heat_map_of_unanswered_calls_prints_its_counts():
    days = ["lundi", "mardi", "mercredi", "jeudi", "vendredi"]
    hours = [f"{h} h" for h in range(9, 18)]
    counts = [[0] * len(hours) for _ in days]
    counts[0][0], counts[4][8], counts[2][3] = 7, 3, 12
    chart = charts.heatmap("Appels sans réponse, par jour et par heure", days, hours, counts)
    texts = texts_of(chart)
    assert {"lundi", "vendredi", "9 h", "17 h", "7", "3", "12"} <= set(texts)
    assert chart.description == "Les plus nombreux : mercredi 12 h : 12 ; lundi 9 h : 7 ; vendredi 17 h : 3"
    assert charts.from_token(chart.token("secret"), "secret") == chart
    assert charts.heatmap("Vide", days, hours, [[0] * len(hours) for _ in days]).empty


@pytest.mark.parametrize(
    "current, previous, said",
    [
        (5, 2, "+3"),  # not "+150 %": the base is under 20
        (2, 5, "\u22123"),
        (19, 0, "+19"),
        (7, 7, "="),
        (24, 20, "+20\u202f%"),
        (30, 40, "\u221225\u202f%"),
    ],
)
def test_a_change_on_a_small_base_is_the_difference(current, previous, said):
    assert charts.change_text(current, previous) == said


def test_a_change_is_coloured_by_what_it_means():
    assert charts.tone(7, 4, better=-1) == "bad"  # more missed calls
    assert charts.tone(7, 4, better=1) == "good"  # more callbacks done
    assert charts.tone(3, 4, better=-1) == "good"
    assert charts.tone(7, 4, better=0) == charts.tone(4, 4, better=1) == "neutral"


labels = st.lists(st.text(max_size=30), min_size=1, max_size=12)


@st.composite
def any_chart(draw):
    names = draw(labels)
    kind = draw(st.sampled_from(charts.KINDS))
    count = 1 if kind == "bars" else draw(st.integers(1, 3))
    series_names = (
        [""] if kind == "bars" else draw(st.lists(st.text(max_size=12), min_size=count, max_size=count, unique=True))
    )
    numbers = st.one_of(st.integers(-(10**12), 10**12), st.floats(allow_nan=False, allow_infinity=False, width=32))
    series = {name: draw(st.lists(numbers, min_size=len(names), max_size=len(names))) for name in series_names}
    return charts.Chart(
        kind,
        draw(st.text(max_size=80)),
        names,
        series,
        draw(st.sampled_from(["", "%", "€"])),
        draw(st.text(max_size=200)),
    )


@given(any_chart())
@settings(max_examples=60, deadline=None)
def test_a_token_names_exactly_its_chart(chart):
    token = chart.token("secret")
    assert all(c.isalnum() or c in "-_." for c in token), "fits in a URL path as it is"
    assert charts.from_token(token, "secret") == chart
    assert charts.from_token(token, "another secret") is None


@given(st.text(max_size=300))
@settings(max_examples=200, deadline=None)
def test_anything_else_than_a_token_names_no_chart(junk):
    assert charts.from_token(junk, "secret") is None


def test_a_signed_value_that_is_not_a_chart_names_none():
    from itsdangerous import URLSafeSerializer

    signer = URLSafeSerializer("secret", salt=charts.TOKEN_SALT)
    for value in (
        None,
        [],
        ["pie", "T", ["a"], [["", [1]]], "", ""],
        ["bars", "T", ["a"], [["", [1, 2]]], "", ""],
        ["bars", "T", ["a"], [["", ["1"]]], "", ""],
        ["bars", "T", "a", [["", [1]]], "", ""],
        ["bars", "T", ["a"], [["", [True]]], "", ""],
        ["bars", "T", ["a"], [["x", [1]]], "", ""],
        ["lines", "T", ["a"], [["x", [float("nan")]]], "", ""],
        {"kind": "bars"},
    ):
        assert charts.from_token(signer.dumps(value), "secret") is None, value


def test_a_dollar_sign_is_text_not_a_formula():
    """matplotlib would read $...$ as mathematics (and fail on what is not): every text is drawn as it is."""
    chart = charts.bars("Loyer $\\foo$ et $x", {"$\\frac{" + "{" * 50 + "$": 1.0})
    texts = " ".join(t.text or "" for t in ET.fromstring(chart.svg()).iter(SVG + "text"))
    assert "$\\frac{" in texts and "$x" in texts


@given(any_chart())
@settings(max_examples=25, deadline=None)
def test_any_chart_a_token_can_name_is_drawn(chart):
    """Never a 500 on /reports/charts/<token>.svg: whatever a valid token names is drawn."""
    assert chart.svg().startswith("<svg")


def test_a_chart_is_drawn_on_the_agg_canvas_without_pyplot():
    """matplotlib.figure.Figure on FigureCanvasAgg: no pyplot (its global figure registry and backend choice) in
    the process that draws, e.g. the worker that makes a PDF."""
    import subprocess
    import sys

    script = (
        "import sys; from hotline.core import charts; "
        "charts.bars('T', {'a': 1, 'b': 2}).image(); charts.heatmap('H', ['lun.'], ['9 h'], [[3]]).svg(); "
        "charts.lines('L', ['01', '02'], {'x': [1, 2]}).png(); "
        "assert 'matplotlib.figure' in sys.modules and 'matplotlib.pyplot' not in sys.modules, 'pyplot loaded'"
    )
    subprocess.run([sys.executable, "-c", script], check=True)


def test_the_pdf_image_is_laid_out_at_the_resolution_it_is_drawn_at(monkeypatch):
    """The figure is made at its drawing's dpi: the layout measures each text with the renderer that draws it
    (matplotlib caches a text's measure per renderer), not at 100 dpi before a draw at 150."""
    from matplotlib.figure import Figure

    made = []
    original = Figure.__init__

    def spy(self, *args, **kwargs):
        original(self, *args, **kwargs)
        made.append(self)

    monkeypatch.setattr(Figure, "__init__", spy)
    charts.bars("Résolution", {"un": 1, "deux": 2}).image(dpi=150)
    assert [figure.dpi for figure in made] == [150]


LAID_OUT = [
    charts.bars("Barres", {"Commandement de payer visant la clause résolutoire": 20559, "Audience": 20723}),
    charts.shares("Parts", {"Téléphone": 3, "Permanence en personne": 1}, 4),
    charts.grouped(
        "Panneaux",
        ["Personne seule", "Autre (colocation, cohabitation)"],
        {"Parc privé": [5, 8], "Parc social": [3, 9]},
    ),
    charts.lines(
        "Mois", ["01/2026", "02/2026", "03/2026"], {"2026": [120, 90, 130], "Année précédente": [100, 110, 95]}
    ),
    charts.lines("Parts par mois", ["01/2026", "02/2026"], {"Part": [40, 100]}, unit="%"),
    charts.heatmap("Cellules", ["Lundi", "Dimanche"], ["9 h", "10 h", "21 h"], [[1, 2, 0], [3, 0, 12]]),
]


@pytest.mark.parametrize("chart", LAID_OUT, ids=[chart.kind + ":" + chart.title for chart in LAID_OUT])
def test_the_margins_computed_from_the_labels_are_tight_layouts(chart, monkeypatch):
    """The margins are computed from the labels (no tight_layout, a third of a chart's time): the axes are where
    tight_layout puts them, within 2 pixels at 150 dpi, for each kind of chart."""
    import matplotlib
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    def refused(*args, **kwargs):
        raise AssertionError("tight_layout called")

    with matplotlib.rc_context(charts.SETTINGS):
        with monkeypatch.context() as patched:
            patched.setattr(Figure, "tight_layout", refused)
            figure = charts._figure(Figure, FigureCanvasAgg, chart, 150)
        computed = [axes.get_position().extents for axes in figure.axes]
        height = figure.get_size_inches()[1]
        figure.tight_layout(rect=(0, 0, 1, 1 - charts._title(chart)[1] / height))
        tight = [axes.get_position().extents for axes in figure.axes]
    width_px, height_px = figure.get_size_inches() * 150
    for mine, theirs in zip(computed, tight, strict=True):
        for index, (a, b) in enumerate(zip(mine, theirs, strict=True)):
            assert abs(a - b) * (width_px if index % 2 == 0 else height_px) <= 2, (index, mine, theirs)
