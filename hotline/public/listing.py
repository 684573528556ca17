"""What the public page shows, grouped by territory, commune and place, and the green number to
call to book. Pure functions over the permanences' occurrences."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date

import phonenumbers

from hotline.permanences.models import Permanence, Place
from hotline.permanences.recurrence import HOLIDAY
from hotline.permanences.services import Occurrence


@dataclass
class Series:
    permanence: Permanence
    dates: list[tuple[date, str | None]] = field(default_factory=list)  # (day, "annulée" / "jour férié" / None)


@dataclass
class PlaceGroup:
    place: Place
    series: list[Series] = field(default_factory=list)


@dataclass
class CommuneGroup:
    name: str
    places: list[PlaceGroup] = field(default_factory=list)


@dataclass
class TerritoryGroup:
    code: str
    label: str
    communes: list[CommuneGroup] = field(default_factory=list)


def public_note(not_held: str | None) -> str | None:
    """Why a date does not take place, as the public may read it: never the reason of a cancellation."""
    if not_held is None:
        return None
    return "jour férié" if not_held == HOLIDAY else "annulée"


def group(items: Iterable[Occurrence], territories: Mapping[str, str]) -> list[TerritoryGroup]:
    """Occurrences -> territories (in the order given, code -> label), communes and places by name,
    each place's permanences by mission and hours, each with its dates in order."""
    series: dict[int, Series] = {}
    for item in sorted(items, key=lambda o: o.day):
        entry = series.setdefault(item.permanence.id, Series(item.permanence))
        entry.dates.append((item.day, public_note(item.not_held)))
    places: dict[int, PlaceGroup] = {}
    for entry in sorted(
        series.values(),
        key=lambda s: (s.permanence.mission, s.permanence.weekday, s.permanence.starts, s.permanence.id),
    ):
        place = entry.permanence.place
        places.setdefault(place.id, PlaceGroup(place)).series.append(entry)
    result = []
    for code, label in territories.items():
        communes: dict[str, CommuneGroup] = {}
        mine = [g for g in places.values() if g.series[0].permanence.territory_code == code]
        for place_group in sorted(mine, key=lambda g: (g.place.commune.name, g.place.name)):
            name = place_group.place.commune.name
            communes.setdefault(name, CommuneGroup(name)).places.append(place_group)
        if communes:
            result.append(TerritoryGroup(code, label, list(communes.values())))
    return result


@dataclass(frozen=True)
class PhoneNumber:
    display: str  # "0 800 00 00 62"
    uri: str  # "tel:+33800000062"


def _number(text: str) -> PhoneNumber | None:
    try:
        parsed = phonenumbers.parse(text, "FR")
    except phonenumbers.NumberParseException:
        return None
    return PhoneNumber(
        phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.NATIONAL),
        "tel:" + phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164),
    )


def green_number(mission: str, ivr_numbers: Mapping[str, str], general: str | None) -> PhoneNumber | None:
    """The number to call to book a permanence of the mission: the green number dedicated to the
    mission, else the general one (GREEN_NUMBER_DISPLAY), else the first green number configured."""
    dedicated = [number for number, its_mission in ivr_numbers.items() if its_mission == mission]
    for candidate in (*dedicated, general, *ivr_numbers):
        found = _number(candidate) if candidate else None
        if found is not None:
            return found
    return None


def spoken_hour(moment) -> str:
    """time(9) -> '9 h', time(13, 30) -> '13 h 30': how hours are written for the public."""
    return f"{moment.hour} h {moment.minute:02d}" if moment.minute else f"{moment.hour} h"
