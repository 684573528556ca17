"""The households' months (hotline/reports/household_months.py), from which the reports read the household
indicators, stay what the consultations say: after any writes, edits, moves between households and
imports, the figures read from them are those cases.figures.build recounts from every consultation, and
the table is what a rebuild makes of it."""

import threading
from datetime import date
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from import_helpers import import_bytes
from recount import consultation_records, household_records
from sqlalchemy import func, select

from hotline.cases import figures
from hotline.cases.services import record_acts
from hotline.consultations import services as consultations
from hotline.consultations.models import Consultation
from hotline.extensions import db
from hotline.reports import household_months, tidy
from hotline.reports import services as reports
from hotline.reports.rollup_models import ReportHouseholdCount, ReportHouseholdMonth

EVICTION, INFO = "prevention_expulsion", "info_logement"
MISSIONS = [EVICTION, INFO]
PLACES = [("62498", "lens-henin"), ("62160", "boulonnais"), ("62041", "arrageois")]
STAGES = [None, "inconnu", "impaye", "commandement_payer", "assignation", "jugement"]
RANGES = [
    (date(2026, 1, 1), date(2026, 3, 1)),
    (date(2026, 2, 1), date(2026, 2, 1)),
    (date(2025, 11, 1), date(2026, 4, 1)),
]


def table() -> list[tuple]:
    """The households' months and their counts (kept by deltas: a rebuild must find the same)."""
    return [
        sorted(tuple(row) for row in db.session.execute(select(t)))
        for t in (ReportHouseholdMonth.__table__, ReportHouseholdCount.__table__)
    ]


