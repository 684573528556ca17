"""`flask demo`: realistic demo data — accounts of each role, the duty roster, places and permanences of
both missions in every territory, a year of consultations in every territory, households whose
eviction procedure moves on, and calls.

Running it again does not duplicate anything: it only gives the demo accounts new passwords.
"""

from __future__ import annotations

import random
import secrets
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

import click
from flask.cli import with_appcontext
from sqlalchemy import func, select

from hotline.activities.models import Activity
from hotline.auth.models import User
from hotline.auth.passwords import hash_password
from hotline.auth.services import create_user
from hotline.cases import services as cases
from hotline.cases.deadlines import after_truce, next_working_day
from hotline.consultations import services as consultations
from hotline.consultations.models import Consultation
from hotline.core import clock
from hotline.core.calendar import is_holiday
from hotline.extensions import db
from hotline.ivr import calls
from hotline.ivr.models import Call
from hotline.permanences import services as permanences
from hotline.permanences.models import DutyShift, Permanence, Place
from hotline.permanences.places import save_place
from hotline.reference import labels, theme_codes
from hotline.reference.models import Commune

DEMO_DOMAIN = "demo.example.org"
JURISTS = [  # name, territory, phone (the voice menu rings it)
    ("Claire Vasseur", "boulonnais", "+33612345601"),
    ("Julien Caron", "boulonnais", "+33612345602"),
    ("Sophie Lefebvre", "lens-henin", "+33612345603"),
    ("Thomas Delattre", "artois", "+33612345604"),
    ("Nadia Benali", "arrageois", "+33612345605"),
    ("Marc Dubois", "calaisis", "+33612345606"),
    ("Élodie Leroy", "audomarois", "+33612345607"),
    ("Hugo Lemaire", "montreuillois", "+33612345608"),
    ("Camille Wattez", "ternois", "+33612345609"),
]
FIRST_NAMES = [
    "Martin",
    "Bernard",
    "Dubois",
    "Durand",
    "Lefebvre",
    "Leroy",
    "Moreau",
    "Simon",
    "Laurent",
    "Lefèvre",
    "Michel",
    "Garcia",
    "David",
    "Bertrand",
    "Roux",
    "Vincent",
    "Fournier",
    "Morel",
    "Girard",
    "Andre",
    "Mercier",
    "Dupont",
    "Lambert",
    "Bonnet",
    "François",
    "Martinez",
    "Legrand",
    "Garnier",
    "Faure",
    "Rousseau",
    "Blanc",
    "Guerin",
    "Muller",
    "Henry",
    "Roussel",
    "Nicolas",
    "Perrin",
    "Morin",
    "Mathieu",
    "Clement",
    "Gauthier",
    "Dumont",
    "Lopez",
    "Fontaine",
    "Chevalier",
]


def _password() -> str:
    return "Demo-" + secrets.token_urlsafe(12)


def _accounts() -> list[tuple[User, str]]:
    """Demo accounts, created once; each run gives them new passwords, printed at the end."""
    specs = [
        ("admin", "Alice Admin", "admin", None, [], []),
        ("responsable", "Rémi Responsable", "manager", None, [], []),
    ]
    for i, (name, territory, phone) in enumerate(JURISTS, start=1):
        specs.append((f"juriste{i}", name, "jurist", phone, list(labels("missions")), [territory]))
    result = []
    for local, name, role, phone, missions, territories in specs:
        email = f"{local}@{DEMO_DOMAIN}"
        password = _password()
        user = db.session.scalar(select(User).where(User.email == email))
        if user is None:
            user = create_user(email, name, role, password, phone=phone, missions=missions, territories=territories)
        else:
            user.password_hash = hash_password(password)
        result.append((user, password))
    return result


def _roster(jurists: list[User]) -> None:
    """Each jurist on duty for their territory, both missions, weekdays 9:00-12:30 and 13:30-17:00; the
    last one also answers the general pool, 9:00-17:00. One series per jurist, mission and hours."""
    if db.session.scalar(select(func.count()).select_from(DutyShift)):
        return
    for user in jurists:
        for mission in labels("missions"):
            for starts, ends in ((time(9), time(12, 30)), (time(13, 30), time(17))):
                db.session.add(
                    DutyShift(
                        user_id=user.id,
                        mission=mission,
                        weekdays=range(5),
                        starts=starts,
                        ends=ends,
                        territory_code=user.territories[0],
                    )
                )
    pool = jurists[-1]
    for mission in labels("missions"):
        db.session.add(
            DutyShift(
                user_id=pool.id, mission=mission, weekdays=range(5), starts=time(9), ends=time(17), territory_code=None
            )
        )


