"""Twilio's REST API (Programmable Messaging) through Twilio's own client: whether it is configured,
sending one message, and finding a message already sent by the reference its text carries.

HOTLINE_TWILIO_API_URL points the client elsewhere than https://api.twilio.com: the tests run a
local HTTP endpoint standing in for Twilio there.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from flask import current_app
from twilio.base.exceptions import TwilioException, TwilioRestException

if TYPE_CHECKING:
    from twilio.rest import Client

# Twilio's client logs its query strings at INFO: a list request names the phone number. Not here.
client_log = logging.getLogger("hotline.sms.twilio")
client_log.setLevel(logging.WARNING)

TIMEOUT_SECONDS = 5  # Twilio's client gives up after this (config SMS_TIMEOUT_SECONDS), far under the outbox's lease
LOOKUP_LIMIT = 100  # how many of the latest messages to a number are searched for a reference

REQUIRED = (
    ("TWILIO_ACCOUNT_SID", "HOTLINE_TWILIO_ACCOUNT_SID"),
    ("TWILIO_AUTH_TOKEN", "HOTLINE_TWILIO_AUTH_TOKEN"),
    ("SMS_FROM", "HOTLINE_SMS_FROM"),
)


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


def check_credentials(error: Exception) -> None:
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
        check_credentials(error)
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
