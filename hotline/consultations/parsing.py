"""Pure parsers for what jurists and import files write. No Flask, no database."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

MAX_DEBT = Decimal("10000000")
_SPACES = re.compile(r"[\s\u00a0\u202f]")
_INSEE_OUTSIDE = re.compile(r"^(?:0[1-9]|[1-8]\d|9[0-5]|2[AB])\d{3}$|^97[1-6]\d{2}$")


class ParseError(ValueError):
    """Carries a French message for the person who typed the value."""


def parse_amount(text: str | None, allow_thousands: bool = True) -> Decimal | None:
    """'1 234,56' or '1234.56' -> Decimal('1234.56'); empty -> None (unknown)."""
    if text is None:
        return None
    raw = text.strip()
    if not raw:
        return None
    cleaned = _SPACES.sub("", raw) if allow_thousands else raw
    cleaned = cleaned.replace("€", "").replace("EUR", "")
    if cleaned.count(",") + cleaned.count(".") > 1:
        raise ParseError("Montant illisible : écrivez par exemple 1 234,56 (une seule virgule).")
    cleaned = cleaned.replace(",", ".")
    if not re.fullmatch(r"-?\d+(\.\d{1,2})?|-?\.\d{1,2}", cleaned):
        raise ParseError("Montant illisible : écrivez par exemple 1 234,56 (deux décimales au plus).")
    try:
        amount = Decimal(cleaned)
    except InvalidOperation:
        raise ParseError("Montant illisible : écrivez par exemple 1 234,56.") from None
    if amount < 0:
        raise ParseError("Le montant de la dette ne peut pas être négatif.")
    if amount >= MAX_DEBT:
        raise ParseError("Le montant doit être inférieur à 10 000 000 €.")
    return amount.quantize(Decimal("0.01"))


def is_insee_outside_department(code: str, department: str = "62") -> bool:
    return bool(_INSEE_OUTSIDE.match(code)) and not code.startswith(department)
