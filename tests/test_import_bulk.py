"""The import writes cases, statements and acts in bulk: the same result as cases.record_acts row by
row (the consultation form's path), and the report's rollup equal to a recount."""

import gc
from datetime import date
from decimal import Decimal

from recount import consultation_records
from sqlalchemy import delete, select
from test_import import TODAY, run

from hotline.cases import services as cases
from hotline.cases.models import Case, CaseStatement, ProcedureAct
from hotline.consultations.imports import bulk
from hotline.consultations.imports import parse as importing
from hotline.consultations.imports import write as importer
from hotline.consultations.models import Consultation, Household
from hotline.extensions import db
from hotline.reports import rollup, tidy

HEADER = (
    "external_id,date,mission,mode,commune_insee,themes,household_ref,lease_signed_on,landlord_type,"
    "rent_amount,housing_benefit,procedure_acts"
)
ROWS = [  # a household's statements out of date order, a correction, the same date again, an older date
    "B1,2026-03-10,prevention_expulsion,telephone,62498,impayes_expulsion,HB1,2020-05-01,bailleur_social,450.00,,"
    "commandement_payer=2026-01-05|assignation=2026-02-20",
    "B2,2026-02-01,prevention_expulsion,telephone,62498,impayes_expulsion,HB1,,personne_physique,,aucune,"
    "commandement_payer=2026-01-04",
    "B3,2026-04-01,prevention_expulsion,courrier,62498,impayes_expulsion,HB1,,,480.00,,"
    "commandement_payer=2026-01-06|audience=2026-05-02",
    "B4,2026-04-01,prevention_expulsion,telephone,62498,impayes_expulsion,HB1,,,,,commandement_payer=2026-01-06",
    "B5,2026-03-02,info_logement,telephone,62498,impayes_expulsion,HB2,,sci_familiale,,,",
    "B6,2026-03-03,prevention_expulsion,visite_siege,62498,,HB3,,,,,jugement=2026-02-01",
    "B7,2026-03-04,prevention_expulsion,telephone,62498,,HB4,,,,,",
]


def state() -> dict:
    """Cases, statements and acts by household and consultation external ids, ids left out."""
    ref = dict(db.session.execute(select(Household.id, Household.external_ref)).all())
    said_by = dict(db.session.execute(select(Consultation.id, Consultation.external_id)).all())
    found = {}
    for case in db.session.scalars(select(Case)):
        found[ref[case.household_id]] = (
            case.lease_signed_on,
            case.landlord_type,
            case.rent_amount,
            case.housing_benefit,
            sorted(
                (said_by[s.consultation_id], s.lease_signed_on, s.landlord_type, s.rent_amount, s.housing_benefit)
                for s in db.session.scalars(select(CaseStatement).where(CaseStatement.case_id == case.id))
            ),
            sorted(
                (a.stage, a.occurred_on, said_by[a.consultation_id], a.replaced_at is None)
                for a in db.session.scalars(select(ProcedureAct).where(ProcedureAct.case_id == case.id))
            ),
        )
    return found


def test_bulk_cases_equal_record_acts_row_by_row(app):
    text = "\n".join([HEADER, *ROWS])
    assert run(app, text).problems == []
    with app.app_context():
        bulk = state()
        assert set(bulk) == {"HB1", "HB2", "HB3"}  # HB4 said nothing of its case
        for table in (ProcedureAct, CaseStatement, Case):
            db.session.execute(delete(table))
        db.session.commit()
        parsed = importing.read(text.encode(), importer.lookups(), TODAY)
        for _, row in parsed.rows:  # the form's path, in the file's order
            consultation = db.session.scalar(select(Consultation).where(Consultation.external_id == row["external_id"]))
            if row["case"] or row["acts"]:
                cases.record_acts(consultation.household, consultation, row["acts"], **row["case"])
        db.session.flush()
        assert state() == bulk
        db.session.rollback()
        hb1 = bulk["HB1"]
        assert hb1[:4] == (date(2020, 5, 1), "bailleur_social", Decimal("480.00"), "aucune")  # latest of each
        current = {(stage, day) for stage, day, _, now in hb1[5] if now}
        assert current == {
            ("commandement_payer", date(2026, 1, 6)),
            ("assignation", date(2026, 2, 20)),
            ("audience", date(2026, 5, 2)),
        }


