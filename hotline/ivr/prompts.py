"""Everything a caller (or the answering jurist) hears, in French, in one place."""

# What a caller hears before the first question: the line's name, then the personal-data notice in one
# sentence (the full text is on the site's page "Données personnelles": legal.personal_data). At about
# 15 characters a second, both take under 15 seconds: test_ivr_selfhelp checks it.
GREETINGS = {
    "prevention_expulsion": "Bonjour, vous êtes sur la ligne de prévention des expulsions du Pas-de-Calais.",
    None: "Bonjour, vous êtes sur la ligne d'information sur le logement du Pas-de-Calais.",
}
PRIVACY = (
    "Vos réponses servent uniquement à traiter votre appel ; le détail est sur notre site, page données personnelles."
)


def greeting(mission: str | None) -> str:
    """The green number greets as the eviction-prevention line; the general one (or a number of the
    housing-information mission) as the housing-information line."""
    return GREETINGS.get(mission) or GREETINGS[None]


MISSION_MENU = (
    "Si vous êtes menacé d'expulsion ou avez des loyers impayés, tapez 1. "
    "Pour toute autre question sur le logement, tapez 2. "
    "Si vous êtes travailleur social et appelez pour un ménage, tapez 3."
)
SOCIAL_WORKER_MENU = (
    "Pour un ménage menacé d'expulsion ou en impayé de loyer, tapez 1. "
    "Pour une autre question sur le logement, tapez 2."
)

POSTAL_CODE = "Tapez les 5 chiffres du code postal de la commune du logement, puis la touche dièse."
POSTAL_CODE_UNKNOWN = "Ce code postal n'est pas reconnu."
NOT_UNDERSTOOD = "Je n'ai pas compris votre choix."
NO_INPUT = "Je n'ai rien entendu."


def commune_menu(names: list[str]) -> str:
    two_digits = len(names) > 9
    choices = " ".join(f"Pour {name}, tapez {i}." for i, name in enumerate(names, start=1))
    end = " suivi de la touche dièse" if two_digits else ""
    return (
        f"Ce code postal couvre plusieurs communes. Dites le nom de votre commune, ou tapez son numéro{end}. {choices}"
    )


OUT_OF_DEPARTMENT = (
    "Ce code postal n'est pas dans le Pas-de-Calais. L'agence départementale pour "
    "l'information sur le logement de votre département peut vous renseigner "
    "gratuitement. En cas d'impayé de loyer ou de menace d'expulsion, appelez le "
    "numéro national SOS Loyers Impayés : 0 805, 16, 00, 75. "
    "Pour être mis malgré tout en relation avec un juriste du Pas-de-Calais, tapez 1."
)
# Silence or another key, asked twice: never taken as a yes; the call ends with the numbers to call.
OUT_OF_DEPARTMENT_END = (
    "Nous mettons fin à l'appel. Pour votre question, appelez l'agence départementale pour "
    "l'information sur le logement de votre département ; en cas d'impayé de loyer ou de menace "
    "d'expulsion, le numéro national SOS Loyers Impayés : 0 805, 16, 00, 75. Au revoir."
)

GENERAL_POOL = "Je vous mets en relation avec le premier juriste disponible."
CONNECTING = "Nous recherchons un juriste disponible, merci de patienter."


def waited(seconds: int) -> str:
    """How long the caller has waited, as said: "quelques secondes", "40 secondes", "1 minute et demie"."""
    minutes, rest = divmod(max(0, int(seconds)), 60)
    if minutes == 0:
        return "quelques secondes" if rest < 10 else f"{rest // 10 * 10} secondes"
    return f"{minutes} minute{'s' if minutes > 1 else ''}{' et demie' if rest >= 30 else ''}"


def queue_status(seconds: int, position: int) -> str:
    """What the queue tells, and only what is known: how long the caller has waited, the calls before theirs,
    and that no jurist has picked up yet (not that they are busy: they may not have heard it)."""
    ahead = position - 1
    rank = (
        "Vous êtes le premier appel en attente."
        if ahead <= 0
        else f"Il y a {ahead} appel{'s' if ahead > 1 else ''} avant le vôtre."
    )
    return f"Vous attendez depuis {waited(seconds)}. {rank} Aucun juriste n'a encore décroché."


CALLING_AGAIN = "Nous appelons de nouveau les juristes de permanence, merci de rester en ligne."
QUEUE_OFFER = (
    "Pour laisser un message, tapez 1. Pour être rappelé au numéro qui appelle, tapez 2. "
    "Pour continuer d'attendre, restez en ligne."
)
QUEUE_OFFER_MESSAGE_ONLY = "Pour laisser un message, tapez 1. Pour continuer d'attendre, restez en ligne."


def closed(reopens: str | None) -> str:
    """`reopens`: "demain de 9 heures à 12 heures et de 14 heures à 17 heures" (opening_hours_said)."""
    if reopens:
        return f"Le service est actuellement fermé. Il rouvre {reopens}."
    return "Le service est actuellement fermé."