PLACES = [  # name, address, commune INSEE, access notes, the place's phone
    (
        "CCAS de Boulogne-sur-Mer",
        "Place Godefroy de Bouillon",
        "62160",
        "Entrée par la rue Saint-Martin, bureau 3 au rez-de-chaussée.",
        "03 21 00 62 01",
    ),
    ("Centre social d'Outreau", "Rue Jules Guesde", "62643", "Accessible en fauteuil roulant.", None),
    (
        "Mairie de Calais",
        "Place du Soldat Inconnu",
        "62193",
        "Accueil principal, salle des permanences.",
        "03 21 00 62 02",
    ),
    ("Mairie de Lens", "17 bis place Jean Jaurès", "62498", "Rez-de-chaussée, accessible en fauteuil roulant.", None),
    ("Maison de l'habitat d'Hénin-Beaumont", "Rue de la République", "62427", None, "03 21 00 62 03"),
    ("Centre social de Béthune", "Rue de la Délivrance", "62119", "Sonnez à l'interphone « Permanences ».", None),
    ("Mairie de Bruay-la-Buissière", "Place Roger Salengro", "62178", None, None),
    (
        "Maison de services d'Arras",
        "Place des Héros",
        "62041",
        "Premier étage, ascenseur à gauche de l'accueil.",
        "03 21 00 62 04",
    ),
    ("Mairie de Montreuil-sur-Mer", "Place Gambetta", "62588", None, None),
    ("Mairie de Berck", "Place de l'Hôtel de Ville", "62108", "Bureau des permanences, au fond de la cour.", None),
    (
        "Maison du Département de Saint-Omer",
        "Rue Saint-Bertin",
        "62765",
        "Accessible en fauteuil roulant.",
        "03 21 00 62 05",
    ),
    ("Mairie de Saint-Pol-sur-Ternoise", "Place de l'Hôtel de Ville", "62767", None, None),
]
INFO, EVICTION = "info_logement", "prevention_expulsion"
PERMANENCES = [  # jurist index, place index, mission, frequency, weekday, week of month, hours
    (0, 0, INFO, "weekly", 3, None, (9, 12)),
    (1, 1, EVICTION, "biweekly", 4, None, (14, 17)),
    (5, 2, INFO, "monthly", 4, -1, (9, 12)),
    (5, 2, EVICTION, "monthly", 1, 2, (14, 17)),
    (2, 3, INFO, "biweekly", 3, None, (14, 17)),
    (2, 4, EVICTION, "weekly", 0, None, (9, 12)),
    (3, 5, INFO, "monthly", 0, 2, (9, 12)),
    (3, 6, EVICTION, "biweekly", 2, None, (14, 17)),
    (4, 7, INFO, "weekly", 2, None, (14, 17)),
    (4, 7, EVICTION, "monthly", 3, 1, (9, 12)),
    (7, 8, INFO, "monthly", 1, 1, (9, 12)),
    (7, 9, EVICTION, "biweekly", 3, None, (14, 17)),
    (6, 10, INFO, "weekly", 1, None, (14, 17)),
    (6, 10, EVICTION, "monthly", 4, 3, (9, 12)),
    (8, 11, INFO, "monthly", 2, 1, (9, 12)),
    (8, 11, EVICTION, "monthly", 2, 3, (9, 12)),
]


def _minutes(moment: time) -> int:
    return moment.hour * 60 + moment.minute


def _off_duty(user: User, weekday: int, starts: time, ends: time) -> None:
    """A jurist at a permanence is not on the phone then: their series lose that weekday, and what is
    left of its hours that day (an hour or more) joins the series of the same hours, or starts one."""
    shifts = db.session.scalars(
        select(DutyShift).where(
            DutyShift.user_id == user.id, DutyShift.weekday == weekday, DutyShift.starts < ends, DutyShift.ends > starts
        )
    )
    for shift in list(shifts):
        for piece_starts, piece_ends in (
            (shift.starts, min(starts, shift.ends)),
            (max(ends, shift.starts), shift.ends),
        ):
            if _minutes(piece_ends) - _minutes(piece_starts) >= 60:
                _add_day(shift, weekday, piece_starts, piece_ends)
        shift.weekdays = [day for day in shift.weekdays if day != weekday]
        if not shift.weekdays:
            db.session.delete(shift)
        db.session.flush()


