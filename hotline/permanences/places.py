"""Places that host permanences: a town hall, a social centre... with what the public needs to find
them (address, access notes, the place's own phone). Services flush only."""

from __future__ import annotations

from datetime import date

import phonenumbers
from sqlalchemy import func, or_, select

from hotline.extensions import db
from hotline.permanences.errors import PermanenceError
from hotline.permanences.models import Permanence, Place
from hotline.reference.services import get_commune


def phone_number(text: str | None) -> str | None:
    """A French phone number as typed -> E.164; None when empty."""
    text = (text or "").strip()
    if not text:
        return None
    try:
        number = phonenumbers.parse(text, "FR")
    except phonenumbers.NumberParseException:
        number = None
    if number is None or not phonenumbers.is_valid_number(number):
        raise PermanenceError("Numéro de téléphone du lieu invalide : par exemple 03 21 00 00 00.")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def display_phone(number: str | None) -> str:
    """'+33321000000' -> '03 21 00 00 00'."""
    if not number:
        return ""
    return phonenumbers.format_number(phonenumbers.parse(number, "FR"), phonenumbers.PhoneNumberFormat.NATIONAL)


def _same_address(name: str, address: str, commune_insee: str):
    return select(Place).where(Place.name == name, Place.address == address, Place.commune_insee == commune_insee)


def find_or_create(name: str | None, address: str | None, commune_insee: str | None) -> Place:
    """The place at this name, address and commune; a new one when there is none."""
    name, address = (name or "").strip(), (address or "").strip()
    if not name or not address:
        raise PermanenceError("Choisissez un lieu, ou indiquez le nom et l'adresse d'un nouveau lieu.")
    commune = get_commune(commune_insee or "")
    if commune is None:
        raise PermanenceError("Commune inconnue : choisissez-la dans la liste.")
    place = db.session.scalar(_same_address(name, address, commune.insee))
    if place is None:
        place = Place(name=name, address=address, commune_insee=commune.insee, active=True)
        db.session.add(place)
        db.session.flush()
    return place


def _coming(place: Place, today: date):
    return (
        select(func.count())
        .select_from(Permanence)
        .where(
            Permanence.place_id == place.id,
            Permanence.active.is_(True),
            or_(Permanence.last_day.is_(None), Permanence.last_day >= today),
        )
    )


def save_place(
    place: Place | None,
    *,
    name: str,
    address: str,
    commune_insee: str,
    access_notes: str | None,
    public_phone: str | None,
    active: bool,
    today: date,
) -> Place:
    """Create (place=None) or update a place. Its commune is fixed once a permanence uses it (the
    territory of past permanences stays), and it closes only when no coming permanence uses it."""
    name, address = (name or "").strip(), (address or "").strip()
    commune = get_commune(commune_insee or "")
    phone = phone_number(public_phone)
    if not name or not address:
        raise PermanenceError("Indiquez le nom et l'adresse du lieu.")
    if commune is None:
        raise PermanenceError("Commune inconnue : choisissez-la dans la liste.")
    twin = db.session.scalar(_same_address(name, address, commune.insee))
    if twin is not None and twin is not place:
        raise PermanenceError(f"Le lieu « {name} » existe déjà à cette adresse.")
    if place is not None and place.id is not None:
        used = db.session.scalar(select(func.count()).select_from(Permanence).where(Permanence.place_id == place.id))
        if used and commune.insee != place.commune_insee:
            raise PermanenceError(
                "Des permanences se tiennent dans ce lieu : sa commune ne change plus. "
                "Créez un nouveau lieu et choisissez-le dans les permanences concernées."
            )
        if not active and place.active and db.session.scalar(_coming(place, today)):
            raise PermanenceError(
                "Des permanences à venir se tiennent dans ce lieu : terminez-les ou "
                "changez-les de lieu avant de le fermer."
            )
    place = place or Place()
    place.name, place.address, place.commune_insee = name, address, commune.insee
    place.access_notes = (access_notes or "").strip() or None
    place.public_phone = phone
    place.active = active
    db.session.add(place)
    db.session.flush()
    return place


def listing() -> list[tuple[Place, int]]:
    """Every place with its number of permanences, open ones first."""
    counts = select(Permanence.place_id, func.count().label("n")).group_by(Permanence.place_id).subquery()
    query = (
        select(Place, func.coalesce(counts.c.n, 0))
        .outerjoin(counts, counts.c.place_id == Place.id)
        .order_by(Place.active.desc(), Place.name, Place.address)
    )
    return [(place, count) for place, count in db.session.execute(query)]


def choices(current: Place | None = None) -> list[Place]:
    """The places a permanence may be held in: the open ones, and its own."""
    query = select(Place).where(Place.active.is_(True)).order_by(Place.name, Place.address)
    places = list(db.session.scalars(query))
    if current is not None and current not in places:
        places.insert(0, current)
    return places
