"""Places: one place serves many permanences; the public details (access notes, phone) are kept on
the place; administrators list and edit them."""

from datetime import date, time

from conftest import csrf_token
from html_forms import version_of
from sqlalchemy import func, select
from test_permanences import fresh_places, make_permanence  # noqa: F401 (fixture)

from hotline.extensions import db
from hotline.permanences.models import Permanence, Place


def test_one_place_serves_many_permanences_and_they_read_its_name_and_address(app, make_user):
    first = make_permanence(app)
    second = make_permanence(app, mission="prevention_expulsion", weekday=3)
    with app.app_context():
        a, b = db.session.get(Permanence, first), db.session.get(Permanence, second)
        assert a.place_id == b.place_id
        assert (b.name, b.address, b.commune_insee) == ("Mairie de Lens", "17 bis place Jean Jaurès, Lens", "62498")
        assert db.session.scalar(select(func.count()).select_from(Place)) == 1


def place_data(client, url, **overrides):
    data = {
        "csrf_token": csrf_token(client, url),
        "name": "Mairie de Liévin",
        "address": "Place Gambetta",
        "commune": "Liévin",
        "access_notes": "Entrée par la cour",
        "public_phone": "03 21 44 89 89",
        "active": "y",
        "version": version_of(client, url),
    }
    data.update(overrides)
    return data


def test_admin_records_a_place_and_a_mistake_keeps_what_was_typed(app, client, make_user, login):
    login(make_user("admin"))
    response = client.post(
        "/permanences/places/new", data=place_data(client, "/permanences/places/new", public_phone="12")
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "Numéro de téléphone du lieu invalide" in page
    assert 'value="Mairie de Liévin"' in page and "Entrée par la cour" in page
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Place)) == 0
    response = client.post("/permanences/places/new", data=place_data(client, "/permanences/places/new"))
    assert response.status_code == 302
    with app.app_context():
        place = db.session.scalar(select(Place))
        assert (place.commune_insee, place.public_phone, place.access_notes) == (
            "62510",
            "+33321448989",
            "Entrée par la cour",
        )
    listing = client.get("/permanences/places").get_data(as_text=True)
    assert "Mairie de Liévin" in listing and "03 21 44 89 89" in listing
    edit = client.get(f"/permanences/places/{place.id}/edit").get_data(as_text=True)
    assert 'value="03 21 44 89 89"' in edit and 'value="Liévin (62800)"' in edit


def test_a_permanence_is_planned_in_a_known_place(app, client, make_user, login):
    pid = make_permanence(app)
    with app.app_context():
        place_id = db.session.get(Permanence, pid).place_id
    login(make_user("admin"))
    form = client.get("/permanences/new").get_data(as_text=True)
    assert f'<option value="{place_id}">Mairie de Lens — 17 bis place Jean Jaurès, Lens, Lens</option>' in form
    data = {
        "csrf_token": csrf_token(client, "/permanences/new"),
        "place_id": str(place_id),
        "name": "",
        "address": "",
        "commune": "",
        "mission": "prevention_expulsion",
        "user_id": "",
        "frequency": "weekly",
        "weekday": "3",
        "week_of_month": "",
        "starts": "14:00",
        "ends": "17:00",
        "first_day": "2026-12-01",
        "last_day": "",
        "active": "y",
    }
    assert client.post("/permanences/new", data=data).status_code == 302
    with app.app_context():
        assert set(db.session.scalars(select(Permanence.place_id))) == {place_id}
    missing = client.post("/permanences/new", data={**data, "place_id": "", "csrf_token": data["csrf_token"]})
    page = missing.get_data(as_text=True)
    assert "Indiquez le nom." in page and "Indiquez la commune." in page


def test_a_used_place_keeps_its_commune_and_stays_open_while_permanences_come(app, client, make_user, login):
    pid = make_permanence(app, first_day=date(2026, 11, 1))
    app.config["FIXED_NOW"] = "2026-12-01T08:00"
    with app.app_context():
        place_id = db.session.get(Permanence, pid).place_id
    login(make_user("admin"))
    url = f"/permanences/places/{place_id}/edit"
    moved = client.post(
        url,
        data=place_data(client, url, name="Mairie de Lens", address="17 bis place Jean Jaurès, Lens", commune="Liévin"),
    )
    assert "sa commune ne change plus" in moved.get_data(as_text=True)
    closed = client.post(
        url,
        data=place_data(
            client, url, name="Mairie de Lens", address="17 bis place Jean Jaurès, Lens", commune="Lens", active=""
        ),
    )
    assert "Des permanences à venir se tiennent dans ce lieu" in closed.get_data(as_text=True)
    fixed = client.post(
        url, data=place_data(client, url, name="Mairie de Lens", address="17 bis, place Jean Jaurès", commune="Lens")
    )
    assert fixed.status_code == 302
    with app.app_context():
        place = db.session.get(Place, place_id)
        assert (place.address, place.active, place.commune_insee) == ("17 bis, place Jean Jaurès", True, "62498")
        assert db.session.get(Permanence, pid).address == "17 bis, place Jean Jaurès"
        assert db.session.get(Permanence, pid).starts == time(9)


def test_only_admins_manage_places(client, make_user, login):
    login(make_user("jurist"))
    assert client.get("/permanences/places").status_code == 403
    assert client.get("/permanences/places/new").status_code == 403
