"""The consultations import of formats.md, written: all or nothing, streaming, in bulk.

A first pass over the file checks every row (importing.rows: nothing kept but the problems); with any
problem nothing is written. A second pass writes the rows in batches of BATCH: households looked up
(and created) per batch, new consultations and their codes inserted in bulk, the report's rollup
updated per batch; a known external_id updates its consultation through the service (its history
keeps the change). One transaction: the caller commits, or rolls back. Memory stays that of a batch.
"""
from __future__ import annotations

import io
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from itertools import islice
from typing import BinaryIO

from sqlalchemy import false, func, insert, select, text, update

from hotline.cases import services as cases
from hotline.consultations import services
from hotline.consultations.importing import Lookups, Problem, rows
from hotline.consultations.models import Consultation, ConsultationCode, Household
from hotline.extensions import db
from hotline.reference import HORS_DEPARTEMENT, NON_RENSEIGNE
from hotline.reference.services import (
    communes_for_postal_code,
    get_commune,
    territories,
)
from hotline.reports import rollup, tidy

BATCH = 2000
# The plain columns an import sets on a new consultation (services.SCALAR_FIELDS less what a file lacks).
COLUMNS = ("external_id", "date", "duration_minutes", "mission", "mode", "consultant_type", "commune_insee",
           "territory_code", "occupancy_status", "housing_sector", "family_situation", "age_band", "resource_band",
           "referral_source", "procedure_stage", "debt_amount", "habitat_indigne", "permis_louer")
CODE_KINDS = {"resource_types": "resource_type", "debt_origins": "debt_origin", "outcomes": "outcome"}

UNSAID = rollup.case_codes(None)  # a new consultation has no case statement yet
Progress = Callable[[int], None]  # called with the number of rows just done


@dataclass
class ImportResult:
    problems: list[Problem] = field(default_factory=list)
    created: int = 0
    updated: int = 0


def lookups() -> Lookups:
    """The commune tables, each commune or postal code asked once per pass (a file names few of them)."""
    @cache
    def commune_territory(insee: str) -> str | None:
        commune = get_commune(insee)
        return commune.territory_code if commune else None

    @cache
    def postal_territories(code: str) -> set[str]:
        return {c.territory_code for c in communes_for_postal_code(code)}

    return Lookups(commune_territory=commune_territory, postal_territories=postal_territories,
                   territories={t.code for t in territories(include_buckets=False)})


def _batches(items: Iterable, size: int = BATCH) -> Iterator[list]:
    iterator = iter(items)
    while batch := list(islice(iterator, size)):
        yield batch


def _known(ids: list[str]) -> dict[str, int]:
    if not ids:
        return {}
    return dict(db.session.execute(select(Consultation.external_id, Consultation.id)
                                   .where(Consultation.external_id.in_(ids))).all())


def check(stream: BinaryIO, today: date, progress: Progress | None = None) -> ImportResult:
    """The first pass: every problem, and how many rows would be created or updated. Writes nothing."""
    result = ImportResult()
    for batch in _batches(rows(stream, lookups(), today, result.problems)):
        if not result.problems:
            known = _known([row["external_id"] for _, row in batch if row["external_id"]])
            result.updated += sum(1 for _, row in batch if row["external_id"] in known)
            result.created += len(batch) - sum(1 for _, row in batch if row["external_id"] in known)
        if progress:
            progress(len(batch))
    return result


def import_file(stream: BinaryIO, author_id: int | None, today: date, *, dry_run: bool = False,
                checked: Progress | None = None, written: Progress | None = None,
                checked_already: ImportResult | None = None) -> ImportResult:
    """Check the file (unless `checked_already` is check()'s result for it), then (unless dry_run or
    wrong) write it. Flushes only: the caller commits, or rolls back when the result has problems."""
    result = checked_already or check(stream, today, checked)
    if result.problems or dry_run:
        return result
    for batch in _batches(rows(stream, lookups(), today, result.problems)):
        try:
            _write(batch, author_id)
        except services.ConflictError:  # saved by a jurist meanwhile: the caller rolls back
            line = next(line for line, row in batch if row["external_id"])
            return ImportResult([Problem(line, "external_id", "consultation modifiée pendant l'import : "
                                                              "relancez l'import.")])
        if written:
            written(len(batch))
    return result


def import_consultations(data: bytes, author_id: int | None, today: date, *, dry_run: bool = False) -> ImportResult:
    """import_file() over bytes held in memory (a small upload, tests)."""
    return import_file(io.BytesIO(data), author_id, today, dry_run=dry_run)


