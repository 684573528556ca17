"""report: family situation x housing sector in the rollup (computed for the consultations already logged), and
an index on consultations (household_id, mission, date) for the history of the households a report reads

Revision ID: 4e8a1c6b2d90
Revises: 3e8a6c1f0b27
Create Date: 2026-11-29 12:10:00
"""

import sqlalchemy as sa
from alembic import op

revision = "4e8a1c6b2d90"
down_revision = "3e8a6c1f0b27"
branch_labels = None
depends_on = None

INDICATOR = "family_situation_by_sector"


def upgrade():
    op.create_index("ix_consultations_household_mission_date", "consultations", ["household_id", "mission", "date"])
    # As rollup.rebuild() counts it, so that the reports agree without a rebuild.
    month = "to_char(date, 'YYYY-MM')" if op.get_bind().dialect.name == "postgresql" else "substr(date, 1, 7)"
    op.execute(
        sa.text(
            "INSERT INTO report_rollup (mission, month, territory, indicator, category, value) "
            f"SELECT mission, {month}, territory_code, :indicator, family_situation || '|' || housing_sector, count(*) "
            "FROM consultations WHERE family_situation IS NOT NULL AND family_situation != '' "
            "AND housing_sector IS NOT NULL AND housing_sector != '' "
            f"GROUP BY mission, {month}, territory_code, family_situation, housing_sector"
        ).bindparams(indicator=INDICATOR)
    )


def downgrade():
    op.execute(sa.text("DELETE FROM report_rollup WHERE indicator = :indicator").bindparams(indicator=INDICATOR))
    op.drop_index("ix_consultations_household_mission_date", table_name="consultations")
