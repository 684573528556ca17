"""A French name for every indicator and category of the report."""

import pytest

from hotline.reference import labels as vocabulary
from hotline.reports import labels, tidy


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
