"""What the household page says of a procedure: French statements, each with its date, the articles
it rests on and its caveats, read from the case's Situation (path.py), branch by branch. Pure.

They inform; they never promise. No statement says that an eviction can be carried out: without a
title and a commandement de quitter les lieux none can (CPCE L411-1), and after one the page gives
the earliest day the texts allow, with what may move it (the judge, the truce, delays granted). Where
no eviction can follow (a rejected claim, delays kept, a procedure over) no eviction date and no
truce notice is shown.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta

from hotline.cases.deadlines import (
    LAW_2023_IN_FORCE,
    add_months,
    after_truce,
    earliest_eviction,
    in_winter_truce,
    is_working_day,
)
from hotline.cases.path import ENDINGS, REFERE, WARNINGS, Situation
from hotline.core.formatting import fr_date
from hotline.reference import label, taxonomy

CPCE = "code des procédures civiles d'exécution"
LOI_1989 = "loi n° 89-462 du 6 juillet 1989"
CPC = "code de procédure civile"
TRUCE_SOON_DAYS = 60

FORCED_ENTRY = "à l'aide de manœuvres, de menaces, de voies de fait ou de contrainte"
TRUCE_CAVEAT = (
    "La trêve ne s'applique pas lorsque le relogement des intéressés est assuré dans des conditions "
    "suffisantes respectant l'unité et les besoins de la famille, ni lorsque l'expulsion a été "
    f"prononcée en raison d'une introduction sans droit ni titre dans le domicile d'autrui {FORCED_ENTRY} ; "
    "le juge peut la supprimer ou la réduire pour des personnes entrées de cette façon dans tout autre "
    f"lieu que le domicile (art. L412-6 du {CPCE}). Elle ne s'applique pas non plus à l'expulsion du "
    "conjoint, partenaire ou concubin violent ordonnée par le juge aux affaires familiales "
    f"(art. L412-8 du {CPCE}), ni aux occupants d'un logement destiné aux étudiants qui ne remplissent plus les "
    f"conditions de son attribution (art. L412-7 du {CPCE})."
)
JUDGE_CAVEATS = (
    "Le délai de deux mois ne s'applique pas lorsque le juge qui ordonne l'expulsion constate la mauvaise foi de "
    f"l'occupant ou une entrée dans les locaux {FORCED_ENTRY} ; le juge peut aussi le réduire ou le supprimer, "
    "notamment lorsque la procédure de relogement de l'article L442-4-1 du code de la construction et de "
    f"l'habitation n'a pas été suivie d'effet du fait du locataire (art. L412-1 du {CPCE}) : lire le jugement.",
    "Le juge peut proroger ce délai de trois mois au plus lorsque l'expulsion aurait des conséquences d'une "
    "exceptionnelle dureté, notamment du fait de la période de l'année ou des circonstances atmosphériques "
    f"(art. L412-2 du {CPCE}).",
    "Le juge peut accorder des délais renouvelables pour quitter les lieux, d'un mois à un an, lorsque le "
    "relogement ne peut avoir lieu dans des conditions normales ; il ne le peut pas, notamment, lorsque le "
    "locataire est de mauvaise foi, lorsque la procédure de relogement de l'article L442-4-1 du code de la "
    "construction et de l'habitation n'a pas été suivie d'effet de son fait, ni pour des occupants entrés dans "
    f"les locaux {FORCED_ENTRY} (art. L412-3 et L412-4 du {CPCE}).",
)
PAYMENT_DELAYS_CAVEAT = (
    "Le juge peut accorder des délais de paiement, jusqu'à trois ans, au locataire en situation de régler sa dette "
    "qui a repris le paiement intégral du loyer courant avant l'audience ; les effets de la clause résolutoire sont "
    "alors suspendus (art. 24 V et VII de la " + LOI_1989 + ")."
)


@dataclass(frozen=True)
class Notice:
    key: str
    text: str
    on: date | None  # the date it is about (the earlier one when two are possible); None: not known
    article: str
    caveats: tuple[str, ...] = ()


def legal_order() -> list[str]:
    return [code for code in taxonomy()["procedure_stages"] if code != "inconnu"]


def latest_act(acts: Mapping[str, date]) -> str | None:
    """The latest act of the procedure by date (events left out); on one day, the later in legal order."""
    order = legal_order()
    dated = [(day, order.index(code), code) for code, day in acts.items() if code in order]
    return max(dated)[2] if dated else None


def _expires(day: date, today: date) -> str:
    return f"expire le {fr_date(day)}" if day >= today else f"a expiré le {fr_date(day)}"


def _weekday_caveat(day: date) -> tuple[str, ...]:
    if is_working_day(day):
        return ()
    return (
        f"Le {fr_date(day)} n'est pas un jour ouvrable : le report au jour ouvrable suivant (art. 642 du code de "
        "procédure civile) n'est pas acquis pour ce délai ; un paiement fait avant ce jour ne pose pas la "
        "question.",
    )


SIX_WEEKS_SOURCE = (
    "six semaines comptées comme 42 jours, le jour du commandement non compté (art. 641 du code de "
    "procédure civile ; même calcul que Cass. 3e civ., avis, 6 nov. 2025, n° 25-70.018, rendu pour "
    "le délai de six semaines de l'art. 24 III)"
)
OLD_LEASE_SOURCE = "bail antérieur : Cass. 3e civ., avis, 13 juin 2024, n° 24-70.002"
RENEWED_LEASE_CAVEAT = (
    "Si le bail a été renouvelé ou tacitement reconduit depuis le 29/07/2023, l'avis du 13 juin "
    "2024 ne dit pas quel délai s'applique : question non tranchée par la Cour de cassation ; l'ANIL "
    "retient six semaines pour les baux reconduits ou renouvelés depuis cette date. Retenir la date la "
    "plus proche."
)
MINIMUM_CAVEAT = (
    "Six semaines sont le délai minimal de la loi : si la clause du bail prévoit un délai plus long, "
    "c'est ce délai qui compte (le vérifier sur le bail)."
)


def _clause_resolutoire(served: date, due: date | tuple[date, date], lease: date | None, today: date) -> Notice:
    opening = f"Commandement de payer du {fr_date(served)} : le délai pour régler la dette"
    closing = "avant que la clause résolutoire du bail puisse être invoquée"
    article = f"Art. 24 I de la {LOI_1989} (loi n° 2023-668)"
    if isinstance(due, tuple):
        six_weeks, two_months = due
        text = (
            f"{opening} {closing} {_expires(six_weeks, today)} si le bail a été signé à partir du "
            f"29/07/2023 (six semaines), le {fr_date(two_months)} s'il a été signé avant (deux mois). "
            "Date de signature du bail inconnue : à demander au ménage."
        )
        caveats = (RENEWED_LEASE_CAVEAT, *_weekday_caveat(six_weeks), *_weekday_caveat(two_months))
        on, article = six_weeks, f"{article} ; {SIX_WEEKS_SOURCE} ; {OLD_LEASE_SOURCE}"
    elif lease is not None and lease < LAW_2023_IN_FORCE:
        text = f"{opening} {closing} {_expires(due, today)} (deux mois : bail signé le {fr_date(lease)})."
        caveats = (
            "Pour un bail signé avant le 29/07/2023, le délai est celui de la clause du bail, deux mois au "
            "moins (Cass. 3e civ., avis, 13 juin 2024, n° 24-70.002) : le vérifier sur le bail.",
            RENEWED_LEASE_CAVEAT,
            *_weekday_caveat(due),
        )
        on, article = (
            due,
            (f"Art. 24 I de la {LOI_1989}, dans sa rédaction antérieure à la loi n° 2023-668 ; {OLD_LEASE_SOURCE}"),
        )
    else:
        text = f"{opening} {closing} {_expires(due, today)} (six semaines : bail signé le {fr_date(lease)})."
        caveats = (MINIMUM_CAVEAT, *_weekday_caveat(due))
        on, article = due, f"{article} ; {SIX_WEEKS_SOURCE}"
    caveats += ("Passé ce délai, la résiliation du bail doit encore être constatée par le juge.", PAYMENT_DELAYS_CAVEAT)
    return Notice("clause_resolutoire", text, on, article, caveats)


APPEAL_CAVEATS = (
    "Si le ménage demande l'aide juridictionnelle avant la fin du délai d'appel, l'appel reste recevable s'il est "
    "formé dans un nouveau délai de même durée, qui court de la notification de la décision sur l'aide (ou de la "
    "désignation de l'avocat, si elle est plus tardive ; en cas de rejet, du jour où il ne peut plus être "
    "contesté) (art. 43 du décret n° 2020-1717 du 28 décembre 2020).",
    "Le délai ne court pas si l'acte de signification n'indique pas, de manière très apparente, le délai d'appel et "
    f"ses modalités (art. 680 du {CPC}) : vérifier l'acte.",
    "Un jugement rendu par défaut, ou réputé contradictoire au seul motif qu'il est susceptible d'appel, est non avenu "
    f"s'il n'a pas été notifié dans les six mois de sa date (art. 478 du {CPC}).",
    "L'appel ne suspend pas, en principe, l'exécution du jugement : l'exécution provisoire est de droit "
    f"(art. 514 du {CPC}), sauf si le juge l'a écartée.",
)


def _appeal(served: date, until: date | tuple[date, date], kind: str, today: date) -> Notice:
    opening = f"Décision signifiée le {fr_date(served)} :"
    if isinstance(until, tuple):
        fifteen, month = until
        text = (
            f"{opening} le délai d'appel {_expires(fifteen, today)} s'il s'agit d'une ordonnance de référé "
            f"(quinze jours), le {fr_date(month)} pour un jugement au fond (un mois). Nature de la décision non "
            "notée : la vérifier sur l'acte signifié."
        )
        on, article = fifteen, f"Art. 490, 538, 641 et 642 du {CPC}"
    elif kind == REFERE:
        text = f"{opening} le délai d'appel de quinze jours d'une ordonnance de référé {_expires(until, today)}."
        on, article = until, f"Art. 490, 641 et 642 du {CPC}"
    else:
        text = f"{opening} le délai d'appel d'un mois d'un jugement au fond {_expires(until, today)}."
        on, article = until, f"Art. 538, 641 et 642 du {CPC}"
    return Notice("appel", text, on, article, APPEAL_CAVEATS)


PREFECT_CAVEAT = (
    "Le commissaire de justice doit saisir le préfet dès le commandement de quitter les lieux ; à "
    "défaut, le délai de deux mois est suspendu (art. L412-5 du " + CPCE + ")."
)


def _eviction(served: date, earliest: date, today: date) -> list[Notice]:
    two_months = add_months(served, 2)
    in_truce = earliest != two_months + timedelta(days=1)
    found = [
        Notice(
            "expulsion_au_plus_tot",
            f"Commandement de quitter les lieux du {fr_date(served)} : le délai de deux mois avant l'expiration "
            f"duquel aucune expulsion ne peut avoir lieu {_expires(two_months, today)}"
            + ("." if in_truce else f" à minuit : aucune expulsion avant le {fr_date(earliest)}."),
            two_months,
            f"Art. L411-1 et L412-1 du {CPCE}",
            (
                *JUDGE_CAVEATS,
                PREFECT_CAVEAT,
                "Si le ménage reste dans les lieux, l'expulsion forcée suppose en outre le concours de la force "
                f"publique, demandé au préfet (art. R153-1 du {CPCE}).",
            ),
        )
    ]
    if in_truce:
        found.append(
            Notice(
                "treve_hivernale",
                f"Ce délai prend fin pendant la trêve hivernale : aucune expulsion avant le {fr_date(earliest)}.",
                earliest,
                f"Art. L412-6 du {CPCE}",
                (TRUCE_CAVEAT,),
            )
        )
    elif notice := _truce_around(today, after=earliest):
        found.append(notice)
    return found


def _truce_around(today: date, after: date | None = None) -> Notice | None:
    """The truce in force today, or starting within TRUCE_SOON_DAYS (only if it matters after `after`)."""
    if in_winter_truce(today):
        end = after_truce(today)
        return Notice(
            "treve_hivernale",
            f"Trêve hivernale en cours : aucune expulsion avant le {fr_date(end)}.",
            end,
            f"Art. L412-6 du {CPCE}",
            (TRUCE_CAVEAT,),
        )
    start = date(today.year, 11, 1)
    if (start - today).days <= TRUCE_SOON_DAYS and (after is None or after < start):
        return Notice(
            "treve_hivernale",
            f"La trêve hivernale commence le {fr_date(start)} : aucune expulsion du {fr_date(start)} "
            f"au 31/03/{start.year + 1}.",
            start,
            f"Art. L412-6 du {CPCE}",
            (TRUCE_CAVEAT,),
        )
    return None


def _named(judgment: tuple[str, date | None]) -> str:
    code, day = judgment
    return (
        f"{label('procedure_stages', code)} du {fr_date(day)}"
        if day
        else f"{label('procedure_stages', code)} (noté sans date)"
    )


def _no_commandement_yet(judgment: tuple[str, date | None], today: date, served_undated: bool) -> list[Notice]:
    code, _ = judgment
    named = _named(judgment)
    if served_undated:
        found = [
            Notice(
                "commandement_quitter_sans_date",
                "Le commandement de quitter les lieux est noté sans date : aucune expulsion ne peut avoir lieu avant "
                "l'expiration du délai de deux mois qui le suit. Noter sa date pour connaître ce jour.",
                None,
                f"Art. L412-1 du {CPCE}",
                (*JUDGE_CAVEATS, PREFECT_CAVEAT),
            )
        ]
    else:
        soonest = earliest_eviction(today)
        caveats = [
            "Si un commandement a été délivré, noter sa date : les dates ci-dessus en dépendent.",
            *JUDGE_CAVEATS,
            PREFECT_CAVEAT,
        ]
        if code in ("jugement", "arret_appel", "signification_jugement", "appel"):
            caveats.insert(
                0,
                "Le contenu de la décision n'est pas noté : si elle a accordé des délais de paiement ou "
                "rejeté la demande du bailleur, aucune expulsion ne suit ; le noter dès qu'il est connu.",
            )
        found = [
            Notice(
                "pas_de_commandement_quitter",
                f"{named} : aucun commandement de quitter les lieux n'est noté depuis. Aucune expulsion ne peut avoir "
                "lieu sans ce commandement, puis avant l'expiration d'un délai de deux mois qui le suit. Si un "
                f"commandement était délivré aujourd'hui, pas d'expulsion avant le {fr_date(soonest)}.",
                soonest,
                f"Art. L411-1, L412-1 et L412-6 du {CPCE}",
                tuple(caveats),
            )
        ]
    if notice := _truce_around(today):
        found.append(notice)
    return found


def _rejected(judgment: tuple[str, date | None]) -> Notice:
    return Notice(
        "demande_rejetee",
        f"{_named(judgment)} : la demande du bailleur a été rejetée. Ce jugement ne permet aucune "
        "expulsion et aucun commandement de quitter les lieux ne peut être délivré sur cette procédure. Le bailleur "
        "peut faire appel dans le délai qui court de la signification ; il peut aussi engager une nouvelle procédure "
        "si de nouveaux impayés surviennent.",
        None,
        f"Art. L411-1 du {CPCE} ; art. 490 et 538 du {CPC}",
    )


def _delays(judgment: tuple[str, date | None], lease: date | None) -> Notice:
    caveats = [
        "Si la suspension prend fin, la clause reprend son plein effet : le bailleur peut alors faire délivrer "
        "un commandement de quitter les lieux ; le noter ici s'il arrive."
    ]
    if lease is None or lease < LAW_2023_IN_FORCE:
        caveats.append(
            "Pour un bail signé avant le 29/07/2023, l'application de cette rédaction de 2023 n'est pas "
            "tranchée par les textes consultés ; pour la loi ALUR, la Cour de cassation a appliqué aux baux en "
            "cours les nouvelles règles des délais de paiement, pouvoir donné au juge par la loi et effet légal "
            "du bail (Cass., avis, 16 février 2015, n° 14-70.011). En cas de doute, conseiller de payer chaque "
            "échéance et chaque loyer à la date."
        )
    return Notice(
        "delais_de_paiement",
        f"{_named(judgment)} : le juge a accordé des délais de paiement. Les effets de la clause "
        "résolutoire sont suspendus pendant ces délais ; si le locataire se libère de sa dette dans le délai et selon "
        "les modalités fixés par le jugement, la clause est réputée n'avoir pas joué et le bail continue. La "
        "suspension prend fin dès le premier impayé ou dès que le locataire ne respecte pas les échéances fixées par "
        "le jugement : relire le jugement avec le ménage (montant et date de chaque échéance) et payer aussi le loyer "
        "courant. Aucune expulsion n'est possible tant que la suspension dure.",
        None,
        f"Art. 24 V et VII de la {LOI_1989} (loi n° 2023-668)",
        tuple(caveats),
    )


def _debt_paid(day: date, branch: str) -> Notice:
    text = f"La dette locative est notée soldée le {fr_date(day)}."
    if branch == "delais":
        text += (
            " Si elle l'a été dans le délai et selon les modalités fixés par le jugement, la clause résolutoire "
            "est réputée n'avoir pas joué : le bail continue."
        )
        article = f"Art. 24 VII de la {LOI_1989}"
    else:
        article = ""
    return Notice(
        "dette_soldee",
        text,
        day,
        article,
        (
            "Les frais de la procédure (actes du commissaire de justice, dépens) peuvent rester dus : le "
            "vérifier avec le bailleur.",
        ),
    )


def _protocol(day: date) -> Notice:
    return Notice(
        "protocole_cohesion",
        f"Protocole de cohésion sociale signé le {fr_date(day)} avec le bailleur social : "
        "tant que le ménage en respecte les engagements (loyer courant et remboursement de la dette), le bailleur "
        "renonce à poursuivre la procédure d'expulsion et s'engage à signer un nouveau bail à son terme.",
        day,
        "Art. L353-15-2 et L442-6-5 du code de la construction et de l'habitation",
        ("La durée et les engagements sont ceux du protocole signé : les relire avec le ménage.",),
    )


BELONGINGS = (
    "Les biens laissés sur place ou entreposés sont inventoriés au procès-verbal d'expulsion ; le ménage a deux "
    "mois, non renouvelables, à compter de la remise ou de la signification de ce procès-verbal pour les retirer ; "
    "passé ce délai, ceux qui ont une valeur marchande sont vendus aux enchères et les autres sont réputés "
    "abandonnés, sauf les papiers personnels, conservés deux ans par le commissaire de justice"
)
ENDING_TEXTS = {
    "expulsion_effective": "L'expulsion a eu lieu le {day}.",
    "depart_volontaire": "Le ménage a quitté le logement (départ volontaire ou remise des clés) le {day}.",
    "relogement_effectif": "Le ménage a été relogé le {day}.",
}


def _over(ending: tuple[str, date]) -> Notice:
    code, day = ending
    caveats = ()
    if code == "expulsion_effective":
        caveats = (f"{BELONGINGS} (art. L433-1, L433-2 et R433-1 du {CPCE}).",)
    return Notice(
        "procedure_terminee",
        f"{ENDING_TEXTS[code].format(day=fr_date(day))} La procédure d'expulsion est terminée : plus aucun "
        "délai de la procédure ne court. La dette locative éventuelle reste due.",
        None,
        f"Art. L411-1 du {CPCE}" if code == "expulsion_effective" else "",
        caveats,
    )


SURENDETTEMENT_TEXTS = {
    "depot_surendettement": "Dossier de surendettement déposé le {day}.",
    "recevabilite_surendettement": "Dossier de surendettement déclaré recevable le {day}.",
    "mesures_surendettement": "Mesures de traitement du surendettement décidées le {day}.",
    "retablissement_personnel": "Rétablissement personnel prononcé le {day}.",
}


def _surendettement(step: tuple[str, date]) -> Notice:
    code, day = step
    caveats = [
        "Dès la décision de recevabilité, la commission de surendettement peut saisir le juge pour qu'il suspende les "
        "mesures d'expulsion du logement (en cas d'urgence, le ménage lui-même peut le saisir) ; le juge la prononce "
        "si la situation du ménage l'exige, pour deux ans au plus, jusqu'au plan ou aux mesures (art. L722-6 à L722-9 "
        "du code de la consommation). Cette suspension n'est pas automatique.",
        f"Lorsqu'une procédure de surendettement est ouverte et que le locataire a repris le paiement du loyer et des "
        f"charges au jour de l'audience, le juge accorde des délais de paiement calqués sur le plan ou les mesures "
        f"(art. 24 VI de la {LOI_1989}).",
    ]
    if code == "retablissement_personnel":
        caveats.append(
            "En cas de rétablissement personnel, le juge suspend les effets de la clause résolutoire pendant "
            "deux ans à compter de la décision d'effacement ; si le locataire paie loyer et charges pendant "
            "ces deux ans, la clause est réputée n'avoir pas joué (art. 24 VI de la loi n° 89-462, d'après "
            "les commentaires : le texte exact de ces alinéas n'a pas pu être vérifié). Si la clause avait "
            "déjà produit ses effets avant la recevabilité, l'effacement ne les efface pas."
        )
    return Notice(
        "surendettement",
        SURENDETTEMENT_TEXTS[code].format(day=fr_date(day)),
        day,
        f"Art. L722-6 à L722-9 du code de la consommation ; art. 24 VI de la {LOI_1989}",
        tuple(caveats),
    )


def _refusal(asked: date, refusal: date, today: date) -> Notice:
    return Notice(
        "refus_implicite_cfp",
        f"Concours de la force publique demandé le {fr_date(asked)} : sans réponse du préfet, la demande est "
        f"réputée refusée au bout de deux mois, le {fr_date(refusal)}.",
        refusal,
        f"Art. R153-1 du {CPCE}",
        (
            "Le texte ne fixe pas le point de départ des deux mois ; la date comptée est celle de la demande notée : "
            "si le préfet l'a reçue plus tard, le refus implicite naît plus tard.",
            f"Le refus du concours ouvre au bailleur un droit à réparation par l'État (art. L153-1 du {CPCE}).",
        ),
    )


UNDATED_BRANCHES = {"jugement_rejet": "rejet", "jugement_delais": "delais"}


def reading(found: Situation, stage: str | None) -> tuple[str, tuple[str, date | None] | None]:
    """(branch, judgment) of the case, with the stage a consultation recorded without a date standing for
    a judgment only where no act is dated from a judgment on (branch "aucun_titre"): a judgment noted as
    a stage is a judgment whose date is not known."""
    order = legal_order()
    if (
        found.branch != "aucun_titre"
        or stage not in order
        or order.index(stage) < order.index("jugement")
        or stage in ENDINGS
    ):
        return found.branch, found.judgment
    return UNDATED_BRANCHES.get(stage, "titre"), (
        stage if stage in ("jugement", "jugement_resiliation", *UNDATED_BRANCHES) else "jugement",
        None,
    )


def statements(found: Situation, acts: Mapping[str, date], today: date, stage: str | None = None) -> list[Notice]:
    """The notices of a case's Situation `found`, whose acts are `acts` ({code: latest day}), on `today`.
    `stage`: the furthest stage known without a date (the latest consultation's), if any."""
    notices = [Notice(code, WARNINGS[code], None, "") for code in sorted(found.warnings)]
    if found.over:
        return [*notices, _over(found.ending)]
    if found.pay_until is not None:
        notices.append(_clause_resolutoire(acts["commandement_payer"], found.pay_until, found.lease_signed_on, today))
    if found.appeal_until is not None:
        notices.append(_appeal(acts["signification_jugement"], found.appeal_until, found.decision_kind, today))
    branch, judgment = reading(found, stage)
    if branch == "rejet":
        notices.append(_rejected(judgment))
    elif branch == "delais":
        notices.append(_delays(judgment, found.lease_signed_on))
    elif found.branch == "titre_et_commandement":
        notices += _eviction(found.commandement_quitter, found.eviction_possible_from, today)
        if found.judgment is None:
            notices.append(
                Notice(
                    "jugement_non_note",
                    "Un commandement de quitter les lieux est noté, mais aucune décision de justice : noter le "
                    "jugement (sa date et ce qu'il décide). S'il a accordé des délais de paiement ou rejeté la "
                    "demande, les dates ci-dessus ne s'appliquent pas.",
                    None,
                    f"Art. L411-1 du {CPCE}",
                )
            )
    elif branch == "titre":
        order = legal_order()
        undated = stage in order and order.index(stage) >= order.index("commandement_quitter") and stage not in ENDINGS
        notices += _no_commandement_yet(judgment, today, undated)
    if found.debt_paid_on is not None:
        notices.append(_debt_paid(found.debt_paid_on, branch))
    if found.protocol_on is not None:
        notices.append(_protocol(found.protocol_on))
    if found.cfp_refusal_on is not None:
        notices.append(_refusal(acts["requisition_cfp"], found.cfp_refusal_on, today))
    if found.surendettement is not None:
        notices.append(_surendettement(found.surendettement))
    return notices


# The next step the texts provide after each stage: (what may come next, the articles).
NEXT_STEPS: dict[str, tuple[str, str]] = {
    "impaye": (
        "Le bailleur peut faire délivrer par un commissaire de justice un commandement de payer visant la "
        "clause résolutoire ; un bailleur personne morale autre qu'une SCI familiale doit d'abord saisir la "
        "CCAPEX, deux mois au moins avant d'assigner.",
        f"Art. 24 I et II de la {LOI_1989}",
    ),
    "conge_bailleur": (
        "À la fin du bail, si le locataire reste dans les lieux, le bailleur peut demander au juge "
        "de valider le congé et d'ordonner l'expulsion.",
        f"Art. 15 de la {LOI_1989}",
    ),
    "commandement_payer": (
        "Si la dette n'est pas réglée dans le délai du commandement, le bailleur peut assigner "
        "le locataire devant le juge pour faire constater la résiliation du bail.",
        f"Art. 24 I et III de la {LOI_1989}",
    ),
    "signalement_ccapex_bailleur": (
        "Le bailleur peut assigner deux mois après la saisine de la CCAPEX.",
        f"Art. 24 II de la {LOI_1989}",
    ),
    "assignation": (
        "L'assignation est notifiée au préfet six semaines au moins avant l'audience ; un diagnostic "
        "social et financier est réalisé avant l'audience.",
        f"Art. 24 III de la {LOI_1989}",
    ),
    "diagnostic_social_financier": (
        "À l'audience, le locataire peut demander des délais de paiement, jusqu'à trois ans.",
        f"Art. 24 V de la {LOI_1989}",
    ),
    "audience": (
        "Le juge constate ou prononce la résiliation, accorde des délais de paiement qui suspendent la "
        "clause résolutoire, ou rejette la demande.",
        f"Art. 24 V et VII de la {LOI_1989}",
    ),
    "jugement": (
        "La décision doit être signifiée par un commissaire de justice ; la signification ouvre le délai "
        "d'appel : quinze jours pour une ordonnance de référé, un mois pour un jugement au fond.",
        f"Art. 503, 490 et 538 du {CPC}",
    ),
    "jugement_delais": (
        "Le locataire paie les échéances fixées par le jugement en plus du loyer courant ; s'il se "
        "libère ainsi de sa dette, la clause résolutoire est réputée n'avoir pas joué. La suspension "
        "prend fin dès le premier impayé ou dès qu'une échéance du jugement n'est pas respectée.",
        f"Art. 24 V et VII de la {LOI_1989}",
    ),
    "jugement_rejet": (
        "Le bailleur peut faire appel à compter de la signification : quinze jours pour une "
        "ordonnance de référé, un mois pour un jugement au fond. Sans appel, aucune expulsion ne suit "
        "cette procédure.",
        f"Art. 490 et 538 du {CPC} ; art. L411-1 du {CPCE}",
    ),
    "signification_jugement": (
        "Appel possible (quinze jours pour une ordonnance de référé, un mois pour un jugement "
        "au fond) ; si la décision ordonne l'expulsion, un commandement de quitter les lieux "
        "peut être délivré, qui ouvre un délai de deux mois avant toute expulsion.",
        f"Art. 490 et 538 du {CPC} ; art. L411-1 et L412-1 du {CPCE}",
    ),
    "signalement_ccapex_commissaire": (
        "Si la dette n'est pas réglée dans le délai du commandement, le bailleur peut "
        "assigner le locataire devant le juge.",
        f"Art. 24 I et III de la {LOI_1989}",
    ),
    "notification_prefet_assignation": (
        "Un diagnostic social et financier est réalisé avant l'audience ; le "
        "locataire peut y demander des délais de paiement.",
        f"Art. 24 III et V de la {LOI_1989}",
    ),
    "arret_appel": (
        "L'arrêt doit être signifié ; s'il ordonne l'expulsion, un commandement de quitter les lieux peut "
        "être délivré. Un pourvoi en cassation (deux mois) ne suspend pas l'exécution.",
        f"Art. 503, 612 et 579 du {CPC} ; art. L411-1 du {CPCE}",
    ),
    "pv_tentative_expulsion": (
        "Le ménage étant resté dans les lieux, le commissaire de justice peut demander au "
        "préfet le concours de la force publique.",
        f"Art. R153-1 du {CPCE}",
    ),
    "appel": (
        "La cour d'appel statue ; l'appel ne suspend pas l'exécution provisoire du jugement, sauf décision "
        "du premier président.",
        "Art. 514 et 514-3 du code de procédure civile",
    ),
    "commandement_quitter": (
        "Le ménage peut demander des délais au juge de l'exécution ; à l'expiration des deux "
        "mois, le commissaire de justice peut demander au préfet le concours de la force "
        "publique ; aucune expulsion n'a lieu pendant la trêve hivernale.",
        f"Art. L412-1, L412-3, L412-6 et R153-1 du {CPCE}",
    ),
    "saisine_jex": (
        "Le juge de l'exécution peut accorder des délais d'un mois à un an pour quitter les lieux.",
        f"Art. L412-3 et L412-4 du {CPCE}",
    ),
    "requisition_cfp": (
        "Le préfet accorde ou refuse le concours de la force publique ; son silence pendant deux mois vaut refus.",
        f"Art. R153-1 du {CPCE}",
    ),
    "cfp_accorde": (
        "Le commissaire de justice peut procéder aux opérations d'expulsion avec la force publique, "
        "une fois expiré le délai de deux mois qui suit le commandement de quitter les lieux et hors "
        "trêve hivernale.",
        f"Art. L412-1 et L412-6 du {CPCE}",
    ),
    "cfp_refuse": (
        "Le refus du concours ouvre au bailleur un droit à réparation par l'État.",
        f"Art. L153-1 du {CPCE}",
    ),
    "expulsion_effective": (
        f"{BELONGINGS}.",
        f"Art. L433-1, L433-2 et R433-1 du {CPCE}",
    ),
}
NEXT_STEPS["signalement_caf"] = NEXT_STEPS["impaye"]
PROTOCOL_STEP = (
    "Tant que le ménage respecte les engagements du protocole, le bailleur ne poursuit pas l'expulsion ; à son "
    "terme, il signe un nouveau bail. Si les engagements ne sont pas tenus, la procédure peut reprendre.",
    "Art. L353-15-2 et L442-6-5 du code de la construction et de l'habitation",
)
APPEAL_OVER_AFTER_REJECTION = (
    "Le délai d'appel est passé (si la signification était régulière) : sauf appel formé à temps, le rejet est "
    "définitif et aucune expulsion ne suit cette procédure ; de nouveaux impayés ouvriraient une nouvelle procédure.",
    f"Art. 490, 538 et 680 du {CPC} ; art. L411-1 du {CPCE}",
)
APPEAL_OVER_AFTER_TITLE = (
    "Le délai d'appel est passé (si la signification était régulière) : si la décision ordonne l'expulsion, un "
    "commandement de quitter les lieux peut être délivré, qui ouvre un délai de deux mois avant toute expulsion.",
    f"Art. 490, 538 et 680 du {CPC} ; art. L411-1 et L412-1 du {CPCE}",
)
NEXT_STEPS["jugement_resiliation"] = NEXT_STEPS["jugement"]


def next_step(found: Situation, acts: Mapping[str, date], stage: str | None = None) -> tuple[str, str] | None:
    """(what the texts provide next, the articles) on the case's branch: after a rejected claim or
    granted delays, what that judgment allows; once over, nothing; else after the latest act by date
    (the consultation's undated `stage` when no act is dated)."""
    if found.over:
        return NEXT_STEPS.get(found.ending[0])
    branch, judgment = reading(found, stage)
    if branch == "protocole":
        return PROTOCOL_STEP
    if branch == "delais" and found.debt_paid_on is not None:
        return (
            "La dette étant soldée, le bail se poursuit : payer le loyer courant à chaque échéance.",
            f"Art. 24 VII de la {LOI_1989}",
        )
    if branch == "rejet" and found.appeal_over:
        return APPEAL_OVER_AFTER_REJECTION
    if branch in ("rejet", "delais"):
        return NEXT_STEPS[judgment[0]]
    if found.appeal_over and latest_act(acts) == "signification_jugement":
        return APPEAL_OVER_AFTER_TITLE
    if judgment is not None and judgment[1] is None:  # a judgment known only as the consultation's stage
        return NEXT_STEPS.get(stage)
    return NEXT_STEPS.get(latest_act(acts) or stage or "")


def summary(found: Situation, stage: str | None = None) -> str:
    """Where the procedure stands, in one French sentence (the page's and the fiche's first line)."""
    if found.over:
        return ENDING_TEXTS[found.ending[0]].format(day=fr_date(found.ending[1])) + " La procédure est terminée."
    branch, _ = reading(found, stage)
    if branch == "rejet":
        return "La demande du bailleur a été rejetée : aucune expulsion ne peut suivre cette procédure."
    if branch == "delais" and found.debt_paid_on is not None:
        return (
            f"Délais de paiement accordés par le juge, dette notée soldée le {fr_date(found.debt_paid_on)} : "
            "la clause résolutoire est réputée n'avoir pas joué si les délais ont été respectés."
        )
    if branch == "delais":
        return "Le juge a accordé des délais de paiement : pas d'expulsion tant qu'ils sont respectés."
    if branch == "titre_et_commandement":
        served = f"Commandement de quitter les lieux du {fr_date(found.commandement_quitter)}"
        if found.eviction_possible_from > found.today:
            return f"{served} : aucune expulsion avant le {fr_date(found.eviction_possible_from)}."
        said = (
            f"{served} : le délai de deux mois a pris fin ; l'expulsion suppose encore le concours de la force publique"
        )
        if found.in_truce_now:
            said += f" et aucune n'a lieu avant le {fr_date(after_truce(found.today))} (trêve hivernale)"
        return said + "."
    if branch == "protocole":
        return (
            f"Protocole de cohésion sociale signé le {fr_date(found.protocol_on)} : tant qu'il est respecté, le "
            "bailleur ne poursuit pas l'expulsion et signe un nouveau bail à son terme."
        )
    if branch == "titre":
        return (
            "Une décision de justice est notée, mais aucun commandement de quitter les lieux depuis : aucune "
            "expulsion n'est possible avant ce commandement et les deux mois qui le suivent."
        )
    return "Aucun jugement n'est noté : aucune expulsion n'est possible sans décision de justice."
