"""case path: several acts of one code in a case, the kind of a judgment, corrections traced, authors

A case is a path of dated acts and events (codes of procedure_stages or case_events): a second
commandement de payer is an act of its own, so the one-current-act-a-stage index goes. A correction
names the act it replaces (replaces_id); every act names who recorded it (recorded_by_id, None for
acts recorded before this revision or by an import without author); a judgment carries its kind
(decision_kinds: fond, refere, inconnu).

Revision ID: a1c3e5f70b15
Revises: c5a9e3d7f182
Create Date: 2026-12-06 14:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "a1c3e5f70b15"
down_revision = "c5a9e3d7f182"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("procedure_acts", schema=None) as batch_op:
        batch_op.drop_index(
            "ix_procedure_acts_one_a_stage",
            sqlite_where=sa.text("replaced_at IS NULL"),
            postgresql_where=sa.text("replaced_at IS NULL"),
        )
        batch_op.add_column(sa.Column("decision_kind", sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column("replaces_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("recorded_by_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_procedure_acts_replaces_id_procedure_acts"),
            "procedure_acts",
            ["replaces_id"],
            ["id"],
            ondelete="SET NULL",
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_procedure_acts_recorded_by_id_users"),
            "users",
            ["recorded_by_id"],
            ["id"],
            ondelete="SET NULL",
        )
        batch_op.create_index("ix_procedure_acts_case_stage", ["case_id", "stage"], unique=False)


def downgrade():
    with op.batch_alter_table("procedure_acts", schema=None) as batch_op:
        batch_op.drop_index("ix_procedure_acts_case_stage")
        batch_op.drop_constraint(batch_op.f("fk_procedure_acts_recorded_by_id_users"), type_="foreignkey")
        batch_op.drop_constraint(batch_op.f("fk_procedure_acts_replaces_id_procedure_acts"), type_="foreignkey")
        batch_op.drop_column("recorded_by_id")
        batch_op.drop_column("replaces_id")
        batch_op.drop_column("decision_kind")
        batch_op.create_index(
            "ix_procedure_acts_one_a_stage",
            ["case_id", "stage"],
            unique=True,
            sqlite_where=sa.text("replaced_at IS NULL"),
            postgresql_where=sa.text("replaced_at IS NULL"),
        )
