"""Values as a French reader expects them."""

from datetime import date

import pytest

from hotline.core import formatting


@pytest.mark.parametrize(
    "seconds, text",
    [
        (None, ""),
        (0, "0 s"),
        (59, "59 s"),
        (60, "1 min 00 s"),
        (1317, "21 min 57 s"),
        (3600, "1 h 00 min 00 s"),
        (3725, "1 h 02 min 05 s"),
        (-5, "0 s"),
    ],
)
def test_duration(seconds, text):
    assert formatting.duration(seconds) == text


@pytest.mark.parametrize(
    "number, text",
    [
        ("+33612345678", "06 12 34 56 78"),
        ("0321000000", "03 21 00 00 00"),
        ("+33800000062", "08 00 00 00 62"),
        ("+32470123456", "+32 470 12 34 56"),
        ("pas un numéro", "pas un numéro"),
        (None, ""),
    ],
)
def test_phone(number, text):
    assert formatting.phone(number) == text


@pytest.mark.parametrize(
    "adults, children, text",
    [
        (2, 1, "2 adultes, 1 enfant"),
        (1, 0, "1 adulte, sans enfant"),
        (None, 3, "3 enfants"),
        (None, None, "composition non renseignée"),
    ],
)
def test_composition(adults, children, text):
    assert formatting.composition(adults, children) == text


@pytest.mark.parametrize(
    "first, text", [(date(2026, 11, 1), "novembre 2026"), (date(2027, 2, 1), "février 2027"), (None, "")]
)
def test_month_name(first, text):
    assert formatting.month_name(first) == text


@pytest.mark.parametrize(
    "number, text", [(5400, "5\u202f400"), (999, "999"), (1234567, "1\u202f234\u202f567"), (0, "0"), (None, "")]
)
def test_whole(number, text):
    assert formatting.whole(number) == text
