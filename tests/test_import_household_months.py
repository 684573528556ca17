"""The import's households' months (household_months._month_rows, plain tuples in one loop) are what
cases.figures.household_months gives, with the profiles and the reach (household_months._months), and
count as _counted counts them: over generated histories."""

from collections import defaultdict, namedtuple
from datetime import date, timedelta
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from hotline.reports import household_months

History = namedtuple(
    "History",
    "id household_id mission date territory_code procedure_stage debt_amount mode rent_amount family_situation "
    "housing_sector occupancy_status age_band resource_band debt_origins",
)
maybe = st.one_of(st.none(), st.just(""))
consultation = st.tuples(
    st.sampled_from([None, 1, 2, 3]),
    st.sampled_from(["prevention_expulsion", "info_logement"]),
    st.integers(0, 400),
    st.sampled_from(["arrageois", "audomarois", "hors_departement"]),
    st.one_of(maybe, st.sampled_from(["inconnu", "impaye", "jugement", "assignation", "prevention_amont"])),
    st.one_of(st.none(), st.sampled_from([Decimal("0.01"), Decimal("100"), Decimal("2400.50"), Decimal("0")])),
    st.sampled_from(["telephone", "permanence", "visite_siege"]),
    st.one_of(st.none(), st.sampled_from([Decimal("0"), Decimal("400"), Decimal("520.10")])),
    st.one_of(maybe, st.sampled_from(["inconnu", "personne_seule", "couple_avec_enfants"])),
    st.one_of(maybe, st.sampled_from(["inconnu", "prive", "social"])),
    st.one_of(maybe, st.sampled_from(["inconnu", "locataire"])),
    st.one_of(maybe, st.sampled_from(["inconnu", "25_39"])),
    st.one_of(maybe, st.sampled_from(["inconnu", "moins_800"])),
    st.one_of(maybe, st.sampled_from(["perte_emploi", "separation|perte_emploi", "inconnu", "inconnu|separation"])),
)
acts = st.dictionaries(
    st.sampled_from(["h1", "h2", "h3"]),
    st.lists(
        st.tuples(
            st.sampled_from(["commandement_payer", "assignation", "expulsion_effective"]),
            st.integers(0, 400).map(lambda n: date(2025, 1, 1) + timedelta(days=n)),
        ),
        max_size=3,
    ),
)


def histories(drawn: list[tuple]) -> list[History]:
    """_history's rows: ids in the order drawn, sorted by household (those without one first), mission, date, id."""
    rows = [
        History(n, household, mission, date(2025, 1, 1) + timedelta(days=day), *rest)
        for n, (household, mission, day, *rest) in enumerate(drawn, start=1)
    ]
    return sorted(rows, key=lambda r: (r.household_id is not None, r.household_id or 0, r.mission, r.date, r.id))


@settings(max_examples=300, deadline=None)
@given(drawn=st.lists(consultation, max_size=25), cases=acts)
def test_the_import_months_are_the_figures_months(drawn, cases):
    rows = histories(drawn)
    expected = [
        tuple(row[name] for name in household_months.MONTH_COLUMNS) for row in household_months._months(rows, cases)
    ]
    assert list(household_months._month_rows(rows, cases)) == expected
    counted: dict = defaultdict(lambda: [0, 0, 0])
    household_months._count(counted, household_months._months(rows, cases), 1)
    tallied: dict = defaultdict(lambda: [0, 0, 0])
    assert list(household_months._tally(tallied, iter(expected))) == expected
    assert tallied == counted
