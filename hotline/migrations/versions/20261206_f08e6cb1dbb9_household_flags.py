"""Household flags ("ne pas rappeler", "ne pas envoyer de SMS"); the SMS outbox's call_id (self-service SMS)

Revision ID: f08e6cb1dbb9
Revises: 72d5f4f60553
Create Date: 2026-12-06 17:00:00
"""

import sqlalchemy as sa
from alembic import op

import hotline.core.models_base

revision = "f08e6cb1dbb9"
down_revision = "72d5f4f60553"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "household_flags",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("household_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("reason", sa.String(length=30), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=True),
        sa.Column("set_by_id", sa.Integer(), nullable=True),
        sa.Column("set_at", hotline.core.models_base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["household_id"],
            ["households.id"],
            name=op.f("fk_household_flags_household_id_households"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["set_by_id"], ["users.id"], name=op.f("fk_household_flags_set_by_id_users"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_household_flags")),
        sa.UniqueConstraint("household_id", "kind", name=op.f("uq_household_flags_household_id")),
    )
    with op.batch_alter_table("household_flags", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_household_flags_household_id"), ["household_id"], unique=False)
    # On SQLite the foreign key rebuilds sms_messages: nothing points at it, so nothing cascades.
    with op.batch_alter_table("sms_messages", schema=None) as batch_op:
        batch_op.add_column(sa.Column("call_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_sms_messages_call_id"), ["call_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_sms_messages_call_id_calls"), "calls", ["call_id"], ["id"], ondelete="CASCADE"
        )


def downgrade():
    with op.batch_alter_table("sms_messages", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_sms_messages_call_id_calls"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_sms_messages_call_id"))
        batch_op.drop_column("call_id")
    with op.batch_alter_table("household_flags", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_household_flags_household_id"))
    op.drop_table("household_flags")
