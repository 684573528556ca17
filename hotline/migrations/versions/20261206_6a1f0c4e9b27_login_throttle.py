"""login throttle: attempts and the next allowed instant per account and address, per address, per account

Revision ID: 6a1f0c4e9b27
Revises: c5a9e3d7f182
Create Date: 2026-12-06 10:00:00
"""
import sqlalchemy as sa
from alembic import op

from hotline.models_base import UTCDateTime

revision = '6a1f0c4e9b27'
down_revision = 'c5a9e3d7f182'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('login_throttle',
                    sa.Column('key', sa.String(length=64), nullable=False),
                    sa.Column('attempts', sa.Integer(), nullable=False),
                    sa.Column('not_before', UTCDateTime(), nullable=True),
                    sa.Column('last_at', UTCDateTime(), nullable=False),
                    sa.Column('succeeded_at', UTCDateTime(), nullable=True),
                    sa.PrimaryKeyConstraint('key', name=op.f('pk_login_throttle')))
    op.create_index(op.f('ix_login_throttle_last_at'), 'login_throttle', ['last_at'])


def downgrade():
    op.drop_index(op.f('ix_login_throttle_last_at'), table_name='login_throttle')
    op.drop_table('login_throttle')
