"""The refusal page (403) names the real reason: the reader's role when the page is not for that role, the
mission when the record belongs to a mission the reader does not hold."""

from __future__ import annotations

from test_agenda_grid import tree

EVICTION_NAME = "« Prévention des expulsions locatives (numéro vert) »"
INFO_NAME = "« Information sur le logement et l'habitat »"


def refusal(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 403
    page = tree(response.get_data(as_text=True))
    return page.all("main")[0].all("p")[0].text()


def test_a_jurist_of_another_mission_is_told_the_mission(client, login, make_user, make_household, make_consultation):
    household = make_household(name="Famille Dupont")
    consultation = make_consultation(household=household, mission="prevention_expulsion", themes=["impayes_expulsion"])
    login(make_user("jurist", missions=("info_logement",)))
    expected = f"Cette page est réservée aux juristes de la mission {EVICTION_NAME}."
    assert refusal(client, f"/consultations/{consultation.id}") == expected
    assert refusal(client, f"/households/{household.id}") == expected
    assert refusal(client, f"/households/{household.id}/fiche") == expected


def test_an_eviction_jurist_is_told_the_households_mission(client, login, make_user, make_household, make_consultation):
    household = make_household(name="Famille Martin")
    make_consultation(household=household, mission="info_logement")
    login(make_user("jurist", missions=("prevention_expulsion",)))
    expected = f"Cette page est réservée aux juristes de la mission {INFO_NAME}."
    assert refusal(client, f"/households/{household.id}") == expected
    assert refusal(client, f"/households/{household.id}/fiche") == expected


def test_a_role_that_does_not_open_the_page_is_told_the_role(client, login, make_user, make_consultation):
    consultation = make_consultation()
    login(make_user("manager"))
    assert refusal(client, "/admin/users/") == (
        "Cette page n'est pas ouverte à votre rôle (responsable) : elle est réservée au rôle administrateur."
    )
    assert refusal(client, f"/consultations/{consultation.id}/edit") == (
        "Cette page n'est pas ouverte à votre rôle (responsable) : elle est réservée au rôle juriste."
    )


def test_an_administrator_reading_households_is_told_the_role(client, login, make_user):
    login(make_user("admin"))
    expected = (
        "Cette page n'est pas ouverte à votre rôle (administrateur) : "
        "elle est réservée aux rôles juriste et responsable."
    )
    assert refusal(client, "/consultations/") == expected
    assert refusal(client, "/households/") == expected
    assert "rôle" in refusal(client, "/agenda/")
