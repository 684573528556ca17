"""The monthly rollup of the consultations, kept current with every consultation write (see rollup.py).

Three tables, one row per (mission, month, territory) cell and key:
- report_rollup: every additive indicator (consultations, single and multiple codes, debts known, debt
  amounts summed, flags); amounts are whole cents, so sums stay exact on SQLite as on PostgreSQL;
- report_households: the households seen in a cell, with how many of the cell's consultations are
  theirs and how many of those were received (office, permanence, outreach). A consultation without
  household is a household of its own, counted once wherever it counts: those are additive, in
  report_rollup (`households`, `households_received`);
- report_debts: the histogram of known debt amounts (cents -> how many), for exact medians.

No personal data: codes, months, territories and household numbers only.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Boolean, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from hotline.consultations.models import Consultation
from hotline.extensions import db


class ReportRollup(db.Model):
    __tablename__ = "report_rollup"

    mission: Mapped[str] = mapped_column(String(40), primary_key=True)
    month: Mapped[str] = mapped_column(String(7), primary_key=True)  # YYYY-MM
    territory: Mapped[str] = mapped_column(String(40), primary_key=True)
    indicator: Mapped[str] = mapped_column(String(40), primary_key=True)
    category: Mapped[str] = mapped_column(String(80), primary_key=True)  # '' when the indicator has none
    value: Mapped[int] = mapped_column(BigInteger)  # a count, or cents for debt_amount_sum


class ReportHousehold(db.Model):
    __tablename__ = "report_households"

    mission: Mapped[str] = mapped_column(String(40), primary_key=True)
    month: Mapped[str] = mapped_column(String(7), primary_key=True)
    territory: Mapped[str] = mapped_column(String(40), primary_key=True)
    household: Mapped[int] = mapped_column(Integer, primary_key=True)  # households.id (no foreign key)
    consultations: Mapped[int] = mapped_column(Integer)
    received: Mapped[int] = mapped_column(Integer)

    # Distinct households over months and territories: read in household order, without the table.
    __table_args__ = (Index("ix_report_households_mission_household", "mission", "household", "month", "received"),)


class ReportDebt(db.Model):
    __tablename__ = "report_debts"

    mission: Mapped[str] = mapped_column(String(40), primary_key=True)
    month: Mapped[str] = mapped_column(String(7), primary_key=True)
    territory: Mapped[str] = mapped_column(String(40), primary_key=True)
    amount: Mapped[int] = mapped_column(BigInteger, primary_key=True)  # cents
    n: Mapped[int] = mapped_column(Integer)

    # Medians: a mission's amounts read in order with their cell, from the index alone.
    __table_args__ = (Index("ix_report_debts_mission_amount", "mission", "amount", "month", "territory", "n"),)


class ReportHouseholdMonth(db.Model):
    """cases.figures.HouseholdMonth of every household, month and mission: what the household indicators
    read (household_months.py), kept current with every write of the household's consultations."""

    __tablename__ = "report_household_months"

    household: Mapped[str] = mapped_column(String(24), primary_key=True)  # h<household id> or c<consultation id>
    mission: Mapped[str] = mapped_column(String(40), primary_key=True)
    month: Mapped[str] = mapped_column(String(7), primary_key=True)
    territory: Mapped[str] = mapped_column(String(40))
    stage: Mapped[str] = mapped_column(String(40))
    first_territory: Mapped[str | None] = mapped_column(String(40))
    first_stage: Mapped[str | None] = mapped_column(String(40))
    debt: Mapped[int | None] = mapped_column(BigInteger)  # cents
    debt_territory: Mapped[str | None] = mapped_column(String(40))
    debt_band: Mapped[str | None] = mapped_column(String(40))
    next_month: Mapped[str | None] = mapped_column(String(7))  # the household's next month (mission), if any
    next_debt_month: Mapped[str | None] = mapped_column(String(7))  # ... its next month naming a debt
    received: Mapped[bool] = mapped_column(Boolean, default=False)  # received in the month (office, permanence...)
    last_received_month: Mapped[str | None] = mapped_column(String(7))  # its latest month received, up to this one
    # Its first month (eviction): its first contact against the commandement de payer (household_facts.reach).
    reach: Mapped[str | None] = mapped_column(String(8))
    # Its profile (eviction, household_facts.PROFILE): the latest value named up to this month, and its month.
    family_situation: Mapped[str | None] = mapped_column(String(40))
    family_situation_since: Mapped[str | None] = mapped_column(String(7))
    housing_sector: Mapped[str | None] = mapped_column(String(40))
    housing_sector_since: Mapped[str | None] = mapped_column(String(7))
    occupancy_status: Mapped[str | None] = mapped_column(String(40))
    occupancy_status_since: Mapped[str | None] = mapped_column(String(7))
    age_band: Mapped[str | None] = mapped_column(String(40))
    age_band_since: Mapped[str | None] = mapped_column(String(7))
    resource_band: Mapped[str | None] = mapped_column(String(40))
    resource_band_since: Mapped[str | None] = mapped_column(String(7))
    debt_origin: Mapped[str | None] = mapped_column(String(400))  # codes joined by "|"
    debt_origin_since: Mapped[str | None] = mapped_column(String(7))
    family_situation_by_sector: Mapped[str | None] = mapped_column(String(81))
    family_situation_by_sector_since: Mapped[str | None] = mapped_column(String(7))

    # A range of months, read from the indexes alone: the months' rows and the households' latest rows of
    # the range (next month after the range, or none) with their stages and first contacts; their debts in
    # order (the months' medians); all the debts of the mission in order (the whole range's medians).
    __table_args__ = (
        Index(
            "ix_report_household_months_month",
            "mission",
            "month",
            "territory",
            "stage",
            "next_month",
            "first_territory",
            "first_stage",
            "received",
            "last_received_month",
        ),
        Index(
            "ix_report_household_months_debt",
            "mission",
            "month",
            "debt",
            "debt_territory",
            "debt_band",
            "next_debt_month",
        ),
        Index("ix_report_household_months_amount", "mission", "debt", "month", "debt_territory", "next_debt_month"),
    )


