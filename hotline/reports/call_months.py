"""The green number's finished months, counted once: what services.call_records' GROUP BY gives for a local month,
kept in report_call_months, so that a report reads a month's counted records instead of grouping its calls again.

Written by the report's read itself (never by the voice line: a call's request writes nothing more), lazily and
idempotently: a month is summarised when it ended at least SETTLED before the read (every call of it ended and its
status callbacks arrived), and read back only while its calls are those it was counted from (report_call_month_marks:
how many calls the month holds, their largest and summed ids, and the zone its local months were read in); otherwise
it is counted again. A call's mission, territory, outcome and instants are set during the call only (privacy blanks
its number and recording, never these), so a month that is over does not change under its summary.

No personal data: months, missions, territories, outcomes, waits in seconds and hours of the week.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import BigInteger, Index, Integer, SmallInteger, String
from sqlalchemy.orm import Mapped, mapped_column

from hotline.extensions import db

SETTLED = timedelta(days=2)  # a month is summarised this long after its last local day ended


class ReportCallMonth(db.Model):
    """A counted record of a month (tidy.CallRecord without its month): so many calls of a mission and territory,
    answered after `wait` seconds, or missed or abandoned at that local weekday and hour."""

    __tablename__ = "report_call_months"
    __table_args__ = (Index("ix_report_call_months_month", "month"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    month: Mapped[str] = mapped_column(String(7))  # local YYYY-MM the calls started in
    mission: Mapped[str] = mapped_column(String(40))
    territory: Mapped[str] = mapped_column(String(40))  # non_renseigne when the call had none
    counted_as: Mapped[str] = mapped_column(String(12))  # answered, missed, abandoned
    wait: Mapped[int | None] = mapped_column(Integer)  # answered: whole seconds (None: answer's instant not known)
    weekday: Mapped[int | None] = mapped_column(SmallInteger)  # missed, abandoned: 1 (Monday) to 7
    hour: Mapped[int | None] = mapped_column(SmallInteger)
    calls: Mapped[int] = mapped_column(Integer)


class ReportCallMonthMark(db.Model):
    """A summarised month and what it was counted from: read back only while its calls still match."""

    __tablename__ = "report_call_month_marks"

    month: Mapped[str] = mapped_column(String(7), primary_key=True)
    zone: Mapped[str] = mapped_column(String(64))
    calls: Mapped[int] = mapped_column(Integer)  # every call that started in the month (with a mission or not)
    last_id: Mapped[int] = mapped_column(Integer)  # their largest id (0 when none)
    id_sum: Mapped[int] = mapped_column(BigInteger)  # their ids summed (0 when none)
