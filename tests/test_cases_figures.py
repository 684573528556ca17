"""The household indicators of docs/formats.md (hotline/cases/figures.py), on a small table recounted
by hand below."""

from datetime import date
from decimal import Decimal

import pytest

from hotline.cases.figures import HouseholdRecord, build, months_band

EV, INFO = "prevention_expulsion", "info_logement"


def rec(household, mission, day, order, territory, stage=None, debt=None, rent=None):
    return HouseholdRecord(
        household,
        mission,
        day,
        order,
        territory,
        stage,
        None if debt is None else Decimal(debt),
        None if rent is None else Decimal(rent),
    )


RECORDS = [
    # H1: history before the range names the rent (450); a debt in January; an unknown stage in February.
    rec("H1", EV, date(2025, 12, 10), 1, "lens-henin", "impaye", "900", "450"),
    rec("H1", EV, date(2026, 1, 5), 5, "lens-henin", "commandement_payer", "1200"),
    rec("H1", EV, date(2026, 2, 20), 9, "artois", "inconnu"),
    rec("H1", INFO, date(2026, 2, 2), 12, "lens-henin"),
    # H2: two consultations the same day; the later recorded one is the latest; its rent is the earlier one's.
    rec("H2", EV, date(2026, 1, 10), 3, "artois", None, "3000", "500"),
    rec("H2", EV, date(2026, 1, 10), 4, "artois", "assignation", "3100"),
    # H3: recorded out of order; the debt (0, known) comes first, the rent only after it.
    rec("H3", EV, date(2026, 2, 3), 7, "calaisis", "prevention_amont", None, "600"),
    rec("H3", EV, date(2026, 2, 3), 6, "calaisis", None, "0"),
    # Consultations without household: households of their own.
    rec(None, EV, date(2026, 2, 14), 8, "non_renseigne", "impaye", "700", "700"),
    rec(None, INFO, date(2026, 1, 20), 10, "lens-henin"),
    # Before the range only, and after it: counted nowhere.
    rec("H4", EV, date(2025, 11, 2), 0, "boulonnais", "impaye", "500"),
    rec("H5", EV, date(2026, 3, 1), 11, "ternois", "impaye", "800", "400"),
]

