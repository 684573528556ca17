"""cases: a household's case, what each consultation said of it, the acts of its procedure

The updated taxonomy (new procedure stages, landlord_types, housing_benefits, debt_months_bands)
needs no data change: codes live in reference/data/taxonomy.yaml, not in the database, and rows
recorded at the stage `jugement` keep that code, still in the list.

Revision ID: 5c1d2a7e9b40
Revises: d33be8d43dff
Create Date: 2026-11-29 08:17:05.783645
"""

import sqlalchemy as sa
from alembic import op

import hotline.core.models_base

revision = "5c1d2a7e9b40"
down_revision = "d33be8d43dff"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "cases",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("household_id", sa.Integer(), nullable=False),
        sa.Column("lease_signed_on", sa.Date(), nullable=True),
        sa.Column("landlord_type", sa.String(length=40), nullable=False),
        sa.Column("rent_amount", sa.Numeric(precision=12, scale=2), nullable=True),
        sa.Column("housing_benefit", sa.String(length=40), nullable=False),
        sa.Column("created_at", hotline.core.models_base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", hotline.core.models_base.UTCDateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "rent_amount IS NULL OR (rent_amount >= 0 AND rent_amount < 10000000)",
            name=op.f("ck_cases_rent_amount_range"),
        ),
        sa.ForeignKeyConstraint(
            ["household_id"], ["households.id"], name=op.f("fk_cases_household_id_households"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cases")),
        sa.UniqueConstraint("household_id", name=op.f("uq_cases_household_id")),
    )
    op.create_table(
        "case_statements",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("consultation_id", sa.Integer(), nullable=False),
        sa.Column("lease_signed_on", sa.Date(), nullable=True),
        sa.Column("landlord_type", sa.String(length=40), nullable=True),
        sa.Column("rent_amount", sa.Numeric(precision=12, scale=2), nullable=True),
        sa.Column("housing_benefit", sa.String(length=40), nullable=True),
        sa.Column("recorded_at", hotline.core.models_base.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "rent_amount IS NULL OR (rent_amount >= 0 AND rent_amount < 10000000)",
            name=op.f("ck_case_statements_rent_amount_range"),
        ),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_case_statements_case_id_cases"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["consultation_id"],
            ["consultations.id"],
            name=op.f("fk_case_statements_consultation_id_consultations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_statements")),
        sa.UniqueConstraint("consultation_id", name=op.f("uq_case_statements_consultation_id")),
    )
    with op.batch_alter_table("case_statements", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_case_statements_case_id"), ["case_id"], unique=False)

    op.create_table(
        "procedure_acts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("stage", sa.String(length=40), nullable=False),
        sa.Column("occurred_on", sa.Date(), nullable=False),
        sa.Column("consultation_id", sa.Integer(), nullable=True),
        sa.Column("recorded_at", hotline.core.models_base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("replaced_at", hotline.core.models_base.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_procedure_acts_case_id_cases"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["consultation_id"],
            ["consultations.id"],
            name=op.f("fk_procedure_acts_consultation_id_consultations"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_procedure_acts")),
    )
    with op.batch_alter_table("procedure_acts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_procedure_acts_case_id"), ["case_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_procedure_acts_consultation_id"), ["consultation_id"], unique=False)
        batch_op.create_index(
            "ix_procedure_acts_one_a_stage",
            ["case_id", "stage"],
            unique=True,
            sqlite_where=sa.text("replaced_at IS NULL"),
            postgresql_where=sa.text("replaced_at IS NULL"),
        )


def downgrade():
    with op.batch_alter_table("procedure_acts", schema=None) as batch_op:
        batch_op.drop_index(
            "ix_procedure_acts_one_a_stage",
            sqlite_where=sa.text("replaced_at IS NULL"),
            postgresql_where=sa.text("replaced_at IS NULL"),
        )
        batch_op.drop_index(batch_op.f("ix_procedure_acts_consultation_id"))
        batch_op.drop_index(batch_op.f("ix_procedure_acts_case_id"))

    op.drop_table("procedure_acts")
    with op.batch_alter_table("case_statements", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_case_statements_case_id"))

    op.drop_table("case_statements")
    op.drop_table("cases")
