"""An appointment of a household with a jurist, and what became of it."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, SmallInteger, String, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from hotline.auth.models import User
from hotline.consultations.models import Household
from hotline.core.models_base import UTCDateTime, utcnow
from hotline.extensions import db
from hotline.permanences.models import Permanence
from hotline.sms.models import SmsMessage

STATUSES = {"booked": "Prévu", "held": "Tenu", "no_show": "Absent", "cancelled": "Annulé"}


class Appointment(db.Model):
    __tablename__ = "appointments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    household_id: Mapped[int] = mapped_column(ForeignKey("households.id"), index=True)
    mission: Mapped[str] = mapped_column(String(40))
    # NULL: at the office (mode visite_siege); otherwise in this permanence (mode permanence).
    permanence_id: Mapped[int | None] = mapped_column(ForeignKey("permanences.id", ondelete="SET NULL"))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    minutes: Mapped[int] = mapped_column(SmallInteger, default=30)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    booked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    status: Mapped[str] = mapped_column(String(20), default="booked")
    sms_reminder: Mapped[bool] = mapped_column(Boolean, default=False)  # the household agreed to an SMS
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    household: Mapped[Household] = relationship()
    permanence: Mapped[Permanence | None] = relationship()
    user: Mapped[User | None] = relationship(foreign_keys=[user_id])
    # Its SMS in the outbox (hotline/sms/outbox.py, appointments/reminders.py): the confirmation queued at
    # booking, the reminder once it fell due.
    reminder: Mapped[SmsMessage | None] = relationship(
        primaryjoin=lambda: _outbox("reminder"), viewonly=True, uselist=False
    )
    confirmation: Mapped[SmsMessage | None] = relationship(
        primaryjoin=lambda: _outbox("confirmation"), viewonly=True, uselist=False
    )

    __table_args__ = (
        # A permanence's slot holds one appointment at a time.
        Index(
            "ix_appointments_one_a_slot",
            "permanence_id",
            "starts_at",
            unique=True,
            sqlite_where=text("status = 'booked'"),
            postgresql_where=text("status = 'booked'"),
        ),
    )

    @property
    def mode(self) -> str:
        return "permanence" if self.permanence_id else "visite_siege"

    @property
    def status_label(self) -> str:
        return STATUSES[self.status]


def _outbox(purpose: str):
    return (SmsMessage.appointment_id == Appointment.id) & (SmsMessage.purpose == purpose)
