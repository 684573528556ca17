"""One activity of the service: a CCAPEX session attended, an article, a forum..."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from hotline.auth.models import User
from hotline.core.models_base import UTCDateTime, utcnow
from hotline.extensions import db


class Activity(db.Model):
    __tablename__ = "activities"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    date: Mapped[date] = mapped_column(Date, index=True)
    mission: Mapped[str] = mapped_column(String(40))
    activity_type: Mapped[str] = mapped_column(String(40))  # taxonomy activity_types
    territory_code: Mapped[str] = mapped_column(ForeignKey("territories.code"))  # or a bucket
    title: Mapped[str] = mapped_column(String(200))  # what it was, never about a person
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    created_by: Mapped[User | None] = relationship()
