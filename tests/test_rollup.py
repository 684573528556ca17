"""The monthly rollup (reports/rollup.py): whatever sequence of records, edits and deletions went
through apply() or apply_many(), and after rebuild() from real consultations, rows() gives exactly
what tidy.build gives from the records: value by value, medians and distinct households included."""

from __future__ import annotations

import statistics
from datetime import UTC, date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)
from recount import consultation_records
from sqlalchemy import delete, select

from hotline.cases import figures
from hotline.cases import services as cases
from hotline.consultations import services as consultations
from hotline.consultations.models import Consultation
from hotline.extensions import db
from hotline.reports import household_facts, household_months, rollup, services, tidy

MISSIONS = ["info_logement", "prevention_expulsion"]
MONTHS = ["2026-01", "2026-02", "2026-03"]
FIRST, LAST = date(2026, 1, 1), date(2026, 3, 1)
TABLES = (rollup.ROLLUP, rollup.HOUSEHOLDS, rollup.DEBTS)
# Few values, so that records share cells, households and amounts; amounts whose float sums are not exact.
AMOUNTS = st.one_of(
    st.sampled_from(["0", "0.01", "0.10", "0.20", "0.30", "100.50", "100.51", "9999999.99"]),
    st.decimals(min_value=0, max_value=Decimal("9999999.99"), places=2).map(str),
)
CODES = st.fixed_dictionaries(
    {
        **{name: st.sampled_from(["inconnu", "autre"]) for name in tidy.SINGLE_CODES},
        "mode": st.sampled_from(["telephone", "permanence", "visite_siege", "aller_vers", "courriel"]),
        "procedure_stage": st.sampled_from([None, "", "assignation", "jugement"]),
    }
)
MULTI = st.fixed_dictionaries(
    {kind: st.frozensets(st.sampled_from(["a", "b", "c"]), max_size=2) for kind in tidy.MULTI_CODES}
)
# A record without its consultation id: the household number, or None for a consultation without one.
SPECS = st.builds(
    dict,
    mission=st.sampled_from(MISSIONS),
    month=st.sampled_from(MONTHS),
    territory=st.sampled_from(["lens-henin", "boulonnais", "non_renseigne"]),
    household=st.one_of(st.none(), st.integers(1, 4)),
    codes=CODES,
    multi=MULTI,
    debt=st.one_of(st.none(), AMOUNTS),
    habitat_indigne=st.booleans(),
    permis_louer=st.booleans(),
)


def make_record(consultation_id: int, spec: dict) -> tidy.ConsultationRecord:
    household = f"h{spec['household']}" if spec["household"] else f"c{consultation_id}"
    debt = Decimal(spec["debt"]) if spec["debt"] is not None else None
    return tidy.ConsultationRecord(
        spec["mission"],
        spec["month"],
        spec["territory"],
        household,
        spec["codes"],
        spec["multi"],
        debt,
        spec["habitat_indigne"],
        spec["permis_louer"],
    )


def table_contents(tables=TABLES) -> dict[str, set[tuple]]:
    return {table.name: set(db.session.execute(select(table)).all()) for table in tables}


def empty_tables(tables=TABLES) -> None:
    for table in tables:
        db.session.execute(delete(table))


@pytest.fixture
def session(app):
    with app.app_context():
        yield db.session
        db.session.rollback()
        empty_tables()
        db.session.commit()


# --- pure ----------------------------------------------------------------------------------------------


def test_contribution_of_one_record():
    record = tidy.ConsultationRecord(
        "prevention_expulsion",
        "2026-03",
        "lens-henin",
        "h4",
        {name: "inconnu" for name in tidy.SINGLE_CODES} | {"mode": "permanence", "procedure_stage": None},
        {"theme": frozenset({"impayes_expulsion", "rapports_locatifs"}), "outcome": frozenset()},
        Decimal("1200.50"),
        habitat_indigne=True,
    )
    additive, household, debt = rollup.contribution(record)
    assert additive[("consultations", "")] == 1 and additive[("mode", "permanence")] == 1
    assert ("procedure_stage", "") not in additive and ("procedure_stage", None) not in additive
    assert additive[("theme", "impayes_expulsion")] == additive[("theme", "rapports_locatifs")] == 1
    assert additive[("debt_known", "")] == 1 and additive[("debt_amount_sum", "")] == Decimal("1200.50")
    assert additive[("habitat_indigne", "")] == 1 and ("permis_louer", "") not in additive
    assert household == ("h4", True) and debt == Decimal("1200.50")
    assert tidy.cents(Decimal("0.1")) == 10 and tidy.cents(Decimal("9999999.99")) == 999999999


# --- apply() against the recount -----------------------------------------------------------------------


