"""The "fiche de situation": what a household (or its social worker) takes home, in plain French: where
its procedure stands, each date known, what can still be done before each coming date and where to
go. Pure: built from the case's Situation (path.py) and its dated acts; the words of the procedure
are explained in a glossary at the foot.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from hotline.cases import notices
from hotline.cases.deadlines import after_truce
from hotline.cases.path import Situation
from hotline.reference import labels

# What each act or event means, in a sentence a household reads without a lawyer.
PLAIN = {
    "prevention_amont": "Des difficultés pour payer le loyer ont été signalées.",
    "impaye": "Des loyers ne sont pas payés : une dette s'est formée.",
    "signalement_caf": "L'impayé a été signalé à la CAF ou à la MSA.",
    "conge_bailleur": "Le propriétaire a donné congé pour la fin du bail.",
    "commandement_payer": "Un commissaire de justice a remis un commandement de payer : un délai court pour payer la "
    "dette.",
    "signalement_ccapex_commissaire": "Le commissaire de justice a signalé le commandement de payer à la CCAPEX.",
    "signalement_ccapex_bailleur": "Le propriétaire a saisi la CCAPEX avant d'aller au tribunal.",
    "assignation": "Le propriétaire a saisi le tribunal (assignation) : une audience est fixée.",
    "notification_prefet_assignation": "L'assignation a été transmise au préfet.",
    "diagnostic_social_financier": "Un diagnostic social et financier a été fait avant l'audience.",
    "audience": "Audience au tribunal.",
    "jugement": "Le juge a rendu sa décision.",
    "jugement_delais": "Le juge a accordé des délais pour payer la dette.",
    "jugement_resiliation": "Le juge a mis fin au bail et ordonné l'expulsion.",
    "jugement_rejet": "Le juge a rejeté la demande du propriétaire.",
    "signification_jugement": "La décision a été remise officiellement par un commissaire de justice "
    "(signification) : le délai d'appel court.",
    "appel": "Un appel a été fait contre la décision.",
    "arret_appel": "La cour d'appel a rendu sa décision.",
    "commandement_quitter": "Un commissaire de justice a remis un commandement de quitter les lieux : un délai de "
    "deux mois court.",
    "saisine_jex": "Des délais pour quitter le logement ont été demandés au juge de l'exécution.",
    "pv_tentative_expulsion": "Le commissaire de justice est venu pour l'expulsion (procès-verbal de tentative).",
    "requisition_cfp": "Le préfet a été sollicité pour l'aide de la police (concours de la force publique).",
    "cfp_accorde": "Le préfet a accordé l'aide de la police.",
    "cfp_refuse": "Le préfet a refusé l'aide de la police.",
    "expulsion_effective": "L'expulsion a eu lieu.",
    "fsl_demande": "Une aide du Fonds de solidarité pour le logement (FSL) a été demandée.",
    "fsl_accorde": "Le FSL a accordé une aide.",
    "fsl_refuse": "Le FSL a refusé l'aide.",
    "plan_apurement": "Un plan pour rembourser la dette a été conclu avec le propriétaire.",
    "protocole_cohesion_signe": "Un protocole de cohésion sociale a été signé avec le bailleur social.",
    "depot_surendettement": "Un dossier de surendettement a été déposé à la Banque de France.",
    "recevabilite_surendettement": "Le dossier de surendettement a été déclaré recevable.",
    "mesures_surendettement": "Des mesures de surendettement ont été décidées (plan ou mesures imposées).",
    "retablissement_personnel": "Un rétablissement personnel a été prononcé (effacement des dettes).",
    "dette_soldee": "La dette de loyer est entièrement payée.",
    "depart_volontaire": "Le ménage a quitté le logement.",
    "relogement_effectif": "Le ménage a été relogé.",
}

# What can still be done before each coming date (Situation.deadlines_ahead keys).
BEFORE = {
    "clause_resolutoire": (
        "Payer la dette avant cette date, ou proposer un plan au propriétaire, évite que le bail "
        "prenne fin. Demander sans attendre une aide au FSL (Maison du Département Solidarité) "
        "et, si besoin, un rendez-vous avec un travailleur social."
    ),
    "appel": (
        "Pour faire appel, il faut un avocat : le demander avant cette date, avec l'aide juridictionnelle si "
        "les ressources sont faibles (la demande d'aide faite avant cette date arrête le délai)."
    ),
    "expulsion_au_plus_tot": (
        "Avant cette date : demander au juge de l'exécution des délais pour quitter le "
        "logement (un avocat ou le greffe peut aider), déposer ou relancer une demande de "
        "logement social et un recours DALO, contacter les services sociaux."
    ),
    "refus_implicite_cfp": "Continuer les démarches de relogement : la police peut être accordée après cette date.",
}
DEADLINE_TITLES = {
    "clause_resolutoire": "Fin du délai pour payer après le commandement de payer",
    "appel": "Dernier jour pour faire appel",
    "expulsion_au_plus_tot": "Pas d'expulsion avant ce jour",
    "refus_implicite_cfp": "Réponse du préfet attendue au plus tard",
}

WHERE = (
    (
        "Le numéro vert de prévention des expulsions",
        "information juridique gratuite, neutre et confidentielle sur la procédure, les délais et les aides",
    ),
    (
        "La Maison du Département Solidarité (MDS) ou le CCAS de la commune",
        "travailleur social, demande d'aide au FSL, accompagnement",
    ),
    (
        "La CCAPEX du Pas-de-Calais",
        "la commission qui coordonne la prévention des expulsions ; un travailleur social peut la saisir",
    ),
    (
        "Un avocat, avec l'aide juridictionnelle si les ressources sont faibles",
        "pour se défendre à l'audience, faire appel ou demander des délais au juge ; la demande d'aide se fait au "
        "tribunal ou dans un point-justice",
    ),
    ("La Banque de France (commission de surendettement)", "si les dettes sont trop lourdes pour être payées"),
)

GLOSSARY = (
    ("Commissaire de justice", "l'officier (anciennement huissier) qui remet les actes de la procédure."),
    (
        "Commandement de payer",
        "acte qui demande de payer la dette dans un délai ; passé ce délai, le propriétaire "
        "peut demander au juge de constater la fin du bail.",
    ),
    ("Assignation", "acte par lequel le propriétaire saisit le tribunal ; il indique la date de l'audience."),
    (
        "Délais de paiement",
        "le juge peut étaler la dette sur trois ans au plus ; tant qu'ils sont respectés, le bail continue.",
    ),
    (
        "Signification",
        "remise officielle d'une décision par un commissaire de justice ; elle fait courir les délais "
        "pour faire appel.",
    ),
    (
        "Commandement de quitter les lieux",
        "acte qui demande de partir ; aucune expulsion n'a lieu avant la fin des deux mois qui le suivent, sauf si "
        "le juge a réduit ou supprimé ce délai (le jugement le dit).",
    ),
    ("Trêve hivernale", "du 1er novembre au 31 mars, aucune expulsion n'a lieu (sauf exceptions rares)."),
    ("Concours de la force publique", "l'aide de la police, que le préfet accorde ou refuse, pour une expulsion."),
    ("FSL", "Fonds de solidarité pour le logement : aides du Département pour payer une dette de loyer."),
    ("CCAPEX", "commission de coordination des actions de prévention des expulsions locatives."),
)


SURENDETTEMENT_ADVICE = {
    "depot_surendettement": "Un dossier de surendettement est déposé : dès qu'il est déclaré recevable, la commission "
    "peut demander au juge de suspendre les mesures d'expulsion. Continuer à payer le loyer.",
    "recevabilite_surendettement": "Le dossier de surendettement est recevable : la commission peut demander au juge "
    "de suspendre les mesures d'expulsion. Continuer à payer le loyer courant.",
    "mesures_surendettement": "Des mesures de surendettement ont été décidées : les respecter, et payer le loyer "
    "courant ; le juge accorde des délais calqués sur ces mesures.",
    "retablissement_personnel": "Un rétablissement personnel a effacé les dettes : payer le loyer et les charges à la "
    "date pendant deux ans permet de garder le logement.",
}


@dataclass(frozen=True)
class Dated:
    day: date
    text: str


@dataclass(frozen=True)
class Coming:
    title: str
    day: date
    what_to_do: str


@dataclass(frozen=True)
class Fiche:
    summary: str
    known: list[Dated]  # every date known, oldest first
    coming: list[Coming]  # the dates still ahead, soonest first
    alerts: list[str]  # what the dates show that may help the household (warnings), in French
    advice: list[str]  # what can still be done, by branch
    where: tuple[tuple[str, str], ...] = WHERE
    glossary: tuple[tuple[str, str], ...] = GLOSSARY


def _advice(found: Situation, stage: str | None) -> list[str]:
    if found.over:
        return [
            "La procédure d'expulsion est terminée. Une dette de loyer éventuelle reste due : un plan de "
            "remboursement ou un dossier de surendettement reste possible."
        ]
    found_advice = {
        "rejet": [
            "Le juge a rejeté la demande du propriétaire : aucune expulsion ne peut suivre cette procédure. "
            + (
                "Le délai pour faire appel est passé : sauf appel déjà fait, ce rejet est définitif. Continuer à payer "
                "le loyer."
                if found.appeal_over
                else "Le propriétaire peut encore faire appel : garder tous les papiers reçus et continuer à payer "
                "le loyer."
            )
        ],
        "protocole": [
            "Un protocole a été signé avec le bailleur social : respecter ses engagements (loyer et "
            "remboursement de la dette, à la date) ; le bailleur ne poursuit pas l'expulsion et signe un "
            "nouveau bail à la fin du protocole. En cas de difficulté, prévenir tout de suite un travailleur "
            "social ou le numéro vert."
        ],
        "delais": [
            "La dette est soldée : si les échéances du jugement ont été respectées, le bail continue. "
            "Continuer à payer le loyer à la date."
        ]
        if found.debt_paid_on
        else [
            "Payer chaque échéance fixée par le jugement et chaque loyer, à la date : au premier impayé, la "
            "protection prend fin. Si une échéance ne peut pas être payée, en parler tout de suite à un "
            "travailleur social ou au numéro vert."
        ],
        "titre": [
            "Le bail a pris fin ou peut avoir pris fin : aucune expulsion n'est possible sans un commandement "
            "de quitter les lieux, puis deux mois. Préparer le relogement dès maintenant (demande de logement "
            "social, recours DALO) et demander des délais au juge si besoin."
        ],
        "titre_et_commandement": [
            "Aucune expulsion avant la fin des deux mois qui suivent le commandement de quitter "
            "les lieux, ni pendant la trêve hivernale, ni sans le concours de la police. Il est "
            "encore possible de demander au juge de l'exécution des délais pour quitter le "
            "logement, et de chercher un relogement avec un travailleur social."
        ],
        "aucun_titre": [
            "Aucune expulsion n'est possible sans décision du juge. Payer la dette ou proposer un plan au "
            "propriétaire, et demander une aide au FSL, peut arrêter la procédure."
        ],
    }[notices.reading(found, stage)[0]]
    if found.surendettement is not None:
        found_advice.append(SURENDETTEMENT_ADVICE[found.surendettement[0]])
    return found_advice


def fiche(found: Situation, acts: list[tuple[str, date]], today: date, stage: str | None = None) -> Fiche:
    """The fiche of a case whose Situation is `found` and whose acts are (code, day) pairs; `stage`: the
    latest consultation's, which stands for a judgment noted without date (notices.reading)."""
    every = {**labels("procedure_stages"), **labels("case_events")}
    known = [Dated(day, PLAIN.get(code, every.get(code, code))) for code, day in sorted(acts, key=lambda a: a[1])]
    coming = (
        []
        if found.over
        else [Coming(DEADLINE_TITLES[key], day, BEFORE[key]) for key, day in found.deadlines_ahead(today)]
    )
    if found.eviction_may_follow and found.in_truce_now:
        coming.append(
            Coming(
                "Fin de la trêve hivernale : aucune expulsion avant ce jour",
                after_truce(today),
                "Préparer le relogement avec un travailleur social, demander des délais au juge de "
                "l'exécution si besoin, et apporter tout nouveau papier reçu au numéro vert.",
            )
        )
        coming.sort(key=lambda item: item.day)
    alerts = [notices.WARNINGS[code] for code in sorted(found.warnings)]
    return Fiche(notices.summary(found, stage), known, coming, alerts, _advice(found, stage))
