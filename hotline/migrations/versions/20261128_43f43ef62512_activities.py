"""activities

Revision ID: 43f43ef62512
Revises: e6073f7ce330
Create Date: 2026-11-28 18:29:11.066347
"""

import sqlalchemy as sa
from alembic import op

import hotline.core.models_base

revision = "43f43ef62512"
down_revision = "e6073f7ce330"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "activities",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("date", sa.Date(), nullable=False),
        sa.Column("mission", sa.String(length=40), nullable=False),
        sa.Column("activity_type", sa.String(length=40), nullable=False),
        sa.Column("territory_code", sa.String(length=40), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", hotline.core.models_base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f("fk_activities_created_by_id_users"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["territory_code"], ["territories.code"], name=op.f("fk_activities_territory_code_territories")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_activities")),
    )
    with op.batch_alter_table("activities", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_activities_date"), ["date"], unique=False)


def downgrade():
    with op.batch_alter_table("activities", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_activities_date"))

    op.drop_table("activities")
