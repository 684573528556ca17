"""Versions on every editable record (issue 16): two people edit the same household, place, permanence,
duty series or account; the later save is refused with the consultations' French conflict message, what
it typed kept, and the first save stays. Before, the later save silently reverted the earlier one."""

import html
import re
from datetime import date, time

import pytest
from conftest import PASSWORD, csrf_token
from html_forms import opened
from sqlalchemy import update

from hotline.auth.models import User
from hotline.consultations import services as consultations
from hotline.consultations.models import Household
from hotline.core import versions
from hotline.extensions import db
from hotline.permanences import duty
from hotline.permanences import services as permanences
from hotline.permanences.models import DutyShift, Permanence, Place
from hotline.privacy import personal

NOW = "2026-12-01T08:00"


def logged_in(app, user):
    client = app.test_client()
    token = csrf_token(client, "/login")
    assert (
        client.post("/login", data={"email": user.email, "password": PASSWORD, "csrf_token": token}).status_code == 302
    )
    return client


@pytest.fixture
def records(app, make_user, make_household, make_consultation):
    """Two jurists of the same missions, two administrators; a household both jurists read, a place, a
    permanence and a duty series that begin next week (so that an edit changes their row in place)."""
    app.config["FIXED_NOW"] = NOW
    julie = make_user("jurist", phone="+33612345678", name="Julie Juriste")
    paul = make_user("jurist", phone="+33612345679", name="Paul Juriste")
    ada, max_ = make_user("admin", name="Ada Admin"), make_user("admin", name="Max Admin")
    household = make_household(
        name="Famille Martin", phone="+33611223344", commune_insee="62498", created_by_id=julie.id
    )
    make_consultation(household=household, jurist_id=julie.id)
    with app.app_context():
        permanence = permanences.save(
            None,
            commune_insee="62498",
            name="Mairie de Lens",
            address="17 bis place Jean Jaurès",
            mission="info_logement",
            user_id=julie.id,
            frequency="weekly",
            weekday=1,
            week_of_month=None,
            starts=time(9),
            ends=time(12),
            first_day=date(2026, 12, 8),
            last_day=None,
            active=True,
        )
        series = duty.save(
            None,
            user_id=paul.id,
            mission="prevention_expulsion",
            territory_code=None,
            weekdays=[0],
            starts=time(14),
            ends=time(17),
            valid_from=date(2026, 12, 7),
            today=date(2026, 12, 1),
        )
        db.session.commit()
        ids = {
            "household": household.id,
            "place": permanence.place_id,
            "permanence": permanence.id,
            "series": series.id,
            "account": paul.id,
        }
    return {"users": {"jurist": (julie, paul), "admin": (ada, max_)}, **ids}


# kind: who edits, the page, a field, what the first and the second person type, how to read it back
KINDS = {
    "household": (
        "jurist",
        "/households/{household}/edit",
        "name",
        "Famille Martin-Durand",
        "Famille Durand",
        lambda ids: db.session.get(Household, ids["household"]).name,
    ),
    "place": (
        "admin",
        "/permanences/places/{place}/edit",
        "access_notes",
        "Entrée par la cour",
        "Rez-de-chaussée",
        lambda ids: db.session.get(Place, ids["place"]).access_notes,
    ),
    "permanence": (
        "admin",
        "/permanences/{permanence}/edit",
        "last_day",
        "2027-06-29",
        "2027-06-22",
        lambda ids: str(db.session.get(Permanence, ids["permanence"]).last_day),
    ),
    "duty series": (
        "admin",
        "/permanences/duty/{series}/edit",
        "valid_until",
        "2027-06-28",
        "2027-06-21",
        lambda ids: str(db.session.get(DutyShift, ids["series"]).valid_until),
    ),
    "account": (
        "admin",
        "/admin/users/{account}",
        "name",
        "Paul Lefebvre",
        "Paul Martin",
        lambda ids: db.session.get(User, ids["account"]).name,
    ),
}
CONFLICT = {
    "household": "Ce ménage a été modifié",
    "place": "Ce lieu a été modifié",
    "permanence": "Cette permanence a été modifiée",
    "duty series": "Cette série de gardes a été modifiée",
    "account": "Ce compte a été modifié",
}


@pytest.mark.parametrize("kind", KINDS)
def test_the_later_of_two_edits_is_refused_and_keeps_what_it_typed(app, records, kind):
    role, url, field, first, second, read = KINDS[kind]
    url = url.format(**records)
    one, two = (logged_in(app, user) for user in records["users"][role])
    form_one, form_two = opened(one, url, field), opened(two, url, field)  # both open the form
    opened_at = form_one["version"]
    assert opened_at.isdigit() and form_two["version"] == opened_at
    assert one.post(url, data=form_one | {field: first}).status_code == 302
    response = two.post(url, data=form_two | {field: second})
    assert response.status_code == 200
    page = html.unescape(response.get_data(as_text=True))
    assert f"{CONFLICT[kind]} par quelqu'un d'autre depuis que vous l'avez ouvert" in page
    assert "Rechargez la page pour voir sa dernière version." in page
    assert re.search(rf'value="{second}"|>\s*{second}</textarea>', page)  # what the second person typed
    with app.app_context():
        assert read(records) == first
    again = opened(two, url, field)  # reloaded: the first edit, and the version to save over it
    assert again[field].strip() == first and int(again["version"]) > int(opened_at)
    assert two.post(url, data=again | {field: second}).status_code == 302
    with app.app_context():
        assert read(records) == second


