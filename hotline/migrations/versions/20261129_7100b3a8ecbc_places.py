"""places: a place (name, address, commune, access notes, public phone) serves many permanences

Existing permanences get one place per distinct (name, address, commune).

Revision ID: 7100b3a8ecbc
Revises: 1820592a5617
Create Date: 2026-11-29 08:30:00
"""

import sqlalchemy as sa
from alembic import op

revision = "7100b3a8ecbc"
down_revision = "1820592a5617"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "places",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("address", sa.String(length=250), nullable=False),
        sa.Column("commune_insee", sa.String(length=5), nullable=False),
        sa.Column("access_notes", sa.Text(), nullable=True),
        sa.Column("public_phone", sa.String(length=20), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(["commune_insee"], ["communes.insee"], name=op.f("fk_places_commune_insee_communes")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_places")),
        sa.UniqueConstraint("name", "address", "commune_insee", name="one_place_an_address"),
    )
    with op.batch_alter_table("permanences", schema=None) as batch_op:
        batch_op.add_column(sa.Column("place_id", sa.Integer(), nullable=True))

    op.execute(
        "INSERT INTO places (name, address, commune_insee, active) "
        "SELECT DISTINCT name, address, commune_insee, true FROM permanences"
    )
    op.execute(
        "UPDATE permanences SET place_id = (SELECT places.id FROM places WHERE places.name = permanences.name "
        "AND places.address = permanences.address AND places.commune_insee = permanences.commune_insee)"
    )

    with op.batch_alter_table("permanences", schema=None) as batch_op:
        batch_op.alter_column("place_id", existing_type=sa.Integer(), nullable=False)
        batch_op.create_index(batch_op.f("ix_permanences_place_id"), ["place_id"], unique=False)
        batch_op.create_foreign_key(batch_op.f("fk_permanences_place_id_places"), "places", ["place_id"], ["id"])
        batch_op.drop_constraint("fk_permanences_commune_insee_communes", type_="foreignkey")
        batch_op.drop_column("commune_insee")
        batch_op.drop_column("address")
        batch_op.drop_column("name")


def downgrade():
    with op.batch_alter_table("permanences", schema=None) as batch_op:
        batch_op.add_column(sa.Column("name", sa.String(length=120), nullable=True))
        batch_op.add_column(sa.Column("address", sa.String(length=250), nullable=True))
        batch_op.add_column(sa.Column("commune_insee", sa.String(length=5), nullable=True))

    for column in ("name", "address", "commune_insee"):
        op.execute(
            f"UPDATE permanences SET {column} = (SELECT places.{column} FROM places "
            "WHERE places.id = permanences.place_id)"
        )

    with op.batch_alter_table("permanences", schema=None) as batch_op:
        for column in ("name", "address", "commune_insee"):
            batch_op.alter_column(column, existing_type=sa.String(), nullable=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_permanences_commune_insee_communes"), "communes", ["commune_insee"], ["insee"]
        )
        batch_op.drop_constraint("fk_permanences_place_id_places", type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_permanences_place_id"))
        batch_op.drop_column("place_id")

    op.drop_table("places")
