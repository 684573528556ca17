"""Territories, intercommunalities (EPCI) and communes, as the administrator arranges them."""

from __future__ import annotations

from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from hotline.extensions import db


class Territory(db.Model):
    __tablename__ = "territories"

    code: Mapped[str] = mapped_column(String(40), primary_key=True)
    label: Mapped[str] = mapped_column(String(120))
    # "territory" for the eight territories, "bucket" for hors_departement / non_renseigne.
    kind: Mapped[str] = mapped_column(String(20), default="territory")
    position: Mapped[int] = mapped_column(Integer, default=0)


class Epci(db.Model):
    __tablename__ = "epcis"

    siren: Mapped[str] = mapped_column(String(9), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    territory_code: Mapped[str] = mapped_column(ForeignKey("territories.code"))

    territory: Mapped[Territory] = relationship()


class Commune(db.Model):
    __tablename__ = "communes"

    insee: Mapped[str] = mapped_column(String(5), primary_key=True)
    name: Mapped[str] = mapped_column(String(120), index=True)
    epci_siren: Mapped[str | None] = mapped_column(ForeignKey("epcis.siren"))
    territory_code: Mapped[str] = mapped_column(ForeignKey("territories.code"), index=True)
    population: Mapped[int] = mapped_column(Integer, default=0)

    epci: Mapped[Epci | None] = relationship()
    territory: Mapped[Territory] = relationship()
    postal_codes: Mapped[list[CommunePostalCode]] = relationship(
        back_populates="commune", cascade="all, delete-orphan", order_by="CommunePostalCode.postal_code"
    )

    @property
    def display(self) -> str:
        codes = ", ".join(pc.postal_code for pc in self.postal_codes)
        return f"{self.name} ({codes})" if codes else self.name


class CommunePostalCode(db.Model):
    __tablename__ = "commune_postal_codes"

    postal_code: Mapped[str] = mapped_column(String(5), primary_key=True)
    commune_insee: Mapped[str] = mapped_column(ForeignKey("communes.insee"), primary_key=True)

    commune: Mapped[Commune] = relationship(back_populates="postal_codes")
