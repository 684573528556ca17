"""Sessions that the server can end.

The session cookie is signed, not stored: on its own the server could not take it back. So the
account's `session_generation` is copied into the session at login and compared on every request;
raising it (logout, new password, disabled, new role or missions: see services.end_sessions) ends
every session of the account at once, a copied cookie included. The session is also bound to the
browser that opened it (Flask-Login's "strong" identifier: address and user agent), which
Flask-Login itself only checks for non-permanent sessions.
"""

from __future__ import annotations

from flask import session
from flask_login import login_user
from flask_login.utils import _create_identifier

from hotline.auth.models import User
from hotline.core.ids import parse_id
from hotline.extensions import db

GENERATION_KEY = "_generation"


def start(user: User) -> None:
    """A new session for `user`: nothing from before carries over."""
    session.clear()
    session.permanent = True  # ends after PERMANENT_SESSION_LIFETIME (a working day)
    login_user(user)
    session[GENERATION_KEY] = user.session_generation


def keep_current(user: User) -> None:
    """After `user`'s sessions were ended from this very session (a new password of one's own):
    this one goes on."""
    session[GENERATION_KEY] = user.session_generation


def load(user_id: str) -> User | None:
    """Flask-Login's user loader: the account, if this session is still one of its own."""
    identifier = parse_id(user_id)
    if identifier is None:
        return None
    user = db.session.get(User, identifier)
    if user is None or not user.active or session.get(GENERATION_KEY) != user.session_generation:
        return None
    if session.get("_id") != _create_identifier():  # the cookie was carried to another browser
        return None
    return user
