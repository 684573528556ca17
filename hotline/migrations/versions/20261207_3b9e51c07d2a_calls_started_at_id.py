"""calls indexed on (started_at, id) instead of started_at alone: on PostgreSQL the reports' fingerprint of a
summarised month of calls (count, largest and summed ids) is read from the index alone instead of the table's rows;
still one index to write a call (SQLite's index on started_at held the rowid already: the same use there)

Revision ID: 3b9e51c07d2a
Revises: 7d2f4a9c1e38
Create Date: 2026-12-07 03:30:00
"""

from alembic import op

revision = "3b9e51c07d2a"
down_revision = "7d2f4a9c1e38"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index("ix_calls_started_at_id", "calls", ["started_at", "id"])
    op.drop_index("ix_calls_started_at", table_name="calls")


def downgrade():
    op.create_index("ix_calls_started_at", "calls", ["started_at"])
    op.drop_index("ix_calls_started_at_id", table_name="calls")
