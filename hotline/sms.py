"""Text messages through Twilio's REST API (Programmable Messaging), with Twilio's own client.

HOTLINE_TWILIO_API_URL points the client elsewhere than https://api.twilio.com: the tests run a
local HTTP endpoint standing in for Twilio there.
"""
from __future__ import annotations

from dataclasses import dataclass

from flask import current_app
from twilio.base.exceptions import TwilioException, TwilioRestException
from twilio.http.http_client import TwilioHttpClient
from twilio.rest import Client


@dataclass(frozen=True)
class Sent:
    sid: str | None
    error: str | None = None  # a short reason when the message was not accepted
    retry: bool = False  # no answer from Twilio (network, 5xx): worth trying again later


class SmsNotConfigured(RuntimeError):
    """HOTLINE_TWILIO_ACCOUNT_SID, HOTLINE_TWILIO_AUTH_TOKEN or HOTLINE_SMS_FROM is missing."""


def client() -> Client:
    cfg = current_app.config
    if not (cfg.get("TWILIO_ACCOUNT_SID") and cfg.get("TWILIO_AUTH_TOKEN") and cfg.get("SMS_FROM")):
        raise SmsNotConfigured("HOTLINE_TWILIO_ACCOUNT_SID, HOTLINE_TWILIO_AUTH_TOKEN et HOTLINE_SMS_FROM "
                               "sont nécessaires pour envoyer des SMS.")
    twilio = Client(cfg["TWILIO_ACCOUNT_SID"], cfg["TWILIO_AUTH_TOKEN"],
                    http_client=TwilioHttpClient(timeout=cfg.get("SMS_TIMEOUT_SECONDS", 10)))
    if cfg.get("TWILIO_API_URL"):
        twilio.api.base_url = cfg["TWILIO_API_URL"]
    return twilio


def send(twilio: Client, to: str, body: str) -> Sent:
    """One message; a refusal (invalid number, unreachable API) is returned, not raised."""
    try:
        sender = current_app.config["SMS_FROM"]
        # A Messaging Service (MG...) picks the sending number itself; otherwise SMS_FROM is the number.
        origin = {"messaging_service_sid": sender} if sender.startswith("MG") else {"from_": sender}
        message = twilio.messages.create(to=to, body=body, **origin)
        return Sent(message.sid, None)
    except TwilioRestException as error:
        return Sent(None, f"Twilio {error.status} code {error.code}", retry=error.status >= 500)
    except (TwilioException, OSError) as error:
        return Sent(None, type(error).__name__, retry=True)
