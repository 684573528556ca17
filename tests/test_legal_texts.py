"""The rules the jurists read, checked against the texts in force on 2026-12-07 (search tool, corpus
"pages"; URL as the result gave it). Each test names the article and fails on the text it replaced.

- CPCE L412-1 al. 2 (loi n° 2023-668): "Le délai prévu au premier alinéa [...] ne s'applique pas lorsque
  le juge qui ordonne l'expulsion constate la mauvaise foi de l'occupant ou que les personnes [...] sont
  entrées dans les locaux à l'aide de manœuvres, de menaces, de voies de fait ou de contrainte"
  (french-business-law.com/rench-legislation-art/article-l412-1-..., neujanicki.com).
- CPCE L412-3 al. 3-4 and L412-4 (loi n° 2023-668): no delays to leave when the tenant is in bad faith or
  the CCH L442-4-1 rehousing failed by the tenant's doing, nor for occupants who entered by manœuvres...;
  one month to one year (french-business-law.com article-l412-3, article-l412-4; neujanicki.com).
- Loi n° 89-462 art. 24 II: the CCAPEX referral of a legal-person landlord "est réputée constituée lorsque
  persiste une situation d'impayés, préalablement signalée [...] aux organismes payeurs des aides au
  logement" (svp.com note on EXPLOC; tpil.org: "La saisine de la CAF/MSA vaut saisine de la CCAPEX").
- Art. 24 I and avis n° 24-70.002: ANIL reads six weeks for leases "conclus, reconduits ou renouvelés
  depuis le 29 juillet 2023" (anil.org, réagissez dès le premier impayé); the avis leaves it open.
"""

from datetime import date

from hotline.cases import fiche, notices
from hotline.cases.path import WARNINGS, situation


def _notices(acts, today, lease=None):
    found = situation(acts, lease_signed_on=lease, today=today)
    return {n.key: n for n in notices.statements(found, acts, today)}


def test_the_two_months_of_l412_1_do_not_apply_to_an_occupant_the_judge_finds_in_bad_faith():
    """CPCE L412-1 al. 2 as amended by loi n° 2023-668: bad faith, or entry by manœuvres..."""
    found = _notices(
        {"jugement_resiliation": date(2026, 6, 1), "commandement_quitter": date(2026, 9, 20)}, date(2026, 9, 28)
    )
    (l412_1,) = [c for c in found["expulsion_au_plus_tot"].caveats if "L412-1" in c]
    assert "mauvaise foi" in l412_1 and "manœuvres, de menaces, de voies de fait ou de contrainte" in l412_1


def test_the_judges_delays_to_leave_are_excluded_in_the_cases_of_l412_3():
    """CPCE L412-3 al. 3-4: bad faith, L442-4-1 rehousing failed by the tenant, entry by manœuvres...;
    L412-4: one month to one year."""
    found = _notices(
        {"jugement_resiliation": date(2026, 6, 1), "commandement_quitter": date(2026, 9, 20)}, date(2026, 9, 28)
    )
    (l412_3,) = [c for c in found["expulsion_au_plus_tot"].caveats if "L412-3" in c]
    assert "d'un mois à un an" in l412_3 and "mauvaise foi" in l412_3
    assert "L442-4-1" in l412_3 and "manœuvres" in l412_3


def test_the_ccapex_warning_says_a_caf_report_counts_as_the_referral():
    """Loi 89-462 art. 24 II: "réputée constituée" by the report to the CAF or MSA."""
    assert "CAF" in WARNINGS["ccapex_bailleur_tardive"] and "réputée" in WARNINGS["ccapex_bailleur_tardive"]
    acts = {"signalement_caf": date(2024, 11, 4), "signalement_ccapex_bailleur": date(2025, 1, 10)}
    acts["assignation"] = date(2025, 2, 10)
    assert situation(acts, landlord_type="bailleur_social", today=date(2025, 3, 1)).warnings == frozenset()


def test_a_renewed_lease_names_the_reading_of_the_anil():
    """Art. 24 I, avis n° 24-70.002: open for leases renewed since 29/07/2023; ANIL reads six weeks."""
    found = _notices({"commandement_payer": date(2024, 2, 5)}, date(2024, 2, 10))
    caveats = " ".join(found["clause_resolutoire"].caveats)
    assert "tacitement reconduit" in caveats and "ANIL" in caveats and "six semaines" in caveats


