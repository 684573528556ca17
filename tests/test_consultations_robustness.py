"""Never a 500 on the consultation pages: unknown codes, identifiers of any length, and two jurists
saving the same consultation at once. Each bad input gets a French message, the form keeps what was
typed, and nothing is written."""

import html
import re
import threading
from decimal import Decimal

import pytest
from conftest import PASSWORD, csrf_token
from sqlalchemy import func, select
from test_consultations import form_data

from hotline.consultations import services
from hotline.consultations.models import Consultation, ConsultationRevision, Household
from hotline.core.ids import MAX_ID, parse_id
from hotline.extensions import db

HUGE = ["9" * 20, "9" * 5000, str(MAX_ID + 1), "２０", "-1", "0", "1e3", " 1"]


def counts(app) -> tuple[int, int, int]:
    with app.app_context():
        return tuple(
            db.session.scalar(select(func.count()).select_from(model))
            for model in (Consultation, Household, ConsultationRevision)
        )


def page_of(response) -> str:
    assert response.status_code == 200, response.status_code
    return html.unescape(response.get_data(as_text=True))


def assert_form_kept(page: str) -> None:
    assert "Rappeler après la commission FSL." in page
    assert re.search(r'value="saisine_fsl"[^>]*checked|checked[^>]*value="saisine_fsl"', page)


def test_parse_id():
    assert [parse_id(text) for text in ("1", "42", str(MAX_ID), 7)] == [1, 42, MAX_ID, 7]
    assert [parse_id(text) for text in [None, "", *HUGE, "1.0", "0x10", "1\n", True]] == [None] * 14


# --- unknown codes in the multiple-choice fields ----------------------------------------------------------

MULTI_FIELDS = ["themes", "outcomes", "resource_types", "debt_origins"]


@pytest.mark.parametrize("field", MULTI_FIELDS)
def test_an_unknown_code_in_a_new_consultation(client, jurist, login, app, field):
    login(jurist)
    data = form_data(client)
    data[field] = [*data[field], "unknown"] if field != "outcomes" else ["unknown", *data[field]]
    page = page_of(client.post("/consultations/new", data=data))
    fieldset = re.search(rf'<fieldset class="checks[^"]*has-error" id="{field}">.*?</fieldset>', page, re.S)
    assert fieldset and "Valeur inconnue : unknown." in fieldset.group(0)
    assert 'value="Famille Durand"' in page
    assert_form_kept(page)
    assert counts(app) == (0, 0, 0)


@pytest.mark.parametrize("field", MULTI_FIELDS)
def test_an_unknown_code_in_an_edit(client, jurist, login, app, make_consultation, field):
    c = make_consultation(mission="prevention_expulsion", procedure_stage="impaye", debt_amount=Decimal("100"))
    login(jurist)
    url = f"/consultations/{c.id}/edit"
    data = form_data(client, url=url, version="1", commune="62498")
    data[field] = [*data[field], "unknown"]
    page = page_of(client.post(url, data=data))
    assert "Valeur inconnue : unknown." in page
    assert_form_kept(page)
    with app.app_context():
        saved = db.session.get(Consultation, c.id)
        assert (saved.version, saved.notes, saved.revisions) == (1, None, [])


# --- identifiers -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("text", HUGE)
def test_household_and_call_in_the_address(client, jurist, login, text):
    login(jurist)
    missing = client.get(f"/consultations/new?household={text}")
    assert missing.status_code == 404 and "Page introuvable" in missing.get_data(as_text=True)
    page = page_of(client.get(f"/consultations/new?call={text}"))
    assert "Appel introuvable" in page and 'id="consultation-form"' in page


@pytest.mark.parametrize("name,message", [("household_id", "Ménage introuvable"), ("call_id", "Appel introuvable")])
@pytest.mark.parametrize("text", HUGE)
def test_household_and_call_in_the_posted_form(client, jurist, login, app, name, message, text):
    login(jurist)
    page = page_of(client.post("/consultations/new", data=form_data(client, **{name: text})))
    assert message in page
    assert_form_kept(page)
    assert counts(app) == (0, 0, 0)


@pytest.mark.parametrize("text", [*HUGE, "", "2"])
def test_a_wrong_version_is_a_conflict(client, jurist, login, app, make_consultation, text):
    c = make_consultation(mission="prevention_expulsion")
    login(jurist)
    url = f"/consultations/{c.id}/edit"
    page = page_of(client.post(url, data=form_data(client, url=url, version=text, commune="62498")))
    assert "Rechargez la page" in page
    assert_form_kept(page)
    with app.app_context():
        assert db.session.get(Consultation, c.id).version == 1
    assert counts(app) == (1, 0, 0)


@pytest.mark.parametrize("text, status", [("9" * 20, 404), ("9" * 5000, 404), ("１", 200), ("-3", 200), ("0", 200)])
def test_any_page_number(client, jurist, login, make_consultation, text, status):
    make_consultation()
    login(jurist)
    assert client.get(f"/consultations/?page={text}").status_code == status


# --- two jurists saving the same version --------------------------------------------------------------------


