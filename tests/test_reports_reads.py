"""The reports' reads made for scale (issue 18, item 8) give what they gave: the households' profile figures,
now read from report_household_counts, are what the households' months say (the per-row count they replaced,
kept here as the reference), whatever the writes; and they no longer read the months themselves."""

from collections import defaultdict
from datetime import date

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import event, select

from hotline.cases import figures
from hotline.consultations import services as consultations
from hotline.extensions import db
from hotline.reports import household_facts, household_months
from hotline.reports.rollup_models import ReportHouseholdMonth

EVICTION = "prevention_expulsion"
PLACES = [("62498", "lens-henin"), ("62160", "boulonnais")]
RANGES = [("2026-01", "2026-03"), ("2026-02", "2026-02"), ("2025-11", "2026-04")]
PROFILE_INDICATORS = tuple(f"households_{name}" for name in household_facts.PROFILE)


def months_counted(first: str, last: str, territory: str | None) -> dict[tuple, int]:
    """The profile figures counted row by row from report_household_months (the read before the counts)."""
    t = ReportHouseholdMonth.__table__.c
    where = [t.mission == EVICTION, t.month >= first, t.month <= last]
    if territory is not None:
        where.append(t.territory == territory)
    names = household_facts.PROFILE
    columns = [column for name in names for column in (t[name], t[f"{name}_since"])]
    found: dict[tuple, int] = defaultdict(int)
    for month, place, next_month, *profile in db.session.execute(
        select(t.month, t.territory, t.next_month, *columns).where(*where)
    ):
        latest = next_month is None or next_month > last
        for index, name in enumerate(names):
            value, since = profile[2 * index], profile[2 * index + 1]
            periods = [(month, value if since == month else None)]
            if latest:
                periods.append((figures.TOTAL, household_facts.value_in(value, since, first)))
            for period, stated in periods:
                for category in household_facts.categories(name, stated):
                    for where_ in (place, figures.ALL):
                        found[(EVICTION, period, where_, f"households_{name}", category)] += 1
    return dict(found)


def read_counted(first: str, last: str, territory: str | None) -> dict[tuple, int]:
    months = [f"{y}-{m:02d}" for y in (2025, 2026) for m in range(1, 13) if first <= f"{y}-{m:02d}" <= last]
    return {
        (f.mission, f.period, f.territory, f.indicator, f.category): f.value
        for f in household_months.read(db.session, months, [EVICTION], territory)
        if f.indicator in PROFILE_INDICATORS and (territory is None or f.territory in (territory, figures.ALL))
    }


consultation = st.fixed_dictionaries(
    {
        "household": st.one_of(st.none(), st.integers(0, 3)),
        "day": st.dates(date(2025, 11, 1), date(2026, 4, 28)),
        "place": st.sampled_from(PLACES),
        "family_situation": st.sampled_from(["personne_seule", "couple_avec_enfants", "inconnu"]),
        "housing_sector": st.sampled_from(["prive", "social", "inconnu"]),
        "debt_origins": st.lists(st.sampled_from(["perte_emploi", "separation", "inconnu"]), max_size=2, unique=True),
    }
)


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(written=st.lists(consultation, min_size=1, max_size=10), moved=st.lists(st.integers(0, 9), max_size=3))
def test_the_profile_figures_are_what_the_months_say(ctx, make_household, written, moved):
    households = [make_household() for _ in range(4)]
    made = []
    for spec in written:
        insee, territory = spec["place"]
        data = {
            "date": spec["day"],
            "mission": EVICTION,
            "mode": "telephone",
            "commune_insee": insee,
            "territory_code": territory,
            "themes": ["impayes_expulsion"],
            "family_situation": spec["family_situation"],
            "housing_sector": spec["housing_sector"],
            "debt_origins": spec["debt_origins"],
        }
        household = households[spec["household"]] if spec["household"] is not None else None
        made.append(consultations.record_consultation(data, None, household))
    for index in moved:  # a consultation moved to another territory: its months and counts follow
        if index < len(made):
            insee, territory = PLACES[1] if made[index].territory_code == PLACES[0][1] else PLACES[0]
            made[index].commune_insee, made[index].territory_code = insee, territory
            db.session.flush()
    for first, last in RANGES:
        for territory in (None, PLACES[0][1]):
            expected = months_counted(first, last, territory)
            if territory is not None:
                expected = {key: n for key, n in expected.items() if key[2] == territory}
                found = {key: n for key, n in read_counted(first, last, territory).items() if key[2] == territory}
            else:
                found = read_counted(first, last, territory)
            assert found == expected, (first, last, territory)
    counts = household_months.COUNTS
    kept = sorted(tuple(row) for row in db.session.execute(select(counts)))
    household_months.recount(db.session)  # what the migration runs: the same counts
    assert sorted(tuple(row) for row in db.session.execute(select(counts))) == kept
    db.session.rollback()


def test_the_profile_figures_do_not_read_the_households_months(ctx, make_household):
    consultations.record_consultation(
        {
            "date": date(2026, 2, 3),
            "mission": EVICTION,
            "mode": "telephone",
            "commune_insee": PLACES[0][0],
            "territory_code": PLACES[0][1],
            "themes": ["impayes_expulsion"],
            "family_situation": "personne_seule",
        },
        None,
        make_household(),
    )
    statements: list[str] = []

    def seen(_conn, _cursor, statement, *_args):
        statements.append(statement)

    engine = db.session.get_bind()
    event.listen(engine, "before_cursor_execute", seen)
    try:
        found = dict(household_months._profiles(db.session, "2026-01", "2026-03", None))
    finally:
        event.remove(engine, "before_cursor_execute", seen)
    assert found[(EVICTION, figures.TOTAL, figures.ALL, "households_family_situation", "personne_seule")] == 1
    assert statements and not any("report_household_months" in statement for statement in statements)
    db.session.rollback()
