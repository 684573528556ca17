"""Households, consultations, their multi-valued codes, and the history of edits."""

from __future__ import annotations

from datetime import date, datetime, time
from decimal import Decimal

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Integer,
    Numeric,
    String,
    Text,
    Time,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from hotline.auth.models import User
from hotline.core.models_base import UTCDateTime, utcnow
from hotline.extensions import db
from hotline.reference.models import Commune, Territory


class Household(db.Model):
    """A family followed across consultations ("suivi systématique des usagers")."""

    __tablename__ = "households"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str | None] = mapped_column(String(120), index=True)
    phone: Mapped[str | None] = mapped_column(String(20), index=True)  # E.164
    commune_insee: Mapped[str | None] = mapped_column(ForeignKey("communes.insee"))
    adults: Mapped[int | None] = mapped_column(Integer)
    children: Mapped[int | None] = mapped_column(Integer)
    # Identifier given by an import file (household_ref), unique per source.
    external_ref: Mapped[str | None] = mapped_column(String(80), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # Moved on by every UPDATE of the row; an edit form opened at another version is refused (hotline.core.versions).
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")

    commune: Mapped[Commune | None] = relationship()
    consultations: Mapped[list[Consultation]] = relationship(
        back_populates="household", order_by="(Consultation.date, Consultation.id)"
    )

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (
        CheckConstraint("adults IS NULL OR adults >= 0", name="adults_not_negative"),
        CheckConstraint("children IS NULL OR children >= 0", name="children_not_negative"),
    )

    @property
    def display_name(self) -> str:
        return self.name or f"Ménage n° {self.id}"


class HouseholdFlag(db.Model):
    """What the service must not do for a household ("ne pas rappeler", "ne pas envoyer de SMS"), until its
    last day (or until cleared): consultations/flags.py. The reason is a code, never free text."""

    __tablename__ = "household_flags"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    household_id: Mapped[int] = mapped_column(ForeignKey("households.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(20))  # flags.KINDS: "callback", "sms"
    reason: Mapped[str] = mapped_column(String(30))  # flags.REASONS
    ends_on: Mapped[date | None] = mapped_column(Date)  # its last day; None: until cleared
    set_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    set_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    set_by: Mapped[User | None] = relationship()

    __table_args__ = (UniqueConstraint("household_id", "kind"),)


class Consultation(db.Model):
    __tablename__ = "consultations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    external_id: Mapped[str | None] = mapped_column(String(80), unique=True)
    household_id: Mapped[int | None] = mapped_column(ForeignKey("households.id"), index=True)
    call_id: Mapped[int | None] = mapped_column(ForeignKey("calls.id"), index=True)

    date: Mapped[date] = mapped_column(Date, index=True)
    time: Mapped[time | None] = mapped_column(Time)
    duration_minutes: Mapped[int | None] = mapped_column(Integer)
    mission: Mapped[str] = mapped_column(String(40), index=True)
    mode: Mapped[str] = mapped_column(String(40))
    jurist_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)

    consultant_type: Mapped[str] = mapped_column(String(40), default="particulier")
    commune_insee: Mapped[str | None] = mapped_column(String(5))
    # Snapshot at recording time: a later move of the commune does not rewrite past reports.
    territory_code: Mapped[str] = mapped_column(ForeignKey("territories.code"), index=True)
    occupancy_status: Mapped[str] = mapped_column(String(40), default="inconnu")
    housing_sector: Mapped[str] = mapped_column(String(40), default="inconnu")
    family_situation: Mapped[str] = mapped_column(String(40), default="inconnu")
    age_band: Mapped[str] = mapped_column(String(40), default="inconnu")
    resource_band: Mapped[str] = mapped_column(String(40), default="inconnu")
    referral_source: Mapped[str] = mapped_column(String(40), default="inconnu")

    procedure_stage: Mapped[str | None] = mapped_column(String(40), index=True)
    debt_amount: Mapped[Decimal | None] = mapped_column(Numeric(12, 2))
    habitat_indigne: Mapped[bool] = mapped_column(Boolean, default=False)
    permis_louer: Mapped[bool] = mapped_column(Boolean, default=False)
    notes: Mapped[str | None] = mapped_column(Text)

    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime, onupdate=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)

    household: Mapped[Household | None] = relationship(back_populates="consultations")
    jurist: Mapped[User | None] = relationship(foreign_keys=[jurist_id])
    territory: Mapped[Territory] = relationship()
    codes: Mapped[list[ConsultationCode]] = relationship(
        cascade="all, delete-orphan", order_by="(ConsultationCode.kind, ConsultationCode.code)"
    )
    revisions: Mapped[list[ConsultationRevision]] = relationship(
        cascade="all, delete-orphan", order_by="ConsultationRevision.id"
    )

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (
        CheckConstraint(
            "debt_amount IS NULL OR (debt_amount >= 0 AND debt_amount < 10000000)", name="debt_amount_range"
        ),
        CheckConstraint("duration_minutes IS NULL OR duration_minutes >= 0", name="duration_not_negative"),
    )

    def codes_of(self, kind: str) -> list[str]:
        return [c.code for c in self.codes if c.kind == kind]

    def set_codes(self, kind: str, values) -> None:
        keep = [c for c in self.codes if c.kind != kind]
        self.codes = keep + [ConsultationCode(kind=kind, code=v) for v in dict.fromkeys(values)]

    @property
    def themes(self) -> list[str]:
        """'theme' and 'theme/subtheme' codes as entered."""
        subs = self.codes_of("subtheme")
        covered = {s.split("/")[0] for s in subs}
        return [t for t in self.codes_of("theme") if t not in covered] + subs


class ConsultationCode(db.Model):
    """One code of a multi-valued field: resource_type, debt_origin, outcome, theme, subtheme.

    A subtheme 'theme/sub' is stored with its theme, so that counting by theme is one GROUP BY.
    """

    __tablename__ = "consultation_codes"

    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultations.id", ondelete="CASCADE"), primary_key=True)
    kind: Mapped[str] = mapped_column(String(20), primary_key=True)
    code: Mapped[str] = mapped_column(String(80), primary_key=True)


class ConsultationRevision(db.Model):
    """Who changed what and when: {field: [before, after]} for every edit."""

    __tablename__ = "consultation_revisions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultations.id", ondelete="CASCADE"), index=True)
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    changed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    changes: Mapped[dict] = mapped_column(JSON)

    changed_by: Mapped[User | None] = relationship()


__all__ = ["Household", "Consultation", "ConsultationCode", "ConsultationRevision"]
