"""Phone numbers as the database keeps them (E.164), for matching a caller's number with a household's."""

from __future__ import annotations

import phonenumbers


def e164(number: str | None) -> str | None:
    """A phone number in E.164 (+33612345678) from any way of writing it (06 12..., +33 6 12...), or None when
    it is none ("anonymous", junk). A possible number is enough: a caller's number is matched, not checked."""
    try:
        parsed = phonenumbers.parse((number or "")[:40], "FR")
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_possible_number(parsed):
        return None
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)
