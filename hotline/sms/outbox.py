"""Text messages through Twilio's REST API (Programmable Messaging), with Twilio's own client, and
the outbox that sends each of them exactly once.

The outbox (table sms_messages) holds one row per message to send, under a unique idempotency key
("reminder:12": the reminder of appointment 12). It keeps no text and no phone number: the
purpose renders them from the appointment at the moment of sending. A row goes:

    queued -> sending (claimed: a conditional UPDATE sets a lease, claimed_until)
           -> sent (Twilio's SID) | failed (Twilio refused it) | queued (Twilio was not reached)
           | unknown (timeout, 5xx: Twilio may have it)

Twilio's Messages API takes no idempotency key, so each text ends with a reference ("Réf. 12", the
row's id). A claim whose outcome is not known (`unknown`, or `sending` past its lease: the sender
died) is reconciled before anything is sent again: Twilio's list of messages to that number is
searched for the reference; found -> sent (with its SID), not found -> sent again, list
unreachable -> stays `unknown`, shown to a person on the appointments page, never sent blindly.
The client's timeout (SMS_TIMEOUT_SECONDS, 5) is far under the lease (SMS_LEASE_SECONDS, 120).

A purpose (PURPOSES: the booking's confirmation, the reminder the day before) is a renderer in the
mapping given to run() (see appointments/reminders.py). Without Twilio's credentials (the demo),
rows stay queued and nothing fails; the pages say so (status_label).

HOTLINE_TWILIO_API_URL points the client elsewhere than https://api.twilio.com: the tests run a
local HTTP endpoint standing in for Twilio there.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from flask import current_app
from sqlalchemy import (
    ForeignKey,
    Integer,
    SmallInteger,
    String,
    and_,
    or_,
    select,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Mapped, mapped_column
from twilio.base.exceptions import TwilioException, TwilioRestException

from hotline.core import clock
from hotline.core.models_base import UTCDateTime, utcnow
from hotline.extensions import db

if TYPE_CHECKING:
    from twilio.rest import Client

log = logging.getLogger("hotline.sms")
# Twilio's client logs its query strings at INFO: a list request names the phone number. Not here.
client_log = logging.getLogger("hotline.sms.twilio")
client_log.setLevel(logging.WARNING)

TIMEOUT_SECONDS = 5  # Twilio's client gives up after this (config SMS_TIMEOUT_SECONDS)...
LEASE_SECONDS = 120  # ...far under the claim's lease (config SMS_LEASE_SECONDS)
MAX_AGE = timedelta(days=2)  # older rows are left as they are
LOOKUP_LIMIT = 100  # how many of the latest messages to a number are searched for a reference

STATUSES = {
    "queued": "SMS en attente d'envoi",
    "sending": "Envoi en cours",
    "sent": "SMS envoyé",
    "failed": "SMS non envoyé",
    "unknown": "SMS peut-être envoyé, à vérifier",
    "cancelled": "SMS non envoyé (plus nécessaire)",
}
NOT_CONFIGURED = "SMS en attente (SMS non configurés)"
PURPOSES = {"confirmation": "Confirmation du rendez-vous", "reminder": "Rappel la veille"}
UNSETTLED = ("sending", "unknown")  # claims to reconcile once their lease has run out

REQUIRED = (
    ("TWILIO_ACCOUNT_SID", "HOTLINE_TWILIO_ACCOUNT_SID"),
    ("TWILIO_AUTH_TOKEN", "HOTLINE_TWILIO_AUTH_TOKEN"),
    ("SMS_FROM", "HOTLINE_SMS_FROM"),
)


class SmsMessage(db.Model):
    __tablename__ = "sms_messages"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    purpose: Mapped[str] = mapped_column(String(20))  # PURPOSES: "confirmation", "reminder"
    appointment_id: Mapped[int | None] = mapped_column(ForeignKey("appointments.id", ondelete="CASCADE"), index=True)
    key: Mapped[str] = mapped_column(String(80), unique=True)  # idempotency key: "reminder:12"
    status: Mapped[str] = mapped_column(String(20), default="queued", index=True)
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime)  # the lease of the last claim
    attempts: Mapped[int] = mapped_column(SmallInteger, default=0)  # claims so far; fences a late sender
    sid: Mapped[str | None] = mapped_column(String(64))
    error: Mapped[str | None] = mapped_column(String(120))  # a short technical reason, never personal data
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    @property
    def reference(self) -> str:
        return f"Réf. {self.id}"

    @property
    def label(self) -> str:
        return STATUSES[self.status]


@dataclass(frozen=True)
class Outgoing:
    """What a purpose makes of a row: the number, the text (without its reference), and whether it
    is still wanted (an appointment cancelled or past: no)."""

    to: str | None
    body: str
    wanted: bool


Render = Callable[[SmsMessage], Outgoing]


@dataclass(frozen=True)
class Sent:
    sid: str | None
    error: str | None = None  # a short reason when the message was not accepted
    outcome: str = "sent"  # sent | failed (refused) | queued (Twilio not reached) | unknown (may be sent)


class SmsNotConfigured(RuntimeError):
    """HOTLINE_TWILIO_ACCOUNT_SID, HOTLINE_TWILIO_AUTH_TOKEN or HOTLINE_SMS_FROM is missing or refused."""


def missing_settings(cfg: Mapping) -> list[str]:
    """The environment variables SMS still need: Twilio's account, real auth token and sender. A token
    made up by configure() for a one-off command (TWILIO_AUTH_TOKEN_GENERATED) is not real. For
    administrators and logs only: other users are told to ask an administrator."""
    return [
        variable
        for key, variable in REQUIRED
        if not cfg.get(key) or (key == "TWILIO_AUTH_TOKEN" and cfg.get("TWILIO_AUTH_TOKEN_GENERATED"))
    ]


def check_configured(cfg: Mapping) -> None:
    """Raise SmsNotConfigured unless missing_settings() is empty."""
    missing = missing_settings(cfg)
    if missing:
        raise SmsNotConfigured(
            f"{', '.join(missing)} {'manque' if len(missing) == 1 else 'manquent'} : "
            "aucun SMS n'est envoyé (voir .env.example). Rien n'a été marqué en échec."
        )


def configured(cfg: Mapping) -> bool:
    try:
        check_configured(cfg)
    except SmsNotConfigured:
        return False
    return True


def status_label(message: SmsMessage, cfg: Mapping) -> str:
    """The row's status in French; a queued row says when it waits for Twilio's settings."""
    return NOT_CONFIGURED if message.status == "queued" and not configured(cfg) else message.label


def client() -> Client:
    from twilio.http.http_client import (
        TwilioHttpClient,  # loaded when used: start-up time (issue 9)
    )
    from twilio.rest import Client  # loaded when used: start-up time (issue 9)

    cfg = current_app.config
    check_configured(cfg)
    twilio = Client(
        cfg["TWILIO_ACCOUNT_SID"],
        cfg["TWILIO_AUTH_TOKEN"],
        http_client=TwilioHttpClient(timeout=cfg.get("SMS_TIMEOUT_SECONDS", TIMEOUT_SECONDS), logger=client_log),
    )
    if cfg.get("TWILIO_API_URL"):
        twilio.api.base_url = cfg["TWILIO_API_URL"]
    return twilio


def _not_reached(error: Exception) -> bool:
    """The request surely never reached Twilio (no connection made): safe to send again."""
    # Twilio's HTTP stack (requests, urllib3) is loaded with its REST client, when a message is sent:
    # not at start-up (issue 9).
    from requests.exceptions import ConnectTimeout  # noqa: PLC0415
    from urllib3.exceptions import NewConnectionError  # noqa: PLC0415

    reason = getattr(error.args[0], "reason", None) if error.args else None
    return isinstance(error, ConnectTimeout) or isinstance(reason, NewConnectionError)


def _check_credentials(error: Exception) -> None:
    if isinstance(error, TwilioRestException) and error.status == 401:
        raise SmsNotConfigured(
            "Twilio refuse HOTLINE_TWILIO_ACCOUNT_SID / HOTLINE_TWILIO_AUTH_TOKEN : "
            "aucun SMS n'est envoyé. Rien n'a été marqué en échec."
        ) from None


def send(twilio: Client, to: str, body: str) -> Sent:
    """One message; a refusal or a lost answer is returned, not raised (except a refused auth token)."""
    try:
        sender = current_app.config["SMS_FROM"]
        # A Messaging Service (MG...) picks the sending number itself; otherwise SMS_FROM is the number.
        origin = {"messaging_service_sid": sender} if sender.startswith("MG") else {"from_": sender}
        message = twilio.messages.create(to=to, body=body, **origin)
        return Sent(message.sid)
    except TwilioRestException as error:
        _check_credentials(error)
        outcome = "unknown" if error.status >= 500 else "queued" if error.status == 429 else "failed"
        return Sent(None, f"Twilio {error.status} code {error.code}", outcome)
    except (TwilioException, OSError) as error:
        return Sent(None, type(error).__name__, "queued" if _not_reached(error) else "unknown")


def find(twilio: Client, to: str, reference: str) -> str | None:
    """The SID of the message to `to` whose text carries `reference`, if Twilio has one. Raises
    (TwilioException, OSError) when the list cannot be read. No date filter: a message Twilio
    accepted but has not sent yet has no DateSent, and must be found too."""
    pattern = re.compile(re.escape(reference) + r"(?!\d)")
    for message in twilio.messages.list(to=to, limit=LOOKUP_LIMIT):
        if message.body and pattern.search(message.body):
            return message.sid
    return None


def enqueue(purpose: str, appointment_id: int, now: datetime) -> None:
    """Queue one message, once: a second call with the same purpose and appointment does nothing. Flushes."""
    values = {
        "purpose": purpose,
        "appointment_id": appointment_id,
        "key": f"{purpose}:{appointment_id}",
        "status": "queued",
        "attempts": 0,
        "created_at": now,
        "updated_at": now,
    }
    dialect = postgresql if db.engine.dialect.name == "postgresql" else sqlite
    db.session.execute(dialect.insert(SmsMessage).values(**values).on_conflict_do_nothing(index_elements=["key"]))
    db.session.flush()


def workable(now: datetime) -> list[SmsMessage]:
    """Queued rows, and claims whose outcome is unknown once their lease has run out."""
    return list(
        db.session.scalars(
            select(SmsMessage)
            .where(
                SmsMessage.created_at >= now - MAX_AGE,
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
    for message in workable(now()):
        outgoing = renderers[message.purpose](message)
        message_id, before, reference = message.id, message.status, message.reference
        what = f"sms {message_id} ({message.purpose} of appointment {message.appointment_id})"
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
            _check_credentials(error)
            return _Outcome("unknown", {"status": "unknown", "error": f"list unreachable ({type(error).__name__})"})
        if sid:
            return _Outcome("sent", {"status": "sent", "sid": sid, "error": None})
        if not outgoing.wanted:
            return _Outcome("cancelled", {"status": "cancelled", "error": None})
    result = send(twilio, outgoing.to, f"{outgoing.body} {reference}.")
    if result.outcome == "queued":  # surely not received: the next run sends it
        return _Outcome("retry", {"status": "queued", "claimed_until": None, "error": result.error})
    return _Outcome(result.outcome, {"status": result.outcome, "sid": result.sid, "error": result.error})