def _add_day(shift: DutyShift, weekday: int, starts: time, ends: time) -> None:
    same = db.session.scalar(
        select(DutyShift)
        .where(
            DutyShift.user_id == shift.user_id,
            DutyShift.mission == shift.mission,
            DutyShift.starts == starts,
            DutyShift.ends == ends,
            (DutyShift.territory_code == shift.territory_code)
            if shift.territory_code
            else DutyShift.territory_code.is_(None),
        )
        .limit(1)
    )
    if same is None:
        db.session.add(
            DutyShift(
                user_id=shift.user_id,
                mission=shift.mission,
                territory_code=shift.territory_code,
                weekdays=[weekday],
                starts=starts,
                ends=ends,
            )
        )
    else:
        same.weekdays = [*same.weekdays, weekday]


def _permanences(jurists: list[User], today) -> None:
    """Places and permanences of both missions in every territory, for a year already: the report
    counts the permanences held."""
    if db.session.scalar(select(func.count()).select_from(Permanence)):
        return
    places = []
    for name, address, insee, notes, phone in PLACES:
        known = db.session.scalar(
            select(Place).where(Place.name == name, Place.address == address, Place.commune_insee == insee)
        )
        places.append(
            save_place(
                known,
                name=name,
                address=address,
                commune_insee=insee,
                access_notes=notes,
                public_phone=phone,
                active=True,
                today=today,
            )
        )
    for index, place, mission, frequency, weekday, week, (start, end) in PERMANENCES:
        _off_duty(jurists[index], weekday, time(start), time(end))
        permanences.save(
            None,
            place=places[place],
            mission=mission,
            user_id=jurists[index].id,
            frequency=frequency,
            weekday=weekday,
            week_of_month=week,
            starts=time(start),
            ends=time(end),
            first_day=today - timedelta(days=365),
            last_day=None,
            active=True,
            today=today,
        )


def _appointments(rng: random.Random, jurists: list[User]) -> int:
    """A few appointments in the coming permanences, for households of their territory."""
    from hotline.appointments import services as appointments
    from hotline.appointments.models import Appointment
    from hotline.consultations.models import Household

    if db.session.scalar(select(func.count()).select_from(Appointment)):
        return 0
    now, zone, today = clock.now(), clock.local_zone(), clock.local_today()
    slots = appointments.free_slots(today, today + timedelta(days=21), now, zone)
    made = 0
    for slot in rng.sample(slots, min(12, len(slots))):
        households = list(
            db.session.scalars(
                select(Household)
                .join(Commune)
                .where(Commune.territory_code == slot.permanence.territory_code, Household.phone.is_not(None))
                .limit(30)
            )
        )
        if not households:
            continue
        holder = slot.permanence.user or jurists[0]
        appointments.book(
            rng.choice(households),
            mission=slot.permanence.mission,
            jurist=holder,
            booked_by=holder,
            now=now,
            zone=zone,
            slot=slot.key,
            sms_reminder=rng.random() < 0.7,
        )
        made += 1
    return made


def _pick(rng: random.Random, vocabulary: str, unknown_share: float = 0.15) -> str:
    codes = list(labels(vocabulary))
    if "inconnu" in codes and rng.random() < unknown_share:
        return "inconnu"
    return rng.choice([c for c in codes if c != "inconnu"])


