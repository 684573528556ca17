"""SMS outbox: sms_messages, sent exactly once; the reminder columns of appointments move into it

Revision ID: d33be8d43dff
Revises: 43f43ef62512
Create Date: 2026-11-29 08:40:00
"""
import sqlalchemy as sa
from alembic import op

import hotline.models_base

revision = 'd33be8d43dff'
down_revision = '43f43ef62512'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('sms_messages',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('purpose', sa.String(length=20), nullable=False),
    sa.Column('appointment_id', sa.Integer(), nullable=True),
    sa.Column('key', sa.String(length=80), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('claimed_until', hotline.models_base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('attempts', sa.SmallInteger(), nullable=False),
    sa.Column('sid', sa.String(length=64), nullable=True),
    sa.Column('error', sa.String(length=120), nullable=True),
    sa.Column('created_at', hotline.models_base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', hotline.models_base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['appointment_id'], ['appointments.id'], name=op.f('fk_sms_messages_appointment_id_appointments'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sms_messages')),
    sa.UniqueConstraint('key', name=op.f('uq_sms_messages_key'))
    )
    with op.batch_alter_table('sms_messages', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sms_messages_appointment_id'), ['appointment_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_sms_messages_status'), ['status'], unique=False)

    # Reminders already tried move into the outbox; one left `sending` by a dead sender has no
    # reference in its text to look up: it becomes `unknown`, for a person to check.
    op.execute("""
        INSERT INTO sms_messages (purpose, appointment_id, key, status, claimed_until, attempts, sid, error,
                                  created_at, updated_at)
        SELECT 'reminder', id, 'reminder:' || CAST(id AS VARCHAR(20)),
               CASE WHEN reminder_status = 'sending' THEN 'unknown' ELSE reminder_status END,
               reminder_at, 1, reminder_sid, NULL, COALESCE(reminder_at, created_at), COALESCE(reminder_at, created_at)
        FROM appointments WHERE reminder_status IS NOT NULL""")
    with op.batch_alter_table('appointments', schema=None) as batch_op:
        batch_op.drop_column('reminder_at')
        batch_op.drop_column('reminder_sid')
        batch_op.drop_column('reminder_status')


def downgrade():
    with op.batch_alter_table('appointments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reminder_status', sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column('reminder_sid', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('reminder_at', hotline.models_base.UTCDateTime(timezone=True), nullable=True))
    op.execute("""
        UPDATE appointments SET
            reminder_status = (SELECT CASE WHEN m.status IN ('sent', 'failed') THEN m.status ELSE 'sending' END
                               FROM sms_messages m WHERE m.appointment_id = appointments.id AND m.purpose = 'reminder'
                               AND m.status <> 'queued' AND m.status <> 'cancelled'),
            reminder_sid = (SELECT m.sid FROM sms_messages m
                            WHERE m.appointment_id = appointments.id AND m.purpose = 'reminder'),
            reminder_at = (SELECT m.updated_at FROM sms_messages m
                           WHERE m.appointment_id = appointments.id AND m.purpose = 'reminder'
                           AND m.status <> 'queued' AND m.status <> 'cancelled')""")
    with op.batch_alter_table('sms_messages', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sms_messages_status'))
        batch_op.drop_index(batch_op.f('ix_sms_messages_appointment_id'))

    op.drop_table('sms_messages')
