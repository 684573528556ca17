"""situation(): the one reading of a case (hotline/cases/path.py). Each row names the text it rests on.

Texts read (stored copies of Légifrance through the search tool, and /work/prompts/legal-findings.md
at the time of writing): loi n° 89-462 du 6 juillet 1989 art. 24 (as amended by loi n° 2023-668),
CPCE L411-1, L412-1, L412-6, R153-1, CPC 490, 538, 640-642, 664.
"""

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hotline.cases.path import situation
from hotline.reference import taxonomy

D = date
TODAY = D(2025, 6, 16)

# (acts, keyword arguments, eviction_possible_from, appeal_until, warnings, over, the text)
TABLE = [
    ({}, {}, None, None, set(), False, "nothing known: no title (CPCE L411-1)"),
    (
        {"commandement_payer": D(2025, 3, 3)},
        {},
        None,
        None,
        set(),
        False,
        "a commandement de payer alone gives no title (CPCE L411-1)",
    ),
    (
        {"commandement_quitter": D(2025, 2, 10)},
        {},
        D(2025, 4, 11),
        None,
        set(),
        False,
        "a commandement de quitter noted without its judgment: served on a title (CPCE L411-1, L412-1)",
    ),
    (
        {"jugement_resiliation": D(2025, 1, 6)},
        {},
        None,
        None,
        set(),
        False,
        "a title but no commandement de quitter: none before one (CPCE L411-1, L412-1)",
    ),
    (
        {"jugement_resiliation": D(2025, 1, 6), "commandement_quitter": D(2025, 2, 10)},
        {},
        D(2025, 4, 11),
        None,
        set(),
        False,
        "two months after the commandement de quitter, the day after (CPCE L412-1; CPC 641, 642)",
    ),
    (
        {"jugement_resiliation": D(2024, 9, 2), "commandement_quitter": D(2024, 10, 7)},
        {},
        D(2025, 4, 1),
        None,
        set(),
        False,
        "the two months end in the truce: 1 April (CPCE L412-6)",
    ),
    (
        {"jugement_resiliation": D(2024, 9, 2), "commandement_quitter": D(2024, 8, 1)},
        {},
        None,
        None,
        set(),
        False,
        "a commandement de quitter older than the judgment belongs to no title of this one (CPCE L411-1)",
    ),
    (
        {"jugement_rejet": D(2025, 1, 6), "signification_jugement": D(2025, 1, 20)},
        {},
        None,
        (D(2025, 2, 4), D(2025, 2, 20)),
        set(),
        False,
        "a rejected claim: no title, no eviction (CPCE L411-1); the landlord may appeal (CPC 490, 538)",
    ),
    (
        {"jugement_rejet": D(2025, 1, 6), "commandement_quitter": D(2025, 3, 3)},
        {},
        None,
        None,
        set(),
        False,
        "a rejected claim: a later commandement de quitter rests on no title (CPCE L411-1)",
    ),
    (
        {"jugement_delais": D(2025, 1, 6)},
        {},
        None,
        None,
        set(),
        False,
        "payment delays: the clause's effects are suspended (loi 89-462 art. 24 VII)",
    ),
    (
        {"jugement_delais": D(2025, 1, 6), "commandement_quitter": D(2025, 5, 5)},
        {},
        D(2025, 7, 6),
        None,
        set(),
        False,
        "delays broken: a later commandement de quitter shows the clause resumed (art. 24 VII; CPCE L412-1)",
    ),
    (
        {
            "jugement_resiliation": D(2025, 1, 6),
            "commandement_quitter": D(2025, 2, 10),
            "expulsion_effective": D(2025, 5, 12),
        },
        {},
        None,
        None,
        set(),
        True,
        "the eviction was carried out: over",
    ),
    (
        {"jugement_resiliation": D(2025, 1, 6), "depart_volontaire": D(2025, 2, 3)},
        {},
        None,
        None,
        set(),
        True,
        "the household left: over",
    ),
    (
        {"commandement_payer": D(2025, 1, 6), "relogement_effectif": D(2025, 2, 3)},
        {},
        None,
        None,
        set(),
        True,
        "the household was rehoused: over",
    ),
    (
        {"relogement_effectif": D(2023, 2, 3), "commandement_payer": D(2025, 1, 6)},
        {},
        None,
        None,
        set(),
        False,
        "a procedure started after a rehousing is not over",
    ),
    (
        {"jugement": D(2025, 1, 6), "signification_jugement": D(2025, 1, 13)},
        {"decision_kind": "refere"},
        None,
        D(2025, 1, 28),
        set(),
        False,
        "an ordonnance de référé: 15 days (CPC 490, 641 al. 1)",
    ),
    (
        {"jugement": D(2025, 1, 6), "signification_jugement": D(2025, 1, 13)},
        {"decision_kind": "fond"},
        None,
        D(2025, 2, 13),
        set(),
        False,
        "a judgment on the merits: one month (CPC 538, 641 al. 2)",
    ),
    (
        {"jugement": D(2025, 1, 6), "signification_jugement": D(2025, 1, 13)},
        {},
        None,
        (D(2025, 1, 28), D(2025, 2, 13)),
        set(),
        False,
        "kind unknown: both, the earlier first (CPC 490, 538)",
    ),
    (
        {"jugement": D(2025, 3, 1), "signification_jugement": D(2025, 3, 15)},
        {"decision_kind": "refere"},
        None,
        D(2025, 3, 31),
        set(),
        False,
        "15 days end on a Sunday: carried to Monday (CPC 642 al. 2)",
    ),
    (
        {"jugement": D(2025, 3, 20), "signification_jugement": D(2025, 3, 31)},
        {"decision_kind": "fond"},
        None,
        D(2025, 4, 30),
        set(),
        False,
        "31 March + one month: 30 April, the month's last day (CPC 641 al. 2)",
    ),
    (
        {"jugement": D(2025, 4, 1), "signification_jugement": D(2025, 4, 14)},
        {"decision_kind": "refere"},
        None,
        D(2025, 4, 29),
        set(),
        False,
        "15 days end on a holiday eve? 29 April is a Tuesday: no carry (CPC 642)",
    ),
    (
        {"jugement": D(2025, 4, 1), "signification_jugement": D(2025, 4, 16)},
        {"decision_kind": "refere"},
        None,
        D(2025, 5, 2),
        set(),
        False,
        "15 days end on 1 May, a public holiday: carried to 2 May (CPC 642 al. 2)",
    ),
    (
        {"assignation": D(2025, 1, 6), "notification_prefet_assignation": D(2025, 1, 7), "audience": D(2025, 2, 19)},
        {},
        None,
        None,
        set(),
        False,
        "notified on the 43rd day before the hearing: in time (art. 24 III)",
    ),
    (
        {"assignation": D(2025, 1, 6), "notification_prefet_assignation": D(2025, 1, 8), "audience": D(2025, 2, 19)},
        {},
        None,
        None,
        {"notification_prefet_tardive"},
        False,
        "on the 42nd day before the hearing, which the six weeks include: late (art. 24 III; Cass. avis 6 nov. 2025 "
        "n° 25-70.018: from the eve back, expiring the 42nd day at zero hour)",
    ),
    (
        {"assignation": D(2025, 1, 6), "notification_prefet_assignation": D(2025, 1, 3), "audience": D(2025, 2, 15)},
        {},
        None,
        None,
        set(),
        False,
        "43 days before a Saturday hearing: in time, no carry (avis n° 25-70.018)",
    ),
    (
        {"signalement_ccapex_bailleur": D(2025, 1, 10), "assignation": D(2025, 3, 10)},
        {"landlord_type": "bailleur_social"},
        None,
        None,
        {"ccapex_bailleur_tardive"},
        False,
        "assigned on the day the two months expire (at midnight): too early (art. 24 II; CPC 641, 642 al. 1)",
    ),
    (
        {"signalement_ccapex_bailleur": D(2025, 1, 10), "assignation": D(2025, 3, 11)},
        {"landlord_type": "personne_morale_privee"},
        None,
        None,
        set(),
        False,
        "assigned the day after the two months: in time (art. 24 II)",
    ),
    (
        {
            "signalement_caf": D(2024, 11, 4),
            "signalement_ccapex_bailleur": D(2025, 1, 10),
            "assignation": D(2025, 2, 10),
        },
        {"landlord_type": "bailleur_social"},
        None,
        None,
        set(),
        False,
        "the unpaid rent reported to the CAF before: the referral is deemed made that day (art. 24 II, 'réputée "
        "constituée'; svp.com, tpil.org), so an assignation three months later is in time",
    ),
    (
        {
            "signalement_caf": D(2024, 12, 20),
            "signalement_ccapex_bailleur": D(2025, 1, 10),
            "assignation": D(2025, 2, 10),
        },
        {"landlord_type": "bailleur_social"},
        None,
        None,
        {"ccapex_bailleur_tardive"},
        False,
        "the CAF report less than two months before the assignation: still too early (art. 24 II)",
    ),
    (
        {"signalement_ccapex_bailleur": D(2025, 1, 10), "assignation": D(2025, 2, 10)},
        {"landlord_type": "sci_familiale"},
        None,
        None,
        set(),
        False,
        "a family SCI owes no referral (art. 24 II)",
    ),
    (
        {"signalement_ccapex_bailleur": D(2025, 1, 10), "assignation": D(2025, 2, 10)},
        {"landlord_type": "personne_physique"},
        None,
        None,
        set(),
        False,
        "a natural person owes no referral (24 II)",
    ),
    (
        {"commandement_payer": D(2025, 3, 2)},
        {},
        None,
        None,
        {"signification_jour_interdit"},
        False,
        "a commandement de payer on a Sunday (CPC 664)",
    ),
    ({"commandement_payer": D(2025, 3, 1)}, {}, None, None, set(), False, "a Saturday is allowed (CPC 664)"),
    (
        {"assignation": D(2025, 7, 14)},
        {},
        None,
        None,
        {"signification_jour_interdit"},
        False,
        "an assignation on 14 July, a public holiday (CPC 664)",
    ),
    (
        {"commandement_payer": D(2022, 3, 1)},
        {"lease_signed_on": D(2023, 1, 5)},
        None,
        None,
        {"acte_avant_bail"},
        False,
        "an act before the lease was signed",
    ),
    (
        {"fsl_demande": D(2022, 3, 1)},
        {"lease_signed_on": D(2023, 1, 5)},
        None,
        None,
        set(),
        False,
        "an event (an FSL request to enter the home) before the lease is no act of the procedure",
    ),
]