# The acts and events of a procedure, each (code, days after the previous one), by the branch it takes
# after the hearing, so that the demo holds every branch of the path (cases/path.py). The hearing comes
# six weeks at least after the assignation reached the prefect (loi 89-462 art. 24 III); every date is
# a working day.
BEFORE_JUDGMENT = [
    ("commandement_payer", (0, 0)),
    ("assignation", (65, 120)),
    ("notification_prefet_assignation", (1, 4)),
    ("diagnostic_social_financier", (15, 40)),
    ("audience", (30, 70)),
]
TERMINATED = [("jugement_resiliation", (15, 45)), ("signification_jugement", (10, 30))]
BRANCHES = {  # branch: (weight, the acts after BEFORE_JUDGMENT, or the whole path when it starts with "!")
    "delais_tenus": (14, [("jugement_delais", (15, 45)), ("dette_soldee", (200, 500))]),
    "delais_en_cours": (10, [("jugement_delais", (15, 45))]),
    "delais_rompus": (6, [("jugement_delais", (15, 45)), ("commandement_quitter", (90, 200))]),
    "rejet": (8, [("jugement_rejet", (15, 45)), ("signification_jugement", (10, 30))]),
    "resiliation": (14, TERMINATED + [("commandement_quitter", (20, 60)), ("requisition_cfp", (65, 100))]),
    "refere": (6, TERMINATED),
    "expulsion": (
        3,
        TERMINATED
        + [
            ("commandement_quitter", (20, 60)),
            ("pv_tentative_expulsion", (65, 90)),
            ("requisition_cfp", (3, 10)),
            ("cfp_accorde", (30, 60)),
            ("expulsion_effective", (15, 40)),
        ],
    ),
    "depart": (4, TERMINATED + [("commandement_quitter", (20, 60)), ("depart_volontaire", (20, 50))]),
    "relogement": (4, TERMINATED + [("relogement_effectif", (40, 120))]),
    "protocole": (4, TERMINATED + [("protocole_cohesion_signe", (30, 90))]),
    "surendettement": (
        5,
        [
            ("depot_surendettement", (10, 40)),
            ("recevabilite_surendettement", (30, 60)),
            ("jugement_delais", (20, 60)),
            ("mesures_surendettement", (60, 150)),
        ],
    ),
    "amiable": (
        12,
        [
            "!",
            ("commandement_payer", (0, 0)),
            ("fsl_demande", (5, 20)),
            ("fsl_accorde", (30, 60)),
            ("plan_apurement", (5, 20)),
        ],
    ),
}
LAW_2023 = date(2023, 7, 29)


@dataclass
class _Procedure:
    """A household's procedure as the demo tells it: its lease and the acts and events with their dates."""

    lease_signed_on: date
    landlord_type: str
    rent: Decimal
    housing_benefit: str
    acts: list[tuple[str, date]]
    decision_kind: str

    def stage_on(self, day: date) -> str:
        known = [code for code, served in self.acts if served <= day and code in labels("procedure_stages")]
        return known[-1] if known else "impaye"

    def acts_until(self, day: date) -> dict[str, date]:
        return {code: served for code, served in self.acts if served <= day}


def _procedure(
    rng: random.Random, first_visit: date, today: date, near_truce: bool, branch: str | None = None
) -> _Procedure:
    """Leases before and after the law of July 2023, every branch of the path; `near_truce`: a household
    whose commandement de quitter was served shortly before today (the two months end near or in the truce);
    `branch`: the one to take (else drawn by BRANCHES' weights)."""
    lease = (
        LAW_2023 + timedelta(days=rng.randint(1, 700))
        if rng.random() < 0.3
        else date(rng.randint(2008, 2023), rng.randint(1, 6), rng.randint(1, 28))
    )
    names = list(BRANCHES)
    branch = branch or ("resiliation" if near_truce else rng.choices(names, [BRANCHES[name][0] for name in names])[0])
    path = BRANCHES[branch][1]
    steps = path[1:] if path[0] == "!" else BEFORE_JUDGMENT + path
    acts, day = [], first_visit - timedelta(days=rng.randint(0, 240))
    for code, (low, high) in steps:
        day = next_working_day(day + timedelta(days=rng.randint(low, high)))
        if code == "expulsion_effective":  # none during the winter truce (CPCE L412-6)
            day = next_working_day(after_truce(day))
        acts.append((code, day))
    if near_truce:  # the commandement de quitter 15 to 80 days ago, the earlier acts before it
        shift = today - timedelta(days=rng.randint(15, 80)) - dict(acts)["commandement_quitter"]
        acts = [(code, next_working_day(served + shift)) for code, served in acts if code != "requisition_cfp"]
    landlord = (
        "bailleur_social"
        if branch == "protocole"
        else rng.choice(
            [
                "personne_physique",
                "personne_physique",
                "sci_familiale",
                "personne_morale_privee",
                "bailleur_social",
                "bailleur_social",
            ]
        )
    )
    kind = "refere" if branch == "refere" else rng.choice(["fond", "fond", "fond", "inconnu"])
    return _Procedure(
        min(lease, acts[0][1] - timedelta(days=365)),
        landlord,
        Decimal(rng.randint(350, 900)),
        _pick(rng, "housing_benefits", 0.1),
        acts,
        kind,
    )


