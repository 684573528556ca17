"""What the household page says (hotline/cases/notices.py): information with dates, articles and
caveats, never a promise; no eviction without a commandement de quitter les lieux (CPCE L411-1,
L412-1)."""

import re
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hotline.cases import notices as notices_module
from hotline.cases.notices import NEXT_STEPS, latest_act, legal_order
from hotline.cases.path import situation


def statements(acts, lease, today, stage=None):
    """The notices of the case with these acts, as the household page reads them (through situation())."""
    return notices_module.statements(situation(acts, lease_signed_on=lease, today=today), acts, today, stage)


def next_step(stage):
    """The next step the texts provide after `stage` as the latest act."""
    return notices_module.next_step(
        situation({stage: date(2026, 5, 4)} if stage else {}, today=date(2026, 6, 1)),
        {stage: date(2026, 5, 4)} if stage else {},
    )


def next_deadline(acts, lease, today, within):
    ahead = [
        (key, day)
        for key, day in situation(acts, lease_signed_on=lease, today=today).deadlines_ahead(today)
        if (day - today).days <= within
    ]
    return ahead[0] if ahead else None


# Affirmative wording: an eviction "peut être exécutée / peut avoir lieu / est possible"...
# ("aucune expulsion ne peut avoir lieu" is the negation, not matched).
SAYS_EVICTION_POSSIBLE = re.compile(
    r"(?<!ne )(?:peut|pourra|peuvent) (?:être exécutée|avoir lieu|être réalisée)"
    r"|expulsion (?:est )?possible|peut être procédé|procéder (?:à l'expulsion|aux opérations d'expulsion)",
    re.IGNORECASE,
)
BEFORE_COMMANDEMENT_QUITTER = legal_order()[: legal_order().index("commandement_quitter")]


def said(notices) -> str:
    return " ".join([n.text for n in notices] + [c for n in notices for c in n.caveats])


def test_the_detector_catches_the_old_wrong_notice():
    """The notice it replaces told a household at signification_jugement that it could be evicted."""
    old = (
        "La trêve hivernale commence le 01/11/2026 : jusque-là, l'expulsion peut être exécutée si le concours "
        "de la force publique est accordé."
    )  # consultations/procedure.py, removed
    assert SAYS_EVICTION_POSSIBLE.search(old)


def test_at_signification_no_statement_says_an_eviction_can_be_carried_out():
    notices = statements({"signification_jugement": date(2026, 9, 1)}, None, date(2026, 9, 15))
    assert not SAYS_EVICTION_POSSIBLE.search(said(notices))
    keys = {n.key: n for n in notices}
    assert "expulsion_au_plus_tot" not in keys
    assert "sans ce commandement" in keys["pas_de_commandement_quitter"].text
    assert "L411-1" in keys["pas_de_commandement_quitter"].article
    # Served today, the two months would end on 15/11, in the truce: not before 1 April.
    assert keys["pas_de_commandement_quitter"].on == date(2027, 4, 1)
    assert keys["treve_hivernale"].on == date(2026, 11, 1)


acts_before = st.dictionaries(
    st.sampled_from(BEFORE_COMMANDEMENT_QUITTER), st.dates(min_value=date(2015, 1, 1), max_value=date(2035, 12, 31))
)
any_stage = st.one_of(st.none(), st.sampled_from(legal_order()))


@given(
    acts=acts_before,
    stage=any_stage,
    lease=st.one_of(st.none(), st.dates(min_value=date(1990, 1, 1))),
    today=st.dates(min_value=date(2015, 1, 1), max_value=date(2035, 12, 31)),
)
def test_without_a_commandement_de_quitter_no_statement_says_an_eviction_can_be_carried_out(acts, stage, lease, today):
    notices = statements(acts, lease, today, stage)
    assert not SAYS_EVICTION_POSSIBLE.search(said(notices))
    assert "expulsion_au_plus_tot" not in {n.key for n in notices}


@pytest.mark.parametrize("stage", legal_order())
def test_every_stage_reached_without_a_commandement_de_quitter(stage):
    for today in (date(2026, 6, 15), date(2026, 9, 15), date(2026, 12, 15)):
        acts = {code: date(2026, 5, 4) for code in BEFORE_COMMANDEMENT_QUITTER if code != "jugement"}
        notices = statements(acts, None, today, stage)
        assert not SAYS_EVICTION_POSSIBLE.search(said(notices)), (stage, today)


