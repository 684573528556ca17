"""The call log (one row per CallSid) and callback tasks (opening hours and closures: core/opening.py)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    Boolean,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    Text,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from hotline.auth.models import User
from hotline.core.models_base import UTCDateTime, utcnow
from hotline.extensions import db

OUTCOMES = {
    "in_progress": "En cours",
    "answered": "Répondu",
    "missed": "Manqué",
    "voicemail": "Message vocal",
    "callback_requested": "Rappel demandé",
    "abandoned": "Raccroché avant réponse",
    "closed": "Hors horaires",
    # outside the Pas-de-Calais, no key 1: the call ended with the numbers to call
    "referred": "Orienté hors du département",
    "backup": "Renvoyé vers le numéro de secours",
}

CLOSE_REASONS = {
    "silence": "Silence, appel vide",
    "wrong_number": "Erreur de numéro",
    "abuse": "Appel abusif ou malveillant",
    "duplicate": "Doublon d'un autre appel",
    "other": "Autre, sans consultation",
}

CALLBACK_RESULTS = {
    "reached": "Joint : consultation donnée",
    "no_answer": "Pas de réponse",
    "wrong_number": "Numéro erroné",
    "not_needed": "Plus nécessaire",
}


class Call(db.Model):
    __tablename__ = "calls"
    # The calls by instant, with their ids: the reports' fingerprint of a summarised month (count, largest and summed
    # ids) read from the index alone on PostgreSQL (it replaces the index on started_at: still one index a call).
    __table_args__ = (Index("ix_calls_started_at_id", "started_at", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    call_sid: Mapped[str] = mapped_column(String(64), unique=True)
    to_number: Mapped[str | None] = mapped_column(String(20))
    from_number: Mapped[str | None] = mapped_column(String(20))
    mission: Mapped[str | None] = mapped_column(String(40), index=True)
    consultant_type: Mapped[str | None] = mapped_column(String(40))
    postal_code: Mapped[str | None] = mapped_column(String(5))
    commune_insee: Mapped[str | None] = mapped_column(String(5))
    territory_code: Mapped[str | None] = mapped_column(ForeignKey("territories.code"), index=True)
    path: Mapped[str] = mapped_column(Text, default="")  # the human-readable trail: "accueil > routage > ..."
    routed: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())  # reached routing
    tries: Mapped[int] = mapped_column(SmallInteger, default=0)  # wrong answers to the current question

    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    queued_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    wait_seconds: Mapped[int | None] = mapped_column(Integer)
    talk_seconds: Mapped[int | None] = mapped_column(Integer)

    outcome: Mapped[str] = mapped_column(String(30), default="in_progress", index=True)
    twilio_status: Mapped[str | None] = mapped_column(String(20))
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    recording_url: Mapped[str | None] = mapped_column(String(500))
    recording_seconds: Mapped[int | None] = mapped_column(Integer)

    closed_reason: Mapped[str | None] = mapped_column(String(30))
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    answered_by: Mapped[User | None] = relationship(foreign_keys=[answered_by_id])

    @property
    def outcome_label(self) -> str:
        return OUTCOMES.get(self.outcome, self.outcome)


class CallbackTask(db.Model):
    """A caller to call back: after a voicemail, a callback request or a missed call."""

    __tablename__ = "callback_tasks"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("calls.id", ondelete="CASCADE"), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    kind: Mapped[str] = mapped_column(String(20))  # voicemail, callback_request, missed
    status: Mapped[str] = mapped_column(String(20), default="open", index=True)  # open, claimed, done
    claimed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    result: Mapped[str | None] = mapped_column(String(30))
    comment: Mapped[str | None] = mapped_column(Text)

    call: Mapped[Call] = relationship()
    claimed_by: Mapped[User | None] = relationship()