class ReportHouseholdCount(db.Model):
    """The rows of report_household_months counted by what a range of months asks of them (household_months.py):
    `kind` first (first contacts: place the first territory, category the first stage), stage (the eviction
    mission's households: territory, stage), debt (those naming a debt: debt territory, band; cents summed),
    seen (every household month: category its latest month received). `until`: the household's next month
    (its next month naming a debt for `debt`), '' when none yet: a range's latest rows are those with an
    `until` after the range or ''. Kept by deltas with every refresh of the months."""

    __tablename__ = "report_household_counts"

    mission: Mapped[str] = mapped_column(String(40), primary_key=True)
    month: Mapped[str] = mapped_column(String(7), primary_key=True)
    kind: Mapped[str] = mapped_column(String(8), primary_key=True)
    until: Mapped[str] = mapped_column(String(7), primary_key=True)
    place: Mapped[str] = mapped_column(String(40), primary_key=True)
    category: Mapped[str] = mapped_column(String(40), primary_key=True)
    n: Mapped[int] = mapped_column(Integer)  # household months (first: the row goes when it reaches 0)
    received: Mapped[int] = mapped_column(Integer)  # ... received in the month (seen)
    cents: Mapped[int] = mapped_column(BigInteger)  # ... their debts summed (debt)


class ReportCaseResult(db.Model):
    """Where each household's case stands (household_result) from a day on, from its current acts and events
    (household_facts.timeline): one row a day on which it changes, `until` the next such day ('9999-12-31' for
    the last). Dates as 'YYYY-MM-DD' text, so that a month's last day compares as `month || '-31'`."""

    __tablename__ = "report_case_results"

    household: Mapped[str] = mapped_column(String(24), primary_key=True)  # h<household id>
    since: Mapped[str] = mapped_column(String(10), primary_key=True)
    until: Mapped[str] = mapped_column(String(10))
    result: Mapped[str] = mapped_column(String(40))


# A household's history, which its months are computed from (household_months.refresh) and the recount reads
# (bench/recount.py's household_records): declared here, beside the report's other indexes, on the consultations' table.
Index("ix_consultations_household_mission_date", Consultation.household_id, Consultation.mission, Consultation.date)

__all__ = [
    "ReportCaseResult",
    "ReportDebt",
    "ReportHousehold",
    "ReportHouseholdCount",
    "ReportHouseholdMonth",
    "ReportRollup",
]