def test_interleaved_saves_of_the_same_version(app, make_consultation, make_user):
    """Both load version 1; the first commits; the second's save is the conflict, whatever it changed
    (here only codes, which do not touch the consultation's row)."""
    c = make_consultation(mission="info_logement", themes=["rapports_locatifs"])
    author = make_user("jurist")
    with app.app_context():
        first = db.session.get(Consultation, c.id)
        with app.app_context():  # a second session, as in a second request
            second = db.session.get(Consultation, c.id)
            assert second is not first and second.version == first.version == 1
        services.update_consultation(first, {"notes": "Premier"}, author.id, 1)
        db.session.commit()
        with app.app_context():
            second = db.session.merge(second, load=False)
            with pytest.raises(services.ConflictError, match="modifiée par quelqu'un d'autre"):
                services.update_consultation(second, {"themes": ["copropriete"]}, author.id, 1)
            db.session.rollback()
    with app.app_context():
        saved = db.session.get(Consultation, c.id)
        assert (saved.version, saved.notes, saved.themes) == (2, "Premier", ["rapports_locatifs"])
        assert len(saved.revisions) == 1


def logged_in_client(app, user):
    client = app.test_client()
    token = csrf_token(client, "/login")
    assert (
        client.post("/login", data={"email": user.email, "password": PASSWORD, "csrf_token": token}).status_code == 302
    )
    return client


def test_two_jurists_save_at_once(app, make_user, make_consultation, monkeypatch):
    """Two requests, two threads: exactly one saves, the other gets the conflict message, every round. On
    PostgreSQL both have read version n and pass the version check before either writes; on SQLite a
    posted request takes the write lock at its first statement (BEGIN IMMEDIATE), so the second one waits
    for the first to commit and then reads version n + 1 (a barrier would hold them both forever)."""
    c = make_consultation(mission="prevention_expulsion")
    clients = [logged_in_client(app, make_user("jurist")) for _ in range(2)]
    url = f"/consultations/{c.id}/edit"
    both_read = threading.Barrier(2, timeout=10)
    real_update = services.update_consultation

    def update_after_both_read(*args, **kwargs):
        if db.engine.dialect.name == "postgresql":
            both_read.wait()
        return real_update(*args, **kwargs)

    monkeypatch.setattr(services, "update_consultation", update_after_both_read)
    for version in range(1, 6):
        posts = [
            form_data(client, url=url, version=str(version), commune="62498", debt_amount=f"{n}00{version}")
            for n, client in enumerate(clients, start=1)
        ]
        outcomes: list = [None, None]

        def save(n, posts=posts, outcomes=outcomes):  # bound now: the threads run in this turn
            try:
                response = clients[n].post(url, data=posts[n])
                outcomes[n] = response.status_code, html.unescape(response.get_data(as_text=True))
            except Exception as error:  # a 500 propagates in tests
                outcomes[n] = error

        threads = [threading.Thread(target=save, args=(n,)) for n in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
        assert all(isinstance(outcome, tuple) for outcome in outcomes), outcomes
        assert sorted(status for status, _ in outcomes) == [200, 302]
        loser = next(page for status, page in outcomes if status == 200)
        assert "modifiée par quelqu'un d'autre" in loser
        winner = next(n for n, (status, _) in enumerate(outcomes) if status == 302)
        with app.app_context():
            saved = db.session.get(Consultation, c.id)
            assert saved.version == version + 1
            assert saved.debt_amount == Decimal(f"{winner + 1}00{version}")
            assert len(saved.revisions) == version


# --- control characters (PostgreSQL refuses NUL) ---------------------------------------------------------------


@pytest.mark.parametrize("field", ["household_name", "household_phone", "commune", "debt_amount", "notes"])
def test_an_invisible_character_in_the_form(client, jurist, login, app, field):
    login(jurist)
    page = page_of(client.post("/consultations/new", data=form_data(client, **{field: "Lens\x00"})))
    assert re.search(rf'id="{field}-err">Ce champ contient un caractère invisible', page)
    assert counts(app) == (0, 0, 0)


def test_an_invisible_character_in_a_household_or_a_search(
    client, jurist, login, app, make_household, make_consultation
):
    household = make_household(name="Famille Nette")
    make_consultation(household=household)
    login(jurist)
    url = f"/households/{household.id}/edit"
    page = page_of(
        client.post(url, data={"csrf_token": csrf_token(client, url), "name": "Famille\x00", "commune": "Arras\x00"})
    )
    assert 'id="name-err">Ce champ contient un caractère invisible' in page
    assert 'id="commune-err">Ce champ contient un caractère invisible' in page
    with app.app_context():
        assert db.session.get(Household, household.id).name == "Famille Nette"
    token = csrf_token(client, "/households/")
    assert "Famille Nette" in page_of(client.post("/households/", data={"q": "Nette\x00", "csrf_token": token}))
    found = client.post("/consultations/new", data={"find": "1", "q": "\x00Nette", "csrf_token": token})
    assert "Famille Nette" in page_of(found)