def test_the_fiche_says_the_judge_may_have_shortened_the_two_months():
    """CPCE L412-1: the judge may reduce or remove the two months (and they do not apply in bad faith)."""
    (meaning,) = [text for word, text in fiche.GLOSSARY if word == "Commandement de quitter les lieux"]
    assert "deux mois" in meaning and "juge" in meaning


def test_the_truce_caveat_names_the_student_housing_of_l412_7():
    """CPCE L412-7: L412-3 to L412-6 do not apply to occupants of student housing who no longer meet its
    conditions (french-business-law.com, article-l412-7)."""
    found = _notices(
        {"jugement_resiliation": date(2026, 6, 1), "commandement_quitter": date(2026, 9, 20)}, date(2026, 11, 28)
    )
    (caveat,) = found["treve_hivernale"].caveats
    assert "L412-7" in caveat and "étudiants" in caveat


def test_legal_aid_opens_a_new_delay_of_the_same_length():
    """Décret n° 2020-1717 art. 43: the appeal is deemed made in time if the aid was asked before the delay
    ended and the appeal is made within "un nouveau délai de même durée" from the notification of the
    decision on the aid, or the later designation of the lawyer (doctrine.fr LEGIARTI000042873224)."""
    found = _notices({"jugement": date(2026, 6, 1), "signification_jugement": date(2026, 6, 8)}, date(2026, 6, 10))
    (aid,) = [c for c in found["appel"].caveats if "aide juridictionnelle" in c]
    assert "nouveau délai de même durée" in aid and "désignation de l'avocat" in aid and "art. 43" in aid


def test_the_protocol_cites_the_article_of_conventionne_housing_too():
    """CCH L353-15-2: "Lorsque le bail de l'occupant d'un logement appartenant à un organisme d'habitations à
    loyer modéré [...] est résilié par décision judiciaire pour défaut de paiement [...], la signature d'un
    protocole d'accord [...] vaut titre d'occupation et donne droit à l'aide personnalisée au logement"
    (doctrine.fr LEGIARTI000006825015): the conventionné (APL) housing's article beside L442-6-5."""
    found = _notices(
        {"jugement_resiliation": date(2025, 3, 3), "protocole_cohesion_signe": date(2025, 6, 2)}, date(2025, 7, 1)
    )
    assert "L353-15-2" in found["protocole_cohesion"].article and "L442-6-5" in found["protocole_cohesion"].article
    assert "L353-15-2" in notices.PROTOCOL_STEP[1]


def test_delays_on_an_old_lease_name_the_avis_on_the_alur_law():
    """Art. 24 V and VII (loi n° 2023-668) on a lease signed before 29/07/2023: no avis found; for the ALUR
    law, Cass., avis, 16 févr. 2015, n° 14-70.011 (avis n° 15002) applied the judge's new power to grant
    delays to leases in progress, "effet légal" of the lease (seban-associes.avocat.fr, onb-france.com)."""
    found = _notices({"jugement_delais": date(2025, 3, 3)}, date(2025, 4, 1), lease=date(2019, 5, 1))
    caveats = " ".join(found["delais_de_paiement"].caveats)
    assert "14-70.011" in caveats and "n'est pas tranchée" in caveats


def test_after_the_eviction_the_belongings_can_be_taken_back_within_two_months():
    """CPCE L433-1 ("dans un délai fixé par voie réglementaire") and R433-1 3°: "dans le délai de deux mois
    non renouvelable à compter de la remise ou de la signification de l'acte"; L433-2: sold or deemed
    abandoned after it (kohenavocats.fr, articles L433-1 and R433-1; juriblio.fr, L433-2)."""
    found = _notices(
        {"jugement_resiliation": date(2025, 3, 3), "expulsion_effective": date(2026, 5, 4)}, date(2026, 5, 5)
    )
    (caveat,) = found["procedure_terminee"].caveats
    assert "deux mois" in caveat and "R433-1" in caveat and "papiers personnels" in caveat
    text, article = notices.NEXT_STEPS["expulsion_effective"]
    assert "deux mois" in text and "R433-1" in article
