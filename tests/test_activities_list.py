"""The "Activités" page: the activities newest first, a page at a time, filtered by who, what, when and
where, the filters kept in the pager's links; a wrong filter is said at its field ("filtre ignoré"), the
others still apply; a page beyond the last shows the last, with a note."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from test_agenda_grid import tree
from test_households_list import ONE_APP, as_manager, queries  # noqa: F401 (as_manager: a fixture)

from hotline.activities.models import Activity
from hotline.extensions import db


@pytest.fixture
def activities(app, make_user):
    """Sixty activities of Anne (CCAPEX in Lens-Hénin, one a day from 1 September) and three of Bruno
    (articles in the Calaisis, in October)."""
    anne, bruno = make_user("jurist", name="Anne Ccapex"), make_user("jurist", name="Bruno Article")
    with app.app_context():
        for n in range(60):
            db.session.add(
                Activity(
                    date=date(2026, 9, 1) + timedelta(days=n),
                    mission="prevention_expulsion",
                    activity_type="ccapex",
                    territory_code="lens-henin",
                    title=f"CCAPEX n° {n + 1}",
                    created_by_id=anne.id,
                )
            )
        for n in range(3):
            db.session.add(
                Activity(
                    date=date(2026, 10, 10 + n),
                    mission="info_logement",
                    activity_type="article",
                    territory_code="calaisis",
                    title=f"Article n° {n + 1}",
                    created_by_id=bruno.id,
                )
            )
        db.session.commit()
    return {"anne": anne, "bruno": bruno}


def titles(html: str) -> list[str]:
    rows = tree(html).by_id("activities").all("tbody")[0].all("tr")
    return [tr.all("td")[2].text() for tr in rows if len(tr.all("td")) > 1]


def test_the_list_is_paginated_newest_first(client, login, make_user, activities):
    login(make_user("manager"))
    html = client.get("/activities/").get_data(as_text=True)
    found = titles(html)
    assert len(found) == 25 and found[0] == "CCAPEX n° 60" and found[1] == "CCAPEX n° 59"
    assert "Page 1 sur 3 (63 résultats)" in tree(html).text()
    last = titles(client.get("/activities/?page=3").get_data(as_text=True))
    assert last[-1] == "CCAPEX n° 1" and len(last) == 13


def test_filters_by_who_what_when_and_where_are_kept_in_the_pager(client, login, make_user, activities):
    login(make_user("manager"))
    bruno = activities["bruno"].id
    assert titles(client.get(f"/activities/?f-author={bruno}").get_data(as_text=True)) == [
        "Article n° 3",
        "Article n° 2",
        "Article n° 1",
    ]
    assert len(titles(client.get("/activities/?f-activity_type=article").get_data(as_text=True))) == 3
    assert titles(client.get("/activities/?f-territory=calaisis&f-date_to=2026-10-11").get_data(as_text=True)) == [
        "Article n° 2",
        "Article n° 1",
    ]
    html = client.get("/activities/?f-mission=prevention_expulsion&f-date_from=2026-09-15").get_data(as_text=True)
    assert "Page 1 sur 2 (46 résultats)" in tree(html).text()
    following = next(a for a in tree(html).all("a") if a.attrs.get("rel") == "next").attrs["href"]
    assert "f-date_from=2026-09-15" in following and "f-mission=prevention_expulsion" in following
    page = tree(html)
    assert page.by_id("f-date_from").attrs["value"] == "2026-09-15"  # the values are kept


def test_a_wrong_filter_is_said_and_the_others_still_apply(client, login, make_user, activities):
    login(make_user("manager"))
    html = client.get(
        "/activities/?f-territory=calaisis&f-date_from=2026-10-12&f-date_to=2026-10-01&f-mission=nimporte"
    ).get_data(as_text=True)
    page = tree(html)
    assert titles(html) == ["Article n° 3"]  # from 12 October, in the Calaisis
    assert page.by_id("f-date_to-err").text() == "La date de fin précède la date de début : filtre ignoré."
    assert page.by_id("f-date_to").attrs["value"] == "2026-10-01"
    assert page.by_id("f-mission-err").text() == "N'est pas un choix valide : filtre ignoré."
    # A date that is none: said, what was typed kept.
    page = tree(client.get("/activities/?f-date_from=2026-02-31&f-territory=calaisis").get_data(as_text=True))
    assert page.by_id("f-date_from-err").text() == "N'est pas une date valide : filtre ignoré."
    assert page.by_id("f-date_from").attrs["value"] == "2026-02-31"


def test_a_page_beyond_the_last_shows_the_last_with_a_note(client, login, make_user, activities):
    login(make_user("manager"))
    html = client.get("/activities/?f-territory=lens-henin&page=9").get_data(as_text=True)
    assert titles(html)[-1] == "CCAPEX n° 1" and len(titles(html)) == 10  # the third page of 60
    page = tree(html)
    assert "La page 9 n'existe pas : voici la dernière, la page 3." in page.text()
    assert "Page 3 sur 3 (60 résultats)" in page.text()
    assert [o.attrs["value"] for o in page.by_id("f-territory").all("option") if "selected" in o.attrs] == [
        "lens-henin"
    ]
    one = tree(client.get("/activities/?f-author=" + str(activities["bruno"].id) + "&page=2").get_data(as_text=True))
    assert "La page 2 n'existe pas : la liste tient en une page, la voici." in one.text()
    assert "Aucune activité" not in one.text()
    assert "n'existe pas" not in tree(client.get("/activities/?page=3").get_data(as_text=True)).text()


def test_a_jurist_records_an_activity_and_finds_it_first(client, login, make_user, activities):
    from conftest import csrf_token

    jurist = make_user("jurist", missions=("info_logement",))
    login(jurist)
    response = client.post(
        "/activities/",
        data={
            "csrf_token": csrf_token(client, "/activities/"),
            "date": "2026-11-30",
            "mission": "info_logement",
            "activity_type": "article",
            "territory": "calaisis",
            "title": "Article du mois",
        },
    )
    assert response.status_code == 302
    assert titles(client.get("/activities/").get_data(as_text=True))[0] == "Article du mois"


@ONE_APP
@given(query=queries("f-date_from", "f-date_to", "f-activity_type", "f-mission", "f-territory", "f-author", "page"))
def test_any_filter_in_the_address_shows_a_page(client, as_manager, query):
    assert client.get("/activities/", query_string=query).status_code == 200