def test_a_commandement_de_quitter_ending_in_the_truce():
    notices = {n.key: n for n in statements({"commandement_quitter": date(2026, 9, 20)}, None, date(2026, 11, 28))}
    eviction = notices["expulsion_au_plus_tot"]
    assert eviction.on == date(2026, 11, 20)
    assert "le délai de deux mois avant l'expiration duquel aucune expulsion ne peut avoir lieu" in eviction.text
    assert "20/11/2026" in eviction.text and "L412-1" in eviction.article
    assert any("réduire ou le supprimer" in c and "voies de fait" in c for c in eviction.caveats)  # L412-1 al. 2
    assert any("d'un mois à un an" in c and "L412-3" in c for c in eviction.caveats)
    truce = notices["treve_hivernale"]
    assert truce.on == date(2027, 4, 1) and "01/04/2027" in truce.text and "L412-6" in truce.article
    assert any("relogement" in c and "voies de fait" in c for c in truce.caveats)


def test_lease_date_unknown_says_both_dates():
    (notice,) = statements({"commandement_payer": date(2024, 2, 5)}, None, date(2024, 2, 10))
    assert "18/03/2024" in notice.text and "05/04/2024" in notice.text and "29/07/2023" in notice.text
    assert notice.on == date(2024, 3, 18)
    assert "inconnue" in notice.text
    assert any("trois ans" in c for c in notice.caveats)  # art. 24 V


def test_an_old_lease_refers_to_its_own_clause():
    (notice,) = statements({"commandement_payer": date(2024, 2, 5)}, date(2023, 7, 28), date(2024, 2, 10))
    assert notice.on == date(2024, 4, 5) and "deux mois" in notice.text
    assert any("24-70.002" in c for c in notice.caveats)


def test_a_delay_to_pay_ending_on_a_saturday_says_the_report_is_not_certain():
    (notice,) = statements({"commandement_payer": date(2024, 2, 10)}, date(2024, 1, 1), date(2024, 2, 12))
    assert notice.on == date(2024, 3, 23)
    assert any("n'est pas un jour ouvrable" in c and "642" in c for c in notice.caveats)


def test_the_appeal_of_a_decision_of_unknown_kind_gives_both_delays():
    """CPC 490 (référé: 15 days) and 538 (merits: one month); 642 carries 02/03/2024, a Saturday, to Monday."""
    (notice,) = statements({"signification_jugement": date(2024, 2, 16)}, None, date(2024, 4, 1), "appel")[:1]
    assert notice.key == "appel" and notice.on == date(2024, 3, 4)
    assert "a expiré le 04/03/2024" in notice.text and "le 18/03/2024 pour un jugement au fond" in notice.text
    assert "490" in notice.article and "538" in notice.article
    assert any("680" in c for c in notice.caveats) and any("2020-1717" in c for c in notice.caveats)
    assert any("478" in c for c in notice.caveats)


def test_the_prefects_silence():
    notices = {
        n.key: n
        for n in statements(
            {"commandement_quitter": date(2024, 3, 1), "requisition_cfp": date(2024, 6, 3)}, None, date(2024, 6, 10)
        )
    }
    assert notices["refus_implicite_cfp"].on == date(2024, 8, 3)
    assert "R153-1" in notices["refus_implicite_cfp"].article


def test_every_notice_cites_its_articles():
    acts = {
        "commandement_payer": date(2024, 1, 8),
        "signification_jugement": date(2024, 6, 12),
        "commandement_quitter": date(2024, 6, 12),
        "requisition_cfp": date(2024, 9, 2),
    }
    for notice in statements(acts, None, date(2024, 10, 15)):
        assert re.search(r"[Aa]rt\. [LR]?\d", notice.article), notice


def test_the_latest_act_is_the_latest_by_date_then_legal_order():
    assert latest_act({"assignation": date(2024, 3, 1), "commandement_payer": date(2024, 1, 1)}) == "assignation"
    assert (
        latest_act({"commandement_payer": date(2025, 3, 1), "assignation": date(2024, 3, 1)}) == "commandement_payer"
    )  # a second procedure started
    assert latest_act({"assignation": date(2024, 3, 1), "fsl_demande": date(2024, 5, 1)}) == "assignation"
    assert latest_act({}) is None and set(NEXT_STEPS) <= set(legal_order())


