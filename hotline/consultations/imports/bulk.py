"""Rows written in bulk for the import, without the ORM: plain tuples through the driver (sqlite3's
executemany; psycopg's COPY FROM STDIN on PostgreSQL), ids allocated a batch at a time, and lookups of a
batch's keys with one array parameter on PostgreSQL. All in the session's transaction.

The columns a caller leaves out take their Python-side default (a creation time, a version), computed
once per call; values go through the columns' own bind processors (on SQLite: dates, amounts, booleans;
UTC instants on both), so that a row reads back as one the ORM wrote.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager, suppress

from sqlalchemy import Table, any_, bindparam, false, func, select, text, update
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.exc import SQLAlchemyError

from hotline.extensions import db

CACHE_KIB = 64 * 1024  # SQLite's page cache while an import writes (its default: 2 MiB)


def on_postgres() -> bool:
    return db.session.get_bind().dialect.name == "postgresql"


def among(column, values: Iterable):
    """`column IN values`, with one parameter whatever their number. PostgreSQL: `column = ANY(array)`, so
    that the prepared statement (psycopg prepares a query run five times) keeps one plan fit for any batch.
    SQLite: `column IN (SELECT value FROM json_each(one JSON array))` (ids and texts): SQLAlchemy's expanding
    IN of 2 000 values built its parameters in Python each time (0.8 s a 100 000-row import's batches)."""
    values = list(values)
    if on_postgres():
        return column == any_(bindparam(None, values, type_=ARRAY(column.type)))
    return column.in_(select(func.json_each(bindparam(None, json.dumps(values))).table_valued("value").c.value))


def next_ids(table: Table, count: int) -> list[int]:
    """Ids for rows inserted in bulk, known before the insert. PostgreSQL: from the table's sequence (one
    statement). SQLite: after max(id), once this transaction holds the database's write lock, so that no
    other writer can take them."""
    if on_postgres():
        return list(
            db.session.scalars(
                text(f"SELECT nextval(pg_get_serial_sequence('{table.name}', 'id')) FROM generate_series(1, :count)"),
                {"count": count},
            )
        )
    _write_lock(table)
    start = db.session.scalar(select(func.coalesce(func.max(table.c.id), 0))) + 1
    return list(range(start, start + count))


def _write_lock(table: Table) -> None:
    """SQLite: a write that changes nothing, through SQLAlchemy, so that the engine's hook begins the
    transaction and takes the write lock (core/database.py) before the driver is used directly."""
    db.session.execute(update(table).where(false()).values(id=table.c.id))


def insert(table: Table, names: Sequence[str], rows: Iterable[tuple]) -> None:
    """Insert rows (tuples in the order of `names`) into table; its other columns with a Python-side
    default get it. Flushes the session first (its pending rows may be what these refer to)."""
    db.session.flush()
    connection = db.session.connection()
    dialect = connection.dialect
    processors = _processors(table, dialect)
    defaults = [
        (column.name, column.default.arg(None) if column.default.is_callable else column.default.arg)
        for column in table.columns
        if column.name not in names and column.default is not None and not column.default.is_sequence
    ]
    extra = tuple(processors[name](value) if name in processors else value for name, value in defaults)
    columns = [*names, *(name for name, _ in defaults)]
    processed = _processed(processors, names, extra)

    quoted = ", ".join(dialect.identifier_preparer.quote(name) for name in columns)
    driver = connection.connection.driver_connection
    if dialect.name == "postgresql":
        with driver.cursor() as cursor, cursor.copy(f"COPY {table.name} ({quoted}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(processed(row))
        return
    if not driver.in_transaction:
        _write_lock(table)
    marks = ", ".join("?" * len(columns))
    driver.executemany(f"INSERT INTO {table.name} ({quoted}) VALUES ({marks})", map(processed, rows))


def _processors(table: Table, dialect) -> dict:
    """The columns' own bind processors (those that have one): what a value becomes for the driver."""
    return {
        column.name: processor
        for column in table.columns
        if (processor := column.type.dialect_impl(dialect).bind_processor(dialect)) is not None
    }


def _processed(processors: dict, names: Sequence[str], extra: tuple = ()) -> Callable[[tuple], tuple]:
    """A function of a tuple (in the order of `names`) to the driver's values, `extra` (values ready for the
    driver) appended."""
    own = [(index, processors[name]) for index, name in enumerate(names) if name in processors]

    def processed(row: tuple) -> tuple:
        if own:
            row = list(row)
            for index, processor in own:
                row[index] = processor(row[index])
            row = tuple(row)
        return row + extra

    return processed


def analyze(*tables: Table) -> None:
    """PostgreSQL: the planner's statistics of tables an import filled (ANALYZE counts the transaction's own
    rows), so that its next statements are not planned for the empty tables they were at its start."""
    if on_postgres():
        db.session.execute(text(f"ANALYZE {', '.join(table.name for table in tables)}"))


@contextmanager
def page_cache() -> Iterator[None]:
    """SQLite: a page cache of CACHE_KIB on the import's connection while it writes, then the one it had:
    the indexes of consultations (ten, most in random order: dates, households) take their pages from it
    instead of reading them again from the file at every row. Bounded, so memory stays flat."""
    if on_postgres():
        yield
        return
    connection = db.session.connection()
    before = connection.exec_driver_sql("PRAGMA cache_size").scalar()
    connection.exec_driver_sql(f"PRAGMA cache_size = -{CACHE_KIB}")
    try:
        yield
    finally:
        with suppress(SQLAlchemyError):  # after a failed statement, the error that matters is that one's
            connection.exec_driver_sql(f"PRAGMA cache_size = {int(before)}")


def update_rows(table: Table, names: Sequence[str], rows: list[tuple]) -> None:
    """Set columns names[1:] of the rows whose id is names[0], for each tuple of `rows`; the columns' Python
    `onupdate` (an update instant) too. PostgreSQL: one UPDATE ... FROM unnest(one array a column) whatever
    the number of rows (an executemany is a round trip a row); SQLite: the driver's executemany of tuples."""
    if not rows:
        return
    key, *changed = names
    stamped = [column for column in table.columns if column.onupdate is not None and column.name not in names]
    if on_postgres():
        dialect = db.session.get_bind().dialect
        arrays = ", ".join(f"CAST(:c{n} AS {table.c[name].type.compile(dialect)}[])" for n, name in enumerate(names))
        values = ", ".join([*(f"{name} = v.{name}" for name in changed), *(f"{c.name} = :{c.name}" for c in stamped)])
        statement = text(
            f"UPDATE {table.name} SET {values} FROM unnest({arrays}) AS v({', '.join(names)}) "
            f"WHERE {table.name}.{key} = v.{key}"
        ).bindparams(*(bindparam(c.name, type_=c.type) for c in stamped))
        parameters = {f"c{n}": list(column) for n, column in enumerate(zip(*rows, strict=True))}
        db.session.execute(statement, {**parameters, **{c.name: c.onupdate.arg(None) for c in stamped}})
        return
    db.session.flush()  # the session's pending rows first, as insert() does
    connection = db.session.connection()
    processors = _processors(table, connection.dialect)
    stamps = tuple(
        processors[c.name](c.onupdate.arg(None)) if c.name in processors else c.onupdate.arg(None) for c in stamped
    )
    # Tuples (changed..., key, stamps...), numbered parameters: ?1 the first changed column.
    processed = _processed(processors, [*changed, key], stamps)
    values = ", ".join(
        [
            *(f"{name} = ?{n}" for n, name in enumerate(changed, start=1)),
            *(f"{c.name} = ?{n}" for n, c in enumerate(stamped, start=len(changed) + 2)),
        ]
    )
    driver = connection.connection.driver_connection
    if not driver.in_transaction:
        _write_lock(table)
    # The driver's executemany of plain tuples (its loop is in C): SQLAlchemy's took 1 s a 50 000-row import.
    driver.executemany(
        f"UPDATE {table.name} SET {values} WHERE {key} = ?{len(changed) + 1}",
        (processed((*row[1:], row[0])) for row in rows),
    )
