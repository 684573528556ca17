"""The audit trail: who read or changed which personal record, and when."""

from __future__ import annotations

from datetime import datetime

from flask import request
from flask_login import current_user
from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from hotline.core.models_base import UTCDateTime, utcnow
from hotline.extensions import db


class AuditEvent(db.Model):
    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    action: Mapped[str] = mapped_column(String(40))  # e.g. household.read
    object_type: Mapped[str] = mapped_column(String(40))
    object_id: Mapped[str] = mapped_column(String(40))
    remote_addr: Mapped[str | None] = mapped_column(String(64))


def record(action: str, object_type: str, object_id) -> AuditEvent:
    """Adds an audit event to the session; the caller's commit writes it."""
    user_id = current_user.id if getattr(current_user, "is_authenticated", False) else None
    event = AuditEvent(
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        user_id=user_id,
        remote_addr=request.remote_addr if request else None,
    )
    db.session.add(event)
    return event
