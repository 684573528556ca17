"""The winter truce notice on a household whose procedure reached enforcement."""
from datetime import date

import pytest

from hotline.consultations.procedure import truce_notice, winter_truce


@pytest.mark.parametrize("day,period", [
    (date(2026, 11, 28), (date(2026, 11, 1), date(2027, 3, 31))),
    (date(2027, 2, 10), (date(2026, 11, 1), date(2027, 3, 31))),
    (date(2027, 3, 31), (date(2026, 11, 1), date(2027, 3, 31))),
    (date(2027, 4, 1), (date(2027, 11, 1), date(2028, 3, 31))),
])
def test_the_truce_around_a_day(day, period):
    assert winter_truce(day) == period


def test_notices_by_stage_and_season():
    assert truce_notice("commandement_quitter", date(2026, 12, 15)) == (
        "Trêve hivernale jusqu'au 31/03/2027 : l'expulsion ne peut pas être exécutée avant le 01/04/2027 "
        "(art. L412-6 du code des procédures civiles d'exécution).")
    assert truce_notice("jugement", date(2026, 9, 15)).startswith("La trêve hivernale commence le 01/11/2026")
    assert truce_notice("jugement", date(2026, 6, 15)) is None  # far from November
    assert truce_notice("assignation", date(2026, 12, 15)) is None  # no eviction to carry out yet
    assert truce_notice(None, date(2026, 12, 15)) is None


def test_the_household_page_shows_it(app, client, jurist, login, make_household, make_consultation):
    family = make_household(name="Famille Durand")
    make_consultation(household=family, mission="prevention_expulsion", date=date(2026, 10, 2),
                      procedure_stage="commandement_quitter")
    app.config["FIXED_NOW"] = "2026-11-28T10:00"
    login(jurist)
    page = client.get(f"/households/{family.id}").get_data(as_text=True)
    assert "Trêve hivernale jusqu&#39;au 31/03/2027" in page