def opening_hours_said(day: str, hours: list[str]) -> str:
    """'demain de 9 heures à 12 heures et de 14 heures à 17 heures'."""
    return f"{day} {' et '.join(hours)}"


# Every permanence is held on appointment, booked through the green number: the public page says so of
# each one (templates/public/permanences.html), and no permanence's data says otherwise.
ON_APPOINTMENT = "sur rendez-vous"


def next_permanence(day: str, hours: str, place: str, address: str) -> str:
    return f"Un juriste tient aussi une permanence {day} {hours}, {ON_APPOINTMENT} : {place}, {address}."


NOBODY_AVAILABLE = "Aucun juriste n'est disponible pour le moment."
NOBODY_ANSWERED = "Aucun juriste n'a pu prendre votre appel."
VOICEMAIL_OFFER = "Pour laisser un message, tapez 1. Pour être rappelé au numéro qui appelle, tapez 2."
VOICEMAIL_ONLY = "Vous pouvez laisser un message."
# The self-service SMS (views.self_service): the nearest permanences, sent to the caller's mobile.
SELF_SERVICE_OFFER = "Pour recevoir par SMS l'adresse de la permanence la plus proche, tapez 3."
SELF_SERVICE_CONSENT = (
    "Nous allons envoyer au numéro qui appelle un SMS avec les prochaines permanences de votre secteur. "
    "Pour accepter, tapez 1. Pour revenir au menu, tapez 2."
)
SELF_SERVICE_NOT_MOBILE = (
    "Le numéro qui appelle n'est pas un portable français : nous ne pouvons pas y envoyer de SMS. "
    "Les permanences sont aussi sur notre site, page permanences."
)
SELF_SERVICE_REFUSED = (  # neutral: whoever holds the phone learns nothing of a household's flag
    "Nous ne pouvons pas envoyer de SMS à ce numéro. Les permanences sont aussi sur notre site, page permanences."
)
SELF_SERVICE_NONE = "Aucune permanence n'est prévue dans votre secteur ces prochaines semaines."
SELF_SERVICE_QUEUED = "C'est noté : vous recevrez le SMS dans quelques minutes."
SELF_SERVICE_AFTER = "Pour revenir au menu, tapez 1. Sinon, merci de votre appel et au revoir."
BACK_TO_MENU = "Retour au menu."

RECORD_INSTRUCTIONS = (
    "Après le bip, indiquez votre nom, votre numéro de téléphone et votre commune, "
    "puis l'objet de votre appel. Vous disposez de deux minutes. Tapez dièse pour terminer."
)
RECORDED = "Merci, votre message est enregistré. Un juriste vous rappellera dans les meilleurs délais. Au revoir."
RECORDED_NO_CALLBACK = "Merci, votre message est enregistré et sera écouté par un juriste. Au revoir."
NO_RECORDING = "Nous n'avons pas reçu de message. Un juriste vous rappellera au numéro qui a appelé. Au revoir."
CALLBACK_CONFIRMED = "C'est noté : un juriste vous rappellera dans les meilleurs délais à ce numéro. Au revoir."
GOODBYE = "Merci de votre appel. Au revoir."

DEGRADED = "Nous vous mettons en relation avec notre permanence. Merci de patienter."
DEGRADED_NO_BACKUP = (
    "Notre service rencontre une difficulté technique. Merci de rappeler dans quelques "
    "minutes. En cas d'urgence liée à une expulsion, appelez le 0 805, 16, 00, 75."
)


def whisper(line_label: str, territory_label: str | None, known: str | None = None) -> str:
    """To the jurist whose phone rings: "Appel numéro vert prévention des expulsions, Boulonnais, ménage
    connu, audience le 12 mars : tapez 1 pour prendre l'appel." (`line_label`: whisper_line; `known`:
    ivr/caller.py)."""
    where = f", {territory_label}" if territory_label else ""
    household = f", {known}" if known else ""
    return f"Appel {line_label}{where}{household} : tapez 1 pour prendre l'appel."


# The whisper names the line the caller dialled, as its number greets (GREETINGS: a number of
# HOTLINE_IVR_NUMBERS by its mission, the general number as the housing-information line), then the mission
# chosen in the menu when it is not the line's own.
WHISPER_LINES = {
    "prevention_expulsion": "numéro vert prévention des expulsions",
    "info_logement": "ligne information logement",
}
WHISPER_MISSIONS = {
    "prevention_expulsion": "mission prévention des expulsions",
    "info_logement": "mission information logement",
    None: "mission non choisie",
}


def whisper_line(line: str | None, mission: str | None) -> str:
    """`line`: the mission of the number dialled (None: the general number); `mission`: the one chosen.
    "numéro vert prévention des expulsions"; "ligne information logement, mission prévention des expulsions"."""
    own = line if line in WHISPER_LINES else "info_logement"  # the general number greets as that line
    chosen = "" if mission == own else f", {WHISPER_MISSIONS.get(mission) or WHISPER_MISSIONS[None]}"
    return WHISPER_LINES[own] + chosen
