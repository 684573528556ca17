"""Administration pages: accounts, roster, opening hours."""

import pytest
from conftest import PASSWORD, csrf_token
from html_forms import version_of
from hypothesis import example, given
from hypothesis import strategies as st
from sqlalchemy import select
from test_households_list import ONE_APP

from hotline.auth.models import User
from hotline.core.opening import Closure, OpeningHours
from hotline.extensions import db
from hotline.permanences.models import DutyShift


def test_admin_creates_a_jurist_with_scope_and_phone(client, make_user, login, app):
    login(make_user("admin"))
    data = {
        "csrf_token": csrf_token(client, "/admin/users/new"),
        "email": "nouvelle@example.org",
        "name": "Nina Nouvelle",
        "role": "jurist",
        "phone": "03 21 00 00 00",
        "missions": ["prevention_expulsion"],
        "territories": ["calaisis", "boulonnais"],
        "active": "y",
        "password": PASSWORD,
    }
    response = client.post("/admin/users/new", data=data)
    assert response.status_code == 302
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == "nouvelle@example.org"))
        assert user.phone == "+33321000000"
        assert user.missions == ["prevention_expulsion"]
        assert user.territories == ["boulonnais", "calaisis"]


def test_bad_phone_and_weak_password_are_shown_at_their_field(client, make_user, login):
    login(make_user("admin"))
    data = {
        "csrf_token": csrf_token(client, "/admin/users/new"),
        "email": "x@example.org",
        "name": "X",
        "role": "jurist",
        "phone": "0800",
        "missions": ["info_logement"],
        "password": PASSWORD,
    }
    page = client.post("/admin/users/new", data=data).get_data(as_text=True)
    assert 'id="phone-err"' in page and 'value="x@example.org"' in page
    data.update(phone="", password="azertyuiop123", csrf_token=csrf_token(client, "/admin/users/new"))
    page = client.post("/admin/users/new", data=data).get_data(as_text=True)
    assert 'id="password-err">Ce mot de passe est trop courant' in page


def test_admin_disables_and_changes_role(client, make_user, login, app):
    login(make_user("admin"))
    target = make_user("jurist")
    url = f"/admin/users/{target.id}"
    data = {
        "csrf_token": csrf_token(client, url),
        "name": "Nouveau Nom",
        "role": "manager",
        "phone": "",
        "email": target.email,
        "version": version_of(client, url),
    }
    assert client.post(url, data=data).status_code == 302
    with app.app_context():
        user = db.session.get(User, target.id)
        assert (user.name, user.role, user.active, user.missions) == ("Nouveau Nom", "manager", False, [])


def test_roster_and_hours_pages(client, make_user, login, app):
    login(make_user("admin"))
    jurist = make_user("jurist", phone="+33612345678", name="Jules")
    no_phone = make_user("jurist", name="Sans Téléphone")
    assert client.get("/admin/roster/").status_code == 200
    token = csrf_token(client, "/permanences/duty/new")
    shift = {
        "csrf_token": token,
        "user_id": jurist.id,
        "mission": "prevention_expulsion",
        "territory": "boulonnais",
        "weekdays": ["0"],
        "starts": "09:00",
        "ends": "12:00",
        "valid_from": "",
        "valid_until": "",
    }
    assert client.post("/permanences/duty/new", data=shift).status_code == 302
    refused = client.post("/permanences/duty/new", data=shift | {"user_id": no_phone.id}).get_data(as_text=True)
    assert "pas de numéro de téléphone" in refused
    backwards = client.post("/permanences/duty/new", data=shift | {"starts": "14:00", "ends": "10:00"}).get_data(
        as_text=True
    )
    assert "L'heure de fin doit suivre" in backwards.replace("&#39;", "'")
    assert "Jules" in client.get("/admin/roster/").get_data(as_text=True)
    token = csrf_token(client, "/admin/hours/")
    assert (
        client.post(
            "/admin/hours/",
            data={
                "csrf_token": token,
                "h-mission": "info_logement",
                "h-weekday": "5",
                "h-opens": "09:00",
                "h-closes": "12:00",
            },
        ).status_code
        == 302
    )
    overlap = client.post(
        "/admin/hours/",
        data={
            "csrf_token": token,
            "h-mission": "info_logement",
            "h-weekday": "5",
            "h-opens": "11:00",
            "h-closes": "13:00",
        },
    )
    assert "chevauche" in overlap.get_data(as_text=True)
    assert (
        client.post(
            "/admin/hours/",
            data={
                "csrf_token": token,
                "c-mission": "",
                "c-starts_on": "2026-12-24",
                "c-ends_on": "2026-12-26",
                "c-reason": "Fermeture de fin d'année",
            },
        ).status_code
        == 302
    )
    with app.app_context():
        assert db.session.scalar(select(DutyShift)).territory_code == "boulonnais"
        assert db.session.scalar(select(OpeningHours).where(OpeningHours.weekday == 5)).mission == "info_logement"
        assert db.session.scalar(select(Closure)).mission is None