def assert_as_recounted() -> None:
    db.session.commit()
    for first, last in RANGES:
        months = [f"{m:%Y-%m}" for m in reports.months(first, last)]
        read = sorted(household_months.read(db.session, months, MISSIONS))
        end = date(last.year + last.month // 12, last.month % 12 + 1, 1)
        read = [figure for figure in read if figure.indicator in figures.INDICATORS]
        assert read == sorted(figures.build(household_records(end, MISSIONS), months)), (first, last)
        counted = {
            (row.mission, row.period, row.indicator): row.value
            for row in tidy.build(consultation_records(first, end, MISSIONS))
            if row.territory == tidy.ALL and row.indicator in ("households", "households_received")
        }
        found = household_months.households(db.session, months[0], months[-1], MISSIONS)
        assert {
            (mission, period, indicator): value
            for (mission, period, _), pair in found.items()
            for indicator, value in zip(("households", "households_received"), pair, strict=True)
            if value
        } == counted, (first, last)
    kept = table()
    household_months.rebuild(db.session)
    assert table() == kept
    db.session.rollback()


consultation = st.fixed_dictionaries(
    {
        "household": st.one_of(st.none(), st.integers(0, 3)),
        "mission": st.sampled_from(MISSIONS),
        "day": st.dates(date(2025, 11, 1), date(2026, 4, 28)),
        "place": st.sampled_from(PLACES),
        "stage": st.sampled_from(STAGES),
        "debt": st.one_of(st.none(), st.integers(0, 900000)),
        "rent": st.one_of(st.none(), st.sampled_from([0, 300, 450, 620])),
        "mode": st.sampled_from(["telephone", "permanence", "visite_siege", "courriel"]),
    }
)
edit = st.fixed_dictionaries(
    {
        "which": st.integers(0, 20),
        "day": st.one_of(st.none(), st.dates(date(2025, 11, 1), date(2026, 4, 28))),
        "stage": st.sampled_from(STAGES),
        "debt": st.one_of(st.none(), st.integers(0, 900000)),
        "move_to": st.one_of(st.none(), st.integers(0, 4)),  # 4: no household any more
        "mode": st.sampled_from(["telephone", "permanence"]),
    }
)


def write(households, spec) -> Consultation:
    insee, territory = spec["place"]
    household = households[spec["household"]] if spec["household"] is not None else None
    data = {
        "date": spec["day"],
        "mission": spec["mission"],
        "mode": spec.get("mode", "telephone"),
        "commune_insee": insee,
        "territory_code": territory,
        "themes": ["impayes_expulsion"] if spec["mission"] == EVICTION else ["rapports_locatifs"],
        "procedure_stage": spec["stage"],
        "debt_amount": Decimal(spec["debt"]) / 100 if spec["debt"] is not None else None,
    }
    made = consultations.record_consultation(data, None, household)
    if household is not None and spec["mission"] == EVICTION and spec["rent"] is not None:
        record_acts(household, made, {}, rent_amount=Decimal(spec["rent"]))
    return made


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(written=st.lists(consultation, min_size=1, max_size=12), edits=st.lists(edit, max_size=5))
def test_the_months_follow_writes_edits_and_moves(ctx, written, edits):
    households = [consultations.create_household(name=f"Ménage {i}") for i in range(4)]
    made = [write(households, spec) for spec in written]
    db.session.commit()
    assert_as_recounted()
    for change in edits:
        target = made[change["which"] % len(made)]
        data = {
            "procedure_stage": change["stage"],
            "mode": change["mode"],
            "debt_amount": Decimal(change["debt"]) / 100 if change["debt"] is not None else None,
        }
        if change["day"] is not None:
            data["date"] = change["day"]
        consultations.update_consultation(target, data, None, None)
        if change["move_to"] is not None:  # a consultation put under another household (or under none)
            target.household = households[change["move_to"]] if change["move_to"] < 4 else None
            db.session.flush()
    assert_as_recounted()
    for table_name in (
        "case_statements",
        "procedure_acts",
        "cases",
        "consultation_codes",
        "consultations",
        "households",
        "report_household_months",
        "report_household_counts",
        "report_rollup",
        "report_households",
        "report_debts",
    ):
        db.session.execute(db.metadata.tables[table_name].delete())
    db.session.commit()


def test_a_rent_said_later_changes_the_months_of_arrears(ctx):
    household = consultations.create_household(name="Ménage")
    first = write(
        [household],
        {
            "household": 0,
            "mission": EVICTION,
            "day": date(2026, 2, 3),
            "place": PLACES[0],
            "stage": "impaye",
            "debt": 120000,
            "rent": None,
        },
    )
    db.session.commit()
    assert db.session.scalar(select(ReportHouseholdMonth.debt_band)) == "inconnu"
    record_acts(household, first, {}, rent_amount=Decimal(500))  # 1 200 € of debt for 500 € of rent
    db.session.commit()
    assert db.session.scalar(select(ReportHouseholdMonth.debt_band)) == "jusqu_3_mois"
    assert_as_recounted()


def test_an_import_writes_the_months_of_its_households(ctx):
    lines = ["external_id,date,mission,mode,commune_insee,themes,household_ref,procedure_stage,debt_amount,rent_amount"]
    for n in range(30):
        mission = EVICTION if n % 3 else INFO
        lines.append(
            ",".join(
                [
                    f"IMP-{n}",
                    f"2026-0{1 + n % 4}-{10 + n % 15:02d}",
                    mission,
                    "telephone",
                    PLACES[n % 3][0],
                    "impayes_expulsion" if mission == EVICTION else "rapports_locatifs",
                    f"REF-{n % 7}" if n % 5 else "",
                    STAGES[2 + n % 4] if mission == EVICTION else "",
                    f"{100 * n}.50" if mission == EVICTION and n % 2 else "",
                    "450" if mission == EVICTION and n % 5 and n % 4 == 1 else "",
                ]
            )
        )
    result = import_bytes("\n".join(lines).encode(), None, date(2026, 11, 29))
    assert not result.problems, result.problems
    assert all(table()), "the import wrote the households' months"
    assert_as_recounted()


def test_two_writes_for_one_household_at_once(app, make_household):
    """Two jurists record a consultation of the same household at the same moment (two transactions): both
    are saved, and the household's months hold both (PostgreSQL: the second waits for the first)."""
    household = make_household(name="Ménage partagé")
    ready = threading.Barrier(2, timeout=10)
    errors = []

    def record(day):
        with app.app_context():
            try:
                held = db.session.get(type(household), household.id)
                spec = {
                    "household": 0,
                    "mission": EVICTION,
                    "day": day,
                    "place": PLACES[0],
                    "stage": "impaye",
                    "debt": 50000,
                    "rent": None,
                }
                ready.wait()
                write([held], spec)
                db.session.commit()
            except Exception as error:  # noqa: BLE001 - reported below
                errors.append(error)
                db.session.rollback()

    threads = [threading.Thread(target=record, args=(date(2026, 3, day),)) for day in (2, 3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert errors == []
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Consultation)) == 2
        assert_as_recounted()