def _consultations(rng: random.Random, jurists: list[User], today, households: int = 650) -> int:
    communes = list(db.session.scalars(select(Commune)))
    weights = [max(c.population, 50) ** 0.8 for c in communes]
    themes = list(theme_codes())
    by_territory = {}
    for jurist in jurists:
        by_territory.setdefault(jurist.territories[0], []).append(jurist)
    count = 0
    near_truce = 6  # households past the commandement de quitter near the truce
    # Two households of each branch followed from 20 months ago, seen after each act: every branch is on a page.
    showcase = [branch for branch in BRANCHES for _ in range(2)]
    for n in range(households):
        commune = rng.choices(communes, weights)[0]
        mission = "prevention_expulsion" if rng.random() < 0.45 else "info_logement"
        household = consultations.create_household(
            name=f"{rng.choice(FIRST_NAMES)} {rng.choice('ABCDEFGHJLMNPRST')}." if rng.random() < 0.8 else None,
            phone=f"+3363{rng.randrange(10**7):07d}" if rng.random() < 0.7 else None,
            commune_insee=commune.insee,
            adults=rng.choice([1, 1, 2, 2, 3]),
            children=rng.choice([0, 0, 1, 2, 3]),
        )
        visits = 1 if mission == "info_logement" and rng.random() < 0.8 else rng.randint(1, 5)
        close = mission == "prevention_expulsion" and near_truce > 0
        day = today - timedelta(days=rng.randint(20, 60) if close else rng.randint(0, 364))
        shown = showcase.pop() if mission == "prevention_expulsion" and not close and showcase else None
        if shown:
            day = today - timedelta(days=rng.randint(560, 620))
        procedure = _procedure(rng, day, today, close, shown) if mission == "prevention_expulsion" else None
        days = None
        if shown:  # the first visit, then a visit a few working days after each act, until today
            days = sorted(
                {day, *(next_working_day(served + timedelta(days=rng.randint(2, 6))) for _, served in procedure.acts)}
            )
            days = [one for one in days if one <= today]
            visits, day = len(days), days[0]
        if close:  # seen a few days after the commandement de quitter, then followed
            day = min(today, dict(procedure.acts)["commandement_quitter"] + timedelta(days=rng.randint(2, 10)))
        near_truce -= close
        stated: dict[str, date] = {}
        debt = Decimal(rng.randint(300, 9000)) + Decimal(rng.randint(0, 99)) / 100
        profile = {
            name: _pick(rng, vocab)
            for name, vocab in (
                ("occupancy_status", "occupancy_statuses"),
                ("housing_sector", "housing_sectors"),
                ("family_situation", "family_situations"),
                ("age_band", "age_bands"),
                ("resource_band", "resource_bands"),
            )
        }
        if procedure is not None:
            profile["housing_sector"] = "social" if procedure.landlord_type == "bailleur_social" else "prive"
        for visit in range(visits):
            if day > today:
                break
            jurist = rng.choice(by_territory.get(commune.territory_code) or jurists)
            data = {
                "date": day,
                "time": time(rng.randint(9, 16), rng.choice([0, 15, 30, 45])),
                "duration_minutes": rng.randint(5, 60),
                "mission": mission,
                "mode": rng.choices(list(labels("modes")), [50, 15, 15, 8, 6, 3, 3])[0],
                "jurist_id": jurist.id,
                "consultant_type": "travailleur_social" if rng.random() < 0.2 else "particulier",
                "commune_insee": commune.insee,
                "territory_code": commune.territory_code,
                "referral_source": _pick(rng, "referral_sources"),
                "resource_types": rng.sample(
                    [c for c in labels("resource_types") if c != "inconnu"], rng.randint(1, 2)
                ),
                "themes": rng.sample(themes, rng.randint(1, 2)),
                "outcomes": rng.sample(list(labels("outcomes")), rng.randint(1, 3)),
                "habitat_indigne": rng.random() < 0.05,
                "permis_louer": rng.random() < 0.04,
                **profile,
            }
            if procedure is not None:
                data["themes"] = [
                    "impayes_expulsion/" + rng.choice(["impaye_locataire", "procedure_expulsion", "plan_apurement"])
                ] + data["themes"][:1]
                data["procedure_stage"] = procedure.stage_on(day)
                data["debt_amount"] = debt if rng.random() < 0.85 else None
                data["debt_origins"] = rng.sample(
                    [c for c in labels("debt_origins") if c != "inconnu"], rng.randint(1, 2)
                )
                debt += Decimal(rng.randint(0, 1200))
            consultation = consultations.record_consultation(data, jurist.id, household)
            if procedure is not None:
                _state_the_case(rng, household, consultation, procedure, stated, first=visit == 0)
            count += 1
            day = days[visit + 1] if days and visit + 1 < len(days) else day + timedelta(days=rng.randint(7, 60))
        if n % 100 == 0:
            db.session.flush()
    return count


