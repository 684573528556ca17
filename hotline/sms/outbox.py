"""The SMS outbox: queueing a message, sending it through Twilio's client (twilio_client.py) exactly once,
and settling what a lost answer left unknown.

The outbox (table sms_messages) holds one row per message to send, under a unique idempotency key
("reminder:12": the reminder of appointment 12; "information:40": the voice menu's self-service SMS of
call 40). It keeps no text and no phone number: the purpose renders them from the appointment (or the
call) at the moment of sending. A row goes:

    queued -> sending (claimed: a conditional UPDATE sets a lease, claimed_until)
           -> sent (Twilio's SID) | failed (Twilio refused it) | queued (Twilio was not reached)
           | unknown (timeout, 5xx: Twilio may have it)

Twilio's Messages API takes no idempotency key, so each text ends with a reference ("Réf. 12", the
row's id). A claim whose outcome is not known (`unknown`, or `sending` past its lease: the sender
died) is reconciled before anything is sent again: Twilio's list of messages to that number is
searched for the reference; found -> sent (with its SID), not found -> sent again, list
unreachable -> stays `unknown`, shown to a person on the appointments page, never sent blindly.
The client's timeout (SMS_TIMEOUT_SECONDS, 5) is far under the lease (SMS_LEASE_SECONDS, 120).

A purpose (PURPOSES: the booking's confirmation, the reminder the day before, the self-service SMS) is
a renderer in the mapping given to run() (see appointments/reminders.py, ivr/selfservice.py). Without
Twilio's credentials (the demo), rows stay queued and nothing fails; the pages say so (status_label).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from flask import current_app
from sqlalchemy import and_, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from twilio.base.exceptions import TwilioException

from hotline.core import clock
from hotline.extensions import db
from hotline.sms.models import SmsMessage
from hotline.sms.twilio_client import SmsNotConfigured, check_credentials, client, configured, find, send

if TYPE_CHECKING:
    from twilio.rest import Client

log = logging.getLogger("hotline.sms")

LEASE_SECONDS = 120  # a claim's lease (config SMS_LEASE_SECONDS), far over Twilio's client timeout
MAX_AGE = timedelta(days=2)  # older rows are left as they are
NOT_CONFIGURED = "SMS en attente (SMS non configurés)"
UNSETTLED = ("sending", "unknown")  # claims to reconcile once their lease has run out


@dataclass(frozen=True)
class Outgoing:
    """What a purpose makes of a row: the number, the text (without its reference), and whether it
    is still wanted (an appointment cancelled or past: no)."""

    to: str | None
    body: str
    wanted: bool


Render = Callable[[SmsMessage], Outgoing]


def status_label(message: SmsMessage, cfg: Mapping) -> str:
    """The row's status in French; a queued row says when it waits for Twilio's settings."""
    return NOT_CONFIGURED if message.status == "queued" and not configured(cfg) else message.label


def enqueue(purpose: str, appointment_id: int, now: datetime) -> None:
    """Queue one message of an appointment, once: a second call with the same purpose and appointment does
    nothing. Flushes."""
    _enqueue(purpose, f"{purpose}:{appointment_id}", now, appointment_id=appointment_id)


def enqueue_for_call(purpose: str, call_id: int, now: datetime) -> None:
    """Queue one message of a call (the voice menu's self-service SMS), once. Flushes."""
    _enqueue(purpose, f"{purpose}:{call_id}", now, call_id=call_id)


def _enqueue(purpose: str, key: str, now: datetime, **subject) -> None:
    values = {"purpose": purpose, "key": key, "status": "queued", "attempts": 0, "created_at": now, "updated_at": now}
    dialect = postgresql if db.engine.dialect.name == "postgresql" else sqlite
    statement = dialect.insert(SmsMessage).values(**values, **subject).on_conflict_do_nothing(index_elements=["key"])
    db.session.execute(statement)
    db.session.flush()


def workable(now: datetime, purposes=None) -> list[SmsMessage]:
    """Queued rows, and claims whose outcome is unknown once their lease has run out (of these purposes:
    a run that cannot render a purpose leaves its rows to a run that can)."""
    return list(
        db.session.scalars(
            select(SmsMessage)
            .where(
                SmsMessage.created_at >= now - MAX_AGE,
                SmsMessage.purpose.in_(list(purposes)) if purposes is not None else SmsMessage.id.is_not(None),
                or_(
                    SmsMessage.status == "queued",
                    and_(SmsMessage.status.in_(UNSETTLED), SmsMessage.claimed_until < now),
                ),
            )
            .order_by(SmsMessage.id)
        )
    )


def _set(message_id: int, condition, **values) -> bool:
    """A conditional UPDATE of one row, committed at once; whether it applied."""
    result = db.session.execute(
        update(SmsMessage)
        .where(SmsMessage.id == message_id, condition)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    return result.rowcount == 1


OUTCOMES = ("sent", "failed", "retry", "unknown", "cancelled")


def run(renderers: Mapping[str, Render], now: Callable[[], datetime] = clock.now) -> dict[str, int]:
    """Work the outbox once: counts by outcome (sent, failed, retry, unknown, cancelled).

    Commits each step (the claim before Twilio is called, the outcome after): a killed sender
    leaves a claim with a lease, not a lost message. Raises SmsNotConfigured before touching anything
    when Twilio is not configured, or when Twilio refuses the credentials (the claim is put back)."""
    twilio = client()
    counts = dict.fromkeys(OUTCOMES, 0)
    lease = timedelta(seconds=current_app.config.get("SMS_LEASE_SECONDS", LEASE_SECONDS))
    for message in workable(now(), renderers):
        outgoing = renderers[message.purpose](message)
        message_id, before, reference = message.id, message.status, message.reference
        subject = f"call {message.call_id}" if message.call_id else f"appointment {message.appointment_id}"
        what = f"sms {message_id} ({message.purpose} of {subject})"
        moment, mine = now(), message.attempts + 1  # the fencing token: only this claim writes the outcome
        if before == "queued" and not outgoing.wanted:
            if _set(message_id, SmsMessage.status == "queued", status="cancelled", updated_at=moment):
                counts["cancelled"] += 1
            continue
        if not _set(
            message_id,
            and_(
                SmsMessage.status == before,
                SmsMessage.attempts == message.attempts,
                or_(SmsMessage.claimed_until.is_(None), SmsMessage.claimed_until < moment),
            ),
            status="sending",
            claimed_until=moment + lease,
            attempts=mine,
            updated_at=moment,
        ):
            continue  # another sender took it
        fenced = SmsMessage.attempts == mine
        try:
            outcome = _deliver(twilio, before, outgoing, reference)
        except SmsNotConfigured:
            _set(message_id, fenced, status=before, claimed_until=moment, updated_at=now())
            raise
        if not _set(message_id, fenced, **outcome.values, updated_at=now()):
            log.warning("%s: claim taken over by another sender; its outcome (%s) is not recorded", what, outcome.name)
            continue
        counts[outcome.name] += 1
        if outcome.values.get("error"):
            log.warning("%s: %s", what, outcome.values["error"])
    log.info("sms: %s", ", ".join(f"{count} {name}" for name, count in counts.items()))
    return counts


@dataclass(frozen=True)
class _Outcome:
    name: str  # the count it adds to
    values: dict


def _deliver(twilio: Client, before: str, outgoing: Outgoing, reference: str) -> _Outcome:
    """Send a claimed message, after looking for it at Twilio if an earlier claim may have sent it."""
    if before in UNSETTLED:
        if not outgoing.to:
            return _Outcome("unknown", {"status": "unknown", "error": "no number to look up"})
        try:
            sid = find(twilio, outgoing.to, reference)
        except (TwilioException, OSError) as error:
            check_credentials(error)
            return _Outcome("unknown", {"status": "unknown", "error": f"list unreachable ({type(error).__name__})"})
        if sid:
            return _Outcome("sent", {"status": "sent", "sid": sid, "error": None})
        if not outgoing.wanted:
            return _Outcome("cancelled", {"status": "cancelled", "error": None})
    result = send(twilio, outgoing.to, f"{outgoing.body} {reference}.")
    if result.outcome == "queued":  # surely not received: the next run sends it
        return _Outcome("retry", {"status": "queued", "claimed_until": None, "error": result.error})
    return _Outcome(result.outcome, {"status": result.outcome, "sid": result.sid, "error": result.error})
