"""The month's key figures and their change, for the managers' home; and a French name for every indicator and
category of the report."""

import pytest

from hotline.reference import labels as vocabulary
from hotline.reports import keyfigures, labels, tidy
from hotline.reports.tidy import Row


def month(period, **values):
    return [
        Row(mission, "total", "all", name, "", value)
        for (mission, name), value in ((key.split("__"), v) for key, v in values.items())
    ] + [Row("info_logement", period, "lens-henin", "consultations", "", 999)]  # a cell that is not the total


def test_key_figures_with_their_change_from_the_month_before():
    this = month(
        "2026-04",
        prevention_expulsion__consultations=12,
        info_logement__consultations=30,
        prevention_expulsion__calls_answered=5,
        prevention_expulsion__permanences_held=2,
    )
    before = month(
        "2026-03",
        prevention_expulsion__consultations=10,
        info_logement__consultations=40,
        prevention_expulsion__calls_answered=5,
    )
    figures = keyfigures.key_figures(this, before)
    assert [(label, value, change.text()) for label, value, change in figures] == [
        ("Consultations", 42, "−8 (−16 %)"),
        ("Ménages", 0, "="),
        ("Appels répondus", 5, "="),
        ("Appels manqués (messagerie, rappel, hors horaires)", 0, "="),
        ("Rappels effectués", 0, "="),
        ("Permanences tenues", 2, "+2"),
    ]
    eviction = keyfigures.key_figures(this, before, mission="prevention_expulsion")
    assert eviction[0][1:] == (12, keyfigures.Change(2, 20.0)) and eviction[0][2].text() == "+2 (+20 %)"


def test_a_month_before_the_data_covers_not_reads_not_available():
    this = month("2026-04", prevention_expulsion__consultations=12, info_logement__consultations=30)
    before = month("2026-03", info_logement__consultations=40)
    eviction = keyfigures.key_figures(
        this, [row for row in before if row.mission == "info_logement"], "prevention_expulsion"
    )
    assert [(value, change.text()) for _, value, change in eviction][:2] == [
        (12, "non disponible"),
        (0, "non disponible"),
    ]
    assert keyfigures.key_figures(this, [])[0][2].text() == "non disponible"
    assert keyfigures.key_figures(this, before)[0][2].text() == "+2 (+5 %)"


@pytest.mark.parametrize("indicator", tidy.INDICATOR_ORDER)
def test_every_indicator_has_a_french_name(indicator):
    assert labels.indicator(indicator) != indicator and "_" not in labels.indicator(indicator)


@pytest.mark.parametrize("indicator", sorted(labels.VOCABULARIES))
def test_every_category_has_a_french_name(indicator):
    for code in vocabulary(labels.VOCABULARIES[indicator]):
        assert labels.category(indicator, code) not in ("", code)
    assert labels.category(indicator, "inconnu") not in ("", "inconnu")


def test_cross_categories_and_periods_in_french():
    assert (
        labels.category("family_situation_by_sector", "famille_monoparentale|social")
        == "Famille monoparentale — Parc social"
    )
    assert labels.period("2026-03") == "03/2026" and labels.period("total") == "Total"
    assert labels.territory("all", {}) == "Tous territoires" and labels.territory("lens-henin", {}) == "Lens-Hénin"