def test_a_second_import_adds_to_existing_cases_and_the_rollup_matches_a_recount(app):
    assert run(app, "\n".join([HEADER, *ROWS[:2]])).problems == []
    assert run(app, "\n".join([HEADER, *ROWS[2:]])).problems == []
    with app.app_context():
        acts = state()["HB1"][5]
        assert ("commandement_payer", date(2026, 1, 5), "B1", False) in acts  # replaced by B3's date
        assert ("commandement_payer", date(2026, 1, 6), "B3", True) in acts
        missions = ["info_logement", "prevention_expulsion"]
        rows = rollup.rows(db.session, date(2026, 2, 1), date(2026, 4, 1), missions)
        assert rows == tidy.build(consultation_records(date(2026, 2, 1), date(2026, 5, 1), missions))
        assert tidy.value_of(rows, "info_logement", "total", "all", "landlord_type", "sci_familiale") == 1


def test_the_garbage_collector_is_back_after_an_import_good_or_wrong(app):
    """The import pauses the cyclic collector while it reads and writes rows, never for longer."""
    assert gc.isenabled()
    assert run(app, "\n".join([HEADER, *ROWS])).created == len(ROWS) and gc.isenabled()
    assert run(app, "\n".join([HEADER, ROWS[0].replace("telephone", "fax")])).problems and gc.isenabled()
    with importer._collector_paused:  # nested, as two imports in two threads of one process
        assert run(app, "\n".join([HEADER, ROWS[4]])).problems == [] and not gc.isenabled()
    assert gc.isenabled()


def test_the_row_checks_read_each_vocabulary_once_not_at_every_row(ctx, monkeypatch):
    """labels() builds a vocabulary's dict at each call: the checks asked for it some fourteen times a row."""
    calls = []
    real = importing.labels

    def counted(vocabulary):
        calls.append(vocabulary)
        return real(vocabulary)

    monkeypatch.setattr(importing, "labels", counted)
    importing._vocabulary.cache_clear()
    lines = [f"V{n},2026-03-0{1 + n % 9},info_logement,telephone,62498,rapports_locatifs,,,,,," for n in range(40)]
    result = importing.read("\n".join([HEADER, *lines]).encode(), importer.lookups(), TODAY)
    assert (result.problems, len(result.rows)) == ([], 40)
    assert len(calls) == len(set(calls))  # each vocabulary once, whatever the number of rows
    assert len(calls) < 20


def test_the_cases_fields_set_in_bulk_carry_their_update_instant(app):
    """bulk.update_rows (one UPDATE ... FROM unnest() on PostgreSQL) sets what the ORM's onupdate would."""
    assert run(app, "\n".join([HEADER, *ROWS])).problems == []
    with app.app_context():
        hb1 = db.session.scalar(
            select(Case).join(Household, Household.id == Case.household_id).where(Household.external_ref == "HB1")
        )
        assert (hb1.landlord_type, hb1.rent_amount, hb1.housing_benefit) == (
            "bailleur_social",
            Decimal("480.00"),
            "aucune",
        )
        assert hb1.updated_at is not None and hb1.updated_at.tzinfo is not None


def test_among_finds_ids_and_texts_with_one_parameter_whatever_their_number(ctx):
    households = [Household(external_ref=f"R{n}") for n in range(5)]
    db.session.add_all(households)
    db.session.flush()
    wanted = [households[1].id, households[3].id, -1, *range(10**6, 10**6 + 40_000)]  # past any IN's limit
    query = select(Household.external_ref).where(bulk.among(Household.id, wanted))
    assert sorted(db.session.scalars(query)) == ["R1", "R3"]
    refs = ["R0", "R4", "absent", "R0", "é'\"]"]
    query = select(Household.id).where(bulk.among(Household.external_ref, refs))
    assert sorted(db.session.scalars(query)) == sorted([households[0].id, households[4].id])
    assert db.session.scalars(select(Household.id).where(bulk.among(Household.id, []))).all() == []
