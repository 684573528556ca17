"""The demo's service as an administrator sets it up: the accounts of each role, the duty roster, the places
and permanences of both missions in every territory, a few coming appointments, and the service's own
activities."""

from __future__ import annotations

import random
import secrets
from datetime import time, timedelta

from sqlalchemy import func, select

from hotline.activities.models import Activity
from hotline.auth.models import User
from hotline.auth.passwords import hash_password
from hotline.auth.services import create_user
from hotline.core import clock
from hotline.extensions import db
from hotline.jobs.demo.days import minutes, window, working_day_on_or_before
from hotline.permanences import services as permanence_services
from hotline.permanences.models import DutyShift, Permanence, Place
from hotline.permanences.places import save_place
from hotline.reference import labels
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


def _password() -> str:
    return "Demo-" + secrets.token_urlsafe(12)


def accounts() -> list[tuple[User, str]]:
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


def roster(jurists: list[User]) -> None:
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
            if minutes(piece_ends) - minutes(piece_starts) >= 60:
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


def permanences(jurists: list[User], today) -> None:
    """Places and permanences of both missions in every territory, held since the demo's first day (the
    report counts the permanences held, beside the year before)."""
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
        permanence_services.save(
            None,
            place=places[place],
            mission=mission,
            user_id=jurists[index].id,
            frequency=frequency,
            weekday=weekday,
            week_of_month=week,
            starts=time(start),
            ends=time(end),
            first_day=window(today)[0],
            last_day=None,
            active=True,
            today=today,
        )


def appointments(rng: random.Random, jurists: list[User]) -> int:
    """A few appointments in the coming permanences, for households of their territory."""
    from hotline.appointments import services as booking
    from hotline.appointments.models import Appointment
    from hotline.consultations.models import Household

    if db.session.scalar(select(func.count()).select_from(Appointment)):
        return 0
    now, zone, today = clock.now(), clock.local_zone(), clock.local_today()
    slots = booking.free_slots(today, today + timedelta(days=21), now, zone)
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
        booking.book(
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


ACTIVITIES = [  # type, mission, title
    ("ccapex", "prevention_expulsion", "CCAPEX de l'arrondissement"),
    ("instance_locale", "prevention_expulsion", "Commission locale de prévention des expulsions"),
    ("groupe_travail", "info_logement", "Groupe de travail habitat indigne"),
    ("action_specifique", "info_logement", "Atelier « Bien louer » au centre social"),
    ("article", "info_logement", "Article sur le permis de louer dans le bulletin intercommunal"),
    ("manifestation", "info_logement", "Stand au salon de l'habitat"),
    ("formation_partenaires", "prevention_expulsion", "Information des travailleurs sociaux sur la procédure"),
]


def activities(rng: random.Random, jurists: list[User], today) -> int:
    """The service's own activities since the demo's first day, on working days: a CCAPEX most months
    per territory, and the rest now and then."""
    made, first = 0, window(today)[0]
    for months_ago in range((today - first).days // 30 + 1):
        for jurist in jurists:
            for kind, mission, title in ACTIVITIES:
                share = 0.6 if kind == "ccapex" else 0.08
                if rng.random() >= share:
                    continue
                day = working_day_on_or_before(today - timedelta(days=30 * months_ago + rng.randint(0, 27)))
                if day < first:
                    continue
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
