"""Creating accounts and checking logins. Services flush; the caller commits."""

from __future__ import annotations

import logging

import phonenumbers
from sqlalchemy import select, update

from hotline.auth.models import ROLES, LoginAttempt, User
from hotline.auth.passwords import (
    dummy_hash,
    hash_password,
    needs_rehash,
    verify_password,
    weakness,
)
from hotline.core import audit
from hotline.extensions import db

log = logging.getLogger("hotline.auth")


class AccountError(ValueError):
    """A French message about why an account cannot be created or changed, and the form field it
    is about when it is about one."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


MISSION_REQUIRED = "Un compte de juriste doit avoir au moins une mission : cochez-en une."
NOT_YOURSELF = (
    "Vous ne pouvez ni changer votre propre rôle ou vos missions, ni désactiver votre propre "
    "compte : demandez-le à un autre administrateur."
)


def normalize_email(email: str) -> str:
    return (email or "").strip().lower()


def normalize_phone(text: str | None) -> str | None:
    """A French or international number -> E.164, or AccountError with a French message."""
    if not text or not text.strip():
        return None
    try:
        number = phonenumbers.parse(text, "FR")
    except phonenumbers.NumberParseException:
        raise AccountError("Numéro de téléphone illisible.") from None
    if not phonenumbers.is_valid_number(number):
        raise AccountError("Ce numéro de téléphone n'existe pas.")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def find_user(email: str) -> User | None:
    """The account of an address; None for one holding a NUL, which no address holds and PostgreSQL refuses
    to compare."""
    if "\x00" in (email or ""):
        return None
    return db.session.scalar(select(User).where(User.email == normalize_email(email)))


def create_user(
    email: str, name: str, role: str, password: str | None, phone: str | None = None, missions=(), territories=()
) -> User:
    email = normalize_email(email)
    if "@" not in email or len(email) < 3:
        raise AccountError("Adresse électronique invalide.")
    if role not in ROLES:
        raise AccountError(f"Rôle inconnu : {role} (attendu : {', '.join(ROLES)}).")
    if not name or not name.strip():
        raise AccountError("Le nom est obligatoire.")
    if find_user(email) is not None:
        raise AccountError(f"Un compte existe déjà pour {email}.")
    validate_scope(role, missions, territories)
    user = User(email=email, name=name.strip(), role=role, phone=normalize_phone(phone))
    if password is not None:
        set_password(user, password)
    user.missions = missions
    user.territories = territories
    db.session.add(user)
    db.session.flush()
    return user


def set_password(user: User, password: str) -> None:
    reason = weakness(password, user.email, user.name)
    if reason:
        raise AccountError(reason)
    user.password_hash = hash_password(password)


def authenticate(email: str, password: str, remote_addr: str | None) -> User | None:
    """The user if the credentials are right, or None; logs the attempt with the client's address (the
    login throttle, auth/throttle.py, admitted it first)."""
    email = normalize_email(email)[:254]
    user = find_user(email)
    if user is None:
        verify_password(dummy_hash(), password)
        outcome, result = "unknown_account", None
    elif not verify_password(user.password_hash, password):
        outcome, result = "bad_password", None
    elif not user.active:
        outcome, result = "disabled", None
    else:
        outcome, result = "ok", user
        if needs_rehash(user.password_hash):
            user.password_hash = hash_password(password)
    log_attempt(email, remote_addr, outcome, user.id if user else None)
    return result


def log_attempt(email: str, remote_addr: str | None, outcome: str, user_id: int | None = None) -> None:
    """One row of login_attempts (never the password); the log names the outcome and account id only."""
    db.session.add(
        LoginAttempt(
            email=normalize_email(email)[:254],
            remote_addr=(remote_addr or "")[:64] or None,
            success=outcome == "ok",
            reason=outcome,
        )
    )
    log.info("login attempt outcome=%s user_id=%s", outcome, user_id)


def validate_scope(role: str, missions, territories) -> None:
    from hotline.reference import labels
    from hotline.reference.models import Territory

    unknown = [m for m in missions if m not in labels("missions")]
    if unknown:
        raise AccountError(f"Mission inconnue : {', '.join(unknown)}.", "missions")
    if role == "jurist" and not missions:  # a jurist reads and records only within their missions
        raise AccountError(MISSION_REQUIRED, "missions")
    known = set(db.session.scalars(select(Territory.code)))  # a posted code is not queried: it may hold a NUL
    for code in territories:
        if code not in known:
            raise AccountError(f"Territoire inconnu : {code}.")


def end_sessions(user: User) -> None:
    """Every session of the account ends at its next request (see auth.sessions). One UPDATE that adds
    one, whatever was read: two logouts at once both count, and the account's version (an edit form's
    check, hotline.core.versions) does not move for it."""
    db.session.execute(update(User).where(User.id == user.id).values(session_generation=User.session_generation + 1))


def update_user(
    user: User,
    *,
    actor: User | None,
    name: str,
    role: str,
    phone: str | None,
    missions,
    territories,
    active: bool,
    password: str | None = None,
) -> None:
    """Change an account as `actor` (an administrator). A change of role, of missions, disabling
    and a new password end the account's sessions and are audited; an administrator changes
    neither its own role or missions nor disables itself."""
    if role not in ROLES:
        raise AccountError("Rôle inconnu.", "role")
    missions, active = sorted(set(missions)), bool(active)
    validate_scope(role, missions, territories)
    changes = {
        "role": role != user.role,
        "missions": missions != user.missions,
        "disabled": user.active and not active,
        "enabled": active and not user.active,
        "password": bool(password),
    }
    if actor is not None and actor.id == user.id and (changes["role"] or changes["missions"] or not active):
        raise AccountError(NOT_YOURSELF, "role")
    if password:
        set_password(user, password)
    phone = normalize_phone(phone)
    if changes["role"]:
        audit.record(f"user.role:{user.role}>{role}", "user", user.id)
    for change in ("missions", "disabled", "enabled", "password"):
        if changes[change]:
            audit.record(f"user.{change}", "user", user.id)
    if changes["role"] or changes["missions"] or changes["disabled"] or changes["password"]:
        end_sessions(user)
    user.name, user.role, user.active, user.phone = name.strip(), role, active, phone
    user.missions, user.territories = missions, territories
    db.session.flush()
