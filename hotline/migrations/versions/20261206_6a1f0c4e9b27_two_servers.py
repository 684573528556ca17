"""two servers, one database: the login throttle (attempts and the next allowed instant per account and
address, per address, per account), and a queued background import's bytes (read by every server's runner)

Revision ID: 6a1f0c4e9b27
Revises: a1c3e5f70b15
Create Date: 2026-12-06 10:00:00

A file queued before this migration waited in the instance folder of the server that received it: such a
job (not ended) is failed, with a message asking to upload the file again.
"""

import sqlalchemy as sa
from alembic import op

from hotline.core.models_base import UTCDateTime

revision = "6a1f0c4e9b27"
down_revision = "a1c3e5f70b15"
branch_labels = None
depends_on = None

UPLOAD_AGAIN = "Import annulé par une mise à jour du logiciel : rien n'a été importé. Déposez le fichier à nouveau."


def upgrade():
    op.create_table(
        "login_throttle",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("not_before", UTCDateTime(), nullable=True),
        sa.Column("last_at", UTCDateTime(), nullable=False),
        sa.Column("succeeded_at", UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_login_throttle")),
    )
    op.create_index(op.f("ix_login_throttle_last_at"), "login_throttle", ["last_at"])
    op.create_table(
        "import_files",
        sa.Column("job_id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(
            ["job_id"], ["import_jobs.id"], name=op.f("fk_import_files_job_id_import_jobs"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("job_id", "seq", name=op.f("pk_import_files")),
    )
    jobs = sa.table(
        "import_jobs",
        sa.column("state", sa.String),
        sa.column("stored_name", sa.String),
        sa.column("errors", sa.JSON),
        sa.column("finished_at", UTCDateTime()),
    )
    op.execute(
        jobs.update()
        .where(jobs.c.state.in_(("queued", "validating", "writing")))
        .values(
            state="failed", stored_name=None, errors=[[0, "", UPLOAD_AGAIN]], finished_at=sa.func.current_timestamp()
        )
    )


def downgrade():
    op.drop_table("import_files")
    op.drop_index(op.f("ix_login_throttle_last_at"), table_name="login_throttle")
    op.drop_table("login_throttle")