def _state_the_case(
    rng: random.Random, household, consultation, procedure: _Procedure, stated: dict, first: bool
) -> None:
    """What this visit learnt: the acts served since the last one; the lease, landlord and aid at the
    first visit (the lease date unknown now and then), the rent now and then."""
    new = {code: served for code, served in procedure.acts_until(consultation.date).items() if code not in stated}
    stated.update(new)
    judged = any(code.startswith("jugement") for code in new)
    fields = {"rent_amount": procedure.rent} if first or rng.random() < 0.3 else {}
    if first:
        fields.update(landlord_type=procedure.landlord_type, housing_benefit=procedure.housing_benefit)
        if rng.random() < 0.85:
            fields["lease_signed_on"] = procedure.lease_signed_on
    cases.record_acts(household, consultation, new, decision_kind=procedure.decision_kind if judged else None, **fields)


CALL_OUTCOMES = ["answered"] * 14 + ["missed", "missed", "voicemail", "callback_requested", "abandoned"]
CALL_SLOTS = ((time(9), time(12, 30)), (time(13, 30), time(17)))  # the default opening hours


def _call_start(rng: random.Random, today, zone, at_night: bool) -> datetime:
    """A weekday of the last two months, in opening hours (or, at night, between 19:00 and 07:00)."""
    day = today - timedelta(days=rng.randint(1, 60))
    while day.weekday() >= 5 or is_holiday(day):
        day -= timedelta(days=1)
    if at_night:
        minutes = rng.randint(19 * 60, 31 * 60 - 1)  # 19:00 to 06:59 the next morning
        return datetime.combine(day, time(), zone) + timedelta(minutes=minutes)
    opens, closes = rng.choice(CALL_SLOTS)
    span = (closes.hour * 60 + closes.minute) - (opens.hour * 60 + opens.minute) - 5
    return datetime.combine(day, opens, zone) + timedelta(minutes=rng.randint(0, span), seconds=rng.randint(0, 59))


