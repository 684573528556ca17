"""The deadline assistant (hotline/cases/deadlines.py): table-driven, each row naming its source.

Sources checked with the search tool (corpus "pages"; URL as the result gave it):
- CPC art. 641 (kohenavocats.fr/2024/12/22/article-641-du-code-de-procedure-civile) and art. 642
  (doctrine.fr, LEGIARTI000006411003): days exclude the act's day; months end on the same day
  number, else the month's last day; "tout délai expire le dernier jour à vingt-quatre heures";
  al. 2 carries a délai ending on a Saturday, Sunday, jour férié ou chômé to the next working day.
- Loi n° 89-462 art. 24 I as amended by loi n° 2023-668 art. 10 (JO 28 July 2023, in force
  29 July 2023; solutionspratiques.efl.fr, anil.org/aj-occupation-illicite-logement).
- Cass. 3e civ., avis, 13 juin 2024, n° 24-70.002 (scpld.fr/avis-k2470002, jurislogement.org,
  annalesdesloyers.fr): art. 10 does not apply to leases in progress on 29 July 2023.
- Cass. 3e civ., avis, 6 nov. 2025, n° 25-70.018 (app.livv.eu/decisions/LawLex202500010902JBJ,
  cloix-mendesgil.com, lexisveille.fr): the six weeks of art. 24 III are a delay in days, 42 days.
- CPC art. 538 (lexinter.net): one month to appeal in contentious matters.
- CPCE L411-1 (legal.tricoteuses.fr), L412-1 (doctrine.fr; ELAN text legal.tricoteuses.fr
  JORFARTI000037639704): "ne peut avoir lieu qu'à l'expiration d'un délai de deux mois qui suit
  le commandement"; L412-6 (kohenavocats.fr, french-business-law.com): truce from 1 November to
  31 March; R153-1 (app.livv.eu): two months of silence are a refusal.
"""

import calendar
from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hotline.cases.deadlines import deadlines, is_working_day

D = date
UNKNOWN = None


def row(source, acts, lease, key, expected):
    return pytest.param(acts, lease, key, expected, id=source)


