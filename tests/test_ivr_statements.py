"""The hot steps' statements (hotline/ivr/statements.py): on SQLite they run on the pooled DBAPI
connection, compiled by SQLAlchemy; what they store must be exactly what Core stores."""
import itertools
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Column, Integer, MetaData, String, Table, insert, select, text
from sqlalchemy.exc import OperationalError

from hotline.extensions import db
from hotline.ivr import calls, statements
from hotline.ivr.models import Call
from hotline.reference.services import postal_places

SIDS = itertools.count()  # the examples share the test's database
COLUMNS = [c.name for c in Call.__table__.columns if c.name not in ("id", "call_sid")]
numbers = st.one_of(st.none(), st.text(alphabet="+0123456789", min_size=1, max_size=20))
instants = st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2099, 12, 31)).map(
    lambda moment: moment.replace(tzinfo=UTC))


def stored(call_sid: str) -> dict:
    """The row as the database holds it (text for SQLite's instants), not as the ORM reads it back."""
    row = db.session.execute(text(f"SELECT {', '.join(COLUMNS)} FROM calls WHERE call_sid = :sid"),
                             {"sid": call_sid}).mappings().one()
    return dict(row)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(to_number=numbers, from_number=numbers, at=instants, mission=st.sampled_from([None, "info_logement"]))
def test_the_entry_stores_what_core_would(ctx, to_number, from_number, at, mission):
    statement = calls._row_statement(db.engine.dialect.name)
    values = calls._row(f"CAdirect{next(SIDS)}", to_number, from_number, at, mission, calls.entry_path(mission))
    assert statements.autocommit(statement, values) is not None  # RETURNING id: the row was made
    with db.engine.begin() as connection:
        connection.execute(statement, values | {"call_sid": values["call_sid"] + "core"})
    assert stored(values["call_sid"]) == stored(values["call_sid"] + "core")
    call = db.session.scalar(select(Call).where(Call.call_sid == values["call_sid"]))
    assert (call.started_at, call.tries, call.routed, call.outcome) == (at, 0, False, "in_progress")
    assert statements.autocommit(statement, values) is None  # the row exists: nothing done, nothing returned
    db.session.rollback()


def test_the_postal_step_updates_the_row_once(ctx):
    at = datetime(2026, 12, 1, 9, tzinfo=UTC)
    calls.start("CApostal", "+33800000062", "+33611111111", at, "prevention_expulsion")
    places = postal_places("62200")
    for _ in range(2):  # the same code again (Twilio retried): the path says it once
        calls.postal_code_found("CApostal", "+33800000062", "+33611111111", at + timedelta(seconds=5),
                                "prevention_expulsion", "62200", places)
    call = db.session.scalar(select(Call).where(Call.call_sid == "CApostal"))
    assert (call.postal_code, call.territory_code, call.started_at) == ("62200", "boulonnais", at)
    assert call.path == "accueil > numero:prevention_expulsion > code_postal:62200"


def test_a_column_default_that_is_not_a_value_is_refused(ctx):
    table = Table("stamped", MetaData(), Column("id", Integer, primary_key=True),
                  Column("label", String, default=lambda: "computed"))
    with pytest.raises(ValueError, match="label"):
        statements.compiled(insert(table).values(id=1), db.engine.dialect)


def test_a_sqlite_error_is_raised_as_core_raises_it(ctx):
    if db.engine.dialect.name != "sqlite":
        pytest.skip("the direct path is SQLite's")
    with pytest.raises(OperationalError):  # what the voice steps' guard counts as a failing database
        statements.autocommit(text("INSERT INTO no_such_table VALUES (1)"), {})
