"""calls.routed: whether the call reached routing, read by the code instead of the French path

Revision ID: 5b1e0c7a9d42
Revises: 7100b3a8ecbc
Create Date: 2026-11-29 08:40:00
"""

import sqlalchemy as sa
from alembic import op

revision = "5b1e0c7a9d42"
down_revision = "7100b3a8ecbc"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("calls") as batch_op:
        batch_op.add_column(sa.Column("routed", sa.Boolean(), nullable=False, server_default=sa.false()))
    calls = sa.table("calls", sa.column("path", sa.Text()), sa.column("routed", sa.Boolean()))
    op.execute(calls.update().where(calls.c.path.like("%routage%")).values(routed=True))


def downgrade():
    with op.batch_alter_table("calls") as batch_op:
        batch_op.drop_column("routed")
