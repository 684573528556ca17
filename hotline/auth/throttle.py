"""The login throttle: growing delays instead of a lock, kept in the database so that every worker and
every server sees the same counts.

Each login attempt counts against three keys, each with its own rule (config LOGIN_THROTTLE:
attempts free of delay, longest delay in seconds):

- the account and the address together ("pair", 5 free, then 1 s, 2 s, 4 s... up to 15 min): one
  person guessing one account from one place;
- the address ("address", 20 free, then the same growth up to 15 min): one place trying many accounts;
- the account from any address ("account", 10 free, then up to 60 s only): many places guessing one
  account. Its delay stays short, and an address from which the account has already logged in skips it,
  so that a stranger can slow an account down but never lock its owner out: the owner waits at most a
  minute from a new address, not at all from a known one (their own pair aside).

An attempt is counted when it starts, before the password is checked (and the count committed), so
that guesses sent in parallel wait like guesses sent one by one; a success then clears the pair and the
account and gives the address its attempt back. An attempt made while a key must wait is refused
without checking the password and counts nothing. Counts restart after LOGIN_THROTTLE_FORGET_MINUTES
without an attempt; rows unused for RETENTION_LOGIN_DAYS go with the nightly purge.

Keys are HMAC-SHA256 of the account's e-mail and the address under SECRET_KEY: the table holds no
e-mail or address. An IPv6 address counts by its /64, which one subscriber usually holds whole.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import delete, select, update
from sqlalchemy.dialects import postgresql, sqlite

from hotline.auth.models import LoginThrottle
from hotline.core import clock
from hotline.extensions import db

KINDS = ("pair", "address", "account")


@dataclass(frozen=True)
class Admission:
    """`wait`: seconds before this attempt may be made (0: it was admitted and counted); `next_wait`: the
    seconds the next attempt will have to wait if this one fails."""

    wait: int
    next_wait: int = 0


def delay(attempts: int, free: int, cap: int) -> int:
    """Seconds to wait after `attempts` attempts: none while `free` are not used up, then 1, 2, 4... up to `cap`."""
    if attempts < free:
        return 0
    return min(2 ** min(attempts - free, 30), cap)


def network(address: str | None) -> str:
    """The address as counted: an IPv6 address by its /64, anything unreadable as it is."""
    text = (address or "").strip()
    try:
        parsed = ipaddress.ip_address(text)
    except ValueError:
        return text[:64]
    if parsed.version == 6:
        if parsed.ipv4_mapped is not None:  # ::ffff:192.0.2.1 is 192.0.2.1
            return str(parsed.ipv4_mapped)
        return str(ipaddress.ip_network(f"{parsed}/64", strict=False))
    return str(parsed)


def keys(email: str, address: str | None) -> dict[str, str]:
    secret = current_app.config["SECRET_KEY"]
    secret = secret.encode() if isinstance(secret, str) else secret
    where = network(address)
    parts = {"pair": (email, where), "address": ("", where), "account": (email, "")}
    return {
        kind: hmac.new(secret, "\0".join((kind, *parts[kind])).encode(), hashlib.sha256).hexdigest() for kind in KINDS
    }


def _rules() -> dict[str, tuple[int, int]]:
    return current_app.config["LOGIN_THROTTLE"]


def _remaining(row, now: datetime) -> int:
    if row is None or row.not_before is None or row.not_before <= now:
        return 0
    return math.ceil((row.not_before - now).total_seconds())


def _fresh(row, now: datetime) -> int:
    """The row's attempts, or 0 when it has been quiet for LOGIN_THROTTLE_FORGET_MINUTES."""
    forget = timedelta(minutes=current_app.config["LOGIN_THROTTLE_FORGET_MINUTES"])
    return 0 if row is None or row.last_at < now - forget else row.attempts


def _read(found: dict[str, str], *, lock: bool = False) -> dict[str, LoginThrottle]:
    query = (
        select(LoginThrottle)
        .where(LoginThrottle.key.in_(found.values()))
        .order_by(LoginThrottle.key)
        .execution_options(populate_existing=True)
    )
    if lock:  # PostgreSQL: concurrent attempts on a key take turns (SQLite: the insert took the write lock)
        query = query.with_for_update()
    return {row.key: row for row in db.session.scalars(query)}


def admit(email: str, address: str | None) -> Admission:
    """Admit and count a login attempt, or say how long to wait. Flushes: the caller commits at once,
    before checking the password."""
    now = clock.now()
    found = keys(email, address)
    rows = _read(found)
    known = (pair := rows.get(found["pair"])) is not None and pair.succeeded_at is not None
    counted = {kind: key for kind, key in found.items() if not (kind == "account" and known)}
    wait = max(_remaining(rows.get(key), now) for key in counted.values())
    if wait:
        return Admission(wait)
    dialect = postgresql if db.engine.dialect.name == "postgresql" else sqlite
    db.session.execute(
        dialect.insert(LoginThrottle)
        .values([{"key": key, "attempts": 0, "last_at": now} for key in sorted(counted.values())])
        .on_conflict_do_nothing(index_elements=["key"])
    )
    rows = _read(counted, lock=True)
    wait = max(_remaining(rows[key], now) for key in counted.values())
    if wait:  # another attempt got there first
        return Admission(wait)
    next_wait = 0
    for kind, key in counted.items():
        row = rows[key]
        row.attempts = _fresh(row, now) + 1
        row.last_at = now
        seconds = delay(row.attempts, *_rules()[kind])
        row.not_before = now + timedelta(seconds=seconds) if seconds else None
        next_wait = max(next_wait, seconds)
    db.session.flush()
    return Admission(0, next_wait)


def succeeded(email: str, address: str | None) -> None:
    """The admitted attempt logged in: the pair and the account start again (the pair is now a known
    address of the account), the address gets its attempt back. Flushes."""
    now = clock.now()
    found = keys(email, address)
    db.session.execute(
        update(LoginThrottle)
        .where(LoginThrottle.key.in_((found["pair"], found["account"])))
        .values(attempts=0, not_before=None)
    )
    db.session.execute(update(LoginThrottle).where(LoginThrottle.key == found["pair"]).values(succeeded_at=now))
    db.session.execute(
        update(LoginThrottle)
        .where(LoginThrottle.key == found["address"], LoginThrottle.attempts > 0)
        .values(attempts=LoginThrottle.attempts - 1)
    )
    db.session.flush()


def forget(before: datetime) -> int:
    """Delete the rows unused since `before` (the retention purge). Flushes."""
    result = db.session.execute(
        delete(LoginThrottle).where(LoginThrottle.last_at < before).execution_options(synchronize_session=False)
    )
    return result.rowcount or 0


def wait_text(seconds: int) -> str:
    """'1 seconde', '45 secondes', then minutes rounded up from two minutes on."""
    if seconds < 120:
        return f"{seconds} seconde{'s' if seconds > 1 else ''}"
    return f"{math.ceil(seconds / 60)} minutes"