def _households(batch: list[tuple[int, dict]], author_id: int | None) -> dict[str, int]:
    """household_ref -> household id for the batch: one query, one insert of those not known yet."""
    refs = {row["household_ref"]: row for _, row in batch if row["household_ref"]}
    if not refs:
        return {}
    found = dict(db.session.execute(select(Household.external_ref, Household.id)
                                    .where(Household.external_ref.in_(list(refs)))).all())
    new = [{"external_ref": ref, "created_by_id": author_id,
            "commune_insee": row["commune_insee"] if row["territory_code"] not in (HORS_DEPARTEMENT, NON_RENSEIGNE)
            else None} for ref, row in refs.items() if ref not in found]
    if new:
        for row, number in zip(new, _next_ids(Household.__table__, len(new)), strict=True):
            row["id"] = found[row["external_ref"]] = number
        db.session.execute(insert(Household.__table__), new)
    return found


def _next_ids(table, count: int) -> list[int]:
    """Ids for rows inserted in bulk, known before the insert (RETURNING in row order would insert one
    row at a time on SQLite). PostgreSQL: from the table's sequence. SQLite: after max(id), once this
    transaction holds the database's write lock (taken by a write that changes nothing), so that no
    other writer can take them."""
    if db.session.get_bind().dialect.name == "postgresql":
        return list(db.session.scalars(text(f"SELECT nextval(pg_get_serial_sequence('{table.name}', 'id')) "
                                            "FROM generate_series(1, :count)"), {"count": count}))
    db.session.execute(update(table).where(false()).values(id=table.c.id))
    start = db.session.scalar(select(func.coalesce(func.max(table.c.id), 0))) + 1
    return list(range(start, start + count))


def _cleaned(row: dict) -> dict:
    """What services.apply keeps: eviction fields only for the eviction mission."""
    if row["mission"] != services.EVICTION_MISSION:
        row = {**row, "procedure_stage": None, "debt_amount": None, "debt_origins": []}
    return row


def _codes(row: dict) -> dict[str, list[str]]:
    themes = list(dict.fromkeys(code.split("/")[0] for code in row["themes"]))
    found = {kind: list(dict.fromkeys(row[name])) for name, kind in CODE_KINDS.items()}
    found["theme"] = themes
    found["subtheme"] = [code for code in row["themes"] if "/" in code]
    return found


def _record(consultation_id: int, row: dict, codes: dict[str, list[str]]) -> tidy.ConsultationRecord:
    """The report's record of a new consultation, as rollup.snapshot() would read it back."""
    household = f"h{row['household_id']}" if row["household_id"] else f"c{consultation_id}"
    return tidy.ConsultationRecord(
        mission=row["mission"], month=f"{row['date']:%Y-%m}", territory=row["territory_code"], household=household,
        codes={**{name: row[name] for name in tidy.SINGLE_CODES}, **UNSAID},
        multi={kind: frozenset(codes.get(kind, ())) for kind in tidy.MULTI_CODES},
        debt_amount=row["debt_amount"], habitat_indigne=row["habitat_indigne"], permis_louer=row["permis_louer"])


def _write(batch: list[tuple[int, dict]], author_id: int | None) -> None:
    households = _households(batch, author_id)
    known = _known([row["external_id"] for _, row in batch if row["external_id"]])
    new, updated = [], []
    for _, row in batch:
        row = _cleaned({**row, "household_id": households.get(row["household_ref"])})
        (updated if row["external_id"] in known else new).append(row)
    for row in updated:
        consultation = db.session.get(Consultation, known[row["external_id"]])
        services.update_consultation(consultation, row, author_id, None)
    if new:
        ids = _next_ids(Consultation.__table__, len(new))
        db.session.execute(insert(Consultation.__table__), [
            {**{name: row[name] for name in COLUMNS}, "id": cid, "household_id": row["household_id"],
             "created_by_id": author_id} for cid, row in zip(ids, new, strict=True)])
        codes = [_codes(row) for row in new]
        values = [{"consultation_id": cid, "kind": kind, "code": code}
                  for cid, found in zip(ids, codes, strict=True) for kind, listed in found.items() for code in listed]
        if values:
            db.session.execute(insert(ConsultationCode.__table__), values)
        rollup.apply_many(db.session, [(None, _record(cid, row, found))
                                       for cid, row, found in zip(ids, new, codes, strict=True)])
        for cid, row in zip(ids, new, strict=True):
            row["id"] = cid
    for row in new + updated:
        if row["case"] or row["acts"]:
            consultation = db.session.get(Consultation, row.get("id") or known[row["external_id"]])
            cases.record_acts(consultation.household, consultation, row["acts"], **row["case"])
    db.session.flush()
