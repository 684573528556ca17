"""Password hashing (Argon2id) and the password policy. Pure: no Flask, no database."""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from zxcvbn import zxcvbn

MIN_LENGTH = 12
# zxcvbn's scale: 3 is "safely unguessable" (about 10^8 guesses or more), enough against an online attack
# slowed down by the login throttle (auth/throttle.py) and, with Argon2, a stolen database's offline one.
MIN_STRENGTH = 3
# zxcvbn's time grows with the length; past this many characters the rest adds strength anyway.
STRENGTH_CHECKED_LENGTH = 72
TOO_GUESSABLE = (
    "Ce mot de passe est trop facile à deviner (suite, répétition, mot ou date connus) : allongez-le, "
    "par exemple avec plusieurs mots sans rapport entre eux."
)
_hasher = PasswordHasher()  # argon2-cffi's defaults are Argon2id with RFC 9106 parameters.


@lru_cache(maxsize=1)
def common_passwords() -> frozenset[str]:
    path = Path(__file__).resolve().parent / "data" / "common-passwords.txt"
    lines = path.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip().lower() for line in lines if line.strip() and not line.startswith("#"))


def weakness(password: str, email: str | None = None, name: str | None = None) -> str | None:
    """A French reason why the password is refused, or None when it is acceptable: long enough, not
    common, not the address, and a zxcvbn score of MIN_STRENGTH or more (knowing the address and name)."""
    if len(password) < MIN_LENGTH:
        return f"Le mot de passe doit compter au moins {MIN_LENGTH} caractères."
    lowered = password.lower()
    core = re.sub(r"^[\d\W_]+|[\d\W_]+$", "", lowered)
    if lowered in common_passwords() or core in common_passwords() or not core and lowered.isdigit():
        return "Ce mot de passe est trop courant : choisissez-en un autre."
    if len(set(lowered)) <= 3:
        return "Ce mot de passe est trop répétitif : choisissez-en un autre."
    if email:
        local = email.split("@")[0].lower()
        if len(local) >= 4 and local in lowered:
            return "Le mot de passe ne doit pas contenir votre adresse électronique."
    if strength(password, email, name) < MIN_STRENGTH:
        return TOO_GUESSABLE
    return None


def strength(password: str, email: str | None = None, name: str | None = None) -> int:
    """zxcvbn's score (0 to 4) of the password's first STRENGTH_CHECKED_LENGTH characters; the address and
    the name, and their parts, count as words an attacker would try."""
    hints = [part for text in (email, name) if text for part in re.split(r"[\W_]+", text.lower()) if part]
    hints += [text for text in (email, name) if text]
    return zxcvbn(password[:STRENGTH_CHECKED_LENGTH], user_inputs=hints, max_length=STRENGTH_CHECKED_LENGTH)["score"]


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    if not password_hash:
        return False
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher.check_needs_rehash(password_hash)


@lru_cache(maxsize=1)
def dummy_hash() -> str:
    """Verified against when the email is unknown, so that timing does not reveal which accounts exist.
    Made at the first login rather than at import: hashing takes a third of a second (start-up time)."""
    return _hasher.hash("dummy password for timing equality")