class RollupMachine(RuleBasedStateMachine):
    """Consultations recorded, edited and deleted one at a time through apply(); after each step the
    report read from the rollup is the recount of the records."""

    def __init__(self):
        super().__init__()
        self.records: dict[int, tidy.ConsultationRecord] = {}
        self.next_id = 1

    @rule(spec=SPECS)
    def record(self, spec):
        record = make_record(self.next_id, spec)
        rollup.apply(db.session, None, record)
        self.records[self.next_id] = record
        self.next_id += 1

    @precondition(lambda self: self.records)
    @rule(data=st.data(), spec=SPECS)
    def edit(self, data, spec):
        consultation_id = data.draw(st.sampled_from(sorted(self.records)))
        after = make_record(consultation_id, spec)
        rollup.apply(db.session, self.records[consultation_id], after)
        self.records[consultation_id] = after

    @precondition(lambda self: self.records)
    @rule(data=st.data())
    def remove(self, data):
        consultation_id = data.draw(st.sampled_from(sorted(self.records)))
        rollup.apply(db.session, self.records.pop(consultation_id), None)

    @invariant()
    def same_as_the_recount(self):
        assert rollup.rows(db.session, FIRST, LAST, MISSIONS) == tidy.build(self.records.values())

    def teardown(self):
        db.session.rollback()


def test_apply_one_at_a_time_equals_the_recount(session):
    run_state_machine_as_test(RollupMachine, settings=settings(max_examples=40, stateful_step_count=12, deadline=None))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    steps=st.lists(st.tuples(st.integers(1, 8), st.one_of(st.none(), SPECS)), max_size=30),
    window=st.sampled_from([(FIRST, LAST), (date(2026, 2, 1), date(2026, 3, 1)), (FIRST, FIRST)]),
    missions=st.sampled_from([MISSIONS, ["prevention_expulsion"]]),
)
def test_apply_many_in_one_batch_equals_the_recount(session, steps, window, missions):
    """An import: records, edits and deletions of the same consultations in one batch (their deltas
    cancel out in Python), read back for a part of the months and missions."""
    records: dict[int, tidy.ConsultationRecord] = {}
    pairs = []
    for consultation_id, spec in steps:
        after = make_record(consultation_id, spec) if spec else None
        pairs.append((records.get(consultation_id), after))
        if after:
            records[consultation_id] = after
        else:
            records.pop(consultation_id, None)
    try:
        rollup.apply_many(session, pairs)
        first, last = window
        kept = [r for r in records.values() if f"{first:%Y-%m}" <= r.month <= f"{last:%Y-%m}" and r.mission in missions]
        assert rollup.rows(session, first, last, missions) == tidy.build(kept)
        whole = [row for row in tidy.build(kept) if (row.period, row.territory) == (tidy.TOTAL, tidy.ALL)]
        assert rollup.summary(session, first, last, missions) == whole
    finally:
        session.rollback()


def test_rows_that_reach_zero_are_deleted(session):
    record = make_record(
        1,
        {
            "mission": "prevention_expulsion",
            "month": "2026-01",
            "territory": "boulonnais",
            "household": 2,
            "codes": {"mode": "permanence"},
            "multi": {"theme": frozenset({"a"})},
            "debt": "10.00",
            "habitat_indigne": True,
            "permis_louer": False,
        },
    )
    rollup.apply(session, None, record)
    assert all(table_contents().values())
    rollup.apply(session, record, None)
    assert table_contents() == {table.name: set() for table in TABLES}


def test_amounts_add_up_exactly(session):
    """Ten debts of 0.10 €: 1.00 € exactly, as floats would not give."""
    spec = {
        "mission": "prevention_expulsion",
        "month": "2026-01",
        "territory": "boulonnais",
        "household": None,
        "codes": {},
        "multi": {},
        "debt": "0.10",
        "habitat_indigne": False,
        "permis_louer": False,
    }
    for consultation_id in range(1, 11):
        rollup.apply(session, None, make_record(consultation_id, spec))
    total = tidy.value_of(
        rollup.summary(session, FIRST, FIRST, ["prevention_expulsion"]),
        "prevention_expulsion",
        tidy.TOTAL,
        tidy.ALL,
        "debt_amount_sum",
    )
    assert total == Decimal("1.00")  # a float sum gives 0.9999999999999999


