"""Every setting, read from HOTLINE_* environment variables (documented in .env.example).

A mapping passed to create_app() overrides all of them.
"""

from __future__ import annotations

import os
from collections.abc import Mapping


class ConfigError(RuntimeError):
    """A setting is missing or invalid; the message says which and what to do."""


def _bool(value: str | None, default: bool | None) -> bool | None:
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on", "oui"}


def from_environment(environ: Mapping[str, str] | None = None) -> dict:
    env = os.environ if environ is None else environ
    mode = env.get("HOTLINE_ENV", "production").strip().lower()
    return {
        "HOTLINE_ENV": mode,
        "SECRET_KEY": env.get("HOTLINE_SECRET_KEY") or None,
        "DATABASE_URL": env.get("HOTLINE_DATABASE_URL") or None,
        "TIMEZONE": env.get("HOTLINE_TIMEZONE", "Europe/Paris"),
        "TWILIO_AUTH_TOKEN": env.get("HOTLINE_TWILIO_AUTH_TOKEN") or None,
        "TWILIO_ACCOUNT_SID": env.get("HOTLINE_TWILIO_ACCOUNT_SID") or None,
        "TWILIO_API_URL": env.get("HOTLINE_TWILIO_API_URL") or None,
        "SMS_FROM": env.get("HOTLINE_SMS_FROM") or None,
        "REMINDER_HOURS_BEFORE": int(env.get("HOTLINE_REMINDER_HOURS_BEFORE") or 24),
        "SCHEDULER_INTERVAL_MINUTES": int(env.get("HOTLINE_SCHEDULER_INTERVAL_MINUTES") or 5),
        "OFFICE_ADDRESS": env.get("HOTLINE_OFFICE_ADDRESS") or "au siège du service",
        "CONTACT_PHONE": env.get("HOTLINE_CONTACT_PHONE") or None,
        # The bilan's face (reports/pdf.py): who writes it, for whom, under which agreement.
        **{key: env.get(f"HOTLINE_{key}") or default for key, default in BILAN_FACE.items()},
        **{key: int(env[f"HOTLINE_{key}"]) for key in RETENTION_KEYS if env.get(f"HOTLINE_{key}")},
        "PUBLIC_URL": (env.get("HOTLINE_PUBLIC_URL") or "").rstrip("/") or None,
        # None when not set: in production with a public URL, start-up then stops (hotline.configure).
        "PROXY_HOPS": int(env["HOTLINE_PROXY_HOPS"]) if (env.get("HOTLINE_PROXY_HOPS") or "").strip() else None,
        "BACKUP_NUMBER": env.get("HOTLINE_BACKUP_NUMBER") or None,
        "FIXED_NOW": env.get("HOTLINE_FIXED_NOW") or None,
        "RATELIMIT_STORAGE_URI": env.get("HOTLINE_RATELIMIT_STORAGE_URI", "memory://"),
        "SESSION_COOKIE_SECURE": _bool(env.get("HOTLINE_SECURE_COOKIES"), mode != "development"),
        "HSTS": _bool(env.get("HOTLINE_HSTS"), None),  # None: on, except in development and tests
        "LOG_LEVEL": env.get("HOTLINE_LOG_LEVEL", "INFO"),
        "IVR_NUMBERS": parse_numbers(env.get("HOTLINE_IVR_NUMBERS", "")),
        "GREEN_NUMBER_DISPLAY": env.get("HOTLINE_GREEN_NUMBER_DISPLAY") or None,
        "OBSERVATORY_KEY": env.get("HOTLINE_OBSERVATORY_KEY") or None,
        "IVR_DB_TIMEOUT_SECONDS": float(env.get("HOTLINE_IVR_DB_TIMEOUT", "0.5") or 0),
        "IVR_CIRCUIT_SECONDS": float(env.get("HOTLINE_IVR_CIRCUIT_SECONDS", "5") or 5),
        "IMPORT_BACKGROUND_ROWS": int(env.get("HOTLINE_IMPORT_BACKGROUND_ROWS", "5000") or 5000),
    }


