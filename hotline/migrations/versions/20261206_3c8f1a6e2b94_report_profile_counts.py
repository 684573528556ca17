"""report profile counts: the households' profile figures counted in report_household_counts (kinds p0-p6), so
that a report reads a few thousand counts instead of every household month of its range

Revision ID: 3c8f1a6e2b94
Revises: 97ab9ef49a8e
Create Date: 2026-12-06 18:10:00
"""

import sqlalchemy as sa
from alembic import op

revision = "3c8f1a6e2b94"
down_revision = "97ab9ef49a8e"
branch_labels = None
depends_on = None


def upgrade():
    # The counts again from the months already computed (no schema change: new kinds of rows).
    from hotline.reports import household_months  # noqa: PLC0415 - the app's code, at this revision's run only

    household_months.recount(op.get_bind())


def downgrade():
    op.execute(sa.text("DELETE FROM report_household_counts WHERE kind LIKE 'p%'"))
