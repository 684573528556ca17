"""users.session_generation: server-side revocation of sessions

Revision ID: 1820592a5617
Revises: 5c1d2a7e9b40
Create Date: 2026-11-29 08:40:00
"""

import sqlalchemy as sa
from alembic import op

revision = "1820592a5617"
down_revision = "5c1d2a7e9b40"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("users") as batch_op:
        batch_op.add_column(sa.Column("session_generation", sa.Integer(), server_default="0", nullable=False))


def downgrade():
    with op.batch_alter_table("users") as batch_op:
        batch_op.drop_column("session_generation")
