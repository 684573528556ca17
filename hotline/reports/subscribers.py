"""The one place where the report tables learn what the other rooms wrote: subscribe(app), called by
create_app, connects the receivers of core.signals and installs the ORM events that keep the derived
tables current (rollup's case statements, the households' months). Importing a module installs nothing.
"""

from __future__ import annotations

from flask import Flask
from sqlalchemy.orm import Session

from hotline.cases import figures
from hotline.core import signals
from hotline.reports import household_months, rollup, tidy

BEFORE = "hotline.rollup_before"  # in session.info: {consultation: what it counted before the edit}


def _changing(session: Session, consultation) -> None:
    session.info.setdefault(BEFORE, {})[consultation] = rollup.snapshot(consultation)


def _saved(session: Session, consultation, changed: bool) -> None:
    counted = session.info.get(BEFORE, {}).pop(consultation, None)
    if changed:
        rollup.apply(session, counted, rollup.snapshot(consultation))  # the report, in the same transaction


def _record(consultation_id: int, row: dict, codes: dict[str, list[str]]) -> tidy.ConsultationRecord:
    """The report's record of an imported consultation, as rollup.snapshot() would read it back (with what
    it says of the case: its statement is inserted by the import's _write_cases, which rollup's ORM events
    do not see)."""
    household = f"h{row['household_id']}" if row["household_id"] else f"c{consultation_id}"
    return tidy.ConsultationRecord(
        mission=row["mission"],
        month=f"{row['date']:%Y-%m}",
        territory=row["territory_code"],
        household=household,
        codes={
            **{name: row[name] for name in tidy.SINGLE_CODES},
            **rollup.case_codes(tuple(row["case"].get(name) for name in tidy.CASE_CODES)),
        },
        multi={kind: frozenset(codes.get(kind, ())) for kind in tidy.MULTI_CODES},
        debt_amount=row["debt_amount"],
        habitat_indigne=row["habitat_indigne"],
        permis_louer=row["permis_louer"],
    )


def _imported(session: Session, rows: list[dict], codes: list[dict]) -> None:
    rollup.apply_many(session, [(None, _record(row["id"], row, found)) for row, found in zip(rows, codes, strict=True)])
    household_months.refresh(session, {figures.household_key(row["household_id"], row["id"]) for row in rows})


def subscribe(app: Flask) -> None:
    """Connects the receivers (once per process: blinker and SQLAlchemy keep one of each)."""
    signals.consultation_changing.connect(_changing, weak=False)
    signals.consultation_saved.connect(_saved, weak=False)
    signals.consultations_imported.connect(_imported, weak=False)
    rollup.listen()
    household_months.listen()
