"""report call months: the green number's finished months counted once (report_call_months), read back while their
calls are those they were counted from (report_call_month_marks); written by the reports' reads, lazily

Revision ID: 581d8612353a
Revises: 3c8f1a6e2b94
Create Date: 2026-12-06 23:20:00
"""

import sqlalchemy as sa
from alembic import op

revision = "581d8612353a"
down_revision = "3c8f1a6e2b94"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "report_call_months",
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("mission", sa.String(length=40), nullable=False),
        sa.Column("territory", sa.String(length=40), nullable=False),
        sa.Column("counted_as", sa.String(length=12), nullable=False),
        sa.Column("slots", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("month", "mission", "territory", "counted_as", name=op.f("pk_report_call_months")),
    )
    op.create_table(
        "report_call_month_marks",
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("zone", sa.String(length=64), nullable=False),
        sa.Column("calls", sa.Integer(), nullable=False),
        sa.Column("last_id", sa.Integer(), nullable=False),
        sa.Column("id_sum", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("month", name=op.f("pk_report_call_month_marks")),
    )


def downgrade():
    op.drop_table("report_call_month_marks")
    op.drop_table("report_call_months")
