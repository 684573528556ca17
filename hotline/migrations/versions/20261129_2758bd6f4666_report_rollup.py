"""report rollup: monthly indicators, households and debt amounts per mission, month and territory

Revision ID: 2758bd6f4666
Revises: 5b1e0c7a9d42
Create Date: 2026-11-29 08:30:00
"""

import sqlalchemy as sa
from alembic import op

revision = "2758bd6f4666"
down_revision = "5b1e0c7a9d42"
branch_labels = None
depends_on = None


def _cell():
    return [
        sa.Column("mission", sa.String(length=40), nullable=False),
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("territory", sa.String(length=40), nullable=False),
    ]


def upgrade():
    op.create_table(
        "report_rollup",
        *_cell(),
        sa.Column("indicator", sa.String(length=40), nullable=False),
        sa.Column("category", sa.String(length=80), nullable=False),
        sa.Column("value", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint(
            "mission", "month", "territory", "indicator", "category", name=op.f("pk_report_rollup")
        ),
    )
    op.create_table(
        "report_households",
        *_cell(),
        sa.Column("household", sa.Integer(), nullable=False),
        sa.Column("consultations", sa.Integer(), nullable=False),
        sa.Column("received", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("mission", "month", "territory", "household", name=op.f("pk_report_households")),
    )
    op.create_index(
        "ix_report_households_mission_household", "report_households", ["mission", "household", "month", "received"]
    )
    op.create_table(
        "report_debts",
        *_cell(),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("mission", "month", "territory", "amount", name=op.f("pk_report_debts")),
    )
    op.create_index("ix_report_debts_mission_amount", "report_debts", ["mission", "amount", "month", "territory", "n"])


def downgrade():
    op.drop_index("ix_report_debts_mission_amount", table_name="report_debts")
    op.drop_table("report_debts")
    op.drop_index("ix_report_households_mission_household", table_name="report_households")
    op.drop_table("report_households")
    op.drop_table("report_rollup")
