"""household_result as the page reads it (household_months._results_read, from report_household_counts kept by the
writes) is what joining the cases' results with the households' months gives (the join the page ran until session
11, kept here as the oracle), over random histories: consultations of either mission, acts and events dated before,
between and after the consultations (stated at a later consultation, of either mission, or at one whose date an
edit moved back: a result changes after a household's last eviction consultation), edits, moves,
deletions of consultations and of acts, imports and a rebuild; for every range, by month and over the range, for
every territory and all of them."""

from collections import defaultdict
from datetime import date
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from import_helpers import import_bytes
from sqlalchemy import and_, case, func, literal, or_, select

from hotline.cases import figures
from hotline.cases import services as cases
from hotline.cases.models import ProcedureAct
from hotline.cases.services import record_acts
from hotline.consultations import services as consultations
from hotline.consultations.models import Consultation
from hotline.extensions import db
from hotline.reports import household_facts, household_months
from hotline.reports.rollup_models import ReportCaseResult, ReportHouseholdCount, ReportHouseholdMonth

EVICTION, INFO = "prevention_expulsion", "info_logement"
PLACES = [("62498", "lens-henin"), ("62160", "boulonnais")]
CODES = [
    "commandement_payer",
    "assignation",
    "plan_apurement",
    "dette_soldee",
    "expulsion_effective",
    "relogement_effectif",
    "depart_volontaire",
    "fsl_accorde",
]
RANGES = [("2026-01", "2026-03"), ("2026-02", "2026-02"), ("2025-11", "2026-06"), ("2026-03", "2026-12")]
DAYS = st.dates(date(2025, 11, 1), date(2026, 6, 28))


def joined(session, first: str, last: str, territory: str | None, counts: dict):
    """The oracle: session 10's _results_read, one join of report_case_results with the households' months."""
    t, r = ReportHouseholdMonth.__table__.c, ReportCaseResult.__table__.c
    where = [t.mission == EVICTION, t.month >= first, t.month <= last]
    if territory is not None:
        where.append(t.territory == territory)
    month_end, range_end = t.month.concat("-31"), literal(f"{last}-31")
    by_month = and_(r.since <= month_end, r.until > month_end)
    over_range = and_(or_(t.next_month.is_(None), t.next_month > last), r.since <= range_end, r.until > range_end)
    query = (
        select(
            t.month,
            t.territory,
            r.result,
            func.sum(case((by_month, 1), else_=0)),
            func.sum(case((over_range, 1), else_=0)),
        )
        .select_from(
            ReportCaseResult.__table__.outerjoin(
                ReportHouseholdMonth.__table__, and_(r.household == t.household, *where, or_(by_month, over_range))
            )
        )
        .group_by(t.month, t.territory, r.result)
    )
    known: dict[tuple, int] = defaultdict(int)
    for month, place, result, n_month, n_range in session.execute(query):
        if place is None:
            continue
        for period, n in ((month, n_month), (figures.TOTAL, n_range)):
            if n:
                for where_ in (place, figures.ALL):
                    known[(EVICTION, period, where_, "household_result", result)] += int(n)
    yield from known.items()
    households: dict[tuple, int] = defaultdict(int)
    for (mission, period, place, indicator, _), n in counts.items():
        if mission == EVICTION and indicator == "households_by_stage":
            households[(mission, period, place)] += n
    for cell, n in households.items():
        unknown = n - sum(v for key, v in known.items() if key[:3] == cell)
        if unknown:
            yield (*cell, "household_result", household_facts.UNKNOWN), unknown


def results(territory=None, oracle=False) -> dict:
    found = {}
    for first, last in RANGES:
        months = [f"{m:%Y-%m}" for m in _months(first, last)]
        real = household_months._results_read
        household_months._results_read = joined if oracle else real
        try:
            read = household_months.read(db.session, months, [EVICTION], territory)
        finally:
            household_months._results_read = real
        found[(first, last)] = sorted(
            (f.period, f.territory, f.category, f.value) for f in read if f.indicator == "household_result"
        )
    return found