def new_user_data(client, **changes):
    data = {
        "csrf_token": csrf_token(client, "/admin/users/new"),
        "email": "nouvelle@example.org",
        "name": "Nina Nouvelle",
        "role": "jurist",
        "phone": "",
        "missions": ["info_logement"],
        "active": "y",
        "password": PASSWORD,
    }
    data.update(changes)
    return data


def user_count(app) -> int:
    with app.app_context():
        return len(list(db.session.scalars(select(User))))


def test_an_unknown_mission_code_is_a_french_error_and_writes_nothing(client, make_user, login, app):
    login(make_user("admin"))
    before = user_count(app)
    response = client.post("/admin/users/new", data=new_user_data(client, missions=["zz"]))
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Valeur inconnue : zz" in page and 'value="nouvelle@example.org"' in page and 'value="Nina Nouvelle"' in page
    assert user_count(app) == before
    target = make_user("jurist", missions=("info_logement",))
    url = f"/admin/users/{target.id}"
    response = client.post(
        url,
        data={
            "csrf_token": csrf_token(client, url),
            "name": "Autre Nom",
            "role": "jurist",
            "email": target.email,
            "missions": ["zz"],
            "active": "y",
            "version": version_of(client, url),
        },
    )
    assert response.status_code == 200 and "Valeur inconnue : zz" in response.get_data(as_text=True)
    assert 'value="Autre Nom"' in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(User, target.id).name == target.name


def test_a_jurist_needs_a_mission_in_the_admin_form(client, make_user, login, app):
    login(make_user("admin"))
    before = user_count(app)
    data = new_user_data(client)
    del data["missions"]
    page = client.post("/admin/users/new", data=data).get_data(as_text=True)
    assert "au moins une mission" in page.split('id="missions"')[1].split("</fieldset>")[0]  # at its field
    assert 'value="nouvelle@example.org"' in page
    assert user_count(app) == before
    target = make_user("jurist", missions=("info_logement",))
    url = f"/admin/users/{target.id}"
    page = client.post(
        url,
        data={
            "csrf_token": csrf_token(client, url),
            "name": target.name,
            "role": "jurist",
            "email": target.email,
            "active": "y",
            "version": version_of(client, url),
        },
    ).get_data(as_text=True)
    assert "au moins une mission" in page
    with app.app_context():
        assert db.session.get(User, target.id).missions == ["info_logement"]


def test_an_admin_cannot_change_its_own_role_missions_or_disable_itself(
    client, make_user, login, app, make_household, make_consultation
):
    admin = make_user("admin")
    login(admin)
    household = make_household(name="Famille Test")
    make_consultation(household=household)
    url = f"/admin/users/{admin.id}"
    assert "autre administrateur" in client.get(url).get_data(as_text=True)  # said before trying
    for changes in (
        {"role": "manager"},
        {"role": "jurist", "missions": ["info_logement"]},
        {"missions": ["info_logement"]},
        {"active": None},
    ):
        data = {
            "csrf_token": csrf_token(client, url),
            "name": admin.name,
            "role": "admin",
            "email": admin.email,
            "active": "y",
            "version": version_of(client, url),
        } | changes
        response = client.post(url, data={k: v for k, v in data.items() if v is not None})
        assert response.status_code == 200, changes
        assert "Vous ne pouvez ni changer votre propre rôle" in response.get_data(as_text=True), changes
    with app.app_context():
        row = db.session.get(User, admin.id)
        assert (row.role, row.missions, row.active) == ("admin", [], True)
    assert client.get(f"/households/{household.id}").status_code == 403
    assert client.get("/consultations/").status_code == 403


