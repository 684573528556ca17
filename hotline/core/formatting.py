"""How values read in French on a page: dates, amounts, durations, phone numbers, household composition,
months. Pure (local times in the configured zone)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import phonenumbers

from hotline.core import clock
from hotline.core.calendar import DAYS, MONTHS


def whole(number: int | None) -> str:
    """A count as French writes it: 5 400 (thin no-break space between thousands)."""
    return "" if number is None else f"{number:,}".replace(",", "\u202f")


def duration(seconds: int | None) -> str:
    """1317 -> "21 min 57 s"; 3725 -> "1 h 02 min 05 s"; None -> "". Never negative."""
    if seconds is None:
        return ""
    seconds = max(0, int(seconds))
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours} h {minutes:02d} min {secs:02d} s"
    if minutes:
        return f"{minutes} min {secs:02d} s"
    return f"{secs} s"


def phone(number: str | None) -> str:
    """+33612345678 -> "06 12 34 56 78" (French numbers as the French write them); a foreign number in
    its international form; anything unreadable as it was given."""
    if not number:
        return ""
    try:
        parsed = phonenumbers.parse(number, "FR")
    except phonenumbers.NumberParseException:
        return number
    if parsed.country_code == 33:
        national = phonenumbers.national_significant_number(parsed)
        digits = "0" + national if len(national) == 9 else national
        if len(digits) == 10:
            return " ".join(digits[i : i + 2] for i in range(0, 10, 2))
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def composition(adults: int | None, children: int | None) -> str:
    """The household's composition; what is unknown is said, not shown as "?"."""
    parts = []
    if adults is not None:
        parts.append(f"{adults} adulte{'s' if adults > 1 else ''}")
    if children is not None:
        parts.append("sans enfant" if children == 0 else f"{children} enfant{'s' if children > 1 else ''}")
    return ", ".join(parts) if parts else "composition non renseignée"


def month_name(first: date | None) -> str:
    """date(2026, 11, 1) -> "novembre 2026"."""
    return f"{MONTHS[first.month - 1]} {first.year}" if first else ""


def fr_date(value) -> str:
    if not value:
        return ""
    return f"{value.day:02d}/{value.month:02d}/{value.year}"


def fr_datetime(value) -> str:
    if not value:
        return ""
    local = value.astimezone(clock.local_zone())
    return f"{fr_date(local)} {local:%H:%M}"


def fr_time(value) -> str:
    """An instant's local wall time, "14:30"."""
    return f"{value.astimezone(clock.local_zone()):%H:%M}" if value else ""


def fr_day(value: date | None) -> str:
    """ "mardi 01/12/2026"."""
    return f"{DAYS[value.weekday()]} {fr_date(value)}" if value else ""


def format_euros(amount: Decimal | None) -> str:
    """Decimal('1234.5') -> '1 234,50 €' (narrow no-break space as thousands separator)."""
    if amount is None:
        return ""
    whole, _, cents = f"{amount:.2f}".partition(".")
    groups = []
    while len(whole) > 3:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    groups.insert(0, whole)
    return "\u202f".join(groups) + f",{cents}\u00a0€"


def short_label(text: str) -> str:
    """A choice's name without its closing parenthesis, short enough for a phone's drop-down (a closed one
    cannot wrap): "Prévention des expulsions locatives (numéro vert)" -> "Prévention des expulsions locatives"."""
    head, sep, tail = text.rpartition(" (")
    return head if sep and head and tail.endswith(")") else text
