"""The duty roster (series of weekly phone shifts), the places that host permanences, and the permanences
(recurring office hours away from the office, in a place), with the occurrences cancelled."""

from __future__ import annotations

from datetime import date, datetime, time

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Integer,
    SmallInteger,
    String,
    Text,
    Time,
    UniqueConstraint,
)
from sqlalchemy.ext.hybrid import Comparator, hybrid_property
from sqlalchemy.orm import Mapped, mapped_column, relationship

from hotline.auth.models import User
from hotline.core.models_base import UTCDateTime, utcnow
from hotline.extensions import db
from hotline.reference.models import Commune

WEEKDAYS = ["Lundi", "Mardi", "Mercredi", "Jeudi", "Vendredi", "Samedi", "Dimanche"]


def weekday_mask(weekdays) -> int:
    """The bits of these weekdays (0 = Monday: bit 1, ..., 6 = Sunday: bit 64)."""
    mask = 0
    for day in weekdays:
        mask |= 1 << int(day)
    return mask


def mask_weekdays(mask: int) -> tuple[int, ...]:
    return tuple(day for day in range(7) if mask >> day & 1)


def describe_days(weekdays) -> str:
    """'Du lundi au vendredi', 'Lundi, mardi et jeudi', 'Mercredi'."""
    days = sorted(weekdays)
    names = [WEEKDAYS[d].lower() for d in days]
    if len(days) > 2 and days == list(range(days[0], days[-1] + 1)):
        return f"Du {names[0]} au {names[-1]}"
    text = names[0] if len(names) == 1 else f"{', '.join(names[:-1])} et {names[-1]}"
    return text[:1].upper() + text[1:]


class _HasWeekday(Comparator):
    """`DutyShift.weekday == n` in a query: the series runs on weekday n."""

    def __eq__(self, other):
        return self.__clause_element__().op("&")(1 << int(other)) != 0


class DutyShift(db.Model):
    """A series of duty shifts: a jurist answers the green number for a mission and a territory (or
    every territory: the general pool) on some weekdays at the same hours, from `valid_from` (NULL: since
    the roster began) until `valid_until` (NULL: open-ended). Like a permanence, editing a running series
    ends its row and starts a new one, so that its past keeps its rule."""

    __tablename__ = "duty_shifts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    mission: Mapped[str] = mapped_column(String(40))
    # NULL: the jurist answers for every territory (the general pool).
    territory_code: Mapped[str | None] = mapped_column(ForeignKey("territories.code"))
    weekday_bits: Mapped[int] = mapped_column(SmallInteger)  # weekday_mask(): bit 0 = Monday, local wall time
    starts: Mapped[time] = mapped_column(Time)
    ends: Mapped[time] = mapped_column(Time)
    valid_from: Mapped[date | None] = mapped_column(Date)
    valid_until: Mapped[date | None] = mapped_column(Date)
    # Moved on by every UPDATE of the row; an edit form opened at another version is refused (hotline.core.versions).
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")

    user: Mapped[User] = relationship()

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (
        CheckConstraint("weekday_bits BETWEEN 1 AND 127", name="weekday_bits_range"),
        CheckConstraint("starts < ends", name="starts_before_ends"),
        CheckConstraint(
            "valid_until IS NULL OR valid_from IS NULL OR valid_from <= valid_until", name="valid_from_before_until"
        ),
    )

    @property
    def weekdays(self) -> tuple[int, ...]:
        return mask_weekdays(self.weekday_bits or 0)

    @weekdays.setter
    def weekdays(self, days) -> None:
        self.weekday_bits = weekday_mask(days)

    @hybrid_property
    def weekday(self) -> int:
        """A series of one weekday, as the roster was before series: its day (the first of several).
        Setting it makes a one-day series."""
        return self.weekdays[0]

    @weekday.inplace.setter
    def _weekday_setter(self, day: int) -> None:
        self.weekday_bits = weekday_mask([day])

    @weekday.inplace.comparator
    @classmethod
    def _weekday_comparator(cls) -> _HasWeekday:
        return _HasWeekday(cls.weekday_bits)

    @property
    def days_text(self) -> str:
        return describe_days(self.weekdays)

    def runs_on(self, day: date) -> bool:
        return runs_on(self, day)


