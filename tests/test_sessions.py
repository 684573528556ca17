"""Sessions end on the server: logout, a password change, disabling an account and a change of
role or missions revoke every session of the account, even a cookie copied beforehand."""

import pytest
from conftest import PASSWORD, csrf_token
from html_forms import version_of
from sqlalchemy import select

from hotline.auth.models import User
from hotline.core.audit import AuditEvent
from hotline.extensions import db


def copy_session(source, target) -> None:
    """What an attacker does with a stolen cookie: replay it from another browser."""
    cookie = source.get_cookie("session")
    assert cookie is not None
    target.set_cookie("session", cookie.value)


def opens_consultations(client) -> bool:
    response = client.get("/consultations/")
    if response.status_code == 302:
        assert response.headers["Location"].startswith("/login")
        return False
    assert response.status_code == 200
    return True


def another_browser(app, user):
    """A second test client, logged in as `user`."""
    browser = app.test_client()
    browser.post(
        "/login", data={"email": user.email, "password": PASSWORD, "csrf_token": csrf_token(browser, "/login")}
    )
    return browser


def edit_user(client, target, missions=(), **changes):
    """POST the account form as it stands (the target's missions given, since it is detached), with changes."""
    url = f"/admin/users/{target.id}"
    data = {
        "csrf_token": csrf_token(client, url),
        "name": target.name,
        "role": target.role,
        "phone": "",
        "email": target.email,
        "missions": list(missions),
        "active": "y",
        "version": version_of(client, url),
    }
    data.update(changes)
    return client.post(url, data={k: v for k, v in data.items() if v is not None})


def test_a_cookie_copied_before_logout_opens_nothing_afterwards(app, client, make_user, login):
    user = make_user("manager")
    login(user)
    thief = app.test_client()
    copy_session(client, thief)
    assert opens_consultations(thief)  # the copy works while the session lives
    assert client.post("/logout", data={"csrf_token": csrf_token(client, "/consultations/")}).status_code == 302
    assert not opens_consultations(thief)
    assert not opens_consultations(client)
    assert "Connectez-vous pour accéder à cette page." in thief.get("/login").get_data(as_text=True)


def test_logout_ends_the_other_sessions_of_the_account_and_a_new_login_works(app, client, make_user, login):
    user = make_user("manager")
    login(user)
    other = another_browser(app, user)
    assert opens_consultations(other)
    client.post("/logout", data={"csrf_token": csrf_token(client, "/consultations/")})
    assert not opens_consultations(other)
    login(user)
    assert opens_consultations(client)


def test_a_copied_cookie_does_not_open_from_another_browser(app, client, make_user, login):
    """session_protection "strong" holds although the session is permanent."""
    login(make_user("manager"))
    thief = app.test_client()
    copy_session(client, thief)
    thief.environ_base["HTTP_USER_AGENT"] = "Another browser/1.0"
    assert not opens_consultations(thief)
    assert opens_consultations(client)


@pytest.mark.parametrize(
    "changes",
    [
        {"role": "jurist", "missions": ["info_logement"]},
        {"active": None},
        {"password": "Another-Long-Passphrase-62"},
    ],
)
def test_role_change_disabling_and_new_password_end_the_sessions(app, client, make_user, login, changes):
    target = make_user("manager")
    login(target)
    admin = another_browser(app, make_user("admin"))
    assert opens_consultations(client)
    assert edit_user(admin, target, **changes).status_code == 302
    response = client.get("/consultations/")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")


def test_missions_change_ends_the_sessions(app, client, make_user, login):
    target = make_user("jurist", missions=("info_logement", "prevention_expulsion"))
    login(target)
    admin = another_browser(app, make_user("admin"))
    assert edit_user(admin, target, missions=["info_logement"]).status_code == 302
    assert client.get("/consultations/").status_code == 302


def test_a_change_of_name_or_phone_keeps_the_sessions(app, client, make_user, login):
    target = make_user("manager")
    login(target)
    admin = another_browser(app, make_user("admin"))
    assert edit_user(admin, target, name="Nouveau Nom", phone="06 12 34 56 78").status_code == 302
    assert opens_consultations(client)


def test_every_role_change_is_audited(app, client, make_user, login):
    admin_user = make_user("admin")
    login(admin_user)
    target = make_user("jurist", missions=("info_logement",))
    assert edit_user(client, target, role="manager").status_code == 302
    with app.app_context():
        events = list(db.session.scalars(select(AuditEvent).where(AuditEvent.object_type == "user")))
        roles = [e for e in events if e.action.startswith("user.role")]
        assert [(e.action, e.object_id, e.user_id) for e in roles] == [
            ("user.role:jurist>manager", str(target.id), admin_user.id)
        ]
        assert db.session.get(User, target.id).role == "manager"


def test_an_admin_changing_its_own_password_stays_logged_in(app, client, make_user, login):
    admin_user = make_user("admin")
    login(admin_user)
    other = another_browser(app, admin_user)
    assert other.get("/admin/users/").status_code == 200
    assert edit_user(client, admin_user, password="Another-Long-Passphrase-62").status_code == 302
    assert client.get("/admin/users/").status_code == 200  # this session goes on
    assert other.get("/admin/users/").status_code == 302  # the other one is ended


def test_a_disabled_account_loses_a_session_that_missed_the_revocation(app, client, make_user, login):
    """Belt and braces: an account disabled behind the app's back (SQL) opens nothing either."""
    user = make_user("manager")
    login(user)
    with app.app_context():
        db.session.get(User, user.id).active = False
        db.session.commit()
    assert not opens_consultations(client)
