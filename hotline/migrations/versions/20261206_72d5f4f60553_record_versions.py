"""record versions: households, places, permanences, duty series and accounts carry the version their
edit forms are checked against (hotline.core.versions), as consultations do

Revision ID: 72d5f4f60553
Revises: 781781be3db6
Create Date: 2026-12-06 14:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "72d5f4f60553"
down_revision = "781781be3db6"
branch_labels = None
depends_on = None

TABLES = ("households", "places", "permanences", "duty_shifts", "users")


def upgrade():
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column("version", sa.Integer(), server_default="1", nullable=False))


def downgrade():
    # In place (SQLite 3.35 and later drop a column): rebuilding users or households would drop a table that
    # other rows refer to, which SQLite's foreign keys refuse.
    for table in TABLES:
        with op.batch_alter_table(table, schema=None, recreate="never") as batch_op:
            batch_op.drop_column("version")
