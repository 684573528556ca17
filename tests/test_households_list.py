"""The "Ménages" list: the households a reader may read, the most recently consulted first, a page at a
time, filtered by territory, mission, stage and next legal deadline (readers of the eviction mission only),
read back as a table; bad filters are ignored, never a 500."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_agenda_grid import tree

from hotline.cases import services as cases
from hotline.consultations.models import Consultation, Household
from hotline.extensions import db

EVICTION, INFO = "prevention_expulsion", "info_logement"


def table(html: str) -> list[dict[str, str]]:
    """The list's rows, each as {column: text}."""
    page = tree(html)
    found = page.by_id("households")
    heads = [th.text() for th in found.all("th")]
    return [
        {head: td.text() for head, td in zip(heads, tr.all("td"), strict=False)}
        for tr in found.all("tbody")[0].all("tr")
        if len(tr.all("td")) > 1
    ]


@pytest.fixture
def households(app, make_household, make_consultation):
    """Thirty information households of Lens-Hénin, one consulted each day of November (the 30th last);
    an eviction household of the Calaisis seen on 3 November whose commandement de payer (served 2
    November, lease date unknown) gives a deadline on 14 December, and another one, at the audience
    stage, without acts."""
    made = []
    for n in range(30):
        h = make_household(name=f"Ménage {n + 1:02d}", phone=f"+336123456{n:02d}")
        make_consultation(household=h, date=date(2026, 11, 1) + timedelta(days=n))
        made.append(h)
    evicted = {}
    for name, day, stage in (
        ("Famille Échéance", date(2026, 11, 3), "commandement_payer"),
        ("Famille Audience", date(2026, 10, 1), "audience"),
    ):
        household = make_household(name=name)
        evicted[name] = (
            household,
            make_consultation(
                household=household,
                mission=EVICTION,
                date=day,
                territory_code="calaisis",
                commune_insee="62193",
                procedure_stage=stage,
                themes=["impayes_expulsion"],
            ),
        )
    (followed, consultation), (quiet, _) = evicted["Famille Échéance"], evicted["Famille Audience"]
    with app.app_context():
        cases.record_acts(
            db.session.get(Household, followed.id),
            db.session.get(Consultation, consultation.id),
            {"commandement_payer": date(2026, 11, 2)},
        )
        db.session.commit()
    app.config["FIXED_NOW"] = "2026-12-07T10:00"
    return {"info": made, "followed": followed, "quiet": quiet}


def test_a_manager_reads_every_household_recent_first_a_page_at_a_time(client, login, make_user, households):
    login(make_user("manager"))
    first = client.get("/households/").get_data(as_text=True)
    rows = table(first)
    assert len(rows) == 25
    assert [r["Ménage"] for r in rows[:3]] == ["Ménage 30", "Ménage 29", "Ménage 28"]
    assert rows[0]["Dernière consultation"] == "30/11/2026" and rows[0]["Territoire"] == "Lens-Hénin"
    assert rows[0]["Téléphone"] == "06 12 34 56 29"
    assert "Page 1 sur 2 (32 résultats)" in tree(first).text()
    second = table(client.get("/households/?page=2").get_data(as_text=True))
    assert [r["Ménage"] for r in second] == [
        "Ménage 05",
        "Ménage 04",
        "Famille Échéance",  # 3 November
        "Ménage 03",
        "Ménage 02",
        "Ménage 01",
        "Famille Audience",
    ]
    echeance = next(r for r in second if r["Ménage"] == "Famille Échéance")
    assert echeance["Prochaine échéance"] == "14/12/2026 Fin du délai pour payer (clause résolutoire)"
    assert echeance["Stade"] == "Commandement de payer visant la clause résolutoire"
    assert echeance["Missions"] == "Prévention des expulsions locatives (numéro vert)"


def test_filters_by_territory_mission_stage_and_next_deadline_keep_their_values(
    app, client, login, make_user, households
):
    login(make_user("manager"))

    def names(query):
        html = client.get(f"/households/?{query}").get_data(as_text=True)
        return [r["Ménage"] for r in table(html)], tree(html)

    found, page = names("territory=calaisis")
    assert found == ["Famille Échéance", "Famille Audience"]
    assert page.by_id("f-territory").all("option")[0].attrs.get("selected") is None
    assert [o.attrs["value"] for o in page.by_id("f-territory").all("option") if "selected" in o.attrs] == ["calaisis"]
    assert names(f"mission={EVICTION}")[0] == ["Famille Échéance", "Famille Audience"]
    assert names("stage=audience")[0] == ["Famille Audience"]
    assert names("deadline=15")[0] == ["Famille Échéance"]  # 14 December is 7 days away
    app.config["FIXED_NOW"] = "2026-11-20T10:00"  # 24 days away
    assert names("deadline=15")[0] == [] and names("deadline=30")[0] == ["Famille Échéance"]
    app.config["FIXED_NOW"] = "2026-12-07T10:00"
    assert names("deadline=tout&territory=lens-henin")[0] == []
    found, page = names(f"mission={INFO}&territory=calaisis")
    assert found == [] and "Aucun ménage pour ces filtres." in page.text()
    # The pager keeps the filters.
    html = client.get(f"/households/?mission={INFO}").get_data(as_text=True)
    following = next(a for a in tree(html).all("a") if a.attrs.get("rel") == "next")
    assert f"mission={INFO}" in following.attrs["href"] and "page=2" in following.attrs["href"]


