"""The consultations import of formats.md, written: all or nothing, streaming, in bulk.

A first pass over the file checks every row (importing.rows); with any problem nothing is written. The
rows it read are kept, a batch at a time, in an anonymous temporary file (pickled; gone when closed),
so that the write pass does not parse the file again. The write pass takes them in batches of BATCH:
households looked up (and created) per batch, new consultations, their codes, their households' cases,
what they said of the case and the acts of the procedure inserted in bulk (the same rules as
cases.services.record_acts) as plain tuples through the driver (bulk.py: executemany on SQLite, COPY on
PostgreSQL); a known external_id updates its consultation through the services (its history keeps the
change; slower, row by row). Once every batch is written, one signal (core.signals.consultations_imported)
has the report tables recomputed for the cells and households the new rows touched, set-based, once.
One transaction: the caller commits, or rolls back. Memory stays that of a batch.
"""

from __future__ import annotations

import pickle
import tempfile
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from itertools import islice
from typing import BinaryIO

from sqlalchemy import select, update
from sqlalchemy.orm import selectinload

from hotline.cases import services as cases
from hotline.cases.models import Case, CaseStatement, ProcedureAct
from hotline.consultations import services
from hotline.consultations.imports import bulk
from hotline.consultations.imports.parse import Lookups, Problem, Problems, rows
from hotline.consultations.models import Consultation, ConsultationCode, Household
from hotline.core import collector, signals
from hotline.core.models_base import utcnow
from hotline.extensions import db
from hotline.reference import HORS_DEPARTEMENT, NON_RENSEIGNE
from hotline.reference.models import Commune, CommunePostalCode
from hotline.reference.services import territories

BATCH = 2000
# The plain columns an import sets on a new consultation (services.SCALAR_FIELDS less what a file lacks).
COLUMNS = (
    "external_id",
    "date",
    "duration_minutes",
    "mission",
    "mode",
    "consultant_type",
    "commune_insee",
    "territory_code",
    "occupancy_status",
    "housing_sector",
    "family_situation",
    "age_band",
    "resource_band",
    "referral_source",
    "procedure_stage",
    "debt_amount",
    "habitat_indigne",
    "permis_louer",
)
WRITTEN = (*COLUMNS, "id", "household_id")  # a new consultation's values, in this order (then its author)
CODE_KINDS = {"resource_types": "resource_type", "debt_origins": "debt_origin", "outcomes": "outcome"}

Progress = Callable[[int], None]  # called with the number of rows just done
CASES, STATEMENTS, ACTS = Case.__table__, CaseStatement.__table__, ProcedureAct.__table__
CONSULTATIONS, CODES = Consultation.__table__, ConsultationCode.__table__


@dataclass
class ImportResult:
    problems: Problems = field(default_factory=Problems)  # the first MAX_PROBLEMS, and a count of the others
    created: int = 0
    updated: int = 0
    kept: BinaryIO | None = field(default=None, repr=False)  # check(keep=True): the rows read, pickled by batch

    @classmethod
    def refused(cls, problem: Problem) -> ImportResult:
        """A result with this one problem."""
        result = cls()
        result.problems.append(problem)
        return result

    def discard(self) -> None:
        """Close (and so delete) the rows kept by check()."""
        if self.kept is not None:
            self.kept.close()
            self.kept = None


def lookups() -> Lookups:
    """The commune tables, read whole once per pass (the Pas-de-Calais has some 900 communes: two queries,
    instead of one a commune or postal code named)."""
    communes = dict(db.session.execute(select(Commune.insee, Commune.territory_code)).all())
    postal: dict[str, set[str]] = defaultdict(set)
    for code, territory in db.session.execute(
        select(CommunePostalCode.postal_code, Commune.territory_code).join(
            Commune, CommunePostalCode.commune_insee == Commune.insee
        )
    ):
        postal[code].add(territory)
    return Lookups(
        commune_territory=communes.get,
        postal_territories=lambda code: postal.get(code, set()),
        territories={t.code for t in territories(include_buckets=False)},
    )


def _batches(items: Iterable, size: int = BATCH) -> Iterator[list]:
    iterator = iter(items)
    while batch := list(islice(iterator, size)):
        yield batch


def _known(ids: list[str]) -> dict[str, int]:
    if not ids:
        return {}
    return dict(
        db.session.execute(
            select(Consultation.external_id, Consultation.id).where(bulk.among(Consultation.external_id, ids))
        ).all()
    )


# The collector off while rows are read and written: a batch's thousands of containers otherwise trigger
# collections that walk every object of the process, a third of the write pass's time.
_collector_paused = collector.paused


