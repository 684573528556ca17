"""household numbers: the other phone numbers a household is known by (attached from the screen pop)

Revision ID: 97ab9ef49a8e
Revises: 5b2e9d41c7a3
Create Date: 2026-12-06 17:00:00
"""

import sqlalchemy as sa
from alembic import op

from hotline.core.models_base import UTCDateTime

revision = "97ab9ef49a8e"
down_revision = "5b2e9d41c7a3"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "household_numbers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("household_id", sa.Integer(), nullable=False),
        sa.Column("phone", sa.String(length=20), nullable=False),
        sa.Column("added_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("added_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["household_id"],
            ["households.id"],
            name=op.f("fk_household_numbers_household_id_households"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["added_by_id"], ["users.id"], name=op.f("fk_household_numbers_added_by_id_users"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_household_numbers")),
        sa.UniqueConstraint("household_id", "phone", name=op.f("uq_household_numbers_household_id")),
    )
    with op.batch_alter_table("household_numbers", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_household_numbers_household_id"), ["household_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_household_numbers_phone"), ["phone"], unique=False)


def downgrade():
    op.drop_table("household_numbers")