EXPECTED = {
    # --- first contacts: H1's is in December (before the range); H2 in January; H3 (order 6) and the
    # solo household in February. Stages at first contact: H2 none, H3 none, solo impaye.
    (EV, "2026-01", "artois", "first_contacts", ""): 1,
    (EV, "2026-01", "all", "first_contacts", ""): 1,
    (EV, "2026-01", "artois", "first_contact_stage", "inconnu"): 1,
    (EV, "2026-01", "all", "first_contact_stage", "inconnu"): 1,
    (EV, "2026-02", "calaisis", "first_contacts", ""): 1,
    (EV, "2026-02", "non_renseigne", "first_contacts", ""): 1,
    (EV, "2026-02", "all", "first_contacts", ""): 2,
    (EV, "2026-02", "calaisis", "first_contact_stage", "inconnu"): 1,
    (EV, "2026-02", "non_renseigne", "first_contact_stage", "impaye"): 1,
    (EV, "2026-02", "all", "first_contact_stage", "inconnu"): 1,
    (EV, "2026-02", "all", "first_contact_stage", "impaye"): 1,
    (EV, "2026-02", "non_renseigne", "reached_before_commandement", ""): 1,
    (EV, "2026-02", "all", "reached_before_commandement", ""): 1,
    (EV, "total", "artois", "first_contacts", ""): 1,
    (EV, "total", "calaisis", "first_contacts", ""): 1,
    (EV, "total", "non_renseigne", "first_contacts", ""): 1,
    (EV, "total", "all", "first_contacts", ""): 3,
    (EV, "total", "artois", "first_contact_stage", "inconnu"): 1,
    (EV, "total", "calaisis", "first_contact_stage", "inconnu"): 1,
    (EV, "total", "non_renseigne", "first_contact_stage", "impaye"): 1,
    (EV, "total", "all", "first_contact_stage", "inconnu"): 2,
    (EV, "total", "all", "first_contact_stage", "impaye"): 1,
    (EV, "total", "non_renseigne", "reached_before_commandement", ""): 1,
    (EV, "total", "all", "reached_before_commandement", ""): 1,
    # --- households by stage, in the territory of the latest consultation of the period. H1 in February:
    # its latest (artois) says inconnu, so the latest known stage up to then, commandement_payer.
    (EV, "2026-01", "lens-henin", "households_by_stage", "commandement_payer"): 1,
    (EV, "2026-01", "artois", "households_by_stage", "assignation"): 1,
    (EV, "2026-01", "all", "households_by_stage", "commandement_payer"): 1,
    (EV, "2026-01", "all", "households_by_stage", "assignation"): 1,
    (EV, "2026-02", "artois", "households_by_stage", "commandement_payer"): 1,
    (EV, "2026-02", "calaisis", "households_by_stage", "prevention_amont"): 1,
    (EV, "2026-02", "non_renseigne", "households_by_stage", "impaye"): 1,
    (EV, "2026-02", "all", "households_by_stage", "commandement_payer"): 1,
    (EV, "2026-02", "all", "households_by_stage", "prevention_amont"): 1,
    (EV, "2026-02", "all", "households_by_stage", "impaye"): 1,
    (EV, "total", "artois", "households_by_stage", "commandement_payer"): 1,
    (EV, "total", "artois", "households_by_stage", "assignation"): 1,
    (EV, "total", "calaisis", "households_by_stage", "prevention_amont"): 1,
    (EV, "total", "non_renseigne", "households_by_stage", "impaye"): 1,
    (EV, "total", "all", "households_by_stage", "commandement_payer"): 1,
    (EV, "total", "all", "households_by_stage", "assignation"): 1,
    (EV, "total", "all", "households_by_stage", "prevention_amont"): 1,
    (EV, "total", "all", "households_by_stage", "impaye"): 1,
    # --- debts: January H1 1200 (rent 450 from December: 2.67 months), H2 3100 (rent 500 from the same
    # day's earlier consultation: 6.2 months). February: H3 0 (no rent before it: inconnu), solo 700/700.
    (EV, "2026-01", "lens-henin", "households_debt_known", ""): 1,
    (EV, "2026-01", "artois", "households_debt_known", ""): 1,
    (EV, "2026-01", "all", "households_debt_known", ""): 2,
    (EV, "2026-01", "lens-henin", "household_debt_sum", ""): Decimal("1200"),
    (EV, "2026-01", "artois", "household_debt_sum", ""): Decimal("3100"),
    (EV, "2026-01", "all", "household_debt_sum", ""): Decimal("4300"),
    (EV, "2026-01", "lens-henin", "household_debt_median", ""): Decimal("1200"),
    (EV, "2026-01", "artois", "household_debt_median", ""): Decimal("3100"),
    (EV, "2026-01", "all", "household_debt_median", ""): Decimal("2150"),
    (EV, "2026-01", "lens-henin", "debt_months", "jusqu_3_mois"): 1,
    (EV, "2026-01", "artois", "debt_months", "plus_de_6_mois"): 1,
    (EV, "2026-01", "all", "debt_months", "jusqu_3_mois"): 1,
    (EV, "2026-01", "all", "debt_months", "plus_de_6_mois"): 1,
    (EV, "2026-02", "calaisis", "households_debt_known", ""): 1,
    (EV, "2026-02", "non_renseigne", "households_debt_known", ""): 1,
    (EV, "2026-02", "all", "households_debt_known", ""): 2,
    (EV, "2026-02", "non_renseigne", "household_debt_sum", ""): Decimal("700"),
    (EV, "2026-02", "all", "household_debt_sum", ""): Decimal("700"),
    (EV, "2026-02", "non_renseigne", "household_debt_median", ""): Decimal("700"),
    (EV, "2026-02", "all", "household_debt_median", ""): Decimal("350"),
    (EV, "2026-02", "calaisis", "debt_months", "inconnu"): 1,
    (EV, "2026-02", "non_renseigne", "debt_months", "jusqu_3_mois"): 1,
    (EV, "2026-02", "all", "debt_months", "inconnu"): 1,
    (EV, "2026-02", "all", "debt_months", "jusqu_3_mois"): 1,
    (EV, "total", "lens-henin", "households_debt_known", ""): 1,
    (EV, "total", "artois", "households_debt_known", ""): 1,
    (EV, "total", "calaisis", "households_debt_known", ""): 1,
    (EV, "total", "non_renseigne", "households_debt_known", ""): 1,
    (EV, "total", "all", "households_debt_known", ""): 4,
    (EV, "total", "lens-henin", "household_debt_sum", ""): Decimal("1200"),
    (EV, "total", "artois", "household_debt_sum", ""): Decimal("3100"),
    (EV, "total", "non_renseigne", "household_debt_sum", ""): Decimal("700"),
    (EV, "total", "all", "household_debt_sum", ""): Decimal("5000"),
    (EV, "total", "lens-henin", "household_debt_median", ""): Decimal("1200"),
    (EV, "total", "artois", "household_debt_median", ""): Decimal("3100"),
    (EV, "total", "non_renseigne", "household_debt_median", ""): Decimal("700"),
    (EV, "total", "all", "household_debt_median", ""): Decimal("950"),  # 0, 700, 1200, 3100
    (EV, "total", "lens-henin", "debt_months", "jusqu_3_mois"): 1,
    (EV, "total", "artois", "debt_months", "plus_de_6_mois"): 1,
    (EV, "total", "calaisis", "debt_months", "inconnu"): 1,
    (EV, "total", "non_renseigne", "debt_months", "jusqu_3_mois"): 1,
    (EV, "total", "all", "debt_months", "jusqu_3_mois"): 2,
    (EV, "total", "all", "debt_months", "plus_de_6_mois"): 1,
    (EV, "total", "all", "debt_months", "inconnu"): 1,
    # --- the info line: first contacts only (the solo in January, H1 in February).
    (INFO, "2026-01", "lens-henin", "first_contacts", ""): 1,
    (INFO, "2026-01", "all", "first_contacts", ""): 1,
    (INFO, "2026-02", "lens-henin", "first_contacts", ""): 1,
    (INFO, "2026-02", "all", "first_contacts", ""): 1,
    (INFO, "total", "lens-henin", "first_contacts", ""): 2,
    (INFO, "total", "all", "first_contacts", ""): 2,
}


