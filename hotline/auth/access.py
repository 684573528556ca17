"""Who may do what. The rules, in one place:

- jurist: records consultations and reads/edits those of their own mission(s); reads the
  households that have a consultation in one of their missions or that they created; works the
  calls of their mission(s).
- manager: reads every consultation, household and call (no editing); will pull the reports.
- admin: manages accounts, the territories mapping, the duty roster and opening hours. An admin
  does not read households or consultations (need to know).
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import wraps
from typing import NoReturn

from flask import abort
from flask_login import current_user, login_required

from hotline.auth.models import ROLES

NO_MISSION = (
    "Votre compte de juriste n'a aucune mission : vous ne pouvez ni lire ni saisir de "
    "consultations. Demandez à un administrateur de vous attribuer une mission."
)


def has_no_mission(user) -> bool:
    """A jurist whose every mission was taken away: told so rather than refused without a word."""
    return bool(getattr(user, "is_authenticated", False)) and user.role == "jurist" and not user.missions


def refuse_role(user, roles: Iterable[str]) -> NoReturn:
    """A 403 whose page says that the user's role is the reason, and which roles the page is for."""
    names = [ROLES.get(role, role).lower() for role in roles]
    allowed = f"aux rôles {' et '.join(names)}" if len(names) > 1 else f"au rôle {''.join(names)}"
    abort(
        403,
        f"Cette page n'est pas ouverte à votre rôle ({ROLES.get(user.role, user.role).lower()}) : "
        f"elle est réservée {allowed}.",
    )


def refuse_mission(user, missions: Iterable[str]) -> NoReturn:
    """A 403 whose page says that the record belongs to missions the user does not hold (or, for a role
    that reads no record, that the role is the reason)."""
    from hotline.reference import labels  # auth's services read reference lazily as well

    if readable_missions(user) == []:
        refuse_role(user, ("jurist", "manager"))
    names = " ou ".join(f"« {labels('missions').get(m, m)} »" for m in sorted(set(missions)))
    if not names:
        abort(403)
    abort(403, f"Cette page est réservée aux juristes de la mission {names}.")


def roles_required(*roles: str):
    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            if current_user.role not in roles:
                refuse_role(current_user, roles)
            return view(*args, **kwargs)

        return wrapped

    return decorator


def readable_missions(user) -> list[str] | None:
    """Missions whose records the user may read; None means all."""
    if user.role == "manager":
        return None
    if user.role == "jurist":
        return user.missions
    return []


def can_edit_consultation(user, consultation) -> bool:
    return user.role == "jurist" and consultation.mission in user.missions


def can_read_consultation(user, consultation) -> bool:
    missions = readable_missions(user)
    return missions is None or consultation.mission in missions
