"""What each indicator of the tidy report counts, in French, as docs/formats.md defines it: the bilan's annex of
definitions (reports/pdf.py). And which way is better for the figures whose change has a meaning (more missed
calls is bad, more callbacks done is good), for the colours of a change (the manager's home, the bilan).
Pure: no Flask, no database. A test checks that every indicator of the export and of formats.md is defined here.
"""

from __future__ import annotations

_HOUSEHOLDS_PROFILE = (
    "Prévention des expulsions : ménages ayant eu une consultation sur la période, chacun compté une fois avec "
    "la valeur de sa dernière consultation de la période qui en indique une autre que « non renseigné » "
    "(« non renseigné » sinon), dans le mois et le territoire de sa dernière consultation de la période."
)

DEFINITIONS: dict[str, str] = {
    "consultations": "Nombre de consultations enregistrées (entretiens par téléphone, au bureau, en permanence…).",
    "households": (
        "Ménages distincts ayant eu au moins une consultation ; une consultation sans ménage rattaché compte "
        "pour un ménage."
    ),
    "households_received": (
        "Ménages distincts reçus en personne : au moins une consultation au siège, en permanence ou en aller-vers."
    ),
    "mode": "Consultations selon leur mode (téléphone, siège, permanence, courriel…).",
    "consultant_type": "Consultations selon la personne qui consulte (locataire, bailleur, travailleur social…).",
    "occupancy_status": "Consultations selon le statut d'occupation du logement.",
    "housing_sector": "Consultations selon le parc du logement (privé ou social).",
    "family_situation": "Consultations selon la situation familiale du ménage.",
    "age_band": "Consultations selon la tranche d'âge de la personne.",
    "resource_band": "Consultations selon la tranche de ressources mensuelles du ménage.",
    "referral_source": "Consultations selon qui a orienté la personne vers le service.",
    "procedure_stage": "Consultations selon le stade de la procédure d'expulsion indiqué ce jour-là.",
    "theme": (
        "Consultations qui abordent chaque thème ; une consultation sur deux thèmes compte dans les deux, un "
        "sous-thème compte pour son thème."
    ),
    "resource_type": "Consultations qui citent chaque nature de ressources (plusieurs possibles).",
    "debt_origin": "Consultations qui citent chaque origine de la dette (plusieurs possibles).",
    "outcome": "Consultations qui citent chaque suite donnée (plusieurs possibles).",
    "debt_known": "Consultations dont le montant de la dette est connu.",
    "debt_amount_sum": (
        "Somme des dettes indiquées aux consultations dont la dette est connue : un ménage vu plusieurs fois compte "
        "plusieurs fois."
    ),
    "debt_amount_median": (
        "Dette médiane des consultations dont la dette est connue (pour un nombre pair, moyenne des deux valeurs "
        "du milieu)."
    ),
    "habitat_indigne": "Consultations signalant un habitat indigne.",
    "permis_louer": "Consultations portant sur le permis de louer.",
    "family_situation_by_sector": (
        "Consultations selon la situation familiale et le parc (privé ou social) à la fois."
    ),
    "landlord_type": "Consultations selon le type de bailleur.",
    "housing_benefit": "Consultations selon l'aide au logement perçue.",
    "households_debt_known": (
        "Prévention des expulsions : ménages dont une dette est connue sur la période, chacun compté une fois, dans "
        "le mois et le territoire de sa dernière consultation de la période qui indique une dette."
    ),
    "household_debt_sum": (
        "Somme, sur ces ménages, de la dernière dette connue de chacun (et non une fois par consultation)."
    ),
    "household_debt_median": "Dette médiane de ces ménages, chacun avec sa dernière dette connue.",
    "debt_months": (
        "Ces ménages selon leur dette exprimée en mois de loyer : la dette divisée par le loyer charges comprises "
        "connu à la même consultation, ou à défaut à la dernière consultation antérieure de la mission qui en indique "
        "un ; jusqu'à 3 mois inclus, plus de 3 à 6 mois inclus, plus de 6 mois, « non renseigné » sans loyer connu. "
        "C'est un montant exprimé en mois de loyer, non l'ancienneté de la dette."
    ),
    "households_by_stage": (
        "Prévention des expulsions : ménages ayant eu une consultation sur la période, selon le stade de leur "
        "dernière consultation jusqu'à la fin de la période dont le stade est connu."
    ),
    "first_contacts": (
        "Ménages dont la première consultation de la mission (depuis toujours) a lieu sur la période, comptés dans "
        "son mois et son territoire."
    ),
    "first_contact_stage": (
        "Prévention des expulsions : ces ménages selon le stade indiqué à cette première consultation."
    ),
    "reached_before_commandement": (
        "Prévention des expulsions : premiers contacts atteints avant un commandement de payer. Le dossier du ménage "
        "porte un commandement de payer daté après ce premier contact, ou n'en porte aucun daté avant ou le jour même "
        "et le stade au premier contact est « prévention en amont », « impayé » ou « signalement CAF ». Mesure propre "
        "au service, non une statistique nationale."
    ),
    "first_contacts_situated": (
        "Prévention des expulsions : premiers contacts dont on sait s'ils précèdent ou suivent le commandement de "
        "payer (le dossier porte un commandement de payer, ou le stade au premier contact est connu et n'est pas le "
        "congé du bailleur). La part atteinte avant le commandement se calcule sur ce nombre (jamais plus de 100 %)."
    ),
    "households_family_situation": _HOUSEHOLDS_PROFILE + " Ici : la situation familiale.",
    "households_housing_sector": _HOUSEHOLDS_PROFILE + " Ici : le parc (privé ou social).",
    "households_occupancy_status": _HOUSEHOLDS_PROFILE + " Ici : le statut d'occupation.",
    "households_age_band": _HOUSEHOLDS_PROFILE + " Ici : la tranche d'âge.",
    "households_resource_band": _HOUSEHOLDS_PROFILE + " Ici : la tranche de ressources.",
    "households_debt_origin": (
        _HOUSEHOLDS_PROFILE + " Ici : chaque origine de la dette que cette consultation cite (plusieurs possibles)."
    ),
    "households_family_situation_by_sector": (
        _HOUSEHOLDS_PROFILE
        + " Ici : la situation familiale et le parc, de la dernière consultation qui indique les deux."
    ),
    "household_result": (
        "Prévention des expulsions : ménages ayant eu une consultation sur la période, selon leur situation au "
        "dernier jour de la période, lue dans les actes et événements datés de leur dossier : le plus récent "
        "décide. Expulsion effective : expulsion ; relogement effectif : relogement ; départ volontaire ; dette "
        "soldée, protocole de cohésion sociale signé, rétablissement personnel ou demande rejetée par le juge : "
        "maintien dans le logement ; plan d'apurement, délais accordés par le juge, mesures de surendettement ou "
        "aide du FSL accordée : accord en cours ; tout autre acte : procédure en cours ; aucun : non renseigné. "
        "Part maintenue dans son logement : ménages maintenus dans les lieux ou relogés, parmi ceux dont la "
        "procédure a trouvé une issue (expulsion, relogement, départ volontaire ou maintien)."
    ),
    "calls_received": "Appels reçus sur le numéro vert, selon la mission choisie dans le menu ou le numéro composé.",
    "calls_answered": "Appels décrochés par un juriste.",
    "calls_missed": (
        "Appels sans réponse d'un juriste : messagerie, demande de rappel, appel hors des horaires d'ouverture."
    ),
    "calls_abandoned": (
        "Appels terminés avant toute réponse, sans messagerie, demande de rappel ni message de fermeture (l'appelant "
        "a raccroché dans le menu ou l'attente). Appels reçus = répondus + sans réponse + abandonnés."
    ),
    "calls_unanswered_by_hour": (
        "Appels sans réponse (manqués ou abandonnés) selon le jour de la semaine et l'heure locale de leur début "
        "(par exemple lundi 9 h : de 9 h à 9 h 59). Indicateur propre au service."
    ),
    "sms_information_sent": (
        "SMS envoyés à la demande de l'appelant depuis le menu vocal (touche 3 : les prochaines permanences de son "
        "territoire), acceptés par l'opérateur, comptés au mois, à la mission et au territoire de l'appel."
    ),
    "callbacks_done": "Rappels effectués par un juriste après une demande de rappel ou un appel manqué.",
    "callbacks_within_one_working_day": (
        "Rappels effectués au plus tard à la fin du jour ouvré qui suit l'appel qui les a demandés."
    ),
    "call_wait_median_seconds": (
        "Sur les appels répondus : durée médiane, en secondes, entre le début de l'appel et la réponse d'un juriste."
    ),
    "permanences_held": "Permanences tenues (non annulées).",
    "activities": "Activités propres du service (CCAPEX, groupes de travail, articles, forums…), selon leur type.",
}

# Which way is better when a figure changes: 1 more is better, -1 more is worse; a figure left out (activity
# counts: consultations, households; permanences held, which follow the calendar) has no better way and its change
# is shown without a colour.
BETTER: dict[str, int] = {
    "calls_answered": 1,
    "callbacks_done": 1,
    "callbacks_within_one_working_day": 1,
    "reached_before_commandement": 1,
    "calls_missed": -1,
    "calls_abandoned": -1,
    "call_wait_median_seconds": -1,
}


def definition(code: str) -> str:
    return DEFINITIONS.get(code, "")


def better(code: str) -> int:
    return BETTER.get(code, 0)