def test_medians_of_amounts_repeated_within_and_across_cells(session):
    """Amounts counted several times in a cell (report_debts' n) and shared by cells: each level's median is the
    statistics.median of the amounts it covers, an even count's the mean of its two middle ones."""
    amounts = {
        ("2026-01", "boulonnais"): ["0", "0.10", "0.10", "0.10", "5"],
        ("2026-01", "lens-henin"): ["0.10", "7.77", "7.77"],
        ("2026-02", "boulonnais"): ["9999999.99", "0", "0.10", "3"],
        ("2026-03", "lens-henin"): ["2.50"],
    }
    records = []
    for (month, territory), debts in amounts.items():
        for debt in debts:
            spec = {
                "mission": "prevention_expulsion",
                "month": month,
                "territory": territory,
                "household": None,
                "codes": {},
                "multi": {},
                "debt": debt,
                "habitat_indigne": False,
                "permis_louer": False,
            }
            records.append(make_record(len(records) + 1, spec))
    rollup.apply_many(session, [(None, record) for record in records])
    assert session.scalar(select(rollup.DEBTS.c.n).where(rollup.DEBTS.c.amount == 10, rollup.DEBTS.c.n == 3)) == 3
    medians = {
        (row.period, row.territory): row.value
        for row in rollup.rows(session, FIRST, LAST, ["prevention_expulsion"])
        if row.indicator == "debt_amount_median"
    }
    for level in rollup.LEVELS:
        covered: dict[tuple[str, str], list[Decimal]] = {}
        for (month, territory), debts in amounts.items():
            _, period, place = rollup._cell("prevention_expulsion", month, territory, level)
            covered.setdefault((period, place), []).extend(Decimal(debt) for debt in debts)
        for cell, debts in covered.items():
            assert medians[cell] == statistics.median(debts), cell
    assert medians[(tidy.TOTAL, tidy.ALL)] == Decimal("0.10")  # 13 amounts: the 7th


# --- real consultations: rebuild(), snapshot() -------------------------------------------------------------


@pytest.fixture
def logged(app, make_consultation, make_household):
    """Two households seen over several months, territories and missions, consultations without household,
    debts (with an even count in a cell, for a mean of two), subthemes, flags."""
    first, second = make_household(name="Ménage A"), make_household(name="Ménage B")
    eviction = dict(
        mission="prevention_expulsion",
        procedure_stage="assignation",
        debt_origins=["perte_emploi"],
        themes=["impayes_expulsion"],
    )
    made = [
        make_consultation(
            household=first,
            date=date(2026, 1, 5),
            mode="permanence",
            debt_amount=Decimal("1000.10"),
            outcomes=["information_delivree"],
            **eviction,
        ),
        make_consultation(household=first, date=date(2026, 1, 20), debt_amount=Decimal("3000"), **eviction),
        make_consultation(
            household=first,
            date=date(2026, 2, 3),
            commune_insee="62160",
            territory_code="boulonnais",
            habitat_indigne=True,
            debt_amount=Decimal("0.10"),
            **eviction,
        ),
        make_consultation(
            household=second,
            date=date(2026, 2, 3),
            mode="visite_siege",
            permis_louer=True,
            themes=["rapports_locatifs", "rapports_locatifs/decence"],
            resource_types=["salaire"],
        ),
        make_consultation(
            household=second, date=date(2026, 3, 9), commune_insee="62160", territory_code="boulonnais", **eviction
        ),
        make_consultation(date=date(2026, 3, 9), mode="aller_vers", debt_amount=Decimal("0"), **eviction),
        make_consultation(date=date(2026, 3, 10), commune_insee=None, territory_code="non_renseigne"),
        make_consultation(date=date(2025, 12, 31)),  # out of the range read
    ]
    return made