def check(stream: BinaryIO, today: date, progress: Progress | None = None, *, keep: bool = False) -> ImportResult:
    """The first pass: every problem, and how many rows would be created or updated. Writes nothing.
    keep: the rows read are kept for import_file() (result.kept; result.discard() when not used)."""
    result = ImportResult(kept=tempfile.TemporaryFile() if keep else None)
    try:
        with _collector_paused:
            for batch in _batches(rows(stream, lookups(), today, result.problems)):
                if not result.problems:
                    known = _known([row["external_id"] for _, row in batch if row["external_id"]])
                    result.updated += sum(1 for _, row in batch if row["external_id"] in known)
                    result.created += len(batch) - sum(1 for _, row in batch if row["external_id"] in known)
                    if result.kept is not None:
                        pickle.dump(batch, result.kept, pickle.HIGHEST_PROTOCOL)
                if progress:
                    progress(len(batch))
                _collector_paused.collect_young()
    except BaseException:
        result.discard()
        raise
    if result.problems:
        result.discard()
    return result


def _kept(result: ImportResult) -> Iterator[list[tuple[int, dict]]]:
    result.kept.seek(0)
    while True:
        try:
            yield pickle.load(result.kept)
        except EOFError:
            return


def import_file(
    stream: BinaryIO,
    author_id: int | None,
    today: date,
    *,
    dry_run: bool = False,
    checked: Progress | None = None,
    written: Progress | None = None,
    checked_already: ImportResult | None = None,
) -> ImportResult:
    """Check the file (unless `checked_already` is check()'s result for it), then (unless dry_run or
    wrong) write it. Flushes only: the caller commits, or rolls back when the result has problems."""
    result = checked_already or check(stream, today, checked, keep=not dry_run)
    try:
        if result.problems or dry_run:
            return result
        batches = (
            _kept(result) if result.kept is not None else _batches(rows(stream, lookups(), today, result.problems))
        )
        created = _Created()
        with _collector_paused, bulk.page_cache():
            for batch in batches:
                try:
                    created.add(_write(batch, author_id))
                except services.ConflictError:  # saved by a jurist meanwhile: the caller rolls back
                    line = next(line for line, row in batch if row["external_id"])
                    return ImportResult.refused(
                        Problem(line, "external_id", "consultation modifiée pendant l'import : relancez l'import.")
                    )
                if created.batches == 1:  # the tables were perhaps empty when the import began
                    bulk.analyze(CONSULTATIONS, CODES, Household.__table__, CASES)
                if written:
                    written(len(batch))
                _collector_paused.collect_young()
            if created.ranges:  # the reports follow, once: what the new consultations touched, recomputed
                db.session.flush()
                # PostgreSQL: their reads planned for the tables as the import left them, not as the first batch
                # did (the acts of 5 000 households read by a scan of every act: 10 s a chunk at 1M rows).
                bulk.analyze(CONSULTATIONS, CODES, Household.__table__, CASES, STATEMENTS, ACTS)
                signals.consultations_imported.send(db.session, ids=created.ranges)
        return result
    finally:
        result.discard()


class _Created:
    """The ids of the consultations an import created, as ranges (first, last): one per batch, or fewer
    (ids follow each other on SQLite, and on PostgreSQL unless another writer took some meanwhile)."""

    def __init__(self):
        self.ranges: list[tuple[int, int]] = []
        self.batches = 0

    def add(self, ids: list[int]) -> None:
        self.batches += 1
        if not ids:
            return
        first, last = ids[0], ids[-1]
        if self.ranges and self.ranges[-1][1] + 1 == first:
            first = self.ranges.pop()[0]
        self.ranges.append((first, last))


def _households(batch: list[tuple[int, dict]], author_id: int | None) -> dict[str, int]:
    """household_ref -> household id for the batch: one query, one insert of those not known yet."""
    refs = {row["household_ref"]: row for _, row in batch if row["household_ref"]}
    if not refs:
        return {}
    found = dict(
        db.session.execute(
            select(Household.external_ref, Household.id).where(bulk.among(Household.external_ref, refs))
        ).all()
    )
    new = [(ref, row) for ref, row in refs.items() if ref not in found]
    if new:
        ids = bulk.next_ids(Household.__table__, len(new))
        found.update(zip((ref for ref, _ in new), ids, strict=True))
        bulk.insert(
            Household.__table__,
            ("id", "external_ref", "created_by_id", "commune_insee"),
            (
                (number, ref, author_id, _commune(row["commune_insee"], row["territory_code"]))
                for number, (ref, row) in zip(ids, new, strict=True)
            ),
        )
    return found


