"""duty series: one row per series of duty shifts (weekdays as bits, valid_from, valid_until) instead of
one row per weekday; the rows that differ only by their weekday become one series

Revision ID: b4d8e2a61c37
Revises: 4e7a1c9b2d60
Create Date: 2026-11-29 12:00:00
"""

from collections import defaultdict

import sqlalchemy as sa
from alembic import op

revision = "b4d8e2a61c37"
down_revision = "4e7a1c9b2d60"
branch_labels = None
depends_on = None

SERIES_KEY = ("user_id", "mission", "territory_code", "starts", "ends")
# Both shapes of the table, for the data: one row per weekday (weekday), one per series (weekday_bits...).
shifts = sa.table(
    "duty_shifts",
    sa.column("id", sa.Integer),
    sa.column("user_id", sa.Integer),
    sa.column("mission", sa.String),
    sa.column("territory_code", sa.String),
    sa.column("weekday", sa.SmallInteger),
    sa.column("weekday_bits", sa.SmallInteger),
    sa.column("starts", sa.Time),
    sa.column("ends", sa.Time),
    sa.column("valid_from", sa.Date),
    sa.column("valid_until", sa.Date),
)


def upgrade():
    with op.batch_alter_table("duty_shifts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("weekday_bits", sa.SmallInteger(), nullable=True))
        batch_op.add_column(sa.Column("valid_from", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("valid_until", sa.Date(), nullable=True))

    connection = op.get_bind()
    groups = defaultdict(list)
    for row in connection.execute(
        sa.select(*[shifts.c[k] for k in ("id", "weekday", *SERIES_KEY)]).order_by(shifts.c.id)
    ).mappings():
        groups[tuple(row[key] for key in SERIES_KEY)].append(row)
    for rows in groups.values():
        bits = 0
        for row in rows:
            bits |= 1 << row["weekday"]
        kept, *merged = [row["id"] for row in rows]
        connection.execute(shifts.update().where(shifts.c.id == kept).values(weekday_bits=bits))
        if merged:
            connection.execute(shifts.delete().where(shifts.c.id.in_(merged)))

    with op.batch_alter_table("duty_shifts", schema=None) as batch_op:
        batch_op.alter_column("weekday_bits", existing_type=sa.SmallInteger(), nullable=False)
        batch_op.drop_constraint(batch_op.f("ck_duty_shifts_weekday_range"), type_="check")
        batch_op.drop_column("weekday")
        batch_op.create_check_constraint(op.f("ck_duty_shifts_weekday_bits_range"), "weekday_bits BETWEEN 1 AND 127")
        batch_op.create_check_constraint(
            op.f("ck_duty_shifts_valid_from_before_until"),
            "valid_until IS NULL OR valid_from IS NULL OR valid_from <= valid_until",
        )


def downgrade():
    """Back to one row per weekday; a series' validity is lost (only the series valid today are kept)."""
    with op.batch_alter_table("duty_shifts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("weekday", sa.SmallInteger(), nullable=True))

    connection = op.get_bind()
    today = sa.func.current_date()
    connection.execute(shifts.delete().where(sa.or_(shifts.c.valid_from > today, shifts.c.valid_until < today)))
    for row in list(
        connection.execute(sa.select(*[shifts.c[k] for k in ("id", "weekday_bits", *SERIES_KEY)])).mappings()
    ):
        days = [day for day in range(7) if row["weekday_bits"] >> day & 1]
        connection.execute(shifts.update().where(shifts.c.id == row["id"]).values(weekday=days[0]))
        for day in days[1:]:
            connection.execute(
                shifts.insert().values(
                    user_id=row["user_id"],
                    mission=row["mission"],
                    territory_code=row["territory_code"],
                    weekday=day,
                    weekday_bits=1 << day,
                    starts=row["starts"],
                    ends=row["ends"],
                )
            )

    with op.batch_alter_table("duty_shifts", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_duty_shifts_valid_from_before_until"), type_="check")
        batch_op.drop_constraint(op.f("ck_duty_shifts_weekday_bits_range"), type_="check")
        batch_op.drop_column("valid_until")
        batch_op.drop_column("valid_from")
        batch_op.drop_column("weekday_bits")
        batch_op.alter_column("weekday", existing_type=sa.SmallInteger(), nullable=False)
        batch_op.create_check_constraint(op.f("ck_duty_shifts_weekday_range"), "weekday BETWEEN 0 AND 6")