@pytest.mark.parametrize(
    "acts,lease,key,expected",
    [
        # Loi 89-462 art. 24 I (loi 2023-668, in force 29 July 2023) and avis n° 24-70.002.
        row(
            "art24-I six weeks: lease signed 29/07/2023, the law's first day",
            {"commandement_payer": D(2024, 2, 5)},
            D(2023, 7, 29),
            "clause_resolutoire",
            D(2024, 3, 18),
        ),
        row(
            "avis 24-70.002 two months: lease signed 28/07/2023, the day before",
            {"commandement_payer": D(2024, 2, 5)},
            D(2023, 7, 28),
            "clause_resolutoire",
            D(2024, 4, 5),
        ),
        row(
            "art24-I lease date unknown: both dates (six weeks, two months)",
            {"commandement_payer": D(2024, 2, 5)},
            UNKNOWN,
            "clause_resolutoire",
            (D(2024, 3, 18), D(2024, 4, 5)),
        ),
        row(
            "art24-I six weeks = 42 days, the act's day not counted (CPC 641 al.1; avis 25-70.018 by analogy)",
            {"commandement_payer": D(2025, 12, 31)},
            D(2024, 1, 1),
            "clause_resolutoire",
            D(2026, 2, 11),
        ),
        row(
            "CPC 641 al.2 two months from 31/12 end on 29/02 (leap year)",
            {"commandement_payer": D(2023, 12, 31)},
            D(2020, 5, 1),
            "clause_resolutoire",
            D(2024, 2, 29),
        ),
        row(
            "CPC 641 al.2 two months from 31/12 end on 28/02",
            {"commandement_payer": D(2024, 12, 31)},
            D(2020, 5, 1),
            "clause_resolutoire",
            D(2025, 2, 28),
        ),
        row(
            "CPC 641 al.2 two months from 31/07 end on 30/09",
            {"commandement_payer": D(2024, 7, 31)},
            D(2020, 5, 1),
            "clause_resolutoire",
            D(2024, 9, 30),
        ),
        row(
            "decision: CPC 642 not applied to the delay to pay: a Saturday stays",
            {"commandement_payer": D(2024, 2, 10)},
            D(2024, 1, 1),
            "clause_resolutoire",
            D(2024, 3, 23),
        ),
        row(
            "decision: CPC 642 not applied to the delay to pay: 1 May stays",
            {"commandement_payer": D(2024, 3, 1)},
            D(2020, 1, 1),
            "clause_resolutoire",
            D(2024, 5, 1),
        ),
        # CPC art. 538 (one month), 641 al. 2 (same day number or the month's last day), 642 al. 2.
        row(
            "CPC 538+641 one month from 31/01 ends 29/02 (leap year)",
            {"signification_jugement": D(2024, 1, 31)},
            UNKNOWN,
            "appel",
            D(2024, 2, 29),
        ),
        row(
            "CPC 538+641 one month from 31/01 ends 28/02",
            {"signification_jugement": D(2025, 1, 31)},
            UNKNOWN,
            "appel",
            D(2025, 2, 28),
        ),
        row(
            "CPC 538+641 one month from 31/03 ends 30/04",
            {"signification_jugement": D(2024, 3, 31)},
            UNKNOWN,
            "appel",
            D(2024, 4, 30),
        ),
        row(
            "CPC 642 a Saturday is carried to Monday",
            {"signification_jugement": D(2024, 2, 16)},
            UNKNOWN,
            "appel",
            D(2024, 3, 18),
        ),
        row(
            "CPC 642 a Sunday is carried to Monday",
            {"signification_jugement": D(2024, 2, 17)},
            UNKNOWN,
            "appel",
            D(2024, 3, 18),
        ),
        row(
            "CPC 642 All Saints' Day (Friday) is carried to Monday",
            {"signification_jugement": D(2024, 10, 1)},
            UNKNOWN,
            "appel",
            D(2024, 11, 4),
        ),
        row(
            "CPC 642 Easter Monday is carried to Tuesday",
            {"signification_jugement": D(2025, 3, 21)},
            UNKNOWN,
            "appel",
            D(2025, 4, 22),
        ),
        row(
            "CPC 642 Saturday, Sunday, then Whit Monday: carried to Tuesday",
            {"signification_jugement": D(2025, 5, 7)},
            UNKNOWN,
            "appel",
            D(2025, 6, 10),
        ),
        row(
            "CPC 642 Good Friday is worked in the Pas-de-Calais (not Alsace-Moselle)",
            {"signification_jugement": D(2024, 2, 29)},
            UNKNOWN,
            "appel",
            D(2024, 3, 29),
        ),
        # CPCE L412-1 (no eviction until the two months after the commandement de quitter have expired,
        # CPC 642 al. 1: at midnight of their last day, so the first possible day is the next one) and
        # L412-6 (truce from 1 November to 31 March).
        row(
            "L412-1+CPC 642 al.1 two months ending 10/06: first possible day 11/06",
            {"commandement_quitter": D(2024, 4, 10)},
            UNKNOWN,
            "expulsion_au_plus_tot",
            D(2024, 6, 11),
        ),
        row(
            "L412-1+L412-6 two months ending 31/10: the next day is 01/11, in the truce: 1 April",
            {"commandement_quitter": D(2024, 8, 31)},
            UNKNOWN,
            "expulsion_au_plus_tot",
            D(2025, 4, 1),
        ),
        row(
            "L412-6 two months ending 01/11, the truce's first day: 1 April",
            {"commandement_quitter": D(2024, 9, 1)},
            UNKNOWN,
            "expulsion_au_plus_tot",
            D(2025, 4, 1),
        ),
        row(
            "L412-6 two months ending 15/12: 1 April of the next year",
            {"commandement_quitter": D(2024, 10, 15)},
            UNKNOWN,
            "expulsion_au_plus_tot",
            D(2025, 4, 1),
        ),
        row(
            "L412-6 two months ending 30/03: the next day is still in the truce: 1 April",
            {"commandement_quitter": D(2025, 1, 30)},
            UNKNOWN,
            "expulsion_au_plus_tot",
            D(2025, 4, 1),
        ),
        row(
            "L412-6 two months ending 31/03, the truce's last day: 1 April",
            {"commandement_quitter": D(2025, 1, 31)},
            UNKNOWN,
            "expulsion_au_plus_tot",
            D(2025, 4, 1),
        ),
        row(
            "L412-1 two months ending 01/04, after the truce: first possible day 02/04",
            {"commandement_quitter": D(2025, 2, 1)},
            UNKNOWN,
            "expulsion_au_plus_tot",
            D(2025, 4, 2),
        ),
        row(
            "L412-1+CPC 641 two months from 31/07 end on 30/09: first possible day 01/10",
            {"commandement_quitter": D(2024, 7, 31)},
            UNKNOWN,
            "expulsion_au_plus_tot",
            D(2024, 10, 1),
        ),
        row(
            "L412-6+CPC 641 two months from 31/12 end on 28/02, in the truce: 1 April",
            {"commandement_quitter": D(2024, 12, 31)},
            UNKNOWN,
            "expulsion_au_plus_tot",
            D(2025, 4, 1),
        ),
        row(
            "decision: L412-1 not carried to a working day: 15 August stays",
            {"commandement_quitter": D(2024, 6, 14)},
            UNKNOWN,
            "expulsion_au_plus_tot",
            D(2024, 8, 15),
        ),
        row(
            "decision: L412-1 not carried to a working day: a Saturday stays",
            {"commandement_quitter": D(2024, 5, 5)},
            UNKNOWN,
            "expulsion_au_plus_tot",
            D(2024, 7, 6),
        ),
        # CPCE R153-1: two months of silence are a refusal.
        row(
            "R153-1 two months of silence",
            {"requisition_cfp": D(2024, 1, 15)},
            UNKNOWN,
            "refus_implicite_cfp",
            D(2024, 3, 15),
        ),
        row(
            "R153-1+CPC 641 two months from 31/12 end on 28/02",
            {"requisition_cfp": D(2024, 12, 31)},
            UNKNOWN,
            "refus_implicite_cfp",
            D(2025, 2, 28),
        ),
        row(
            "decision: R153-1 not carried: 15 August stays",
            {"requisition_cfp": D(2024, 6, 15)},
            UNKNOWN,
            "refus_implicite_cfp",
            D(2024, 8, 15),
        ),
    ],
)
def test_deadline(acts, lease, key, expected):
    assert deadlines(acts, lease)[key] == expected


