"""A household's case: its lease and landlord, what each consultation said of them, and the acts of
its procedure with the day each was served or held."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING

from sqlalchemy import (
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from hotline.core.models_base import UTCDateTime, utcnow
from hotline.extensions import db

if TYPE_CHECKING:  # named for the type checker, not imported when run: consultations imports cases, never back
    from hotline.consultations.models import Consultation, Household

RENT_RANGE = "rent_amount IS NULL OR (rent_amount >= 0 AND rent_amount < 10000000)"


class Case(db.Model):
    """One a household: the latest known lease date, landlord type, rent and housing aid."""

    __tablename__ = "cases"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    household_id: Mapped[int] = mapped_column(ForeignKey("households.id", ondelete="CASCADE"), unique=True)
    lease_signed_on: Mapped[date | None] = mapped_column(Date)
    landlord_type: Mapped[str] = mapped_column(String(40), default="inconnu")
    rent_amount: Mapped[Decimal | None] = mapped_column(Numeric(12, 2))  # monthly, with charges
    housing_benefit: Mapped[str] = mapped_column(String(40), default="inconnu")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime, onupdate=utcnow)

    # consultations.models named, not imported: consultations imports cases, never the reverse
    household: Mapped[Household] = relationship("Household")
    acts: Mapped[list[ProcedureAct]] = relationship(
        back_populates="case", order_by="ProcedureAct.id", passive_deletes=True
    )
    statements: Mapped[list[CaseStatement]] = relationship(back_populates="case", passive_deletes=True)

    __table_args__ = (CheckConstraint(RENT_RANGE, name="rent_amount_range"),)


class CaseStatement(db.Model):
    """What one consultation said of the lease, landlord, rent and aid (None: not said).

    The reports read the rent known at a consultation from here (docs/formats.md, debt_months)."""

    __tablename__ = "case_statements"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultations.id", ondelete="CASCADE"), unique=True)
    lease_signed_on: Mapped[date | None] = mapped_column(Date)
    landlord_type: Mapped[str | None] = mapped_column(String(40))
    rent_amount: Mapped[Decimal | None] = mapped_column(Numeric(12, 2))
    housing_benefit: Mapped[str | None] = mapped_column(String(40))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    case: Mapped[Case] = relationship(back_populates="statements")
    consultation: Mapped[Consultation] = relationship("Consultation")

    __table_args__ = (CheckConstraint(RENT_RANGE, name="rent_amount_range"),)


class ProcedureAct(db.Model):
    """An act of the procedure (a `procedure_stages` code) or an event of the case (a `case_events`
    code) and the day it was served, held or happened.

    A case may hold several current acts of one code (replaced_at IS NULL: a second commandement de
    payer). A correction keeps the act it replaces, with when it was replaced, and names it
    (`replaces_id`), so that the dates shown earlier can be traced. An act deleted as a mistake is
    kept the same way, with `deleted_at` (equal to `replaced_at`) set. `recorded_by_id`: who recorded
    it (None before 2026-12 or for an import without author). `decision_kind`: a judgment's kind
    (`decision_kinds`), None for other codes."""

    __tablename__ = "procedure_acts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    stage: Mapped[str] = mapped_column(String(40))
    occurred_on: Mapped[date] = mapped_column(Date)
    consultation_id: Mapped[int | None] = mapped_column(ForeignKey("consultations.id", ondelete="SET NULL"), index=True)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    replaced_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decision_kind: Mapped[str | None] = mapped_column(String(20))
    replaces_id: Mapped[int | None] = mapped_column(ForeignKey("procedure_acts.id", ondelete="SET NULL"))
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    case: Mapped[Case] = relationship(back_populates="acts")
    consultation: Mapped[Consultation | None] = relationship("Consultation")

    __table_args__ = (Index("ix_procedure_acts_case_stage", "case_id", "stage"),)


__all__ = ["Case", "CaseStatement", "ProcedureAct"]