def runs_on(series, day: date) -> bool:
    """Whether a series (.weekdays, .valid_from, .valid_until) has a shift on that day. Pure."""
    return (
        day.weekday() in series.weekdays
        and (series.valid_from is None or series.valid_from <= day)
        and (series.valid_until is None or day <= series.valid_until)
    )


class Place(db.Model):
    """A town hall, social centre or community house that hosts permanences; what the public reads."""

    __tablename__ = "places"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(120))  # e.g. "Mairie de Lens"
    address: Mapped[str] = mapped_column(String(250))
    commune_insee: Mapped[str] = mapped_column(ForeignKey("communes.insee"))
    access_notes: Mapped[str | None] = mapped_column(Text)  # e.g. "Entrée par la cour, rez-de-chaussée"
    public_phone: Mapped[str | None] = mapped_column(String(20))  # the place's own switchboard, E.164
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Moved on by every UPDATE of the row; an edit form opened at another version is refused (hotline.core.versions).
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")

    commune: Mapped[Commune] = relationship()

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (UniqueConstraint("name", "address", "commune_insee", name="one_place_an_address"),)


class Permanence(db.Model):
    """Recurring office hours of a jurist in a place: every week, every other week, or the n-th (or
    last) given weekday of each month, from a first day, until a last one. A row is one stretch of a
    series: editing a running series ends its row and starts a new one, so the past keeps its rule."""

    __tablename__ = "permanences"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    place_id: Mapped[int] = mapped_column(ForeignKey("places.id"), index=True)
    # Frozen from the place's commune when the row is saved: past figures keep their territory.
    territory_code: Mapped[str] = mapped_column(ForeignKey("territories.code"), index=True)
    mission: Mapped[str] = mapped_column(String(40))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    frequency: Mapped[str] = mapped_column(String(20))  # recurrence.FREQUENCIES
    weekday: Mapped[int] = mapped_column(SmallInteger)  # 0 = Monday
    week_of_month: Mapped[int | None] = mapped_column(SmallInteger)  # 1..4, or -1 = the last; monthly only
    starts: Mapped[time] = mapped_column(Time)
    ends: Mapped[time] = mapped_column(Time)
    first_day: Mapped[date] = mapped_column(Date)
    last_day: Mapped[date | None] = mapped_column(Date)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    slot_minutes: Mapped[int] = mapped_column(SmallInteger, default=30, server_default="30")  # appointments
    # Moved on by every UPDATE of the row; an edit form opened at another version is refused (hotline.core.versions).
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")

    place: Mapped[Place] = relationship()
    user: Mapped[User | None] = relationship()
    cancellations: Mapped[list[PermanenceCancellation]] = relationship(
        back_populates="permanence", cascade="all, delete-orphan"
    )

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (
        CheckConstraint("weekday BETWEEN 0 AND 6", name="weekday_range"),
        CheckConstraint("starts < ends", name="starts_before_ends"),
    )

    # What the voice menu, the appointments and the reports read, from the place.
    @property
    def name(self) -> str:
        return self.place.name

    @property
    def address(self) -> str:
        return self.place.address

    @property
    def commune_insee(self) -> str:
        return self.place.commune_insee


class PermanenceCancellation(db.Model):
    """One occurrence that does not take place, and why."""

    __tablename__ = "permanence_cancellations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    permanence_id: Mapped[int] = mapped_column(ForeignKey("permanences.id", ondelete="CASCADE"))
    day: Mapped[date] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(String(200))
    cancelled_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    cancelled_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    permanence: Mapped[Permanence] = relationship(back_populates="cancellations")

    __table_args__ = (UniqueConstraint("permanence_id", "day", name="one_cancellation_a_day"),)
