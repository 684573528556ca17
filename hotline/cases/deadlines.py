"""The deadline assistant: the dates that follow from the acts of an eviction procedure. Pure.

`deadlines(acts, lease_signed_on)` takes the acts as {stage code of taxonomy.yaml: the day the act
was served or held} and returns only the keys whose source act is present. Sources checked against
the texts are listed in tests/test_deadlines.py.

- `clause_resolutoire` (from `commandement_payer`): the LAST DAY of the time the tenant has to pay
  the debt before the lease's termination clause takes effect. Loi n° 89-462 du 6 juillet 1989,
  art. 24 I, as amended by loi n° 2023-668 du 27 juillet 2023 (art. 10; JO 28 July 2023, in force
  29 July 2023): six weeks. A lease concluded before 29 July 2023 keeps the delay of its own clause
  as framed by the law of the day it was signed, i.e. two months at least (Cass. 3e civ., avis,
  13 juin 2024, n° 24-70.002: art. 10 does not apply to leases in progress). Lease date unknown:
  the pair (six weeks, two months).
  Six weeks = 42 days from the day after the commandement (the day of the act not counted): CPC
  art. 640-641 speak only of days, months and years; Cass. 3e civ., avis, 6 nov. 2025,
  n° 25-70.018, treats the six weeks of art. 24 III (a backward delay before the hearing) as a
  delay in days, 42 days; counting in weeks ending on the same weekday gives the same day.
  Two months: CPC art. 641 al. 2 (same day number, else the month's last day).
  NOT carried to a working day: CPC art. 642 al. 2 extends a délai "qui expirerait normalement un
  samedi, un dimanche ou un jour férié ou chômé"; whether it extends this delay to pay, a delay of
  the lease law, is not settled in the texts we could check, so the assistant keeps the earlier,
  safe date and the notice (notices.py) says so when that day is not a working day.
- `appel` (from `signification_jugement`): the last day to appeal, one month (CPC art. 538)
  computed as CPC art. 641 al. 2 says, then carried past a Saturday, Sunday or public holiday to
  the next working day (CPC art. 642 al. 2: the appeal is a procedural time limit, the very case
  the article governs). Public holidays: the eleven national ones (the `holidays` package, "FR");
  the Pas-de-Calais has no local holiday (Good Friday and 26 December are Alsace-Moselle only).
- `expulsion_au_plus_tot` (from `commandement_quitter`): the FIRST DAY an eviction may take place.
  CPCE L412-1: it "ne peut avoir lieu qu'à l'expiration d'un délai de deux mois qui suit le
  commandement"; the two months end on the same day number (CPC art. 641 al. 2) and a délai expires
  on its last day at midnight (CPC art. 642 al. 1), so the first possible day is the day after.
  When that day falls from 1 November to 31 March, the winter truce (CPCE L412-6) moves it to the
  following 1 April. NOT carried to a working day: it is not a time limit for a party to act but
  the end of a protection; the date is a lower bound ("no eviction before"), and no eviction takes
  place on a Sunday or public holiday anyway without the judge's leave (CPCE L141-1).
  Absent without a commandement de quitter: no eviction can be carried out before one (CPCE
  L411-1).
- `refus_implicite_cfp` (from `requisition_cfp`): the prefect's silence for two months after the
  request for the police's assistance is a refusal (CPCE R153-1: "Le défaut de réponse dans un
  délai de deux mois équivaut à un refus"); CPC art. 641 al. 2 from the day noted. NOT carried:
  the refusal is born of the silence itself, no party has to act by that day.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta

from dateutil.relativedelta import relativedelta

from hotline.core.calendar import is_holiday

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


def earliest_eviction(served_on: date) -> date:
    """CPCE L412-1 and L412-6: the day after the two months that follow the commandement de quitter
    (CPC art. 641 al. 2, 642 al. 1), or the 1 April that ends the truce it falls in."""
    return after_truce(add_months(served_on, 2) + timedelta(days=1))


def deadlines(acts: Mapping[str, date], lease_signed_on: date | None) -> dict[str, date | tuple[date, date]]:
    """The deadlines that follow from the acts present (see the module docstring for each rule)."""
    result: dict[str, date | tuple[date, date]] = {}
    if served := acts.get("commandement_payer"):
        result["clause_resolutoire"] = clause_resolutoire(served, lease_signed_on)
    if served := acts.get("signification_jugement"):
        result["appel"] = next_working_day(add_months(served, 1))
    if served := acts.get("commandement_quitter"):
        result["expulsion_au_plus_tot"] = earliest_eviction(served)
    if asked := acts.get("requisition_cfp"):
        result["refus_implicite_cfp"] = add_months(asked, 2)
    return result
