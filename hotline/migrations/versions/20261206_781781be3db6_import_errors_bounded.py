"""import errors bounded and without the file's text: import_jobs.more_errors counts the errors past the
first 1,000 kept; the error lists already stored stop quoting the file's cells (a cell may hold a name
or a phone number): the quoted value becomes « la valeur », an unknown column's name is dropped

Revision ID: 781781be3db6
Revises: 6a1f0c4e9b27
Create Date: 2026-12-06 10:00:00
"""

import re

import sqlalchemy as sa
from alembic import op

revision = "781781be3db6"
down_revision = "6a1f0c4e9b27"
branch_labels = None
depends_on = None

QUOTED = re.compile(r"^«.*»", re.DOTALL)  # the messages that quoted a cell began with it
POSITION = re.compile(r"^n° \d+$")
JOBS = sa.table("import_jobs", sa.column("id", sa.Integer), sa.column("errors", sa.JSON))


def scrubbed(errors: list, columns: frozenset[str]) -> list:
    """[line, column, message] without the file's text: a column name the format does not know (it was the
    header's cell) becomes "", a quoted value « la valeur »."""
    return [
        [
            line,
            column if column in columns or POSITION.match(column or "") else "",
            QUOTED.sub("la valeur", message or ""),
        ]
        for line, column, message in errors
    ]


def upgrade():
    with op.batch_alter_table("import_jobs") as batch:
        batch.add_column(sa.Column("more_errors", sa.Integer(), nullable=True))
    from hotline.consultations.imports.parse import COLUMNS  # noqa: PLC0415 - the app's code, at this revision's run only

    bind = op.get_bind()
    for job_id, errors in bind.execute(sa.select(JOBS.c.id, JOBS.c.errors).where(JOBS.c.errors.is_not(None))).all():
        clean = scrubbed(errors or [], frozenset(COLUMNS))
        if clean != errors:
            bind.execute(JOBS.update().where(JOBS.c.id == job_id).values(errors=clean))


def downgrade():
    with op.batch_alter_table("import_jobs") as batch:
        batch.drop_column("more_errors")
