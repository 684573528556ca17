"""The bounds of every kind of date the app accepts, one rule per kind. Pure: each rule takes the date
(or the local wall-clock instant) and today (or now), and returns the French message of a date out of
its bounds, or None. The forms put the message at the field (web.forms.within_bounds), the import
at the cell, the services refuse with it: each kind of date has one rule wherever it is typed.

A typed date is only compared, never shifted (only today and now are): 9999-12-31 or 0001-01-01 is
refused, instead of overflowing.
"""

from __future__ import annotations

from datetime import date, datetime

from dateutil.relativedelta import relativedelta

# The service's records begin in the 1990s: an older year is a typing slip (1926 for 2026).
EARLIEST = date(1990, 1, 1)
PLANNING_YEARS = 2  # permanences, duty series and closures are planned at most two years ahead
APPOINTMENT_MONTHS = 12  # an appointment is booked at most twelve months ahead

TOO_OLD = f"Date trop ancienne : vérifiez l'année (au plus tôt le {EARLIEST:%d/%m/%Y})."
IN_THE_FUTURE = "La date ne peut pas être dans le futur."


def latest_planning_day(today: date) -> date:
    return today + relativedelta(years=PLANNING_YEARS)  # 29 February: the 28th


def past_day(day: date, today: date) -> str | None:
    """A day that took place: a consultation (typed or imported), an activity of the service."""
    if day > today:
        return IN_THE_FUTURE
    if day < EARLIEST:
        return TOO_OLD
    return None


consultation_day = activity_day = past_day


def planning_day(day: date, today: date) -> str | None:
    """A day of the planning: a permanence's first or last day, a duty series', a closure's, a date of a
    permanence cancelled or restored."""
    if day < EARLIEST:
        return TOO_OLD
    latest = latest_planning_day(today)
    if day > latest:
        return f"Date trop lointaine : le planning va jusqu'au {latest:%d/%m/%Y} (deux ans)."
    return None


def appointment_start(starts: datetime, now: datetime) -> str | None:
    """An appointment, from now (excluded) to twelve months ahead. Both in local wall time, naive or in
    the same zone (the opening hours are checked apart: appointments.office)."""
    starts, now = starts.replace(tzinfo=None), now.replace(tzinfo=None)
    if starts <= now:
        return "Ce créneau est déjà passé."
    latest = now + relativedelta(months=APPOINTMENT_MONTHS)
    if starts > latest:
        return f"Un rendez-vous se prend dans les douze mois : au plus tard le {latest:%d/%m/%Y}."
    return None