@pytest.mark.parametrize("stage", [s for s in legal_order() if s != "prevention_amont"])
def test_each_stage_has_a_next_legal_step_with_its_articles(stage):
    text, article = next_step(stage)
    assert text and re.search(r"[Aa]rt\. [LR]?\d", article)


def test_no_next_step_before_any_unpaid_rent():
    assert next_step("prevention_amont") is None and next_step(None) is None and next_step("inconnu") is None


@pytest.mark.parametrize(
    "today,within,expected",
    [
        pytest.param(date(2024, 3, 1), 30, ("clause_resolutoire", date(2024, 3, 18)), id="the earlier of two dates"),
        pytest.param(date(2024, 3, 1), 10, None, id="nothing within 10 days"),
        pytest.param(date(2024, 3, 19), 30, ("clause_resolutoire", date(2024, 4, 5)), id="the later one once passed"),
        pytest.param(date(2024, 4, 6), 30, None, id="everything passed"),
    ],
)
def test_next_deadline_within_days(today, within, expected):
    assert next_deadline({"commandement_payer": date(2024, 2, 5)}, None, today, within) == expected


def test_next_deadline_takes_the_first_of_several():
    acts = {"signification_jugement": date(2024, 6, 12), "commandement_quitter": date(2024, 6, 12)}
    assert next_deadline(acts, None, date(2024, 6, 20), 90) == ("appel", date(2024, 6, 27))  # 15 days: CPC 490


# The legal wording, checked against the texts (sources in tests/test_deadlines.py and below).


def test_the_first_possible_day_is_the_day_after_the_two_months():
    """CPCE L412-1 "à l'expiration d'un délai de deux mois"; CPC 642 al. 1: at midnight of 10/06."""
    notices = {n.key: n for n in statements({"commandement_quitter": date(2024, 4, 10)}, None, date(2024, 4, 12))}
    eviction = notices["expulsion_au_plus_tot"]
    assert eviction.on == date(2024, 6, 10) and "expire le 10/06/2024" in eviction.text
    assert "aucune expulsion avant le 11/06/2024" in eviction.text
    assert "treve_hivernale" not in notices


def test_two_months_ending_on_31_october_lead_to_the_truce():
    """CPCE L412-1 + L412-6: the delay ends on 31/10 at midnight, the first possible day is 01/11."""
    notices = {n.key: n for n in statements({"commandement_quitter": date(2024, 8, 31)}, None, date(2024, 9, 5))}
    assert "31/10/2024" in notices["expulsion_au_plus_tot"].text
    assert notices["treve_hivernale"].on == date(2025, 4, 1) and "01/04/2025" in notices["treve_hivernale"].text


def test_a_commandement_served_today_ending_on_31_october_gives_1_april():
    """CPCE L411-1, L412-1, L412-6: served 31/08, the two months end 31/10, the next day is in the truce."""
    notices = {n.key: n for n in statements({"signification_jugement": date(2026, 8, 20)}, None, date(2026, 8, 31))}
    assert notices["pas_de_commandement_quitter"].on == date(2027, 4, 1)
    assert "01/04/2027" in notices["pas_de_commandement_quitter"].text


def test_the_truce_caveat_follows_l412_6_as_amended_in_2023():
    """CPCE L412-6 al. 1-3 (loi n° 2023-668): relogement; domicile d'autrui: no truce; another place:
    the judge may remove or reduce it (kohenavocats.fr, french-business-law.com); L412-8."""
    notices = {n.key: n for n in statements({"commandement_quitter": date(2026, 9, 20)}, None, date(2026, 11, 28))}
    (caveat,) = notices["treve_hivernale"].caveats
    assert "relogement" in caveat and "domicile d'autrui" in caveat
    assert "manœuvres, de menaces, de voies de fait ou de contrainte" in caveat
    assert "tout autre lieu que le domicile" in caveat and "L412-6" in caveat and "L412-8" in caveat


