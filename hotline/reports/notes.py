"""The qualitative section of the bilan: what the service's managers write about a mission over a range of
months (context, difficulties, partnerships). Kept per (mission, first month, last month); each save is a new
version, so the history says who wrote what and when; the latest version is the one the bilan shows."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, Integer, String, Text, select
from sqlalchemy.orm import Mapped, mapped_column, relationship
from wtforms import HiddenField, TextAreaField
from wtforms.validators import Length

from hotline.auth.models import User
from hotline.core.models_base import UTCDateTime, utcnow
from hotline.extensions import db
from hotline.web.forms import Form

MAX_LENGTH = 10_000


class ReportNote(db.Model):
    __tablename__ = "report_notes"
    __table_args__ = (Index("ix_report_notes_range", "mission", "first_month", "last_month", "created_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    mission: Mapped[str] = mapped_column(String(40))
    first_month: Mapped[date] = mapped_column(Date)  # first days of months
    last_month: Mapped[date] = mapped_column(Date)
    text: Mapped[str] = mapped_column(Text)  # about the service's work, never about a person
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    author: Mapped[User | None] = relationship()


class NoteForm(Form):
    mission = HiddenField()
    text = TextAreaField(
        "Analyse qualitative",
        description="Contexte, difficultés, partenariats, perspectives : reprise telle quelle "
        "dans le bilan PDF. Aucune donnée sur une personne.",
        validators=[Length(max=MAX_LENGTH, message=f"{MAX_LENGTH} caractères au plus.")],
    )


def save(mission: str, first: date, last: date, text: str, author: User | None) -> ReportNote:
    """A new version of the analysis of that mission and range (the view commits)."""
    note = ReportNote(
        mission=mission,
        first_month=first,
        last_month=last,
        text=text.strip().replace("\r\n", "\n"),
        author_id=author.id if author else None,
    )
    db.session.add(note)
    db.session.flush()
    return note


def history(mission: str, first: date, last: date) -> list[ReportNote]:
    """Every version, the latest first."""
    query = (
        select(ReportNote)
        .where(ReportNote.mission == mission, ReportNote.first_month == first, ReportNote.last_month == last)
        .order_by(ReportNote.created_at.desc(), ReportNote.id.desc())
    )
    return list(db.session.scalars(query))


def current(missions: list[str], first: date, last: date) -> dict[str, str]:
    """mission -> the latest text of the range (missions without one, or emptied, left out)."""
    found: dict[str, str] = {}
    query = (
        select(ReportNote.mission, ReportNote.text)
        .where(ReportNote.mission.in_(missions), ReportNote.first_month == first, ReportNote.last_month == last)
        .order_by(ReportNote.created_at, ReportNote.id)
    )
    for mission, text in db.session.execute(query):
        found[mission] = text
    return {mission: text for mission, text in found.items() if text}