def _months(first: str, last: str) -> list[date]:
    day, end, found = date.fromisoformat(f"{first}-01"), date.fromisoformat(f"{last}-01"), []
    while day <= end:
        found.append(day)
        day = date(day.year + day.month // 12, day.month % 12 + 1, 1)
    return found


def counts_table() -> list[tuple]:
    return sorted(tuple(row) for row in db.session.execute(select(ReportHouseholdCount.__table__)))


def assert_as_joined() -> None:
    db.session.flush()
    for territory in (None, figures.ALL, "lens-henin", "boulonnais"):
        assert results(territory) == results(territory, oracle=True), territory
    kept = counts_table()
    household_months.rebuild(db.session)
    assert counts_table() == kept


operation = st.one_of(
    st.tuples(
        st.just("consult"),
        st.one_of(st.none(), st.integers(0, 2)),
        st.sampled_from([EVICTION, EVICTION, INFO]),
        DAYS,
        st.sampled_from(PLACES),
    ),
    st.tuples(
        st.just("acts"),
        st.integers(0, 2),
        st.dictionaries(st.sampled_from(CODES), DAYS, max_size=3),
        st.integers(0, 30),
    ),
    st.tuples(st.just("edit"), st.integers(0, 30), DAYS, st.one_of(st.none(), st.integers(0, 3))),
    st.tuples(st.just("delete"), st.integers(0, 30)),
    st.tuples(st.just("delete_act"), st.integers(0, 30)),
    st.tuples(
        st.just("import"),
        st.lists(st.tuples(DAYS, st.sampled_from(["RA", "RB", ""]), st.sampled_from(CODES), DAYS), max_size=3),
    ),
)


def apply(households, made, op) -> None:
    kind = op[0]
    if kind == "consult":
        _, which, mission, day, (insee, territory) = op
        data = {
            "date": day,
            "mission": mission,
            "mode": "telephone",
            "commune_insee": insee,
            "territory_code": territory,
            "themes": ["impayes_expulsion"],  # at either mission: a case's acts may be stated there
            "procedure_stage": "impaye" if mission == EVICTION else None,
            "debt_amount": Decimal("120.50") if mission == EVICTION else None,
        }
        made.append(consultations.record_consultation(data, None, households[which] if which is not None else None))
    elif kind == "acts":
        _, which, acts, at = op
        household = households[which]
        stated = [c for c in made if c.household_id == household.id]
        if stated and acts:  # stated at one of its consultations (of either mission), dated up to its day
            consultation = stated[at % len(stated)]
            record_acts(household, consultation, {code: min(day, consultation.date) for code, day in acts.items()})
    elif kind == "edit" and made:
        _, which, day, move_to = op
        target = made[which % len(made)]
        consultations.update_consultation(target, {"date": day}, None, None)
        if move_to is not None:
            target.household = households[move_to] if move_to < 3 else None
        db.session.flush()
    elif kind == "delete" and made:
        target = made.pop(op[1] % len(made))
        db.session.delete(target)
        db.session.flush()
    elif kind == "delete_act":
        current = db.session.scalars(select(ProcedureAct).where(ProcedureAct.replaced_at.is_(None))).all()
        if current:
            cases.delete_act(current[op[1] % len(current)])
    elif kind == "import" and op[1]:
        lines = ["external_id;date;mission;mode;commune_insee;themes;household_ref;procedure_stage;procedure_acts"]
        for n, (day, ref, code, when) in enumerate(op[1]):
            acts = f"{code}={min(when, day)}"  # an import states acts up to the consultation's day
            lines.append(f"I{n}-{len(made)};{day};{EVICTION};telephone;62498;impayes_expulsion;{ref};impaye;{acts}")
        db.session.commit()
        result = import_bytes("\n".join(lines).encode(), None, date(2026, 11, 29))
        assert not result.problems, result.problems


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(operations=st.lists(operation, min_size=1, max_size=14))
def test_the_results_counted_by_the_writes_are_the_join_of_the_results_with_the_months(ctx, operations):
    households = [consultations.create_household(name=f"Ménage {i}") for i in range(3)]
    made: list[Consultation] = []
    try:
        for n, op in enumerate(operations):
            apply(households, made, op)
            if n == len(operations) // 2:
                assert_as_joined()
        assert_as_joined()
    finally:
        db.session.rollback()
        for name in (
            "case_statements",
            "procedure_acts",
            "case_events",
            "cases",
            "consultation_codes",
            "consultation_revisions",
            "consultations",
            "households",
            "report_household_months",
            "report_household_counts",
            "report_case_results",
            "report_rollup",
            "report_households",
            "report_debts",
        ):
            if name in db.metadata.tables:
                db.session.execute(db.metadata.tables[name].delete())
        db.session.commit()


def test_a_result_dated_after_the_last_consultation_counts_in_the_range_that_ends_after_it(ctx):
    """A household seen in January only (in April at the other mission), its debt paid off in March: January's
    result is the procedure in progress, the range January-March's the home kept, the range January-February's
    still in progress."""
    household = consultations.create_household(name="Ménage")
    made = {}
    for day, mission in ((date(2026, 1, 10), EVICTION), (date(2026, 4, 2), INFO)):
        data = {"date": day, "mission": mission, "mode": "telephone", "territory_code": "lens-henin"}
        data |= {"themes": ["impayes_expulsion"], "procedure_stage": "impaye" if mission == EVICTION else None}
        made[mission] = consultations.record_consultation(data, None, household)
    record_acts(household, made[EVICTION], {"commandement_payer": date(2026, 1, 5)})
    record_acts(household, made[INFO], {"dette_soldee": date(2026, 3, 2)})  # stated in April, at the other mission
    db.session.commit()

    def read(first, last):
        months = [f"{m:%Y-%m}" for m in _months(first, last)]
        return {
            (f.period, f.category): f.value
            for f in household_months.read(db.session, months, [EVICTION], None)
            if f.indicator == "household_result" and f.territory == figures.ALL
        }

    assert read("2026-01", "2026-03") == {("2026-01", "procedure_en_cours"): 1, ("total", "maintien"): 1}
    assert read("2026-01", "2026-02") == {("2026-01", "procedure_en_cours"): 1, ("total", "procedure_en_cours"): 1}
    assert read("2026-02", "2026-03") == {}
