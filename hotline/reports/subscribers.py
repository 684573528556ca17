"""The one place where the report tables learn what the other rooms wrote: subscribe(app), called by
create_app, connects the receivers of core.signals and installs the ORM events that keep the derived
tables current (rollup's case statements, the households' months). Importing a module installs nothing.
"""

from __future__ import annotations

from flask import Flask
from sqlalchemy.orm import Session

from hotline.core import signals
from hotline.reports import household_months, rollup

BEFORE = "hotline.rollup_before"  # in session.info: {consultation: what it counted before the edit}


def _changing(session: Session, consultation) -> None:
    session.info.setdefault(BEFORE, {})[consultation] = rollup.snapshot(consultation)


def _saved(session: Session, consultation, changed: bool) -> None:
    counted = session.info.get(BEFORE, {}).pop(consultation, None)
    if changed:
        rollup.apply(session, counted, rollup.snapshot(consultation))  # the report, in the same transaction


def _imported(session: Session, ids: list[tuple[int, int]]) -> None:
    """An import's new consultations (`ids`: ranges of their ids), once at its end: the cells and
    households they touched recomputed from the tables, set-based."""
    rollup.rebuild_cells(session, ids)  # on PostgreSQL, rebuild()'s SHARE lock holds the consultations still
    household_months.refresh_written(session, ids)


def subscribe(app: Flask) -> None:
    """Connects the receivers (once per process: blinker and SQLAlchemy keep one of each)."""
    signals.consultation_changing.connect(_changing, weak=False)
    signals.consultation_saved.connect(_saved, weak=False)
    signals.consultations_imported.connect(_imported, weak=False)
    rollup.listen()
    household_months.listen()