def test_the_hand_counted_table():
    figures = build(RECORDS, ["2026-01", "2026-02"])
    got = {(f.mission, f.period, f.territory, f.indicator, f.category): f.value for f in figures}
    assert got == EXPECTED
    assert len(figures) == len(got)  # one row a cell


def test_a_household_latest_debt_counts_once_per_period():
    records = [
        rec("H", EV, date(2026, 1, 5), 1, "artois", "impaye", "100"),
        rec("H", EV, date(2026, 1, 25), 2, "calaisis", "impaye", "300"),
        rec("H", EV, date(2026, 2, 5), 3, "calaisis", "impaye"),
    ]
    got = {
        (f.period, f.territory, f.indicator): f.value
        for f in build(records, ["2026-01", "2026-02"])
        if f.indicator.startswith(("household_debt", "households_debt"))
    }
    assert got == {
        ("2026-01", "calaisis", "households_debt_known"): 1,
        ("2026-01", "all", "households_debt_known"): 1,
        ("2026-01", "calaisis", "household_debt_sum"): Decimal("300"),
        ("2026-01", "all", "household_debt_sum"): Decimal("300"),
        ("2026-01", "calaisis", "household_debt_median"): Decimal("300"),
        ("2026-01", "all", "household_debt_median"): Decimal("300"),
        ("total", "calaisis", "households_debt_known"): 1,
        ("total", "all", "households_debt_known"): 1,
        ("total", "calaisis", "household_debt_sum"): Decimal("300"),
        ("total", "all", "household_debt_sum"): Decimal("300"),
        ("total", "calaisis", "household_debt_median"): Decimal("300"),
        ("total", "all", "household_debt_median"): Decimal("300"),
    }


@pytest.mark.parametrize(
    "debt,rent,band",
    [
        ("1500", "500", "jusqu_3_mois"),  # 3 months: up to 3 included
        ("1501", "500", "de_3_a_6_mois"),
        ("3000", "500", "de_3_a_6_mois"),  # 6 included
        ("3001", "500", "plus_de_6_mois"),
        ("0", "500", "jusqu_3_mois"),
        ("800", None, "inconnu"),
        ("800", "0", "inconnu"),  # a rent of 0 names no rent
    ],
)
def test_months_of_arrears_bands(debt, rent, band):
    assert months_band(Decimal(debt), None if rent is None else Decimal(rent)) == band
