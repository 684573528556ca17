"""report notes: the qualitative analysis of the bilan, per mission and range of months, every version kept

Revision ID: 9f3c2b7d1e55
Revises: 2758bd6f4666
Create Date: 2026-11-29 09:50:00
"""

import sqlalchemy as sa
from alembic import op

from hotline.core.models_base import UTCDateTime

revision = "9f3c2b7d1e55"
down_revision = "2758bd6f4666"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "report_notes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("mission", sa.String(length=40), nullable=False),
        sa.Column("first_month", sa.Date(), nullable=False),
        sa.Column("last_month", sa.Date(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["author_id"], ["users.id"], name=op.f("fk_report_notes_author_id_users"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_report_notes")),
    )
    op.create_index("ix_report_notes_range", "report_notes", ["mission", "first_month", "last_month", "created_at"])


def downgrade():
    op.drop_index("ix_report_notes_range", table_name="report_notes")
    op.drop_table("report_notes")
