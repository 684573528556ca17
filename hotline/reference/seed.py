"""Loads the shipped territories, EPCIs and communes into the database.

Only missing rows are inserted: an administrator's later moves are never overwritten, and running
it twice changes nothing. Called by `db upgrade` (migrations/env.py) after the schema is current.
"""

from __future__ import annotations

from datetime import time

from sqlalchemy import func, inspect, select
from sqlalchemy.engine import Connection

from hotline.core.opening import OpeningHours
from hotline.reference import BUCKETS, communes_file, taxonomy, territories_file
from hotline.reference.models import Commune, CommunePostalCode, Epci, Territory


def sync(connection: Connection) -> int:
    """Insert what is missing; returns the number of rows inserted."""
    if not inspect(connection).has_table(CommunePostalCode.__tablename__):
        return 0
    inserted = 0

    def missing(table, key_columns, rows):
        nonlocal inserted
        existing = {tuple(r) for r in connection.execute(select(*[table.c[k] for k in key_columns]))}
        new = [row for row in rows if tuple(row[k] for k in key_columns) not in existing]
        if new:
            connection.execute(table.insert(), new)
            inserted += len(new)

    spec = territories_file()["territories"]
    territory_rows = [
        {"code": code, "label": item["label"], "kind": "territory", "position": i}
        for i, (code, item) in enumerate(spec.items())
    ]
    territory_rows += [
        {"code": code, "label": text, "kind": "bucket", "position": 100 + i}
        for i, (code, text) in enumerate(BUCKETS.items())
    ]
    missing(Territory.__table__, ["code"], territory_rows)

    communes = communes_file()
    epcis = {}
    for row in communes:
        epcis.setdefault(
            row.epci_siren, {"siren": row.epci_siren, "name": row.epci_name, "territory_code": row.territory}
        )
    missing(Epci.__table__, ["siren"], list(epcis.values()))
    missing(
        Commune.__table__,
        ["insee"],
        [
            {
                "insee": r.insee,
                "name": r.name,
                "epci_siren": r.epci_siren,
                "territory_code": r.territory,
                "population": r.population,
            }
            for r in communes
        ],
    )
    missing(
        CommunePostalCode.__table__,
        ["postal_code", "commune_insee"],
        [{"postal_code": pc, "commune_insee": r.insee} for r in communes for pc in r.postal_codes],
    )
    inserted += _default_opening_hours(connection)
    return inserted


DEFAULT_HOURS = ((time(9, 0), time(12, 30)), (time(13, 30), time(17, 0)))


def _default_opening_hours(connection: Connection) -> int:
    """On a first install only (no hours at all): Monday to Friday, 9:00-12:30 and 13:30-17:00."""
    table = OpeningHours.__table__
    if connection.execute(select(func.count()).select_from(table)).scalar():
        return 0
    rows = [
        {"mission": mission, "weekday": day, "opens": opens, "closes": closes}
        for mission in taxonomy()["missions"]
        for day in range(5)
        for opens, closes in DEFAULT_HOURS
    ]
    connection.execute(table.insert(), rows)
    return len(rows)
