"""report household results: the households' profile and first contact against the commandement de payer in
report_household_months, and report_case_results (where each case stands from a day on); both filled from
what is already logged

Revision ID: 5b2e9d41c7a3
Revises: f08e6cb1dbb9
Create Date: 2026-12-06 17:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "5b2e9d41c7a3"
down_revision = "f08e6cb1dbb9"
branch_labels = None
depends_on = None

PROFILE = (
    ("family_situation", 40),
    ("housing_sector", 40),
    ("occupancy_status", 40),
    ("age_band", 40),
    ("resource_band", 40),
    ("debt_origin", 400),
    ("family_situation_by_sector", 81),
)


def upgrade():
    with op.batch_alter_table("report_household_months") as batch:
        batch.add_column(sa.Column("reach", sa.String(length=8), nullable=True))
        for name, length in PROFILE:
            batch.add_column(sa.Column(name, sa.String(length=length), nullable=True))
            batch.add_column(sa.Column(f"{name}_since", sa.String(length=7), nullable=True))
    op.create_table(
        "report_case_results",
        sa.Column("household", sa.String(length=24), nullable=False),
        sa.Column("since", sa.String(length=10), nullable=False),
        sa.Column("until", sa.String(length=10), nullable=False),
        sa.Column("result", sa.String(length=40), nullable=False),
        sa.PrimaryKeyConstraint("household", "since", name=op.f("pk_report_case_results")),
    )
    # As `hotline reports rebuild` does, so that the reports agree without a rebuild.
    from hotline.reports import household_months  # noqa: PLC0415 - the app's code, at this revision's run only

    household_months.rebuild(op.get_bind())


def downgrade():
    op.drop_table("report_case_results")
    with op.batch_alter_table("report_household_months") as batch:
        for name, _ in reversed(PROFILE):
            batch.drop_column(f"{name}_since")
            batch.drop_column(name)
        batch.drop_column("reach")
