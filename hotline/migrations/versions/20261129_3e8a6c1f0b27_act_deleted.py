"""act deleted: when an act of the procedure entered by mistake was deleted from the case page

A deleted act leaves the current acts (replaced_at is set too, so that the one-a-stage index and
every read of the current acts stay as they are) and stays in the history, marked deleted.

Revision ID: 3e8a6c1f0b27
Revises: 9f3c2b7d1e55
Create Date: 2026-11-29 12:00:00
"""

import sqlalchemy as sa
from alembic import op

from hotline.core.models_base import UTCDateTime

revision = "3e8a6c1f0b27"
down_revision = "9f3c2b7d1e55"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("procedure_acts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("deleted_at", UTCDateTime(), nullable=True))


def downgrade():
    with op.batch_alter_table("procedure_acts", schema=None) as batch_op:
        batch_op.drop_column("deleted_at")
