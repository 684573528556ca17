"""Calls still to log: answered calls with neither a consultation nor a closing reason.

Kept apart from calls.py, which the consultation pages import: this query reads consultations, and
the voice menu's call log must not depend on them.
"""

from __future__ import annotations

from sqlalchemy import select

from hotline.consultations.models import Consultation
from hotline.extensions import db
from hotline.ivr.models import Call


def unlogged_calls(user, limit: int = 50) -> list[Call]:
    logged = select(Consultation.call_id).where(Consultation.call_id.is_not(None))
    query = (
        select(Call)
        .where(Call.answered_by_id == user.id, Call.closed_reason.is_(None), Call.id.not_in(logged))
        .order_by(Call.started_at.desc())
        .limit(limit)
    )
    return list(db.session.scalars(query))