def test_a_second_admin_changes_an_admin(client, make_user, login, app):
    login(make_user("admin"))
    other = make_user("admin")
    url = f"/admin/users/{other.id}"
    response = client.post(
        url,
        data={
            "csrf_token": csrf_token(client, url),
            "name": other.name,
            "role": "manager",
            "email": other.email,
            "active": "y",
            "version": version_of(client, url),
        },
    )
    assert response.status_code == 302
    with app.app_context():
        assert db.session.get(User, other.id).role == "manager"


def test_the_account_form_reports_every_problem_at_once_and_keeps_the_values(client, make_user, login, app):
    """A wrong address, no name, a weak password, an unknown phone and a jurist without a mission: all
    named in one round, at their fields and in the summary; what was typed stays."""
    from test_agenda_grid import tree

    taken = make_user("manager", email="pris@example.org")
    login(make_user("admin"))
    data = {
        "csrf_token": csrf_token(client, "/admin/users/new"),
        "email": "pas-une-adresse",
        "name": "",
        "role": "jurist",
        "phone": "0800",
        "territories": ["calaisis"],
        "password": "azertyuiop123",
    }
    page = tree(client.post("/admin/users/new", data=data).get_data(as_text=True))
    errors = {p.attrs["id"]: p.text() for p in page.all("p", "error")}
    assert set(errors) == {"email-err", "name-err", "password-err", "phone-err", "missions-err"}
    assert errors["password-err"].startswith("Ce mot de passe est trop courant")
    assert errors["missions-err"].startswith("Un compte de juriste doit avoir au moins une mission")
    summary = page.by_id("error-summary")
    assert summary.all("h2")[0].text() == "Le formulaire contient des erreurs (5)"
    assert page.by_id("email").attrs["value"] == "pas-une-adresse" and page.by_id("phone").attrs["value"] == "0800"
    assert [
        i.attrs["value"] for i in page.all("input") if i.attrs.get("name") == "territories" and "checked" in i.attrs
    ] == ["calaisis"]
    # An address already used and no initial password: both at once too.
    data.update(
        email=taken.email,
        name="Nina",
        phone="",
        password="",
        missions=["info_logement"],
        csrf_token=csrf_token(client, "/admin/users/new"),
    )
    page = tree(client.post("/admin/users/new", data=data).get_data(as_text=True))
    errors = {p.attrs["id"]: p.text() for p in page.all("p", "error")}
    assert errors == {
        "email-err": "Un compte existe déjà pour cette adresse.",
        "password-err": "Indiquez un mot de passe initial.",
    }
    with app.app_context():
        assert db.session.scalar(select(User).where(User.name == "Nina")) is None


def test_editing_an_account_reports_every_problem_at_once(client, make_user, login, app):
    from test_agenda_grid import tree

    login(make_user("admin"))
    target = make_user("jurist")
    url = f"/admin/users/{target.id}"
    data = {
        "csrf_token": csrf_token(client, url),
        "version": version_of(client, url),
        "name": "",
        "role": "jurist",
        "phone": "12",
        "password": "court",
    }
    page = tree(client.post(url, data=data).get_data(as_text=True))
    errors = {p.attrs["id"]: p.text() for p in page.all("p", "error")}
    assert set(errors) == {"name-err", "phone-err", "password-err", "missions-err"}


@pytest.fixture
def as_admin(login, make_user):
    login(make_user("admin"))


@ONE_APP
@given(
    values=st.fixed_dictionaries(
        {},
        optional={
            name: st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=40)
            for name in ("email", "name", "role", "phone", "missions", "territories", "password")
        },
    )
)
@example(values={"email": "\x00"})  # PostgreSQL refuses a NUL in a query: the address is not looked up
@example(values={"email": "a\x00@b.fr", "password": "x"})
def test_any_account_form_is_answered_in_french_never_with_an_error_page(client, as_admin, values):
    data = {"csrf_token": csrf_token(client, "/admin/users/new"), **values}
    response = client.post("/admin/users/new", data=data)
    assert response.status_code in (200, 302)
    if response.status_code == 200:
        html = response.get_data(as_text=True)
        assert "Le formulaire contient des erreurs" in html and "Not a valid" not in html
