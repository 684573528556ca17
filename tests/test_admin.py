"""Administration pages: accounts, roster, opening hours."""
from conftest import PASSWORD, csrf_token
from sqlalchemy import select

from hotline.auth.models import User
from hotline.extensions import db
from hotline.ivr.models import Closure, OpeningHours
from hotline.permanences.models import DutyShift


def test_admin_creates_a_jurist_with_scope_and_phone(client, make_user, login, app):
    login(make_user("admin"))
    data = {"csrf_token": csrf_token(client, "/admin/users/new"), "email": "nouvelle@example.org",
            "name": "Nina Nouvelle", "role": "jurist", "phone": "03 21 00 00 00",
            "missions": ["prevention_expulsion"], "territories": ["calaisis", "boulonnais"], "active": "y",
            "password": PASSWORD}
    response = client.post("/admin/users/new", data=data)
    assert response.status_code == 302
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == "nouvelle@example.org"))
        assert user.phone == "+33321000000"
        assert user.missions == ["prevention_expulsion"]
        assert user.territories == ["boulonnais", "calaisis"]


def test_bad_phone_and_weak_password_are_shown_at_their_field(client, make_user, login):
    login(make_user("admin"))
    data = {"csrf_token": csrf_token(client, "/admin/users/new"), "email": "x@example.org", "name": "X",
            "role": "jurist", "phone": "0800", "password": PASSWORD}
    page = client.post("/admin/users/new", data=data).get_data(as_text=True)
    assert 'id="phone-err"' in page and 'value="x@example.org"' in page
    data.update(phone="", password="azertyuiop123", csrf_token=csrf_token(client, "/admin/users/new"))
    page = client.post("/admin/users/new", data=data).get_data(as_text=True)
    assert 'id="password-err">Ce mot de passe est trop courant' in page


def test_admin_disables_and_changes_role(client, make_user, login, app):
    login(make_user("admin"))
    target = make_user("jurist")
    url = f"/admin/users/{target.id}"
    data = {"csrf_token": csrf_token(client, url), "name": "Nouveau Nom", "role": "manager", "phone": "",
            "email": target.email}
    assert client.post(url, data=data).status_code == 302
    with app.app_context():
        user = db.session.get(User, target.id)
        assert (user.name, user.role, user.active, user.missions) == ("Nouveau Nom", "manager", False, [])


def test_roster_and_hours_pages(client, make_user, login, app):
    login(make_user("admin"))
    jurist = make_user("jurist", phone="+33612345678", name="Jules")
    no_phone = make_user("jurist", name="Sans Téléphone")
    token = csrf_token(client, "/admin/roster/")
    shift = {"csrf_token": token, "user_id": jurist.id, "mission": "prevention_expulsion",
             "territory": "boulonnais", "weekday": "0", "starts": "09:00", "ends": "12:00"}
    assert client.post("/admin/roster/", data=shift).status_code == 302
    refused = client.post("/admin/roster/", data=shift | {"user_id": no_phone.id}).get_data(as_text=True)
    assert "pas de numéro de téléphone" in refused
    backwards = client.post("/admin/roster/", data=shift | {"starts": "14:00", "ends": "10:00"}).get_data(as_text=True)
    assert "L'heure de fin doit suivre" in backwards.replace("&#39;", "'")
    token = csrf_token(client, "/admin/hours/")
    assert client.post("/admin/hours/", data={"csrf_token": token, "h-mission": "info_logement", "h-weekday": "5",
                                              "h-opens": "09:00", "h-closes": "12:00"}).status_code == 302
    overlap = client.post("/admin/hours/", data={"csrf_token": token, "h-mission": "info_logement",
                                                 "h-weekday": "5", "h-opens": "11:00", "h-closes": "13:00"})
    assert "chevauche" in overlap.get_data(as_text=True)
    assert client.post("/admin/hours/", data={"csrf_token": token, "c-mission": "", "c-starts_on": "2026-12-24",
                                              "c-ends_on": "2026-12-26", "c-reason": "Fermeture de fin d'année"}
                       ).status_code == 302
    with app.app_context():
        assert db.session.scalar(select(DutyShift)).territory_code == "boulonnais"
        assert db.session.scalar(select(OpeningHours).where(OpeningHours.weekday == 5)).mission == "info_logement"
        assert db.session.scalar(select(Closure)).mission is None
