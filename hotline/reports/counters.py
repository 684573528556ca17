"""Counter tables kept by deltas (report_rollup and its companions, report_household_counts): one upsert
that adds each key's deltas, then one delete of the rows whose first counter reached 0."""

from __future__ import annotations

from sqlalchemy import bindparam, delete
from sqlalchemy.dialects import postgresql, sqlite


def add(session, table, deltas: dict[tuple, tuple[int, ...]]) -> None:
    """Add deltas {primary key: (counter deltas)} to a table; rows whose first counter reaches 0 go.
    Rows are written in key order, so that two writers lock them in the same order (PostgreSQL).
    `session`: a Session, or a Connection (a flush's, the import's)."""
    keys = [column.name for column in table.primary_key.columns]
    counters = [column.name for column in table.columns if column.name not in keys]
    rows = [
        dict(zip(keys + counters, (*key, *delta), strict=True)) for key, delta in sorted(deltas.items()) if any(delta)
    ]
    if not rows:
        return
    dialect = session.dialect if hasattr(session, "dialect") else session.get_bind().dialect
    upsert = (postgresql.insert if dialect.name == "postgresql" else sqlite.insert)(table)
    session.execute(
        upsert.on_conflict_do_update(
            index_elements=keys, set_={name: table.c[name] + upsert.excluded[name] for name in counters}
        ),
        rows,
    )
    lowered = [{f"k_{name}": row[name] for name in keys} for row in rows if row[counters[0]] < 0]
    if lowered:
        session.execute(
            delete(table).where(*(table.c[name] == bindparam(f"k_{name}") for name in keys), table.c[counters[0]] == 0),
            lowered,
        )