def _commune(commune_insee: str | None, territory: str) -> str | None:
    """A new household's commune: the consultation's, when it is one of the Pas-de-Calais."""
    return commune_insee if territory not in (HORS_DEPARTEMENT, NON_RENSEIGNE) else None


def _own_households(rows: list[dict], author_id: int | None) -> None:
    """A row that states a case without household_ref is a household of its own (docs/formats.md): one
    household each, without reference, so that its case has a home."""
    if not rows:
        return
    for row, number in zip(rows, bulk.next_ids(Household.__table__, len(rows)), strict=True):
        row["household_id"] = number
    bulk.insert(
        Household.__table__,
        ("id", "created_by_id", "commune_insee"),
        ((row["household_id"], author_id, _commune(row["commune_insee"], row["territory_code"])) for row in rows),
    )


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


def _write(batch: list[tuple[int, dict]], author_id: int | None) -> list[int]:
    """Write a batch; returns the ids of the consultations it created."""
    households = _households(batch, author_id)
    known = _known([row["external_id"] for _, row in batch if row["external_id"]])
    new, updated = [], []
    for _, row in batch:
        row = _cleaned({**row, "household_id": households.get(row["household_ref"])})
        (updated if row["external_id"] in known else new).append(row)
    _own_households([row for row in new if row["household_id"] is None and (row["case"] or row["acts"])], author_id)
    existing = _consultations([known[row["external_id"]] for row in updated])
    for row in updated:
        services.update_consultation(existing[known[row["external_id"]]], row, author_id, None)
    ids = bulk.next_ids(CONSULTATIONS, len(new)) if new else []
    if new:
        for cid, row in zip(ids, new, strict=True):
            row["id"] = cid
        bulk.insert(
            CONSULTATIONS,
            (*WRITTEN, "created_by_id"),
            (tuple(map(row.__getitem__, WRITTEN)) + (author_id,) for row in new),
        )
        bulk.insert(
            CODES,
            ("consultation_id", "kind", "code"),
            ((row["id"], kind, code) for row in new for kind, listed in _codes(row).items() for code in listed),
        )
        _write_cases([row for row in new if row["case"] or row["acts"]], author_id)
    for row in updated:
        if row["case"] or row["acts"]:
            consultation = existing[known[row["external_id"]]]
            cases.record_acts(
                _household_of(consultation, author_id),
                consultation,
                row["acts"],
                decision_kind=row["decision_kind"],
                author_id=author_id,
                **row["case"],
            )
    db.session.flush()
    return ids


def _household_of(consultation: Consultation, author_id: int | None) -> Household:
    """The household of an updated consultation that states a case: the one its (perhaps just changed)
    household_id names; without one, a household of its own, given as a consultation edit is (its
    signals: the reports count the consultation as that household's from now on)."""
    db.session.flush()
    if consultation.household_id is not None:
        household = db.session.get(Household, consultation.household_id)
        consultation.household = household  # the relationship may still hold the household it had before
        return household
    signals.consultation_changing.send(db.session, consultation=consultation)
    household = services.create_household(
        commune_insee=_commune(consultation.commune_insee, consultation.territory_code), author_id=author_id
    )
    consultation.household = household
    db.session.flush()
    signals.consultation_saved.send(db.session, consultation=consultation, changed=True)
    return household


def _consultations(ids: list[int]) -> dict[int, Consultation]:
    """The consultations a batch updates, with their codes and households: three queries, not three a row."""
    if not ids:
        return {}
    query = (
        select(Consultation)
        .where(Consultation.id.in_(ids))
        .options(
            selectinload(Consultation.codes), selectinload(Consultation.household), selectinload(Consultation.revisions)
        )
    )
    return {consultation.id: consultation for consultation in db.session.scalars(query)}


def _write_cases(stating: list[dict], author_id: int | None) -> None:
    """What new consultations say of their households' cases, in bulk, as cases.record_acts says it
    row by row (the rows were checked by the same rules): a case per household, a statement per
    consultation that says something of the lease, landlord, rent or aid, each case's fields from its
    latest statements, and the acts. ORM objects of these tables that the session holds are expired."""
    if not stating:
        return
    found = dict(
        db.session.execute(
            select(CASES.c.household_id, CASES.c.id).where(
                bulk.among(CASES.c.household_id, {row["household_id"] for row in stating})
            )
        ).all()
    )
    missing = sorted({row["household_id"] for row in stating} - found.keys())
    if missing:
        found.update(zip(missing, bulk.next_ids(CASES, len(missing)), strict=True))
        bulk.insert(CASES, ("id", "household_id"), ((found[household], household) for household in missing))
    saying = [row for row in stating if row["case"]]
    if saying:
        bulk.insert(
            STATEMENTS,
            ("case_id", "consultation_id", *cases.CASE_FIELDS),
            (
                (found[row["household_id"]], row["id"], *(row["case"].get(name) for name in cases.CASE_FIELDS))
                for row in saying
            ),
        )
        _refresh_cases({found[row["household_id"]] for row in saying})
    _record_acts([(found[row["household_id"]], row) for row in stating if row["acts"]], author_id)
    for held in list(db.session.identity_map.values()):
        if isinstance(held, (Case, CaseStatement, ProcedureAct)):
            db.session.expire(held)