def test_a_jurist_lists_only_their_missions_households_without_deadlines(client, login, make_user, households):
    login(make_user("jurist", missions=(INFO,)))
    html = client.get("/households/?mission=prevention_expulsion&deadline=15").get_data(as_text=True)
    page = tree(html)
    rows = table(html)
    assert len(rows) == 25 and all(r["Missions"] == "Information sur le logement et l'habitat" for r in rows)
    assert "Prochaine échéance" not in [th.text() for th in page.all("th")]
    assert [o.attrs["value"] for o in page.by_id("f-mission").all("option")] == ["", INFO]
    assert not [n for n in page.all("select") if n.attrs.get("id") == "f-deadline"]
    assert "Page 1 sur 2 (30 résultats)" in page.text()


def test_an_eviction_jurist_sees_the_deadline_and_the_search_still_works(client, login, make_user, households):
    from conftest import csrf_token

    login(make_user("jurist", missions=(EVICTION,)))
    rows = table(client.get("/households/").get_data(as_text=True))
    assert [r["Ménage"] for r in rows] == ["Famille Échéance", "Famille Audience"]
    assert rows[0]["Prochaine échéance"].startswith("14/12/2026") and rows[1]["Prochaine échéance"] == "—"
    token = csrf_token(client, "/households/")
    html = client.post("/households/", data={"q": "audience", "csrf_token": token}).get_data(as_text=True)
    assert [li.all("a")[0].text() for li in tree(html).by_id("matches").all("li")] == ["Famille Audience"]
    assert len(table(html)) == 2  # the list stays under the search's results


def test_junk_filters_and_a_page_beyond_the_last_are_said_in_french(client, login, make_user, households):
    login(make_user("manager"))
    html = client.get("/households/?territory=nulle-part&mission=lens-henin&stage=audience&page=7").get_data(
        as_text=True
    )
    page = tree(html)
    notes = [p.text() for p in page.all("p") if "list-note" in p.attrs.get("class", "")]
    assert notes == [
        "Territoire : choix inconnu, filtre ignoré.",
        "Mission : choix inconnu, filtre ignoré.",
        "La page 7 n'existe pas : la liste tient en une page, la voici.",
    ]
    assert [r["Ménage"] for r in table(html)] == ["Famille Audience"]  # the stage still applies
    assert [o.attrs["value"] for o in page.by_id("f-stage").all("option") if "selected" in o.attrs] == ["audience"]
    html = client.get("/households/?page=3").get_data(as_text=True)
    assert [r["Ménage"] for r in table(html)][-1] == "Famille Audience"  # the last of 32, on page 2
    assert "La page 3 n'existe pas : voici la dernière, la page 2." in tree(html).text()
    assert "n'existe pas" not in tree(client.get("/households/?page=2").get_data(as_text=True)).text()


def test_an_administrator_is_refused(client, login, make_user):
    login(make_user("admin"))
    assert client.get("/households/").status_code == 403


@pytest.fixture
def as_manager(login, make_user):
    login(make_user("manager"))


def queries(*names: str):
    """Query strings of any of these parameters, each with any text."""
    return st.dictionaries(
        st.sampled_from(names), st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=12)
    )


ONE_APP = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@ONE_APP
@given(query=queries("territory", "mission", "stage", "deadline", "page"))
def test_any_filter_in_the_address_shows_a_page(client, as_manager, query):
    assert client.get("/households/", query_string=query).status_code == 200


def test_the_mission_filter_names_each_mission_short_enough_for_a_phone():
    from hotline.consultations.household_list import mission_choices

    missions = {
        EVICTION: "Prévention des expulsions locatives (numéro vert)",
        INFO: "Information (logement) et habitat",
    }
    assert mission_choices(missions, None) == {
        EVICTION: "Prévention des expulsions locatives",
        INFO: "Information (logement) et habitat",  # a parenthesis inside the name stays
    }
    assert mission_choices(missions, [INFO]) == {INFO: "Information (logement) et habitat"}
