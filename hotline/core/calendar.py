"""Calendar words and public holidays shared by the voice menu, the permanences and the reminders.

A neutral module: it depends on no feature, and every feature may depend on it.
"""

from __future__ import annotations

from datetime import date
from functools import lru_cache

import holidays

DAYS = ["lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"]
MONTHS = [
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
]


@lru_cache(maxsize=8)
def _french_holidays(year: int) -> frozenset[date]:
    return frozenset(holidays.country_holidays("FR", years=year).keys())


def is_holiday(day: date) -> bool:
    """A French public holiday (the line is closed, permanences are not held)."""
    return day in _french_holidays(day.year)
