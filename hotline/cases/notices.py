"""What the household page says of a procedure: French statements, each with its date, the articles
it rests on and its caveats, derived from the acts and deadlines.py. Pure.

They inform; they never promise. No statement says that an eviction can be carried out: without a
commandement de quitter les lieux none can (CPCE L411-1), and after one the page gives the earliest
day the texts allow, with what may move it (the judge, the truce, delays granted).
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta

from hotline.cases.deadlines import (
    LAW_2023_IN_FORCE,
    add_months,
    after_truce,
    deadlines,
    earliest_eviction,
    in_winter_truce,
    is_working_day,
)
from hotline.reference import taxonomy
from hotline.templating import fr_date

CPCE = "code des procédures civiles d'exécution"
LOI_1989 = "loi n° 89-462 du 6 juillet 1989"
TRUCE_SOON_DAYS = 60
# From a judgment on, the household asks whether and when it can be evicted.
JUDGMENT_STAGES = ("jugement", "jugement_resiliation")

FORCED_ENTRY = "à l'aide de manœuvres, de menaces, de voies de fait ou de contrainte"
TRUCE_CAVEAT = ("La trêve ne s'applique pas lorsque le relogement des intéressés est assuré dans des conditions "
                "suffisantes respectant l'unité et les besoins de la famille, ni lorsque l'expulsion a été "
                f"prononcée en raison d'une introduction sans droit ni titre dans le domicile d'autrui {FORCED_ENTRY} ; "
                "le juge peut la supprimer ou la réduire pour des personnes entrées de cette façon dans tout autre "
                f"lieu que le domicile (art. L412-6 du {CPCE}). Elle ne s'applique pas non plus à l'expulsion du "
                "conjoint, partenaire ou concubin violent ordonnée par le juge aux affaires familiales "
                f"(art. L412-8 du {CPCE}).")
JUDGE_CAVEATS = (
    "Le délai de deux mois ne s'applique pas lorsque le juge qui ordonne l'expulsion constate une entrée dans les "
    f"locaux {FORCED_ENTRY} ; le juge peut aussi le réduire ou le supprimer, notamment lorsque la procédure de "
    "relogement de l'article L442-4-1 du code de la construction et de l'habitation n'a pas été suivie d'effet du "
    f"fait du locataire (art. L412-1 du {CPCE}).",
    "Le juge peut proroger ce délai de trois mois au plus lorsque l'expulsion aurait des conséquences d'une "
    "exceptionnelle dureté, notamment du fait de la période de l'année ou des circonstances atmosphériques "
    f"(art. L412-2 du {CPCE}).",
    "Le juge peut accorder des délais renouvelables pour quitter les lieux, d'un mois à un an, lorsque le "
    f"relogement ne peut avoir lieu dans des conditions normales (art. L412-3 et L412-4 du {CPCE}).",
)
PAYMENT_DELAYS_CAVEAT = (
    "Le juge peut accorder des délais de paiement, jusqu'à trois ans, au locataire en situation de régler sa dette "
    "qui a repris le paiement intégral du loyer courant avant l'audience ; les effets de la clause résolutoire sont "
    "alors suspendus (art. 24 V et VII de la " + LOI_1989 + ").")


@dataclass(frozen=True)
class Notice:
    key: str
    text: str
    on: date | None  # the date it is about (the earlier one when two are possible); None: not known
    article: str
    caveats: tuple[str, ...] = ()


def legal_order() -> list[str]:
    return [code for code in taxonomy()["procedure_stages"] if code != "inconnu"]


def furthest_stage(acts: Mapping[str, date], stage: str | None = None) -> str | None:
    """The furthest stage reached, in legal order, among the acts and the stage known without a date."""
    order = legal_order()
    reached = [code for code in (*acts, stage) if code in order]
    return max(reached, key=order.index) if reached else None


def _expires(day: date, today: date) -> str:
    return f"expire le {fr_date(day)}" if day >= today else f"a expiré le {fr_date(day)}"


def _weekday_caveat(day: date) -> tuple[str, ...]:
    if is_working_day(day):
        return ()
    return (f"Le {fr_date(day)} n'est pas un jour ouvrable : le report au jour ouvrable suivant (art. 642 du code de "
            "procédure civile) n'est pas acquis pour ce délai ; un paiement fait avant ce jour ne pose pas la "
            "question.",)


SIX_WEEKS_SOURCE = ("six semaines comptées comme 42 jours, le jour du commandement non compté (art. 641 du code de "
                    "procédure civile ; même calcul que Cass. 3e civ., avis, 6 nov. 2025, n° 25-70.018, rendu pour "
                    "le délai de six semaines de l'art. 24 III)")
OLD_LEASE_SOURCE = "bail antérieur : Cass. 3e civ., avis, 13 juin 2024, n° 24-70.002"
RENEWED_LEASE_CAVEAT = ("Si le bail a été renouvelé ou tacitement reconduit depuis le 29/07/2023, l'avis du 13 juin "
                        "2024 ne dit pas quel délai s'applique : question non tranchée, retenir la date la plus "
                        "proche.")
MINIMUM_CAVEAT = ("Six semaines sont le délai minimal de la loi : si la clause du bail prévoit un délai plus long, "
                  "c'est ce délai qui compte (le vérifier sur le bail).")


def _clause_resolutoire(served: date, due: date | tuple[date, date], lease: date | None, today: date) -> Notice:
    opening = f"Commandement de payer du {fr_date(served)} : le délai pour régler la dette"
    closing = "avant que la clause résolutoire du bail puisse être invoquée"
    article = f"Art. 24 I de la {LOI_1989} (loi n° 2023-668)"
    if isinstance(due, tuple):
        six_weeks, two_months = due
        text = (f"{opening} {closing} {_expires(six_weeks, today)} si le bail a été signé à partir du "
                f"29/07/2023 (six semaines), le {fr_date(two_months)} s'il a été signé avant (deux mois). "
                "Date de signature du bail inconnue : à demander au ménage.")
        caveats = (RENEWED_LEASE_CAVEAT, *_weekday_caveat(six_weeks), *_weekday_caveat(two_months))
        on, article = six_weeks, f"{article} ; {SIX_WEEKS_SOURCE} ; {OLD_LEASE_SOURCE}"
    elif lease is not None and lease < LAW_2023_IN_FORCE:
        text = f"{opening} {closing} {_expires(due, today)} (deux mois : bail signé le {fr_date(lease)})."
        caveats = ("Pour un bail signé avant le 29/07/2023, le délai est celui de la clause du bail, deux mois au "
                   "moins (Cass. 3e civ., avis, 13 juin 2024, n° 24-70.002) : le vérifier sur le bail.",
                   RENEWED_LEASE_CAVEAT, *_weekday_caveat(due))
        on, article = due, f"{article} ; {OLD_LEASE_SOURCE}"
    else:
        text = f"{opening} {closing} {_expires(due, today)} (six semaines : bail signé le {fr_date(lease)})."
        caveats = (MINIMUM_CAVEAT, *_weekday_caveat(due))
        on, article = due, f"{article} ; {SIX_WEEKS_SOURCE}"
    caveats += ("Passé ce délai, la résiliation du bail doit encore être constatée par le juge.",
                PAYMENT_DELAYS_CAVEAT)
    return Notice("clause_resolutoire", text, on, article, caveats)


def _appeal(served: date, last_day: date, today: date) -> Notice:
    return Notice(
        "appel",
        f"Jugement signifié le {fr_date(served)} : le délai d'appel d'un mois {_expires(last_day, today)}.",
        last_day, "Art. 538, 641 et 642 du code de procédure civile",
        ("Quinze jours seulement s'il s'agit d'une ordonnance de référé (art. 490 du code de procédure civile) : "
         "vérifier la décision signifiée.",
         "L'appel ne suspend pas, en principe, l'exécution du jugement : l'exécution provisoire est de droit "
         "(art. 514 du code de procédure civile), sauf si le juge l'a écartée."))


def _eviction(served: date, earliest: date, today: date) -> list[Notice]:
    two_months = add_months(served, 2)
    in_truce = earliest != two_months + timedelta(days=1)
    found = [Notice(
        "expulsion_au_plus_tot",
        f"Commandement de quitter les lieux du {fr_date(served)} : le délai de deux mois avant l'expiration "
        f"duquel aucune expulsion ne peut avoir lieu {_expires(two_months, today)}"
        + ("." if in_truce else f" à minuit : aucune expulsion avant le {fr_date(earliest)}."),
        two_months, f"Art. L411-1 et L412-1 du {CPCE}",
        (*JUDGE_CAVEATS,
         "Si le ménage reste dans les lieux, l'expulsion forcée suppose en outre le concours de la force publique, "
         f"demandé au préfet (art. R153-1 du {CPCE})."))]
    if in_truce:
        found.append(Notice(
            "treve_hivernale",
            f"Ce délai prend fin pendant la trêve hivernale : aucune expulsion avant le {fr_date(earliest)}.",
            earliest, f"Art. L412-6 du {CPCE}", (TRUCE_CAVEAT,)))
    elif notice := _truce_around(today, after=earliest):
        found.append(notice)
    return found


def _truce_around(today: date, after: date | None = None) -> Notice | None:
    """The truce in force today, or starting within TRUCE_SOON_DAYS (only if it matters after `after`)."""
    if in_winter_truce(today):
        end = after_truce(today)
        return Notice("treve_hivernale",
                      f"Trêve hivernale en cours : aucune expulsion avant le {fr_date(end)}.",
                      end, f"Art. L412-6 du {CPCE}", (TRUCE_CAVEAT,))
    start = date(today.year, 11, 1)
    if (start - today).days <= TRUCE_SOON_DAYS and (after is None or after < start):
        return Notice("treve_hivernale",
                      f"La trêve hivernale commence le {fr_date(start)} : aucune expulsion du {fr_date(start)} "
                      f"au 31/03/{start.year + 1}.",
                      start, f"Art. L412-6 du {CPCE}", (TRUCE_CAVEAT,))
    return None


def _no_commandement_yet(today: date, served_undated: bool) -> list[Notice]:
    if served_undated:
        found = [Notice(
            "commandement_quitter_sans_date",
            "Le commandement de quitter les lieux est noté sans date : aucune expulsion ne peut avoir lieu avant "
            "l'expiration du délai de deux mois qui le suit. Noter sa date pour connaître ce jour.",
            None, f"Art. L412-1 du {CPCE}", JUDGE_CAVEATS)]
    else:
        soonest = earliest_eviction(today)
        found = [Notice(
            "pas_de_commandement_quitter",
            "Aucun commandement de quitter les lieux n'est noté : aucune expulsion ne peut avoir lieu sans ce "
            "commandement, puis avant l'expiration d'un délai de deux mois qui le suit. Si un commandement était "
            f"délivré aujourd'hui, pas d'expulsion avant le {fr_date(soonest)}.",
            soonest, f"Art. L411-1, L412-1 et L412-6 du {CPCE}",
            ("Si un commandement a été délivré, noter sa date : les dates ci-dessus en dépendent.", *JUDGE_CAVEATS))]
    if notice := _truce_around(today):
        found.append(notice)
    return found


def _refusal(asked: date, refusal: date, today: date) -> Notice:
    return Notice(
        "refus_implicite_cfp",
        f"Concours de la force publique demandé le {fr_date(asked)} : sans réponse du préfet, la demande est "
        f"réputée refusée au bout de deux mois, le {fr_date(refusal)}.",
        refusal, f"Art. R153-1 du {CPCE}",
        ("Le texte ne fixe pas le point de départ des deux mois ; la date comptée est celle de la demande notée : "
         "si le préfet l'a reçue plus tard, le refus implicite naît plus tard.",
         f"Le refus du concours ouvre au bailleur un droit à réparation par l'État (art. L153-1 du {CPCE})."))


def statements(acts: Mapping[str, date], lease_signed_on: date | None, today: date,
               stage: str | None = None) -> list[Notice]:
    """The notices for a case with these acts ({stage: day served or held}), on `today`.
    `stage`: the furthest stage known, when the consultation recorded one without a date."""
    due = deadlines(acts, lease_signed_on)
    order = legal_order()
    reached = furthest_stage(acts, stage)
    found: list[Notice] = []
    if "clause_resolutoire" in due:
        found.append(_clause_resolutoire(acts["commandement_payer"], due["clause_resolutoire"], lease_signed_on,
                                         today))
    if "appel" in due:
        found.append(_appeal(acts["signification_jugement"], due["appel"], today))
    if "expulsion_au_plus_tot" in due:
        found += _eviction(acts["commandement_quitter"], due["expulsion_au_plus_tot"], today)
    elif reached is not None and order.index(reached) >= order.index("jugement") \
            and reached not in ("jugement_delais", "jugement_rejet", "expulsion_effective"):
        found += _no_commandement_yet(today, order.index(reached) >= order.index("commandement_quitter"))
    if "refus_implicite_cfp" in due:
        found.append(_refusal(acts["requisition_cfp"], due["refus_implicite_cfp"], today))
    return found


# The next step the texts provide after each stage: (what may come next, the articles).
NEXT_STEPS: dict[str, tuple[str, str]] = {
    "impaye": ("Le bailleur peut faire délivrer par un commissaire de justice un commandement de payer visant la "
               "clause résolutoire ; un bailleur personne morale autre qu'une SCI familiale doit d'abord saisir la "
               "CCAPEX, deux mois au moins avant d'assigner.", f"Art. 24 I et II de la {LOI_1989}"),
    "conge_bailleur": ("À la fin du bail, si le locataire reste dans les lieux, le bailleur peut demander au juge "
                       "de valider le congé et d'ordonner l'expulsion.", f"Art. 15 de la {LOI_1989}"),
    "commandement_payer": ("Si la dette n'est pas réglée dans le délai du commandement, le bailleur peut assigner "
                           "le locataire devant le juge pour faire constater la résiliation du bail.",
                           f"Art. 24 I et III de la {LOI_1989}"),
    "signalement_ccapex_bailleur": ("Le bailleur peut assigner deux mois après la saisine de la CCAPEX.",
                                    f"Art. 24 II de la {LOI_1989}"),
    "assignation": ("L'assignation est notifiée au préfet six semaines au moins avant l'audience ; un diagnostic "
                    "social et financier est réalisé avant l'audience.", f"Art. 24 III de la {LOI_1989}"),
    "diagnostic_social_financier": ("À l'audience, le locataire peut demander des délais de paiement, jusqu'à "
                                    "trois ans.", f"Art. 24 V de la {LOI_1989}"),
    "audience": ("Le juge constate ou prononce la résiliation, accorde des délais de paiement qui suspendent la "
                 "clause résolutoire, ou rejette la demande.", f"Art. 24 V et VII de la {LOI_1989}"),
    "jugement": ("Le jugement doit être signifié par un commissaire de justice ; la signification ouvre le délai "
                 "d'appel d'un mois.", "Art. 503 et 538 du code de procédure civile"),
    "jugement_delais": ("Si les délais sont respectés, la clause résolutoire est réputée n'avoir pas joué ; la "
                        "suspension prend fin au premier impayé.", f"Art. 24 VII de la {LOI_1989}"),
    "jugement_rejet": ("Le bailleur peut faire appel dans le mois qui suit la signification du jugement.",
                       "Art. 538 du code de procédure civile"),
    "signification_jugement": ("Appel possible dans le mois ; un commandement de quitter les lieux peut être "
                               "délivré, qui ouvre un délai de deux mois avant toute expulsion.",
                               f"Art. 538 du code de procédure civile ; art. L411-1 et L412-1 du {CPCE}"),
    "appel": ("La cour d'appel statue ; l'appel ne suspend pas l'exécution provisoire du jugement, sauf décision "
              "du premier président.", "Art. 514 et 514-3 du code de procédure civile"),
    "commandement_quitter": ("Le ménage peut demander des délais au juge de l'exécution ; à l'expiration des deux "
                             "mois, le commissaire de justice peut demander au préfet le concours de la force "
                             "publique ; aucune expulsion n'a lieu pendant la trêve hivernale.",
                             f"Art. L412-1, L412-3, L412-6 et R153-1 du {CPCE}"),
    "saisine_jex": ("Le juge de l'exécution peut accorder des délais d'un mois à un an pour quitter les lieux.",
                    f"Art. L412-3 et L412-4 du {CPCE}"),
    "requisition_cfp": ("Le préfet accorde ou refuse le concours de la force publique ; son silence pendant deux "
                        "mois vaut refus.", f"Art. R153-1 du {CPCE}"),
    "cfp_accorde": ("Le commissaire de justice peut procéder aux opérations d'expulsion avec la force publique, "
                    "une fois expiré le délai de deux mois qui suit le commandement de quitter les lieux et hors "
                    "trêve hivernale.", f"Art. L412-1 et L412-6 du {CPCE}"),
    "cfp_refuse": ("Le refus du concours ouvre au bailleur un droit à réparation par l'État.",
                   f"Art. L153-1 du {CPCE}"),
    "expulsion_effective": ("Les biens laissés sur place sont inventoriés ; le ménage peut les retirer dans le "
                            "délai indiqué au procès-verbal d'expulsion.", f"Art. L433-1 du {CPCE}"),
}
NEXT_STEPS["signalement_caf"] = NEXT_STEPS["impaye"]
NEXT_STEPS["jugement_resiliation"] = NEXT_STEPS["jugement"]


def next_step(stage: str | None) -> tuple[str, str] | None:
    """(what the texts provide next, the articles) after `stage`; None before any unpaid rent or when unknown."""
    return NEXT_STEPS.get(stage or "")


def next_deadline(acts: Mapping[str, date], lease_signed_on: date | None, today: date,
                  within_days: int) -> tuple[str, date] | None:
    """The first deadline from today to today + within_days, as (deadlines() key, day), or None.
    When two dates are possible (lease date unknown), the first one still ahead counts."""
    horizon = today + timedelta(days=within_days)
    coming = [(day, key) for key, days in deadlines(acts, lease_signed_on).items()
              for day in (days if isinstance(days, tuple) else (days,))]
    due = sorted((day, key) for day, key in coming if today <= day <= horizon)
    return (due[0][1], due[0][0]) if due else None
