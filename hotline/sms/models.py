"""The SMS outbox's table: one row per message to send, under a unique idempotency key; no text and no
phone number (the purpose renders them when the message is sent: hotline/sms/outbox.py)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, SmallInteger, String
from sqlalchemy.orm import Mapped, mapped_column

from hotline.core.models_base import UTCDateTime, utcnow
from hotline.extensions import db

STATUSES = {
    "queued": "SMS en attente d'envoi",
    "sending": "Envoi en cours",
    "sent": "SMS envoyé",
    "failed": "SMS non envoyé",
    "unknown": "SMS peut-être envoyé, à vérifier",
    "cancelled": "SMS non envoyé (plus nécessaire)",
}
PURPOSES = {
    "confirmation": "Confirmation du rendez-vous",
    "reminder": "Rappel la veille",
    "information": "Permanences demandées au menu vocal",  # the reports' "SMS d'information envoyés"
}


class SmsMessage(db.Model):
    __tablename__ = "sms_messages"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    purpose: Mapped[str] = mapped_column(String(20))  # PURPOSES: "confirmation", "reminder", "information"
    appointment_id: Mapped[int | None] = mapped_column(ForeignKey("appointments.id", ondelete="CASCADE"), index=True)
    call_id: Mapped[int | None] = mapped_column(ForeignKey("calls.id", ondelete="CASCADE"), index=True)  # "information"
    key: Mapped[str] = mapped_column(String(80), unique=True)  # idempotency key: "reminder:12"
    status: Mapped[str] = mapped_column(String(20), default="queued", index=True)
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime)  # the lease of the last claim
    attempts: Mapped[int] = mapped_column(SmallInteger, default=0)  # claims so far; fences a late sender
    sid: Mapped[str | None] = mapped_column(String(64))
    error: Mapped[str | None] = mapped_column(String(120))  # a short technical reason, never personal data
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    @property
    def reference(self) -> str:
        return f"Réf. {self.id}"

    @property
    def label(self) -> str:
        return STATUSES[self.status]
