"""The voice menu's self-service SMS: the next permanences of the caller's territory (dates, hours, places)
and the public page's link, sent to the caller's French mobile after they agreed by voice.

One message per call, queued in the SMS outbox under the key "information:<call id>" (purpose
"information", the row's call_id: what the reports count as "SMS d'information envoyés"), rendered from the
call when the outbox sends it: the outbox keeps no text and no number. Whether a number may get it
("ne pas envoyer de SMS" on a household holding it) is asked of the function create_app hands to the voice
app (`refused`): the voice line does not read households itself.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import phonenumbers
from flask import current_app
from sqlalchemy import select

from hotline.core import clock
from hotline.core.calendar import DAYS, MONTHS
from hotline.extensions import db
from hotline.ivr.models import Call
from hotline.permanences.services import Occurrence, occurrences
from hotline.public.listing import green_number, spoken_hour
from hotline.reference import HORS_DEPARTEMENT
from hotline.sms.models import SmsMessage
from hotline.sms.outbox import Outgoing, Render, enqueue_for_call

PURPOSE = "information"
SHOWN = 3  # permanences in the text: a message of a few parts
WEEKS = 8  # as far ahead as the public page

Refused = Callable[[str | None, date], bool]


def french_mobile(number: str | None) -> bool:
    """A French mobile number (06, 07): the only numbers the service texts."""
    try:
        parsed = phonenumbers.parse(number or "", "FR")
    except phonenumbers.NumberParseException:
        return False
    return (
        parsed.country_code == 33
        and phonenumbers.is_valid_number(parsed)
        and phonenumbers.number_type(parsed) == phonenumbers.PhoneNumberType.MOBILE
        and str(parsed.national_number)[:1] in ("6", "7")
    )


def coming(mission: str | None, territory: str | None, now: datetime, zone: ZoneInfo) -> list[Occurrence]:
    """The next permanences held in the territory, those of the call's mission if it has any, at most SHOWN."""
    if not territory or territory == HORS_DEPARTEMENT:
        return []
    today = now.astimezone(zone).date()
    found = [
        o
        for o in occurrences(today, today + timedelta(weeks=WEEKS), territory=territory)
        if o.not_held is None and o.starts_at(zone) > now and o.permanence.place.active
    ]
    own = [o for o in found if o.permanence.mission == mission]
    return (own or found)[:SHOWN]


def queued(call_id: int) -> bool:
    return db.session.scalar(select(SmsMessage.id).where(SmsMessage.key == f"{PURPOSE}:{call_id}")) is not None


def queue(call: Call, now: datetime) -> None:
    """Queue the call's SMS, once (a second request on the same call adds nothing). Flushes."""
    enqueue_for_call(PURPOSE, call.id, now)


def text(items: list[Occurrence], zone: ZoneInfo, territory: str, mission: str | None) -> str:
    cfg = current_app.config
    lines = ["Service d'information sur le logement du Pas-de-Calais. Prochaines permanences, sur rendez-vous :"]
    for item in items:
        p, day = item.permanence, item.day
        when = f"{DAYS[day.weekday()]} {day.day} {MONTHS[day.month - 1]}, {spoken_hour(p.starts)}-{spoken_hour(p.ends)}"
        lines.append(f"- {when} : {p.name}, {p.address}, {p.place.commune.name}")
    number = green_number(mission or "", cfg.get("IVR_NUMBERS") or {}, cfg.get("GREEN_NUMBER_DISPLAY"))
    if number:
        lines.append(f"Rendez-vous au {number.display} (appel gratuit).")
    if cfg.get("PUBLIC_URL"):
        lines.append(f"Toutes les dates : {cfg['PUBLIC_URL']}/public/permanences?territory={territory}")
    return "\n".join(lines)


def renderer(refused: Refused | None = None) -> Render:
    """The outbox's renderer of this purpose; `refused(number, today)`: a flag forbids texting the number."""

    def render(message: SmsMessage) -> Outgoing:
        call = db.session.get(Call, message.call_id) if message.call_id else None
        if call is None or not call.from_number:  # erased since (retention): nothing to send
            return Outgoing(None, "", False)
        zone, now = clock.local_zone(), clock.now()
        items = coming(call.mission, call.territory_code, now, zone)
        wanted = bool(items) and french_mobile(call.from_number)
        if wanted and refused is not None:
            wanted = not refused(call.from_number, now.astimezone(zone).date())
        return Outgoing(call.from_number, text(items, zone, call.territory_code, call.mission), wanted)

    return render
