"""The green number's finished months, counted once: what services.call_records' GROUP BY gives for a local month,
kept in report_call_months, so that a report reads a month's counted records instead of grouping its calls again.

Written by the report's read itself (never by the voice line: a call's request writes nothing more), lazily and
idempotently: a month is summarised when it ended at least SETTLED before the read (every call of it ended and its
status callbacks arrived), and read back only while its calls are those it was counted from (report_call_month_marks:
how many calls the month holds, their largest and summed ids, and the zone its local months were read in), checked
again in the very statement that reads the summary (records(): another server may summarise the month again between
the two); otherwise it is counted again. A call's mission, territory, outcome and instants are set during the call
only (privacy blanks its number and recording, never these), so a month that is over does not change under its
summary.

No personal data: months, missions, territories, outcomes, waits in seconds and hours of the week.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import BigInteger, Integer, String, Text, and_, select
from sqlalchemy.orm import Mapped, mapped_column

from hotline.core.kept import Kept
from hotline.extensions import db
from hotline.reports import tidy

SETTLED = timedelta(days=2)  # a month is summarised this long after its last local day ended


class ReportCallMonth(db.Model):
    """A month's counted records (tidy.CallRecord) of a mission, territory and outcome, in one text: `slots`, space
    separated `slot:calls`, a slot being the wait in whole seconds of the answered (`-`: the answer's instant not
    known), or the local `weekday.hour` (weekday 1 to 7) the missed or abandoned started at. A few hundred rows a year
    instead of a row per record (70 000 at 1M): reading them was most of the summaries' cost."""

    __tablename__ = "report_call_months"

    month: Mapped[str] = mapped_column(String(7), primary_key=True)  # local YYYY-MM the calls started in
    mission: Mapped[str] = mapped_column(String(40), primary_key=True)
    territory: Mapped[str] = mapped_column(String(40), primary_key=True)  # non_renseigne when the call had none
    counted_as: Mapped[str] = mapped_column(String(12), primary_key=True)  # answered, missed, abandoned
    slots: Mapped[str] = mapped_column(Text)


class ReportCallMonthMark(db.Model):
    """A summarised month and what it was counted from: read back only while its calls still match."""

    __tablename__ = "report_call_month_marks"

    month: Mapped[str] = mapped_column(String(7), primary_key=True)
    zone: Mapped[str] = mapped_column(String(64))
    calls: Mapped[int] = mapped_column(Integer)  # every call that started in the month (with a mission or not)
    last_id: Mapped[int] = mapped_column(Integer)  # their largest id (0 when none)
    id_sum: Mapped[int] = mapped_column(BigInteger)  # their ids summed (0 when none)


MARK_FIELDS = ("zone", "calls", "last_id", "id_sum")  # a mark's values, in this order


# A summary row (mission, month, territory, counted_as, slots) -> its records: each row parsed once per process (79 000
# records at 1M, 0.2 s of each page), looked up by its whole text, so that a row rewritten is parsed again.
_PARSED: Kept = Kept(20_000)  # rows kept (some 40 years of a national network's months)


def records(session, marks: dict[str, tuple], missions: list[str]) -> tuple[list[tidy.CallRecord], set[str]]:
    """The records (tidy.CallRecord) of these missions in the summaries of these months (month -> the mark, as
    MARK_FIELDS, it must still have), and the months read. Read in one statement with their marks: a month whose
    summary another read rewrote since its mark was checked (another server past midnight: the month in progress's
    days over, or the month over, summarised again) is not read, and not in the months read; its records are then
    the caller's to count. Read with its old mark checked and its new rows, a month in progress summarised whole
    had its last days counted twice (beside the same days counted from the calls)."""
    summary, mark = ReportCallMonth, ReportCallMonthMark
    values = [getattr(mark, name) for name in MARK_FIELDS]
    query = (
        select(mark.month, *values, summary.mission, summary.territory, summary.counted_as, summary.slots)
        .select_from(mark)
        .outerjoin(summary, and_(summary.month == mark.month, summary.mission.in_(missions)))
        .where(mark.month.in_(list(marks)))
    )
    # In the key's order: the same records in the same order at each read (services._built compares them).
    query = query.order_by(mark.month, summary.mission, summary.territory, summary.counted_as)
    found: list[tidy.CallRecord] = []
    read: set[str] = set()
    for month, *row in session.execute(query):
        held, (mission, territory, counted_as, slots) = tuple(row[: len(values)]), row[len(values) :]
        if held != marks[month]:  # summarised again since the caller checked its mark
            continue
        read.add(month)
        if mission is None:  # the month's mark, without a summary row of these missions
            continue
        key = (mission, month, territory, counted_as, slots)
        parsed = _PARSED.get(key)
        if parsed is None:
            parsed = _PARSED.keep(key, _parsed(*key))
        found += parsed
    return found, read


def _parsed(mission: str, month: str, territory: str, counted_as: str, slots: str) -> list[tidy.CallRecord]:
    """One summary row's records (ReportCallMonth.slots)."""
    found = []
    for slot in slots.split(" "):
        key, n = slot.split(":")
        if counted_as == "answered":
            wait = None if key == "-" else int(key)
            found.append(tidy.CallRecord(mission, month, territory, counted_as, wait, calls=int(n)))
        else:
            weekday, hour = key.split(".")
            found.append(
                tidy.CallRecord(mission, month, territory, counted_as, None, (int(weekday), int(hour)), calls=int(n))
            )
    return found
