"""calls (started_at, id) indexed on PostgreSQL: the reports' fingerprint of a summarised month of calls (count,
largest and summed ids) read from the index alone instead of the table's rows (SQLite's index on started_at already
holds the rowid: nothing there)

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
    if op.get_bind().dialect.name == "postgresql":
        op.create_index("ix_calls_started_at_id", "calls", ["started_at", "id"])


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.drop_index("ix_calls_started_at_id", table_name="calls")