# The bilan's first page until the settings say (HOTLINE_SERVICE_NAME, HOTLINE_FUNDER, HOTLINE_AGREEMENT_REFERENCE).
BILAN_FACE = {
    "SERVICE_NAME": "Nom du service à renseigner",
    "FUNDER": "Financeur à renseigner",
    "AGREEMENT_REFERENCE": "à renseigner",
}

RETENTION_KEYS = (
    "RETENTION_LOGIN_DAYS",
    "RETENTION_AUDIT_DAYS",
    "RETENTION_CALLER_DAYS",
    "RETENTION_HOUSEHOLD_YEARS",
    "RETENTION_IMPORT_JOB_DAYS",
)


def parse_numbers(value: str) -> dict[str, str]:
    """'+33800000001=prevention_expulsion,+33800000002=info_logement' -> {number: mission}."""
    numbers = {}
    for item in filter(None, (part.strip() for part in value.split(","))):
        number, sep, mission = item.partition("=")
        if not sep:
            raise ConfigError(f"HOTLINE_IVR_NUMBERS : « {item} » doit avoir la forme +33800000000=mission")
        numbers[number.strip()] = mission.strip()
    return numbers


DEFAULTS = {
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "REMEMBER_COOKIE_HTTPONLY": True,
    "REMEMBER_COOKIE_SAMESITE": "Lax",
    "SQLALCHEMY_TRACK_MODIFICATIONS": False,
    "WTF_CSRF_TIME_LIMIT": 8 * 3600,
    "PERMANENT_SESSION_LIFETIME": 9 * 3600,  # seconds: a working day, then log in again
    "RATELIMIT_HEADERS_ENABLED": True,
    # The login throttle (auth/throttle.py), in the database: per key, (attempts free of delay, longest delay
    # in seconds); the delays double from 1 s. The account's own is short: a stranger never locks an owner out.
    "LOGIN_THROTTLE": {"pair": (5, 15 * 60), "address": (20, 15 * 60), "account": (10, 60)},
    "LOGIN_THROTTLE_FORGET_MINUTES": 60,  # counts start again after this long without an attempt
    # Flask-Limiter's guard against floods of login posts, per address (on HOTLINE_RATELIMIT_STORAGE_URI).
    "LOGIN_RATE_LIMIT": "60 per minute",
    "PER_PAGE": 25,
    # Data protection: how long personal data is kept (hotline/privacy/retention.py).
    "RETENTION_LOGIN_DAYS": 180,
    "RETENTION_AUDIT_DAYS": 365,
    "RETENTION_CALLER_DAYS": 365,
    "RETENTION_HOUSEHOLD_YEARS": 3,
    "RETENTION_IMPORT_JOB_DAYS": 30,  # a background import's errors (they quote the file) and its file's name
    "MAX_CONTENT_LENGTH": 20 * 1024 * 1024,  # uploads (consultation imports) up to 20 MB
    "IVR_MAX_CONTENT_LENGTH": 64 * 1024,  # the voice line's MAX_CONTENT_LENGTH: Twilio's forms are small
    "DB_BUSY_TIMEOUT_MS": 5000,
    # Voice menu settings (issue: the green number).
    "IVR_VOICE": "Polly.Lea",
    "IVR_LANGUAGE": "fr-FR",
    "IVR_RING_STRATEGY": "simultaneous",  # or "sequential"
    "IVR_RING_TIMEOUT": 20,
    "IVR_MAX_QUEUE_WAIT": 180,  # seconds from the first ring; then the voicemail or a callback
    "IVR_QUEUE_OFFER_AFTER": 60,  # seconds from the first ring (2 minutes at most): the queue offers them by a key
    "IVR_MAX_TRIES": 3,
}
