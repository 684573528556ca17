"""appointments

Revision ID: e6073f7ce330
Revises: 72dd18cc1ae7
Create Date: 2026-11-28 18:16:55.413035
"""

import sqlalchemy as sa
from alembic import op

import hotline.core.models_base

revision = "e6073f7ce330"
down_revision = "72dd18cc1ae7"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "appointments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("household_id", sa.Integer(), nullable=False),
        sa.Column("mission", sa.String(length=40), nullable=False),
        sa.Column("permanence_id", sa.Integer(), nullable=True),
        sa.Column("starts_at", hotline.core.models_base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("minutes", sa.SmallInteger(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("booked_by_id", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("sms_reminder", sa.Boolean(), nullable=False),
        sa.Column("reminder_status", sa.String(length=20), nullable=True),
        sa.Column("reminder_sid", sa.String(length=64), nullable=True),
        sa.Column("reminder_at", hotline.core.models_base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("created_at", hotline.core.models_base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["booked_by_id"], ["users.id"], name=op.f("fk_appointments_booked_by_id_users"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["household_id"], ["households.id"], name=op.f("fk_appointments_household_id_households")
        ),
        sa.ForeignKeyConstraint(
            ["permanence_id"],
            ["permanences.id"],
            name=op.f("fk_appointments_permanence_id_permanences"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_appointments_user_id_users"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_appointments")),
    )
    with op.batch_alter_table("appointments", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_appointments_household_id"), ["household_id"], unique=False)
        batch_op.create_index(
            "ix_appointments_one_a_slot",
            ["permanence_id", "starts_at"],
            unique=True,
            sqlite_where=sa.text("status = 'booked'"),
            postgresql_where=sa.text("status = 'booked'"),
        )
        batch_op.create_index(batch_op.f("ix_appointments_starts_at"), ["starts_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_appointments_user_id"), ["user_id"], unique=False)

    with op.batch_alter_table("permanences", schema=None) as batch_op:
        batch_op.add_column(sa.Column("slot_minutes", sa.SmallInteger(), server_default="30", nullable=False))


def downgrade():
    with op.batch_alter_table("permanences", schema=None) as batch_op:
        batch_op.drop_column("slot_minutes")

    with op.batch_alter_table("appointments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_appointments_user_id"))
        batch_op.drop_index(batch_op.f("ix_appointments_starts_at"))
        batch_op.drop_index(
            "ix_appointments_one_a_slot",
            sqlite_where=sa.text("status = 'booked'"),
            postgresql_where=sa.text("status = 'booked'"),
        )
        batch_op.drop_index(batch_op.f("ix_appointments_household_id"))

    op.drop_table("appointments")