def _refresh_cases(case_ids: set[int]) -> None:
    """Each case holds, field by field, what its latest statement that says it says (by the
    consultation's date, then its id): cases.services._refresh for many cases in two statements."""
    c = CONSULTATIONS.c
    query = (
        select(STATEMENTS.c.case_id, *(STATEMENTS.c[name] for name in cases.CASE_FIELDS))
        .join(CONSULTATIONS, STATEMENTS.c.consultation_id == c.id)
        .where(bulk.among(STATEMENTS.c.case_id, case_ids))
        .order_by(STATEMENTS.c.case_id, c.date, c.id)
    )
    latest: dict[int, dict] = defaultdict(dict)
    for case_id, *said in db.session.execute(query):
        latest[case_id].update(
            {name: value for name, value in zip(cases.CASE_FIELDS, said, strict=True) if value is not None}
        )
    bulk.update_rows(
        CASES,
        ("id", "lease_signed_on", "rent_amount", "landlord_type", "housing_benefit"),
        [
            (
                case_id,
                fields.get("lease_signed_on"),
                fields.get("rent_amount"),
                fields.get("landlord_type", "inconnu"),
                fields.get("housing_benefit", "inconnu"),
            )
            for case_id, fields in latest.items()
        ],
    )


def _record_acts(stated: list[tuple[int, dict]], author_id: int | None) -> None:
    """The acts and events stated by new consultations (case id, row), in the file's order, with the rules
    of cases.services._record_code: a date already current for its code changes nothing; a code stated
    with one other date corrects the latest current act of that code (history only when the stating
    consultation is older than the one that recorded it: date, then id); several dates are each an act;
    a judgment carries the row's decision_kind."""
    if not stated:
        return
    c = CONSULTATIONS.c
    current: dict[tuple[int, str], list[dict]] = defaultdict(list)
    query = (
        select(ACTS.c.id, ACTS.c.case_id, ACTS.c.stage, ACTS.c.occurred_on, c.date, c.id)
        .outerjoin(CONSULTATIONS, ACTS.c.consultation_id == c.id)
        .where(bulk.among(ACTS.c.case_id, {case_id for case_id, _ in stated}), ACTS.c.replaced_at.is_(None))
        .order_by(ACTS.c.occurred_on, ACTS.c.id)
    )
    for act_id, case_id, stage, day, said_on, said_by in db.session.execute(query):
        current[(case_id, stage)].append({"id": act_id, "day": day, "said": (said_on, said_by) if said_by else None})
    now = utcnow()
    replaced, added = [], []
    for case_id, row in stated:
        said = (row["date"], row["id"])
        for code, statement in row["acts"].items():
            acts = current[(case_id, code)]
            unknown = [day for day in statement.dates if all(act["day"] != day for act in acts)]
            target = acts[-1] if len(statement.dates) == 1 and acts else None
            for day in unknown:
                act = {
                    "case_id": case_id,
                    "stage": code,
                    "occurred_on": day,
                    "consultation_id": row["id"],
                    "replaced_at": None,
                    "recorded_by_id": author_id,
                    "decision_kind": row["decision_kind"] if code in cases.JUDGMENTS else None,
                    "replaces_id": target.get("id") if target else None,
                }
                if target is None:
                    acts.append({"act": act, "day": day, "said": said})
                elif target["said"] is None or said >= target["said"]:
                    if "act" in target:  # added by this batch: not current after all
                        target["act"]["replaced_at"] = now
                    else:
                        replaced.append(target["id"])
                    acts[acts.index(target)] = {"act": act, "day": day, "said": said}
                else:
                    act["replaced_at"] = now  # an older consultation's date: history only
                added.append(act)
            acts.sort(key=lambda act: act["day"])
    if replaced:
        db.session.execute(update(ACTS).where(ACTS.c.id.in_(replaced)).values(replaced_at=now))
    if added:
        names = tuple(added[0])
        bulk.insert(ACTS, names, (tuple(act[name] for name in names) for act in added))