@pytest.mark.parametrize("kind", KINDS)
def test_a_form_without_its_version_is_refused(app, records, kind):
    """A form that does not say what it was opened at could overwrite anyone's edit (as consultations)."""
    role, url, field, first, _second, read = KINDS[kind]
    url = url.format(**records)
    client = logged_in(app, records["users"][role][0])
    form = opened(client, url, field)
    del form["version"]
    page = html.unescape(client.post(url, data=form | {field: first}).get_data(as_text=True))
    assert "Ce formulaire ne dit pas quelle version" in page and "vous avez ouverte" in page
    with app.app_context():
        assert read(records) != first


def test_an_account_whose_missions_alone_changed_moves_on(app, records):
    """Missions are rows of their own: a change of them alone still makes an open form stale."""
    url = f"/admin/users/{records['account']}"
    one, two = (logged_in(app, user) for user in records["users"]["admin"])
    form_one, form_two = opened(one, url, "name"), opened(two, url, "name")
    assert one.post(url, data=form_one | {"missions": ["info_logement"]}).status_code == 302
    response = two.post(url, data=form_two | {"name": "Paul Martin"})
    assert "Ce compte a été modifié par quelqu'un d'autre" in html.unescape(response.get_data(as_text=True))
    with app.app_context():
        user = db.session.get(User, records["account"])
        assert (user.name, user.missions) == ("Paul Juriste", ["info_logement"])


def test_a_logout_does_not_make_an_open_account_form_stale(app, records):
    """Ending an account's sessions is not an edit of it: the administrator's form still saves."""
    url = f"/admin/users/{records['account']}"
    admin = logged_in(app, records["users"]["admin"][0])
    paul = logged_in(app, records["users"]["jurist"][1])
    form = opened(admin, url, "name")
    assert paul.post("/logout", data={"csrf_token": csrf_token(paul, "/")}).status_code == 302
    assert admin.post(url, data=form | {"name": "Paul Lefebvre"}).status_code == 302


def test_a_save_racing_another_is_refused_by_its_update(app, records):
    """Both saves read version 1; the other committed first: this one's UPDATE ... WHERE version = 1
    matches nothing, and the same conflict is raised (not a 500)."""
    with app.app_context():
        household = db.session.get(Household, records["household"])
        with db.engine.begin() as other:
            other.execute(
                update(Household)
                .where(Household.id == household.id)
                .values(name="Famille Autre", version=Household.version + 1)
            )
        with pytest.raises(versions.ConflictError, match="Ce ménage a été modifié"):
            with versions.saving(household, "1", versions.HOUSEHOLD):
                consultations.update_household(
                    household,
                    name="Famille Durand",
                    phone=household.phone,
                    commune_insee=household.commune_insee,
                    adults=None,
                    children=None,
                )
        db.session.rollback()
        assert db.session.get(Household, records["household"]).name == "Famille Autre"


def test_an_erasure_makes_an_open_household_form_stale(app, records):
    """The manager erased the household while a jurist had its form open: the name is not written back."""
    url = f"/households/{records['household']}/edit"
    julie = logged_in(app, records["users"]["jurist"][0])
    form = opened(julie, url, "name")
    with app.app_context():
        personal.erase_households([records["household"]])
        db.session.commit()
    response = julie.post(url, data=form | {"adults": "2"})
    assert "Ce ménage a été modifié par quelqu'un d'autre" in html.unescape(response.get_data(as_text=True))
    with app.app_context():
        household = db.session.get(Household, records["household"])
        assert (household.name, household.phone, household.adults) == (None, None, None)


def test_stopping_a_series_someone_just_changed_is_refused_not_a_500(app, records, monkeypatch):
    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            pytest.skip(
                "on SQLite a posted request holds the write lock from its first statement (BEGIN "
                "IMMEDIATE): no other save can land between its read and its write"
            )
    admin = logged_in(app, records["users"]["admin"][0])
    real_stop = duty.stop

    def stop_after_another_save(series, today):
        with db.engine.begin() as other:
            other.execute(update(DutyShift).where(DutyShift.id == series.id).values(version=DutyShift.version + 1))
        real_stop(series, today)

    monkeypatch.setattr(duty, "stop", stop_after_another_save)
    token = csrf_token(admin, "/admin/roster/")
    response = admin.post(
        f"/permanences/duty/{records['series']}/stop", data={"csrf_token": token}, follow_redirects=True
    )
    assert response.status_code == 200
    assert "Cette série de gardes a été modifiée" in html.unescape(response.get_data(as_text=True))
