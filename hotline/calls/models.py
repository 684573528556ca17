"""The numbers a household is known by besides its own (`households.phone`): attached from the screen pop
when a known household calls from another phone. One row per (household, number), in E.164."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from hotline.core.models_base import UTCDateTime, utcnow
from hotline.extensions import db


class HouseholdNumber(db.Model):
    __tablename__ = "household_numbers"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    household_id: Mapped[int] = mapped_column(ForeignKey("households.id", ondelete="CASCADE"), index=True)
    phone: Mapped[str] = mapped_column(String(20), index=True)  # E.164, personal data (privacy/personal.py)
    added_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    added_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    __table_args__ = (UniqueConstraint("household_id", "phone"),)
