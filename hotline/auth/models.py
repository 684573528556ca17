"""Staff accounts, their missions and territories, and the login attempts log."""

from __future__ import annotations

from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import Boolean, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from hotline.core.models_base import UTCDateTime, utcnow
from hotline.extensions import db

ROLES = {"jurist": "Juriste", "manager": "Responsable", "admin": "Administrateur"}


class User(UserMixin, db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    role: Mapped[str] = mapped_column(String(20))
    password_hash: Mapped[str | None] = mapped_column(String(255))
    phone: Mapped[str | None] = mapped_column(String(20))  # E.164, rung by the voice menu
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Stored in the session at login and compared on every request: raising it ends every session
    # of the account (logout, new password, disabled, new role or missions).
    session_generation: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Moved on by each save of the account (not by the end of its sessions: services.end_sessions); an
    # edit form opened at another version is refused (hotline.core.versions).
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")

    mission_links: Mapped[list[UserMission]] = relationship(cascade="all, delete-orphan")
    territory_links: Mapped[list[UserTerritory]] = relationship(cascade="all, delete-orphan")

    __mapper_args__ = {"version_id_col": version}

    @property
    def is_active(self) -> bool:  # Flask-Login refuses disabled accounts.
        return bool(self.active)

    @property
    def missions(self) -> list[str]:
        return sorted(link.mission for link in self.mission_links)

    @missions.setter
    def missions(self, codes) -> None:
        self.mission_links = [UserMission(mission=code) for code in sorted(set(codes))]

    @property
    def territories(self) -> list[str]:
        return sorted(link.territory_code for link in self.territory_links)

    @territories.setter
    def territories(self, codes) -> None:
        self.territory_links = [UserTerritory(territory_code=code) for code in sorted(set(codes))]

    @property
    def role_label(self) -> str:
        return ROLES.get(self.role, self.role)

    def __repr__(self) -> str:
        return f"<User {self.id} {self.role}>"


class UserMission(db.Model):
    __tablename__ = "user_missions"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    mission: Mapped[str] = mapped_column(String(40), primary_key=True)


class UserTerritory(db.Model):
    __tablename__ = "user_territories"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    territory_code: Mapped[str] = mapped_column(ForeignKey("territories.code"), primary_key=True)


class LoginAttempt(db.Model):
    __tablename__ = "login_attempts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    email: Mapped[str] = mapped_column(String(254), index=True)
    remote_addr: Mapped[str | None] = mapped_column(String(64))
    success: Mapped[bool] = mapped_column(Boolean)
    reason: Mapped[str] = mapped_column(String(40))


class LoginThrottle(db.Model):
    """How many login attempts a key made lately, and when it may try again (auth/throttle.py). A key is a
    keyed hash of an account and an address, of an address, or of an account: no address or e-mail here."""

    __tablename__ = "login_throttle"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    not_before: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    # On an account-and-address key: the account logged in from there (that address skips the account's delay).
    succeeded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
