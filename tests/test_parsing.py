"""Amounts and codes as people type them (pure)."""

from decimal import Decimal

import pytest

from hotline.consultations.parsing import ParseError, is_insee_outside_department, parse_amount
from hotline.core.formatting import format_euros


@pytest.mark.parametrize(
    "text,expected",
    [
        ("1 234,56", Decimal("1234.56")),
        ("1\u202f234,56", Decimal("1234.56")),
        ("1234.56", Decimal("1234.56")),
        ("0", Decimal("0.00")),
        ("12,5", Decimal("12.50")),
        ("  ", None),
        ("", None),
        (None, None),
        ("9999999,99", Decimal("9999999.99")),
        ("1 234,56 €", Decimal("1234.56")),
    ],
)
def test_amounts(text, expected):
    assert parse_amount(text) == expected


@pytest.mark.parametrize(
    "text,message",
    [
        ("-5", "négatif"),
        ("abc", "illisible"),
        ("1.234,56", "illisible"),
        ("10000000", "inférieur"),
        ("12,345", "illisible"),
    ],
)
def test_bad_amounts(text, message):
    with pytest.raises(ParseError, match=message):
        parse_amount(text)


def test_format_euros():
    assert format_euros(Decimal("1234.5")) == "1\u202f234,50\u00a0€"
    assert format_euros(None) == ""


def test_insee_outside_department():
    assert is_insee_outside_department("59350")
    assert is_insee_outside_department("2A004")
    assert not is_insee_outside_department("62498")
    assert not is_insee_outside_department("99999")
