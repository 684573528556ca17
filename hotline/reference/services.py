"""Questions about places: which territory a commune is in, which communes a postal code names."""

from __future__ import annotations

import time
import unicodedata
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from hotline.extensions import db
from hotline.reference import HORS_DEPARTEMENT, NON_RENSEIGNE
from hotline.reference.models import Commune, CommunePostalCode, Epci, Territory

DEPARTMENT_PREFIX = "62"


def fold(text: str) -> str:
    """Lower-case, accents and punctuation removed: 'Hénin-Beaumont' -> 'henin beaumont'."""
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c)).lower()
    return " ".join("".join(c if c.isalnum() else " " for c in plain).split())


def territories(include_buckets: bool = True) -> list[Territory]:
    query = select(Territory).order_by(Territory.position)
    if not include_buckets:
        query = query.where(Territory.kind == "territory")
    return list(db.session.scalars(query))


def territory_labels() -> dict[str, str]:
    return {t.code: t.label for t in territories()}


def get_commune(insee: str) -> Commune | None:
    return db.session.get(Commune, insee)


def territory_for_insee(insee: str | None) -> str:
    """The territory code of a commune; hors_departement outside the Pas-de-Calais."""
    if not insee:
        return NON_RENSEIGNE
    commune = get_commune(insee)
    if commune is not None:
        return commune.territory_code
    if not insee.upper().startswith(DEPARTMENT_PREFIX):
        return HORS_DEPARTEMENT
    return NON_RENSEIGNE


def communes_for_postal_code(postal_code: str) -> list[Commune]:
    query = (
        select(Commune)
        .join(CommunePostalCode)
        .where(CommunePostalCode.postal_code == postal_code.strip())
        .order_by(Commune.name)
    )
    return list(db.session.scalars(query))


@dataclass(frozen=True)
class Place:
    insee: str
    name: str
    territory_code: str


PLACES_TTL_SECONDS = 60
_places: dict[str, tuple[float, tuple[Place, ...]]] = {}


def postal_places(postal_code: str) -> tuple[Place, ...]:
    """The communes of a postal code, for the voice menu's hot path: kept a minute in memory.

    An administrator's move reaches this process at once and the other workers within a minute.
    """
    now = time.monotonic()
    cached = _places.get(postal_code)
    if cached and cached[0] > now:
        return cached[1]
    places = tuple(Place(c.insee, c.name, c.territory_code) for c in communes_for_postal_code(postal_code))
    if len(_places) > 2000:
        _places.clear()
    _places[postal_code] = (now + PLACES_TTL_SECONDS, places)
    return places


def resolve_commune(text: str) -> Commune | None:
    """A commune from what a person typed: INSEE code, name, or 'Name (postal code)'."""
    text = (text or "").strip()
    if not text:
        return None
    if len(text) == 5 and text[:2].isdigit():
        commune = get_commune(text.upper())
        if commune is not None:
            return commune
    name, _, rest = text.partition("(")
    wanted = fold(name)
    postal = "".join(c for c in rest if c.isdigit())[:5]
    candidates = [c for c in db.session.scalars(select(Commune)) if fold(c.name) == wanted]
    if postal:
        candidates = [c for c in candidates if postal in {p.postal_code for p in c.postal_codes}]
    return candidates[0] if len(candidates) == 1 else None


def field_label(commune: Commune) -> str:
    """What the commune field shows and resolve_commune() reads back: 'Lens (62300)'."""
    return f"{commune.name} ({commune.postal_codes[0].postal_code})" if commune.postal_codes else commune.name


def commune_field_value(insee: str | None) -> str:
    if not insee:
        return ""
    commune = get_commune(insee)
    return field_label(commune) if commune else insee


def commune_options() -> list[tuple[str, str]]:
    """('Lens (62300)', '62498') pairs for the commune field's suggestions."""
    query = select(Commune).options(selectinload(Commune.postal_codes)).order_by(Commune.name)
    return [(field_label(c), c.insee) for c in db.session.scalars(query)]


def move_epci(siren: str, territory_code: str) -> int:
    """Move an EPCI and every commune in it; returns the number of communes moved."""
    epci = db.session.get(Epci, siren)
    if epci is None or db.session.get(Territory, territory_code) is None:
        raise LookupError("EPCI ou territoire inconnu")
    epci.territory_code = territory_code
    communes = list(db.session.scalars(select(Commune).where(Commune.epci_siren == siren)))
    for commune in communes:
        commune.territory_code = territory_code
    db.session.flush()
    _places.clear()
    return len(communes)


def move_commune(insee: str, territory_code: str) -> None:
    commune = get_commune(insee)
    if commune is None or db.session.get(Territory, territory_code) is None:
        raise LookupError("Commune ou territoire inconnu")
    commune.territory_code = territory_code
    db.session.flush()


def commune_label(insee: str | None) -> str:
    """ "Boulogne-sur-Mer (62200)": the name and postal codes a person knows, never the INSEE code."""
    if not insee:
        return ""
    commune = get_commune(insee)
    return commune.display if commune else "Commune hors département"