def _calls(rng: random.Random, jurists: list[User], now: datetime, count: int = 120) -> int:
    """Calls of the last two months: most in opening hours (answered, missed, a message, a callback asked),
    a few at night that end in the voicemail. Durations are never negative; demo voicemails have no
    recording (nothing to listen to)."""
    zone, today = clock.local_zone(), clock.local_today()
    for n in range(count):
        at_night = n % 12 == 0
        started = _call_start(rng, today, zone, at_night).astimezone(UTC)
        jurist = rng.choice(jurists)
        mission = rng.choice(list(labels("missions")))
        territory = jurist.territories[0]
        outcome = "closed" if at_night else rng.choice(CALL_OUTCOMES)
        wait = rng.randint(5, 90)
        path = ["accueil", f"mission:{mission}", "routage"]
        call = Call(
            call_sid=f"CAdemo{n:032d}",
            to_number="+33800000062",
            started_at=started,
            from_number=f"+3363{rng.randrange(10**7):07d}" if outcome != "abandoned" or n % 2 else None,
            mission=mission,
            territory_code=territory if outcome != "abandoned" else None,
            routed=outcome != "abandoned",
            outcome=outcome,
            twilio_status="completed",
        )
        if outcome == "answered":
            call.answered_at = started + timedelta(seconds=wait)
            call.answered_by_id = jurist.id
            call.talk_seconds = rng.randint(90, 1500)
            call.ended_at = call.answered_at + timedelta(seconds=call.talk_seconds)
            path.append(f"repondu:{jurist.id}")
        elif outcome == "abandoned":
            call.ended_at = started + timedelta(seconds=rng.randint(10, 40))
            path = ["accueil", f"mission:{mission}"]
        else:
            extra = {"missed": 120, "voicemail": 150, "callback_requested": 130, "closed": 80}[outcome]
            call.ended_at = started + timedelta(seconds=wait + extra)
            path += {
                "missed": ["file_attente"],
                "voicemail": ["file_attente", "message"],
                "callback_requested": ["file_attente", "rappel"],
                "closed": ["ferme", "message"],
            }[outcome]
            if outcome in ("voicemail", "closed"):
                call.recording_seconds = rng.randint(15, 110)
        call.wait_seconds = int(((call.answered_at or call.ended_at) - started).total_seconds())
        call.path = " > ".join(path)
        db.session.add(call)
        db.session.flush()
        if outcome in ("voicemail", "closed", "callback_requested", "missed") and started > now - timedelta(days=10):
            calls.add_callback(
                call,
                {"voicemail": "voicemail", "closed": "voicemail", "callback_requested": "callback_request"}.get(
                    outcome, "missed"
                ),
            )
    return count


ACTIVITIES = [  # type, mission, title
    ("ccapex", "prevention_expulsion", "CCAPEX de l'arrondissement"),
    ("instance_locale", "prevention_expulsion", "Commission locale de prévention des expulsions"),
    ("groupe_travail", "info_logement", "Groupe de travail habitat indigne"),
    ("action_specifique", "info_logement", "Atelier « Bien louer » au centre social"),
    ("article", "info_logement", "Article sur le permis de louer dans le bulletin intercommunal"),
    ("manifestation", "info_logement", "Stand au salon de l'habitat"),
    ("formation_partenaires", "prevention_expulsion", "Information des travailleurs sociaux sur la procédure"),
]


def _activities(rng: random.Random, jurists: list[User], today) -> int:
    """Two years of the service's own activities: a CCAPEX every month per territory, and the rest now and then."""
    made = 0
    for months_ago in range(24):
        for jurist in jurists:
            for kind, mission, title in ACTIVITIES:
                share = 0.6 if kind == "ccapex" else 0.08
                if rng.random() >= share:
                    continue
                day = today - timedelta(days=30 * months_ago + rng.randint(0, 27))
                db.session.add(
                    Activity(
                        date=day,
                        mission=mission,
                        activity_type=kind,
                        title=title,
                        territory_code=jurist.territories[0],
                        created_by_id=jurist.id,
                    )
                )
                made += 1
    return made


@click.command("demo", help="Remplir la base avec des données de démonstration.")
@with_appcontext
@click.option("--seed", default=62, show_default=True, help="Graine du hasard, pour des données reproductibles")
def demo_command(seed: int):
    if not db.session.scalar(select(func.count()).select_from(Commune)):
        raise click.ClickException("La base n'est pas initialisée : lancez d'abord « hotline db upgrade ».")
    rng = random.Random(seed)
    accounts = _accounts()
    jurists = [u for u, _ in accounts if u.role == "jurist"]
    db.session.flush()
    _roster(jurists)
    _permanences(jurists, clock.local_today())
    if not db.session.scalar(select(func.count()).select_from(Consultation)):
        made = _consultations(rng, jurists, clock.local_today())
        _calls(rng, jurists, clock.now())
        booked = _appointments(rng, jurists)
        activities = _activities(rng, jurists, clock.local_today())
        click.echo(
            f"{made} consultations, 120 appels, {booked} rendez-vous et {activities} activités de démonstration créés."
        )
    else:
        click.echo("Données de démonstration déjà présentes : seuls les mots de passe sont renouvelés.")
    db.session.commit()
    click.echo("\nComptes de démonstration (mots de passe renouvelés à chaque « hotline demo ») :")
    for user, password in accounts:
        territory = f" — {', '.join(user.territories)}" if user.territories else ""
        click.echo(f"  {user.role_label:<15} {user.email:<38} {password}{territory}")
