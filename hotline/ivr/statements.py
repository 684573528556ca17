"""The hot steps' single statements (the entry, the postal code), each committed on its own.

On SQLite the statement runs on the pooled DBAPI connection itself. SQLAlchemy still writes it: the
SQL is compiled once per statement and dialect, and each value goes through its column type's own
bind processor (the UTC instants), so no SQL is written by hand. What this skips is Core's
per-execution machinery (Connection, Transaction, execution context, result), which cost three times
SQLite's own insert and commit (`bench/README.md`). The pool is still used: checking the connection
out takes the step's turn (`writers`), and checking it back in rolls back whatever failed, undoes the
deadline and gives the turn back. On PostgreSQL the statement runs through Core as usual.
"""
from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from functools import lru_cache

from sqlalchemy.exc import DBAPIError
from sqlalchemy.sql import Executable

from hotline.extensions import db
from hotline.ivr import deadline


@dataclass(frozen=True)
class Compiled:
    sql: str
    construct: object  # the compiled statement's construct_params
    names: tuple[str, ...]  # the bound parameters, in the order of the SQL's placeholders
    processors: tuple  # each one's bind processor (or None)
    defaults: dict  # the columns' own scalar defaults (the Python-side ones Core would fill in)


@lru_cache(maxsize=16)
def compiled(statement: Executable, dialect) -> Compiled:
    result = statement.compile(dialect=dialect)
    defaults = {}
    for column in (*result.insert_prefetch, *result.update_prefetch):
        default = column.default if column in result.insert_prefetch else column.onupdate
        if default is None or not default.is_scalar:
            raise ValueError(f"{column.key}: only scalar column defaults can be bound ahead")
        defaults[column.key] = default.arg
    names = tuple(result.positiontup or ())
    return Compiled(result.string, result.construct_params, names,
                    tuple(result.binds[name].type.dialect_impl(dialect).bind_processor(dialect) for name in names), defaults)


def autocommit(statement: Executable, params: dict):
    """One statement in a transaction of its own, committed at once; returns its first row or None."""
    engine = db.engine
    if engine.dialect.name != "sqlite":
        with engine.begin() as connection:
            result = connection.execute(statement, params)
            return result.first() if result.returns_rows else None
    plan = compiled(statement, engine.dialect)
    values = plan.construct(plan.defaults | params)
    arguments = [process(values[name]) if process else values[name]
                 for name, process in zip(plan.names, plan.processors, strict=True)]
    pooled = engine.raw_connection()  # checked out: the step's turn is taken here
    try:
        connection = pooled.driver_connection
        deadline.bind_sqlite(connection, pooled.info)
        try:
            row = connection.execute(plan.sql, arguments).fetchone()
            connection.commit()
        except sqlite3.Error as error:  # as Core would raise it: the circuit knows OperationalError
            raise DBAPIError.instance(plan.sql, None, error, sqlite3.Error, hide_parameters=True,
                                      dialect=engine.dialect) from error
        return row
    finally:
        pooled.close()  # checked in: rolled back unless committed, deadline undone, turn given back