def test_the_judge_caveats_name_the_cases_of_l412_1_and_the_extension_of_l412_2():
    """CPCE L412-1 al. 1 (relogement procedure of CCH L442-4-1 not followed by the tenant's doing),
    al. 2 (entry by manœuvres, menaces, voies de fait ou contrainte: no delay); L412-2 (up to three
    more months); L412-3/L412-4 (one month to one year, loi n° 2023-668)."""
    notices = {n.key: n for n in statements({"commandement_quitter": date(2026, 9, 20)}, None, date(2026, 9, 28))}
    caveats = " ".join(notices["expulsion_au_plus_tot"].caveats)
    assert "L442-4-1" in caveats and "manœuvres, de menaces, de voies de fait ou de contrainte" in caveats
    assert "trois mois" in caveats and "L412-2" in caveats
    assert "d'un mois à un an" in caveats


def test_six_weeks_cite_what_the_avis_of_6_november_2025_decided():
    """Cass. 3e civ., avis, 6 nov. 2025, n° 25-70.018: rendered for the six weeks of art. 24 III
    (app.livv.eu, cloix-mendesgil.com); applied to art. 24 I as the same count, said so."""
    (notice,) = statements({"commandement_payer": date(2024, 2, 5)}, date(2023, 9, 1), date(2024, 2, 10))
    assert "25-70.018" in notice.article and "24 III" in notice.article and "42 jours" in notice.article
    assert any("délai minimal" in c for c in notice.caveats)  # avis 24-70.002: six weeks, a minimum


def test_a_lease_renewed_since_the_law_is_an_open_question():
    """Avis n° 24-70.002 answers for leases in progress on 29/07/2023; the request also asked about
    leases renewed or tacitly renewed since, which the answer does not settle."""
    for lease in (date(2023, 7, 28), None):
        (notice,) = statements({"commandement_payer": date(2024, 2, 5)}, lease, date(2024, 2, 10))
        assert any("tacitement reconduit" in c and "29/07/2023" in c for c in notice.caveats), lease


def test_the_prefects_silence_does_not_claim_a_starting_point_the_text_does_not_give():
    """CPCE R153-1: "Le défaut de réponse dans un délai de deux mois équivaut à un refus" (app.livv.eu)."""
    notices = {n.key: n for n in statements({"requisition_cfp": date(2024, 6, 3)}, None, date(2024, 6, 10))}
    caveats = " ".join(notices["refus_implicite_cfp"].caveats)
    assert "courent de la réception" not in caveats and "point de départ" in caveats


def test_the_next_step_after_a_commandement_de_quitter_does_not_forbid_a_request_during_the_truce():
    """CPCE L412-6 suspends the eviction itself ("il est sursis à toute mesure d'expulsion"), not the
    request to the prefect (R153-1), which the texts checked do not tie to the truce."""
    text, article = next_step("commandement_quitter")
    assert "hors trêve hivernale, le commissaire de justice peut demander" not in text
    assert "aucune expulsion n'a lieu pendant la trêve hivernale" in text and "L412-6" in article


def test_delays_then_the_debt_paid_read_the_clause_deemed_never_applied():
    """Loi 89-462 art. 24 VII: a tenant who pays as the judgment set keeps the lease."""
    acts = {"jugement_delais": date(2025, 3, 3), "dette_soldee": date(2026, 2, 2)}
    found = situation(acts, today=date(2026, 3, 2))
    keys = {n.key: n for n in notices_module.statements(found, acts, date(2026, 3, 2))}
    assert "réputée n'avoir pas joué" in keys["dette_soldee"].text and "24 VII" in keys["dette_soldee"].article
    assert "dette notée soldée le 02/02/2026" in notices_module.summary(found)


def test_a_protocol_after_the_termination_reads_the_landlords_commitment():
    acts = {"jugement_resiliation": date(2025, 3, 3), "protocole_cohesion_signe": date(2025, 6, 2)}
    keys = {n.key: n for n in statements(acts, None, date(2025, 7, 1))}
    assert "renonce à poursuivre la procédure" in keys["protocole_cohesion"].text
    assert "L442-6-5" in keys["protocole_cohesion"].article


def test_a_commandement_whose_two_months_ended_reads_no_date_ahead_and_the_truce():
    acts = {"jugement_resiliation": date(2025, 3, 3), "commandement_quitter": date(2025, 5, 5)}
    said = notices_module.summary(situation(acts, today=date(2025, 12, 1)))
    assert "le délai de deux mois a pris fin" in said and "aucune n'a lieu avant le 01/04/2026" in said
    assert not SAYS_EVICTION_POSSIBLE.search(said)
