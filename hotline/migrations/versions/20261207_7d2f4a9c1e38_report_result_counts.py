"""report result counts: household_result counted in report_household_counts (kind `result`: per month, next month,
territory, and the months from which to which the case holds each result), kept by the writes, so that a report
reads a few thousand counts instead of joining the cases' results with every household month of its range

Revision ID: 7d2f4a9c1e38
Revises: 581d8612353a
Create Date: 2026-12-07 03:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "7d2f4a9c1e38"
down_revision = "581d8612353a"
branch_labels = None
depends_on = None


def upgrade():
    # The counts from the months and results already computed (no schema change: a new kind of rows).
    from hotline.reports import household_months  # noqa: PLC0415 - the app's code, at this revision's run only

    household_months.recount(op.get_bind(), results_only=True)


def downgrade():
    op.execute(sa.text("DELETE FROM report_household_counts WHERE kind = 'result'"))