@pytest.mark.parametrize("acts, kwargs, evict, appeal, warnings, over, text", TABLE, ids=[row[-1] for row in TABLE])
def test_situation_table(acts, kwargs, evict, appeal, warnings, over, text):
    found = situation(acts, today=TODAY, **kwargs)
    assert found.eviction_possible_from == evict
    assert found.appeal_until == appeal
    assert found.warnings == frozenset(warnings)
    assert found.over is over


def test_a_commandement_served_before_an_appeal_ruling_of_unknown_content_keeps_its_lower_bound():
    """CPCE L412-1: if the cour d'appel confirmed, the commandement served on the judgment stands."""
    acts = {"jugement_resiliation": D(2024, 5, 6), "commandement_quitter": D(2024, 6, 3), "arret_appel": D(2025, 1, 20)}
    assert situation(acts, today=TODAY).eviction_possible_from == D(2024, 8, 4)
    rejected_then_appealed = {"jugement_rejet": D(2024, 5, 6), "arret_appel": D(2025, 1, 20)}
    assert situation(rejected_then_appealed, today=TODAY).eviction_possible_from is None
    reversed_then_served = {**rejected_then_appealed, "commandement_quitter": D(2025, 2, 3)}
    assert situation(reversed_then_served, today=TODAY).eviction_possible_from == D(2025, 4, 4)


