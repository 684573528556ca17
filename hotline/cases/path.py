"""The one reading of a household's case: where its procedure stands on the acts and events known,
and what the law makes possible after it. Pure: no database, no Flask.

`situation(acts, *, lease_signed_on, landlord_type, decision_kind, today)` takes `acts` as {code of
`procedure_stages` or `case_events` (taxonomy.yaml): the day of the latest act or event of that code}
and returns a `Situation`. Every notice and next step of the household page, the deadlines of the
homes and worklists, and the fiche read a case through it; deadlines.py holds the date arithmetic.

The branches, and the rules each rests on (tests/test_path.py names the article of each row):

- **over**: the eviction was carried out (`expulsion_effective`), the household left
  (`depart_volontaire`) or was rehoused (`relogement_effectif`), and no act of a procedure is dated
  after it. No eviction date, no truce, no deadline ahead.
- **no title**: no judgment. No eviction can be carried out without an enforceable title and a
  commandement de quitter les lieux (CPCE L411-1). A commandement de quitter noted without any
  judgment shows a title that was not noted: it is read as the title branch with that commandement
  (the date it gives is a lower bound whatever the title), and the page asks for the judgment. A
  signification du jugement or an appeal noted without the judgment stands for a judgment of unknown
  content (the title branch, without an eviction date until a commandement de quitter).
- **rejected**: the latest judgment rejects the landlord's claim (`jugement_rejet`): no title, so no
  eviction on this procedure, whatever act follows (CPCE L411-1). The landlord may appeal.
- **delays**: the latest judgment granted payment delays (`jugement_delais`): the clause's effects are
  suspended while they are kept (loi 89-462 art. 24 VII). No eviction, unless a commandement de quitter
  served after that judgment shows that the clause resumed (a missed payment, as the judgment's terms
  say).
- **protocol**: a protocole de cohésion sociale signed on or after a title (CCH L353-15-2, L442-6-5): while it is
  kept the social landlord gives up the eviction; no eviction date, unless a commandement de quitter
  served after it shows that the protocol was broken.
- **title**: the latest judgment ordered (`jugement_resiliation`) or may have ordered (`jugement`, an
  `arret_appel`, content not given) the eviction. Without a commandement de quitter served since that
  judgment, none can be carried out (L411-1). With one: the day after its two months (L412-1; CPC
  641, 642), moved to 1 April when it falls in the winter truce (L412-6). A commandement served on a
  first-instance judgment before an appeal ruling of unknown content still gives that lower bound: if
  the ruling confirmed, the commandement stands; if it reversed, no eviction follows at all.

`appeal_until`, after `signification_jugement` served on or after the latest first-instance judgment:
15 days for an ordonnance de référé (CPC 490), one month on the merits (CPC 538), the pair (earlier
first) when the kind is not known; counted as CPC 641 says (the day of the act not counted; months to
the same day number) and carried to the next working day (CPC 642 al. 2).

`Situation.deadlines_ahead` days all fall within LONGEST_DELAY of the latest act they count from (a
commandement de quitter served on 31 August: its two months and a day end on 1 November, in the truce,
so the earliest eviction is 1 April, seven months and a day later; every other delay is shorter): a case
whose acts are all older than that has no deadline ahead, so the worklists read only the cases with a
more recent act (tests/test_deadline_horizon.py holds the bound over random cases).

`warnings` (codes; see WARNINGS for their French text):
- `notification_prefet_tardive`: the assignation reached the prefect less than six weeks before the
  hearing (loi 89-462 art. 24 III). Cass. 3e civ., avis, 6 nov. 2025, n° 25-70.018: a delay in days,
  counted back, "commençant à courir la veille de la date de l'audience et expirant le 42e jour à
  zéro heure", never carried to a working day. The 42 days are the hearing's eve back to the 42nd day
  before the hearing, that day included: a notification on that day is late; the last day in time is
  the 43rd day before the hearing.
- `ccapex_bailleur_tardive`: a landlord that is a legal person other than a family SCI (a private
  company, an association, a social landlord) had the assignation delivered before the two months
  following its referral to the CCAPEX expired (art. 24 II): the delay expires at midnight on the day
  that bears the referral's day number two months later (CPC 641 al. 2, 642 al. 1), so an assignation
  on that very day is too early. The referral "est réputée constituée lorsque persiste une situation
  d'impayés, préalablement signalée [...] aux organismes payeurs des aides au logement" (art. 24 II):
  a `signalement_caf` noted before the referral counts from its own day.
- `signification_jour_interdit`: a commandement (de payer, de quitter), an assignation or the
  signification of the judgment dated a Sunday or a public holiday (CPC 664); a Saturday is allowed.
- `acte_avant_bail`: an act of the procedure dated before the lease was signed (a typing slip, or an
  act of an earlier lease).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta

from hotline.cases.deadlines import (
    add_months,
    clause_resolutoire,
    earliest_eviction,
    next_working_day,
)
from hotline.core.calendar import is_holiday

# The judgments, first instance; an appeal ruling (`arret_appel`) is read apart.
REJECTED, DELAYS, TERMINATION, UNSPECIFIED = "jugement_rejet", "jugement_delais", "jugement_resiliation", "jugement"
FIRST_INSTANCE = (UNSPECIFIED, DELAYS, TERMINATION, REJECTED)
APPEAL_RULING = "arret_appel"
# Acts that follow a judgment: noted without it, they stand for a judgment of unknown content.
IMPLY_A_JUDGMENT = ("signification_jugement", "appel")
ENDINGS = ("expulsion_effective", "depart_volontaire", "relogement_effectif")
SURENDETTEMENT = (
    "depot_surendettement",
    "recevabilite_surendettement",
    "mesures_surendettement",
    "retablissement_personnel",
)
LONGEST_DELAY = timedelta(days=245)  # eight months: the farthest a deadline ahead falls after its act (see above)
SERVED_BY_COMMISSAIRE = ("commandement_payer", "assignation", "signification_jugement", "commandement_quitter")
# Codes that are not acts of a procedure against the household (case events and the situations
# before any act): they never count for `acte_avant_bail`, nor do they reopen a case that is over.
NOT_ACTS = frozenset(
    {
        "prevention_amont",
        "impaye",
        "signalement_caf",
        "inconnu",
        "fsl_demande",
        "fsl_accorde",
        "fsl_refuse",
        "plan_apurement",
        "protocole_cohesion_signe",
        "depot_surendettement",
        "recevabilite_surendettement",
        "mesures_surendettement",
        "retablissement_personnel",
        "dette_soldee",
        *ENDINGS,
    }
)
LEGAL_PERSONS = ("personne_morale_privee", "bailleur_social")
REFERE, FOND, UNKNOWN_KIND = "refere", "fond", "inconnu"

WARNINGS = {
    "notification_prefet_tardive": (
        "L'assignation a été notifiée au préfet moins de six semaines avant l'audience (42 jours comptés à rebours "
        "depuis l'audience) : la demande du bailleur est irrecevable (art. 24 III de la loi n° 89-462 du 6 juillet "
        "1989 ; Cass. 3e civ., avis, 6 nov. 2025, n° 25-70.018). À signaler au ménage et à son avocat."
    ),
    "ccapex_bailleur_tardive": (
        "Le bailleur, personne morale autre qu'une SCI familiale, a fait assigner avant l'expiration des deux mois "
        "qui suivent sa saisine de la CCAPEX : la demande est irrecevable (art. 24 II de la loi n° 89-462 du "
        "6 juillet 1989 ; art. 641 et 642 du code de procédure civile). La saisine est réputée faite dès le "
        "signalement de l'impayé à la CAF ou à la MSA : vérifier qu'aucun signalement plus ancien n'a eu lieu. "
        "À signaler au ménage et à son avocat."
    ),
    "signification_jour_interdit": (
        "Un commandement, l'assignation ou la signification du jugement est daté d'un dimanche ou d'un jour férié : "
        "aucune signification ne peut y être faite sans la permission du juge (art. 664 du code de procédure "
        "civile). Vérifier la date sur l'acte ; si elle est exacte, l'acte peut être contesté (avocat)."
    ),
    "acte_avant_bail": (
        "Un acte de la procédure est daté d'avant la signature du bail : vérifier les dates (erreur de saisie, ou "
        "acte d'un bail précédent)."
    ),
}


@dataclass(frozen=True)
class Situation:
    """Where a case stands on `today`. The first four fields are the contract (see the module)."""

    eviction_possible_from: date | None
    appeal_until: date | tuple[date, date] | None
    warnings: frozenset[str]
    over: bool
    # What the page, the fiche and the worklists read besides:
    branch: str  # "fin", "aucun_titre", "rejet", "delais", "protocole", "titre", "titre_et_commandement"
    judgment: tuple[str, date] | None  # the latest judgment or appeal ruling (code, day)
    decision_kind: str
    ending: tuple[str, date] | None  # the act or event that ended the procedure, when over
    commandement_quitter: date | None  # the one the eviction date counts from, if any
    pay_until: date | tuple[date, date] | None  # the commandement de payer's delay, if one is known
    cfp_refusal_on: date | None  # the prefect's silence becomes a refusal, after requisition_cfp
    surendettement: tuple[str, date] | None  # the latest step of a surendettement file
    lease_signed_on: date | None
    today: date
    debt_paid_on: date | None  # `dette_soldee`, when dated after the latest judgment (or with none)
    protocol_on: date | None  # `protocole_cohesion_signe`, when dated after the latest judgment

    @property
    def in_truce_now(self) -> bool:
        return self.today.month >= 11 or self.today.month <= 3

    @property
    def appeal_over(self) -> bool:
        """Whether the appeal delay (the later of two possible ones) has passed."""
        if self.appeal_until is None:
            return False
        last = self.appeal_until[-1] if isinstance(self.appeal_until, tuple) else self.appeal_until
        return last < self.today

    @property
    def eviction_may_follow(self) -> bool:
        """Whether an eviction can still follow on these acts (now or after a commandement de quitter)."""
        return self.branch in ("titre", "titre_et_commandement")

    def deadlines_ahead(self, today: date) -> list[tuple[str, date]]:
        """(key, day) of every deadline from today on, soonest first; two possible days: both."""
        found = []
        for key, value in (
            ("clause_resolutoire", self.pay_until),
            ("appel", self.appeal_until),
            ("expulsion_au_plus_tot", self.eviction_possible_from),
            ("refus_implicite_cfp", self.cfp_refusal_on),
        ):
            for day in value if isinstance(value, tuple) else (value,):
                if day is not None and day >= today:
                    found.append((key, day))
        return sorted(found, key=lambda item: (item[1], item[0]))


def _latest(acts: Mapping[str, date], codes) -> tuple[str, date] | None:
    """The latest of these codes by date; on one day, the later in `codes` wins."""
    dated = [(acts[code], index, code) for index, code in enumerate(codes) if code in acts]
    if not dated:
        return None
    day, _, code = max(dated)
    return code, day


def _ending(acts: Mapping[str, date]) -> tuple[str, date] | None:
    """The act or event that ended the procedure, unless an act of a procedure came after it."""
    ended = _latest(acts, ENDINGS)
    if ended is None:
        return None
    later = [day for code, day in acts.items() if code not in NOT_ACTS and day > ended[1]]
    return None if later else ended


def appeal_delay(served: date, kind: str) -> date | tuple[date, date]:
    """The last day to appeal a decision served on `served`: CPC 490 (référé, 15 days), 538 (merits,
    one month); CPC 641 (the day of the act not counted; months to the same day number), 642 al. 2."""
    fifteen_days = next_working_day(served + timedelta(days=15))
    one_month = next_working_day(add_months(served, 1))
    if kind == REFERE:
        return fifteen_days
    if kind == FOND:
        return one_month
    return fifteen_days, one_month


def _warnings(acts: Mapping[str, date], lease_signed_on: date | None, landlord_type: str) -> frozenset[str]:
    found = set()
    notified, hearing = acts.get("notification_prefet_assignation"), acts.get("audience")
    if notified and hearing and notified > hearing - timedelta(days=43):
        found.add("notification_prefet_tardive")
    referred, summoned = acts.get("signalement_ccapex_bailleur"), acts.get("assignation")
    if referred and "signalement_caf" in acts:
        # Art. 24 II: the referral is deemed made when the unpaid rent was reported to the CAF or MSA beforehand.
        referred = min(referred, acts["signalement_caf"])
    if landlord_type in LEGAL_PERSONS and referred and summoned and summoned <= add_months(referred, 2):
        found.add("ccapex_bailleur_tardive")
    if any(code in acts and (acts[code].weekday() == 6 or is_holiday(acts[code])) for code in SERVED_BY_COMMISSAIRE):
        found.add("signification_jour_interdit")
    if lease_signed_on and any(day < lease_signed_on for code, day in acts.items() if code not in NOT_ACTS):
        found.add("acte_avant_bail")
    return frozenset(found)


def _eviction(
    acts: Mapping[str, date], judgment: tuple[str, date] | None, first_instance: tuple[str, date] | None
) -> tuple[str, date | None, date | None]:
    """(branch, eviction_possible_from, the commandement de quitter it counts from)."""
    served = acts.get("commandement_quitter")
    if judgment is None:  # a commandement de quitter is served only on a title (L411-1): one exists, unnoted
        return ("titre_et_commandement", earliest_eviction(served), served) if served else ("aucun_titre", None, None)
    code, day = judgment
    if code == REJECTED:
        return "rejet", None, None
    if served is not None and served > day:
        return "titre_et_commandement", earliest_eviction(served), served
    if code == DELAYS:
        return "delais", None, None
    if (
        code == APPEAL_RULING
        and served is not None
        and first_instance is not None
        and first_instance[0] in (TERMINATION, UNSPECIFIED)
        and served > first_instance[1]
    ):
        return "titre_et_commandement", earliest_eviction(served), served
    return "titre", None, None


def situation(
    acts: Mapping[str, date],
    *,
    lease_signed_on: date | None = None,
    landlord_type: str = "inconnu",
    decision_kind: str = "inconnu",
    today: date,
) -> Situation:
    """Where the case with these acts and events stands on `today` (see the module docstring)."""
    first_instance = _latest(acts, FIRST_INSTANCE)
    judgment = _latest(acts, (*FIRST_INSTANCE, APPEAL_RULING)) or _latest(acts, IMPLY_A_JUDGMENT)
    ending = _ending(acts)
    branch, evict_from, served = _eviction(acts, judgment, first_instance)
    appeal = None
    signified = acts.get("signification_jugement")
    if signified is not None and (first_instance is None or signified >= first_instance[1]):
        appeal = appeal_delay(signified, decision_kind)
    pay_until = (
        clause_resolutoire(acts["commandement_payer"], lease_signed_on) if "commandement_payer" in acts else None
    )
    refusal = add_months(acts["requisition_cfp"], 2) if "requisition_cfp" in acts else None
    protocol = acts.get("protocole_cohesion_signe")
    if (
        branch in ("titre", "titre_et_commandement")
        and protocol
        and judgment
        and protocol >= judgment[1]
        and not (served and served > protocol)
    ):
        # CCH L353-15-2, L442-6-5: while the protocol is kept the social landlord gives up the eviction; a commandement
        # de quitter served after it shows that it was not.
        branch, evict_from, served = "protocole", None, None
    if ending is not None:
        branch, evict_from, served, refusal = "fin", None, None, None
    return Situation(
        eviction_possible_from=evict_from,
        appeal_until=appeal,
        warnings=_warnings(acts, lease_signed_on, landlord_type),
        over=ending is not None,
        branch=branch,
        judgment=judgment,
        decision_kind=decision_kind,
        ending=ending,
        commandement_quitter=served,
        pay_until=pay_until,
        cfp_refusal_on=refusal,
        surendettement=_latest(acts, SURENDETTEMENT),
        lease_signed_on=lease_signed_on,
        today=today,
        debt_paid_on=_since(acts, "dette_soldee", judgment),
        protocol_on=_since(acts, "protocole_cohesion_signe", judgment),
    )


def _since(acts: Mapping[str, date], code: str, judgment: tuple[str, date] | None) -> date | None:
    day = acts.get(code)
    return day if day is not None and (judgment is None or day >= judgment[1]) else None