def recount(first=FIRST, last=LAST, missions=MISSIONS) -> list[tidy.Row]:
    end = date(last.year + last.month // 12, last.month % 12 + 1, 1)
    return tidy.build(consultation_records(first, end, missions))


def test_rebuild_from_consultations_equals_the_recount(session, logged):
    rollup.rebuild(session)
    assert rollup.rows(session, FIRST, LAST, MISSIONS) == recount()
    assert rollup.rows(session, date(2026, 2, 1), LAST, ["prevention_expulsion"]) == recount(
        date(2026, 2, 1), LAST, ["prevention_expulsion"]
    )
    assert tidy.value_of(
        rollup.rows(session, FIRST, LAST, MISSIONS),
        "prevention_expulsion",
        "2026-01",
        "lens-henin",
        "debt_amount_median",
    ) == Decimal("2000.05")


def test_snapshots_through_apply_make_the_same_tables_as_rebuild(session, logged):
    rollup.rebuild(session)
    rebuilt = table_contents()
    empty_tables()
    rollup.apply_many(session, [(None, rollup.snapshot(c)) for c in session.scalars(select(Consultation))])
    assert table_contents() == rebuilt


def test_an_edit_through_the_service_keeps_the_rollup_current(session, logged):
    consultation = session.get(Consultation, logged[0].id)
    rollup.rebuild(session)
    consultations.update_consultation(
        consultation,
        {
            "date": date(2026, 3, 1),
            "mission": "prevention_expulsion",
            "mode": "telephone",
            "household_id": None,
            "debt_amount": Decimal("42.42"),
            "debt_origins": [],
            "themes": ["rapports_locatifs"],
            "outcomes": ["saisine_fsl"],
            "commune_insee": "62160",
            "territory_code": "boulonnais",
        },
        None,
        None,
    )
    after = rollup.snapshot(consultation)
    assert after.household == f"c{consultation.id}" and after.month == "2026-03"
    assert rollup.rows(session, FIRST, LAST, MISSIONS) == recount()
    applied = table_contents()
    rollup.rebuild(session)
    assert table_contents() == applied


def test_records_through_the_service_keep_the_rollup_current(session, logged):
    """No rebuild: every consultation of `logged` went through record_consultation."""
    assert rollup.rows(session, FIRST, LAST, MISSIONS) == recount()


def test_what_a_consultation_says_of_the_case_moves_its_counts(session, logged):
    consultation = session.get(Consultation, logged[0].id)
    assert consultation.mission == "prevention_expulsion" and consultation.household is not None
    cases.record_acts(consultation.household, consultation, {}, landlord_type="bailleur_social", housing_benefit=None)
    assert rollup.rows(session, FIRST, LAST, MISSIONS) == recount()
    cases.record_acts(
        consultation.household, consultation, {}, landlord_type="personne_physique", housing_benefit="versee_bailleur"
    )
    rows = rollup.rows(session, FIRST, LAST, MISSIONS)
    assert rows == recount()
    cell = ("prevention_expulsion", tidy.TOTAL, tidy.ALL)
    assert tidy.value_of(rows, *cell, "landlord_type", "personne_physique") == 1
    assert tidy.value_of(rows, *cell, "landlord_type", "bailleur_social") == 0
    applied = table_contents()
    rollup.rebuild(session)
    assert table_contents() == applied


def test_a_new_consultation_snapshot(app, session, make_household):
    household = make_household(name="Ménage C")
    new = Consultation(
        mission="info_logement",
        date=date(2026, 2, 14),
        mode="courriel",
        territory_code="lens-henin",
        household=session.merge(household),
    )
    new.set_codes("theme", ["accession"])
    session.add(new)
    session.flush()
    record = rollup.snapshot(new)
    assert (record.household, record.month, record.multi["theme"]) == (
        f"h{household.id}",
        "2026-02",
        frozenset({"accession"}),
    )
    assert record.codes["occupancy_status"] == "inconnu" and record.debt_amount is None


def test_table_of_the_managers_page(session, logged):
    rollup.rebuild(session)
    shown = rollup.table(session, FIRST, LAST, MISSIONS)
    expected: dict = {}
    for row in recount():
        if row.indicator == "consultations":
            expected.setdefault(row.mission, {}).setdefault(row.territory, {})[row.period] = row.value
    assert shown == expected
    assert shown["prevention_expulsion"]["all"]["total"] == 5


# The report's rows counted per household (the households' months), not from the consultations' rollup.
PER_HOUSEHOLD = {*figures.INDICATORS, *household_facts.INDICATORS, "household_result", "first_contacts_situated"}


def test_the_report_and_the_page_read_the_rollup(app, session, logged):
    now, zone = datetime(2026, 4, 1, tzinfo=UTC), ZoneInfo("Europe/Paris")
    consultation_rows = [
        row for row in services.report(FIRST, LAST, MISSIONS, now, zone) if row.indicator not in PER_HOUSEHOLD
    ]
    assert consultation_rows == recount()
    shown = [row for row in services.page(FIRST, LAST, MISSIONS, now, zone) if row.indicator not in PER_HOUSEHOLD]
    assert set(shown) <= set(recount())
    assert [row for row in recount() if row.territory == tidy.ALL and row.indicator != "debt_amount_median"] == [
        row for row in shown if row.territory == tidy.ALL
    ]  # the page shows the households' median debt, not the consultations'
    assert [row for row in recount() if row.indicator == "consultations"] == [
        row for row in shown if row.indicator == "consultations"
    ]
    empty_tables()  # the report no longer reads the consultations themselves
    assert not [row for row in services.report(FIRST, LAST, MISSIONS, now, zone) if row.indicator == "consultations"]
    rollup.rebuild(session)
    assert [
        row for row in services.report(FIRST, LAST, MISSIONS, now, zone) if row.indicator not in PER_HOUSEHOLD
    ] == recount()


def test_the_rebuild_command(app, runner, logged):
    every = (*TABLES, household_months.TABLE)
    with app.app_context():
        wanted = table_contents(every)
        assert wanted[household_months.TABLE.name]
        empty_tables(every)
        db.session.commit()
    result = runner.invoke(args=["reports", "rebuild"])
    assert result.exit_code == 0, result.output
    assert "mois des ménages recalculés" in result.output
    with app.app_context():
        assert table_contents(every) == wanted
        empty_tables(every)
        db.session.commit()
