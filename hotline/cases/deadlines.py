"""The deadline assistant: the dates that follow from the acts of an eviction procedure. Pure.

`deadlines(acts, lease_signed_on)` takes the acts as {stage code of taxonomy.yaml: the day the act
was served or held} and returns only the keys whose source act is present:

- `clause_resolutoire` (from `commandement_payer`): the end of the time the tenant has to pay the
  debt before the lease's termination clause can take effect. Loi n° 89-462 du 6 juillet 1989,
  art. 24 I, as amended by loi n° 2023-668 du 27 juillet 2023 (art. 10), in force on 29 July 2023:
  six weeks for a lease signed on or after 29 July 2023; two months for an older lease, which stays
  governed by its own clause as framed by the law of the day it was signed (Cass. 3e civ., avis,
  13 juin 2024, n° 24-70.002). Lease date unknown: the pair (six weeks, two months).
  Six weeks are 42 days counted like a delay in days, the day of the act not counted (CPC art. 641
  al. 1; Cass. 3e civ., avis, 6 nov. 2025, n° 25-70.018): commandement + 42 days. Two months: CPC
  art. 641 al. 2 (same day number, else the month's last day).
  NOT carried to a working day: CPC art. 642 extends a time limit "qui expirerait normalement un
  samedi, un dimanche ou un jour férié ou chômé"; whether it extends this delay to pay, a delay of
  the lease law rather than of the procedure, is not settled, so the assistant keeps the earlier,
  safe date and the notice (notices.py) says so when that day is not a working day.
- `appel` (from `signification_jugement`): the last day to appeal, one month (CPC art. 538)
  computed as CPC art. 641 al. 2 says, then carried past a Saturday, Sunday or public holiday to
  the next working day (CPC art. 642 al. 2: the appeal is a procedural time limit, the very case
  the article governs). Public holidays: metropolitan France (the `holidays` package, "FR").
- `expulsion_au_plus_tot` (from `commandement_quitter`): the end of the two months that must pass
  after the commandement de quitter les lieux before any eviction (CPCE L412-1; CPC art. 641
  al. 2); when that day falls from 1 November to 31 March, the winter truce (CPCE L412-6) moves it
  to the following 1 April. NOT carried to a working day: it is not a time limit for a party to
  act but a period during which the household may not be evicted; carrying it would only make the
  date later (and no eviction takes place on a Sunday or public holiday anyway, CPCE L141-1).
  Absent without a commandement de quitter: no eviction can be carried out before one (CPCE
  L411-1).
- `refus_implicite_cfp` (from `requisition_cfp`): the prefect's silence for two months after the
  request for the police's assistance is a refusal (CPCE R153-1); CPC art. 641 al. 2. NOT carried:
  the refusal is born of the silence itself, no party has to act by that day.
"""
from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta

from dateutil.relativedelta import relativedelta

from hotline.ivr.hours import is_holiday

LAW_2023_IN_FORCE = date(2023, 7, 29)  # loi n° 2023-668 du 27 juillet 2023, JO du 28 juillet 2023
SIX_WEEKS = timedelta(days=42)


def add_months(day: date, months: int) -> date:
    """CPC art. 641 al. 2: the same day number, or the month's last day when it has none."""
    return day + relativedelta(months=months)


def is_working_day(day: date) -> bool:
    return day.weekday() < 5 and not is_holiday(day)


def next_working_day(day: date) -> date:
    """CPC art. 642 al. 2: a Saturday, Sunday or public holiday is carried to the next working day."""
    while not is_working_day(day):
        day += timedelta(days=1)
    return day


def in_winter_truce(day: date) -> bool:
    """CPCE L412-6: from 1 November to 31 March of the following year."""
    return day.month >= 11 or day.month <= 3


def after_truce(day: date) -> date:
    """The day itself, or the 1 April that ends the truce it falls in."""
    if not in_winter_truce(day):
        return day
    return date(day.year + 1 if day.month >= 11 else day.year, 4, 1)


def clause_resolutoire(served_on: date, lease_signed_on: date | None) -> date | tuple[date, date]:
    six_weeks, two_months = served_on + SIX_WEEKS, add_months(served_on, 2)
    if lease_signed_on is None:
        return six_weeks, two_months
    return six_weeks if lease_signed_on >= LAW_2023_IN_FORCE else two_months


def deadlines(acts: Mapping[str, date], lease_signed_on: date | None) -> dict[str, date | tuple[date, date]]:
    """The deadlines that follow from the acts present (see the module docstring for each rule)."""
    result: dict[str, date | tuple[date, date]] = {}
    if served := acts.get("commandement_payer"):
        result["clause_resolutoire"] = clause_resolutoire(served, lease_signed_on)
    if served := acts.get("signification_jugement"):
        result["appel"] = next_working_day(add_months(served, 1))
    if served := acts.get("commandement_quitter"):
        result["expulsion_au_plus_tot"] = after_truce(add_months(served, 2))
    if asked := acts.get("requisition_cfp"):
        result["refus_implicite_cfp"] = add_months(asked, 2)
    return result