def test_the_eviction_date_is_what_deadlines_computes():
    """deadlines() keeps its contract; situation() gives the same earliest eviction day."""
    from hotline.cases.deadlines import deadlines

    acts = {"jugement_resiliation": D(2025, 1, 6), "commandement_quitter": D(2025, 9, 15)}
    assert situation(acts, today=TODAY).eviction_possible_from == deadlines(acts, None)["expulsion_au_plus_tot"]


STAGES = [code for code in taxonomy()["procedure_stages"] if code != "inconnu"]
EVENTS = list(taxonomy()["case_events"])
days = st.dates(min_value=D(2015, 1, 1), max_value=D(2027, 12, 31))
case_acts = st.dictionaries(st.sampled_from(STAGES + EVENTS), days, max_size=12)
kinds = st.sampled_from(list(taxonomy()["decision_kinds"]))
landlords = st.sampled_from(list(taxonomy()["landlord_types"]))
JUDGMENTS = ("jugement", "jugement_delais", "jugement_resiliation", "jugement_rejet", "arret_appel")


@settings(max_examples=400, deadline=None)
@given(case_acts, kinds, landlords, st.one_of(st.none(), days), days)
def test_no_eviction_after_a_rejection_or_delays_kept_nor_once_over(acts, kind, landlord, lease, today):
    found = situation(acts, lease_signed_on=lease, landlord_type=landlord, decision_kind=kind, today=today)
    judged = [(day, code) for code, day in acts.items() if code in JUDGMENTS]
    latest = max(judged, key=lambda item: (item[0], JUDGMENTS.index(item[1]))) if judged else None
    if latest and latest[1] == "jugement_rejet":
        assert found.eviction_possible_from is None
    if (
        latest
        and latest[1] == "jugement_delais"
        and not ("commandement_quitter" in acts and acts["commandement_quitter"] > latest[0])
    ):
        assert found.eviction_possible_from is None
    if found.over:
        assert found.eviction_possible_from is None
    if not judged and "commandement_quitter" not in acts:
        assert found.eviction_possible_from is None
    if found.eviction_possible_from is not None:
        # never before the two months that follow a commandement de quitter (CPCE L412-1), never in a truce
        assert found.eviction_possible_from > acts["commandement_quitter"] + timedelta(days=58)
        assert not (found.eviction_possible_from.month >= 11 or found.eviction_possible_from.month <= 3)
    assert found.warnings <= {
        "notification_prefet_tardive",
        "ccapex_bailleur_tardive",
        "signification_jour_interdit",
        "acte_avant_bail",
    }
