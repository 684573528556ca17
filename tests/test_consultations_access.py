"""A household page, the form beside it and the household finder follow the rule of the
consultations themselves: a jurist reads only what belongs to their mission(s); a manager reads all."""

import re
from datetime import date
from decimal import Decimal

import pytest
from conftest import csrf_token

EVICTION_TRACES = ("4\u202f321", "4 321", "Jugement", "02/10/2026", "Trêve", "trêve", "Prévention des expulsions")


@pytest.fixture
def mixed_household(app, make_household, make_consultation):
    """An eviction consultation (judgment, debt 4 321 €, 2 October 2026) and an information one."""
    app.config["FIXED_NOW"] = "2026-11-28T10:00"  # inside the winter truce: the notice would show
    household = make_household(name="Famille Mixte", phone="+33633445566")
    eviction = make_consultation(
        household=household,
        mission="prevention_expulsion",
        date=date(2026, 10, 2),
        procedure_stage="jugement",
        debt_amount=Decimal("4321"),
    )
    info = make_consultation(household=household, mission="info_logement", date=date(2026, 11, 3))
    return household, eviction, info


def assert_no_eviction_trace(page: str, eviction_id: int) -> None:
    for trace in EVICTION_TRACES:
        assert trace not in page, trace
    assert not re.search(rf"/consultations/{eviction_id}\b", page)


def test_info_jurist_reads_only_the_information_side_of_the_household_page(client, make_user, login, mixed_household):
    household, eviction, info = mixed_household
    login(make_user("jurist", missions=("info_logement",)))
    response = client.get(f"/households/{household.id}")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert_no_eviction_trace(page, eviction.id)
    assert "Famille Mixte" in page and f"/consultations/{info.id}" in page and "03/11/2026" in page
    assert "Aucune étape de procédure enregistrée." in page


def test_info_jurist_sees_nothing_of_the_eviction_beside_the_form(client, make_user, login, mixed_household):
    household, eviction, info = mixed_household
    login(make_user("jurist", missions=("info_logement",)))
    response = client.get(f"/consultations/new?household={household.id}")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    # The form's own choices name every stage and mission: what the household shows is what follows.
    shown = re.sub(r'<select.*?</select>|<fieldset id="case-block".*?</details>\s*</fieldset>', "", page, flags=re.S)
    assert_no_eviction_trace(shown, eviction.id)
    assert f"/consultations/{info.id}" in shown
    edit = client.get(f"/consultations/{info.id}/edit").get_data(as_text=True)
    aside = edit.split('id="history-title"')[1]
    assert_no_eviction_trace(aside, eviction.id)
    assert "Aucune étape de procédure enregistrée." in aside
    stages = re.search(r'<select[^>]*id="procedure_stage".*?</select>', page, re.S).group(0)
    assert re.findall(r'<option selected value="([^"]*)"', stages) in ([], [""])  # no stage prefilled
    debt = re.search(r'<input[^>]*id="debt_amount"[^>]*>', page).group(0)
    assert 'value=""' in debt or "value=" not in debt


def test_the_finder_counts_only_readable_consultations(client, make_user, login, mixed_household):
    household, _, _ = mixed_household
    login(make_user("jurist", missions=("info_logement",)))
    token = csrf_token(client, "/consultations/new")
    page = client.post("/consultations/new", data={"find": "1", "q": "Mixte", "csrf_token": token}).get_data(
        as_text=True
    )
    assert "Famille Mixte" in page and "1 consultation(s)" in page and "2 consultation(s)" not in page


@pytest.mark.parametrize("role,missions", [("jurist", ("prevention_expulsion",)), ("manager", ())])
def test_eviction_jurist_and_manager_see_the_procedure(client, make_user, login, mixed_household, role, missions):
    household, eviction, info = mixed_household
    login(make_user(role, missions=missions))
    page = client.get(f"/households/{household.id}").get_data(as_text=True)
    assert "Jugement" in page and "4\u202f321,00" in page and "Trêve hivernale" in page
    assert f"/consultations/{eviction.id}" in page
    assert (f"/consultations/{info.id}" in page) == (role == "manager")
