"""import jobs: consultation files imported in the background, their state, progress and errors

Revision ID: 4e7a1c9b2d60
Revises: 4e8a1c6b2d90
Create Date: 2026-11-29 12:10:00
"""

import sqlalchemy as sa
from alembic import op

from hotline.core.models_base import UTCDateTime

revision = "4e7a1c9b2d60"
down_revision = "4e8a1c6b2d90"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "import_jobs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("stored_name", sa.String(length=64), nullable=True),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("rows_total", sa.Integer(), nullable=True),
        sa.Column("rows_done", sa.Integer(), nullable=False),
        sa.Column("created", sa.Integer(), nullable=True),
        sa.Column("updated", sa.Integer(), nullable=True),
        sa.Column("errors", sa.JSON(), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("started_at", UTCDateTime(), nullable=True),
        sa.Column("finished_at", UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f("fk_import_jobs_created_by_id_users"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_import_jobs")),
    )
    op.create_index(op.f("ix_import_jobs_state"), "import_jobs", ["state"])
    op.create_index(op.f("ix_import_jobs_created_by_id"), "import_jobs", ["created_by_id"])


def downgrade():
    op.drop_index(op.f("ix_import_jobs_created_by_id"), table_name="import_jobs")
    op.drop_index(op.f("ix_import_jobs_state"), table_name="import_jobs")
    op.drop_table("import_jobs")
