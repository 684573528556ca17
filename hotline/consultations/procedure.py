"""Dates of the eviction procedure that jurists keep in mind. Pure functions.

The winter truce (trêve hivernale, code des procédures civiles d'exécution, art. L412-6): from
1 November to 31 March, no eviction may be carried out, even after a judgment.
"""
from __future__ import annotations

from datetime import date

from hotline.templating import fr_date

# From these stages on, an eviction may be carried out: the truce matters to the household.
ENFORCEMENT_STAGES = ("jugement", "signification_jugement", "commandement_quitter", "requisition_cfp", "cfp_accorde")
SOON_DAYS = 60


def winter_truce(day: date) -> tuple[date, date]:
    """The truce that contains `day`, or else the next one."""
    if day.month >= 11:
        return date(day.year, 11, 1), date(day.year + 1, 3, 31)
    if day.month <= 3:
        return date(day.year - 1, 11, 1), date(day.year, 3, 31)
    return date(day.year, 11, 1), date(day.year + 1, 3, 31)


def truce_notice(stage: str | None, today: date) -> str | None:
    """What a jurist should see on a household whose procedure reached `stage`, or None."""
    if stage not in ENFORCEMENT_STAGES:
        return None
    start, end = winter_truce(today)
    if start <= today <= end:
        return (f"Trêve hivernale jusqu'au {fr_date(end)} : l'expulsion ne peut pas être exécutée avant le "
                f"{fr_date(date(end.year, 4, 1))} (art. L412-6 du code des procédures civiles d'exécution).")
    if (start - today).days <= SOON_DAYS:
        return (f"La trêve hivernale commence le {fr_date(start)} : jusque-là, l'expulsion peut être exécutée "
                "si le concours de la force publique est accordé.")
    return None
