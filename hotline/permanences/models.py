"""The duty roster: weekly shifts of a jurist on a mission, for a territory or for all."""
from __future__ import annotations

from datetime import time

from sqlalchemy import CheckConstraint, ForeignKey, Integer, SmallInteger, String, Time
from sqlalchemy.orm import Mapped, mapped_column, relationship

from hotline.auth.models import User
from hotline.extensions import db

WEEKDAYS = ["Lundi", "Mardi", "Mercredi", "Jeudi", "Vendredi", "Samedi", "Dimanche"]


class DutyShift(db.Model):
    __tablename__ = "duty_shifts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    mission: Mapped[str] = mapped_column(String(40))
    # NULL: the jurist answers for every territory (the general pool).
    territory_code: Mapped[str | None] = mapped_column(ForeignKey("territories.code"))
    weekday: Mapped[int] = mapped_column(SmallInteger)  # 0 = Monday, local wall time
    starts: Mapped[time] = mapped_column(Time)
    ends: Mapped[time] = mapped_column(Time)

    user: Mapped[User] = relationship()

    __table_args__ = (
        CheckConstraint("weekday BETWEEN 0 AND 6", name="weekday_range"),
        CheckConstraint("starts < ends", name="starts_before_ends"),
    )
