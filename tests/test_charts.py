"""The reports' charts: SVG with a title and a description a screen reader says, PNG for the PDF."""

import xml.etree.ElementTree as ET

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


def test_a_long_title_is_wrapped_inside_the_drawing():
    title = "Stade de la procédure au premier contact, par territoire et par mois (nombre de ménages)"
    root = ET.fromstring(charts.bars(title, {"Assignation devant le juge": 3}).svg())
    assert root.find(SVG + "title").text == title  # whole for screen readers
    texts = [t.text for t in root.iter(SVG + "text")]
    assert "Stade de la procédure au premier contact, par" in texts
    assert "territoire et par mois (nombre de ménages)" in texts


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