@pytest.mark.parametrize(
    "acts,keys",
    [
        pytest.param({}, set(), id="no act, no deadline"),
        pytest.param(
            {"impaye": D(2024, 1, 5), "assignation": D(2024, 3, 1), "jugement_resiliation": D(2024, 6, 1)},
            set(),
            id="acts without a deadline of their own",
        ),
        pytest.param(
            {"signification_jugement": D(2024, 6, 10), "jugement": D(2024, 6, 1)},
            {"appel"},
            id="L411-1 no commandement de quitter: no earliest eviction",
        ),
        pytest.param(
            {
                "commandement_payer": D(2024, 1, 5),
                "signification_jugement": D(2024, 6, 10),
                "commandement_quitter": D(2024, 6, 10),
                "requisition_cfp": D(2024, 9, 1),
            },
            {"clause_resolutoire", "appel", "expulsion_au_plus_tot", "refus_implicite_cfp"},
            id="every source act present",
        ),
    ],
)
def test_only_keys_whose_act_is_present(acts, keys):
    assert set(deadlines(acts, None)) == keys


days = st.dates(min_value=D(2000, 1, 1), max_value=D(2090, 12, 31))


def months_later(day: date, months: int) -> date:
    """CPC art. 641 al. 2, written out: the same day number `months` later, or that month's last day."""
    year, month = divmod(day.year * 12 + day.month - 1 + months, 12)
    return date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


@given(served=days)
def test_the_appeal_ends_on_the_first_working_day_from_the_month(served):
    last = deadlines({"signification_jugement": served}, None)["appel"]
    end = months_later(served, 1)
    assert is_working_day(last) and end <= last <= end + timedelta(days=4)
    assert not any(is_working_day(end + timedelta(days=n)) for n in range((last - end).days))


@given(served=days)
def test_no_earliest_eviction_falls_in_the_truce(served):
    earliest = deadlines({"commandement_quitter": served}, None)["expulsion_au_plus_tot"]
    assert 4 <= earliest.month <= 10
    assert earliest >= served + timedelta(days=59)


@given(served=days)
def test_no_eviction_on_the_last_day_of_the_two_months(served):
    """CPCE L412-1 "à l'expiration d'un délai de deux mois"; CPC 642 al. 1: it expires at midnight of
    its last day (CPC 641 al. 2), so the earliest eviction is strictly after that day."""
    earliest = deadlines({"commandement_quitter": served}, None)["expulsion_au_plus_tot"]
    last_day = months_later(served, 2)
    assert earliest > last_day
    assert earliest == last_day + timedelta(days=1) or (earliest.month, earliest.day) == (4, 1)


@given(served=days, lease=st.one_of(st.none(), days))
def test_the_delay_to_pay_is_six_weeks_or_two_months(served, lease):
    due = deadlines({"commandement_payer": served}, lease)["clause_resolutoire"]
    six_weeks, two_months = (
        served + timedelta(days=42),
        deadlines({"requisition_cfp": served}, None)["refus_implicite_cfp"],
    )
    if lease is None:
        assert due == (six_weeks, two_months) and six_weeks < two_months
    else:
        assert due == (six_weeks if lease >= D(2023, 7, 29) else two_months)
