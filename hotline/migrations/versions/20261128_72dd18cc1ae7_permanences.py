"""permanences

Revision ID: 72dd18cc1ae7
Revises: 081c3a93394b
Create Date: 2026-11-28 18:09:13.054577
"""

import sqlalchemy as sa
from alembic import op

import hotline.core.models_base

revision = "72dd18cc1ae7"
down_revision = "081c3a93394b"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "permanences",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("address", sa.String(length=250), nullable=False),
        sa.Column("commune_insee", sa.String(length=5), nullable=False),
        sa.Column("territory_code", sa.String(length=40), nullable=False),
        sa.Column("mission", sa.String(length=40), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("frequency", sa.String(length=20), nullable=False),
        sa.Column("weekday", sa.SmallInteger(), nullable=False),
        sa.Column("week_of_month", sa.SmallInteger(), nullable=True),
        sa.Column("starts", sa.Time(), nullable=False),
        sa.Column("ends", sa.Time(), nullable=False),
        sa.Column("first_day", sa.Date(), nullable=False),
        sa.Column("last_day", sa.Date(), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.CheckConstraint("starts < ends", name=op.f("ck_permanences_starts_before_ends")),
        sa.CheckConstraint("weekday BETWEEN 0 AND 6", name=op.f("ck_permanences_weekday_range")),
        sa.ForeignKeyConstraint(
            ["commune_insee"], ["communes.insee"], name=op.f("fk_permanences_commune_insee_communes")
        ),
        sa.ForeignKeyConstraint(
            ["territory_code"], ["territories.code"], name=op.f("fk_permanences_territory_code_territories")
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_permanences_user_id_users"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_permanences")),
    )
    with op.batch_alter_table("permanences", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_permanences_territory_code"), ["territory_code"], unique=False)
        batch_op.create_index(batch_op.f("ix_permanences_user_id"), ["user_id"], unique=False)

    op.create_table(
        "permanence_cancellations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("permanence_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("reason", sa.String(length=200), nullable=False),
        sa.Column("cancelled_by_id", sa.Integer(), nullable=True),
        sa.Column("cancelled_at", hotline.core.models_base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["cancelled_by_id"],
            ["users.id"],
            name=op.f("fk_permanence_cancellations_cancelled_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["permanence_id"],
            ["permanences.id"],
            name=op.f("fk_permanence_cancellations_permanence_id_permanences"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_permanence_cancellations")),
        sa.UniqueConstraint("permanence_id", "day", name="one_cancellation_a_day"),
    )


def downgrade():
    op.drop_table("permanence_cancellations")
    with op.batch_alter_table("permanences", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_permanences_user_id"))
        batch_op.drop_index(batch_op.f("ix_permanences_territory_code"))

    op.drop_table("permanences")
