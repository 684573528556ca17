"""Identifiers read from URLs, query strings and hidden fields. Pure.

Every identifier column is an INTEGER: a larger identifier names no row, and the database refuses to
compare it (PostgreSQL: "integer out of range"; SQLite past 2**63: OverflowError), hence a 500 if it
reached a query. So an identifier is ASCII digits from 1 to MAX_ID, or nothing.
"""

from __future__ import annotations

MAX_ID = 2**31 - 1
_MAX_DIGITS = len(str(MAX_ID))


def parse_id(text) -> int | None:
    """ "42" -> 42; None for anything else: empty, signs, spaces, other scripts' digits (２), 0, or too large."""
    if isinstance(text, int) and not isinstance(text, bool):
        text = str(text)
    if not isinstance(text, str) or not text or len(text) > _MAX_DIGITS or not text.isascii() or not text.isdigit():
        return None
    value = int(text)
    return value if 1 <= value <= MAX_ID else None
