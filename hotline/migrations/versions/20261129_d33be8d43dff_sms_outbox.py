"""SMS outbox: sms_messages, sent exactly once; the reminder columns of appointments move into it

Revision ID: d33be8d43dff
Revises: 43f43ef62512
Create Date: 2026-11-29 08:40:00
"""

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

import hotline.core.models_base

revision = "d33be8d43dff"
down_revision = "43f43ef62512"
branch_labels = None
depends_on = None


# On SQLite, dropping a column rebuilds `appointments` (DROP TABLE + copy); with foreign keys on,
# that DROP deletes through ON DELETE CASCADE whatever already points at it. So the reminders are read
# first, the columns dropped, and only then is the outbox created and filled.
REMINDERS = sa.table(
    "appointments",
    sa.column("id", sa.Integer()),
    sa.column("created_at", sa.String()),
    sa.column("reminder_status", sa.String()),
    sa.column("reminder_sid", sa.String()),
    sa.column("reminder_at", sa.String()),
)


def upgrade():
    bind = op.get_bind()
    tried = bind.execute(sa.select(REMINDERS).where(REMINDERS.c.reminder_status.is_not(None))).mappings().all()
    with op.batch_alter_table("appointments", schema=None) as batch_op:
        batch_op.drop_column("reminder_at")
        batch_op.drop_column("reminder_sid")
        batch_op.drop_column("reminder_status")

    outbox = op.create_table(
        "sms_messages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("purpose", sa.String(length=20), nullable=False),
        sa.Column("appointment_id", sa.Integer(), nullable=True),
        sa.Column("key", sa.String(length=80), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("claimed_until", hotline.core.models_base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("attempts", sa.SmallInteger(), nullable=False),
        sa.Column("sid", sa.String(length=64), nullable=True),
        sa.Column("error", sa.String(length=120), nullable=True),
        sa.Column("created_at", hotline.core.models_base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", hotline.core.models_base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["appointment_id"],
            ["appointments.id"],
            name=op.f("fk_sms_messages_appointment_id_appointments"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sms_messages")),
        sa.UniqueConstraint("key", name=op.f("uq_sms_messages_key")),
    )
    with op.batch_alter_table("sms_messages", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_sms_messages_appointment_id"), ["appointment_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_sms_messages_status"), ["status"], unique=False)

    # A reminder left `sending` by a dead sender has no reference in its text to look up: it
    # becomes `unknown`, for a person to check.
    if tried:
        op.bulk_insert(
            outbox,
            [
                {
                    "purpose": "reminder",
                    "appointment_id": row["id"],
                    "key": f"reminder:{row['id']}",
                    "status": "unknown" if row["reminder_status"] == "sending" else row["reminder_status"],
                    "claimed_until": _instant(row["reminder_at"]),
                    "attempts": 1,
                    "sid": row["reminder_sid"],
                    "created_at": _instant(row["reminder_at"] or row["created_at"]),
                    "updated_at": _instant(row["reminder_at"] or row["created_at"]),
                }
                for row in tried
            ],
        )


def _instant(value):
    """A stored instant read as text (SQLite) or datetime (PostgreSQL), as an aware UTC datetime."""
    if value is None or isinstance(value, datetime):
        return value if value is None or value.tzinfo else value.replace(tzinfo=UTC)
    return _instant(datetime.fromisoformat(str(value)))


def downgrade():
    bind = op.get_bind()
    outbox = sa.table(
        "sms_messages",
        sa.column("appointment_id", sa.Integer()),
        sa.column("purpose", sa.String()),
        sa.column("status", sa.String()),
        sa.column("sid", sa.String()),
        sa.column("updated_at", sa.String()),
    )
    tried = (
        bind.execute(
            sa.select(outbox).where(outbox.c.purpose == "reminder", outbox.c.status.not_in(("queued", "cancelled")))
        )
        .mappings()
        .all()
    )
    with op.batch_alter_table("sms_messages", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sms_messages_status"))
        batch_op.drop_index(batch_op.f("ix_sms_messages_appointment_id"))
    op.drop_table("sms_messages")

    with op.batch_alter_table("appointments", schema=None) as batch_op:
        batch_op.add_column(sa.Column("reminder_status", sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column("reminder_sid", sa.String(length=64), nullable=True))
        batch_op.add_column(
            sa.Column("reminder_at", hotline.core.models_base.UTCDateTime(timezone=True), nullable=True)
        )
    appointments = sa.table(
        "appointments",
        sa.column("id", sa.Integer()),
        sa.column("reminder_status", sa.String()),
        sa.column("reminder_sid", sa.String()),
        sa.column("reminder_at", hotline.core.models_base.UTCDateTime(timezone=True)),
    )
    for row in tried:
        bind.execute(
            appointments.update()
            .where(appointments.c.id == row["appointment_id"])
            .values(
                reminder_status=row["status"] if row["status"] in ("sent", "failed") else "sending",
                reminder_sid=row["sid"],
                reminder_at=_instant(row["updated_at"]),
            )
        )
