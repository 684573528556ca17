"""Proof that a webhook comes from Twilio: X-Twilio-Signature over the public URL and the form."""

from __future__ import annotations

from hmac import compare_digest

from flask import current_app, request
from twilio.request_validator import RequestValidator


def public_url() -> str:
    """The URL Twilio called: HOTLINE_PUBLIC_URL + path when set, else the (ProxyFix'd) request URL."""
    base = current_app.config.get("PUBLIC_URL")
    if base:
        query = request.query_string.decode("latin-1")
        return base + request.path + (f"?{query}" if query else "")
    return request.url


def is_signed() -> bool:
    token = current_app.config.get("TWILIO_AUTH_TOKEN")
    signature = request.headers.get("X-Twilio-Signature", "")
    if not token or not signature:
        return False
    validator = RequestValidator(token)
    url, params = public_url(), request.form.to_dict(flat=True)
    # The usual case costs one HMAC; validate() then tries the URL variants Twilio may have signed
    # (with or without the port).
    if compare_digest(validator.compute_signature(url, params), signature):
        return True
    return validator.validate(url, params, signature)


def sign(url: str, params: dict, token: str) -> str:
    """The signature Twilio would send: used by the simulator and the tests."""
    return RequestValidator(token).compute_signature(url, params)
