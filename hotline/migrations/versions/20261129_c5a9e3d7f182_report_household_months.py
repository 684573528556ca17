"""report household months: what the household indicators read, one row per household, mission and month,
and their counts by what a range of months asks of them (filled from the consultations already logged)

Revision ID: c5a9e3d7f182
Revises: b4d8e2a61c37
Create Date: 2026-11-29 15:30:00
"""

import sqlalchemy as sa
from alembic import op

revision = "c5a9e3d7f182"
down_revision = "b4d8e2a61c37"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "report_household_months",
        sa.Column("household", sa.String(length=24), nullable=False),
        sa.Column("mission", sa.String(length=40), nullable=False),
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("territory", sa.String(length=40), nullable=False),
        sa.Column("stage", sa.String(length=40), nullable=False),
        sa.Column("first_territory", sa.String(length=40), nullable=True),
        sa.Column("first_stage", sa.String(length=40), nullable=True),
        sa.Column("debt", sa.BigInteger(), nullable=True),
        sa.Column("debt_territory", sa.String(length=40), nullable=True),
        sa.Column("debt_band", sa.String(length=40), nullable=True),
        sa.Column("next_month", sa.String(length=7), nullable=True),
        sa.Column("next_debt_month", sa.String(length=7), nullable=True),
        sa.Column("received", sa.Boolean(), nullable=False),
        sa.Column("last_received_month", sa.String(length=7), nullable=True),
        sa.PrimaryKeyConstraint("household", "mission", "month", name=op.f("pk_report_household_months")),
    )
    op.create_index(
        "ix_report_household_months_month",
        "report_household_months",
        [
            "mission",
            "month",
            "territory",
            "stage",
            "next_month",
            "first_territory",
            "first_stage",
            "received",
            "last_received_month",
        ],
    )
    op.create_index(
        "ix_report_household_months_debt",
        "report_household_months",
        ["mission", "month", "debt", "debt_territory", "debt_band", "next_debt_month"],
    )
    op.create_index(
        "ix_report_household_months_amount",
        "report_household_months",
        ["mission", "debt", "month", "debt_territory", "next_debt_month"],
    )
    op.create_table(
        "report_household_counts",
        sa.Column("mission", sa.String(length=40), nullable=False),
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("until", sa.String(length=7), nullable=False),
        sa.Column("place", sa.String(length=40), nullable=False),
        sa.Column("category", sa.String(length=40), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.Column("received", sa.Integer(), nullable=False),
        sa.Column("cents", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint(
            "mission", "month", "kind", "until", "place", "category", name=op.f("pk_report_household_counts")
        ),
    )
    # The months of the households already logged: the app's own computation (cases.figures), as
    # `hotline reports rebuild` runs it, so that the reports agree without a rebuild.
    from hotline.reports import household_months  # noqa: PLC0415 - the app's code, at this revision's run only

    household_months.rebuild(op.get_bind())


def downgrade():
    op.drop_table("report_household_counts")
    op.drop_index("ix_report_household_months_amount", table_name="report_household_months")
    op.drop_index("ix_report_household_months_debt", table_name="report_household_months")
    op.drop_index("ix_report_household_months_month", table_name="report_household_months")
    op.drop_table("report_household_months")
