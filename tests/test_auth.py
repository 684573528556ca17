"""Accounts, the CLI, login, sessions, CSRF and access to pages."""

import pytest
from conftest import PASSWORD, csrf_token
from sqlalchemy import func, select

from hotline.auth.models import LoginAttempt, User
from hotline.extensions import db


def test_users_create_from_stdin(runner, app):
    result = runner.invoke(
        args=[
            "users",
            "create",
            "Marie@Example.org",
            "--role",
            "jurist",
            "--name",
            "Marie Curie",
            "--phone",
            "06 12 34 56 78",
            "--mission",
            "info_logement",
            "--password-stdin",
        ],
        input=PASSWORD + "\n",
    )
    assert result.exit_code == 0, result.output
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == "marie@example.org"))
        assert user.role == "jurist" and user.phone == "+33612345678"
        assert user.password_hash.startswith("$argon2id$")


def test_users_create_prompts_hidden_and_confirmed(runner, app):
    result = runner.invoke(
        args=["users", "create", "p@example.org", "--role", "manager", "--name", "P"], input=f"{PASSWORD}\n{PASSWORD}\n"
    )
    assert result.exit_code == 0, result.output
    assert PASSWORD not in result.output
    assert "Confirmez" in result.output


def test_users_create_refuses_a_mismatched_confirmation(runner, app):
    result = runner.invoke(
        args=["users", "create", "p@example.org", "--role", "manager", "--name", "P"],
        input=f"{PASSWORD}\nautre-chose-123456\n{PASSWORD}\n{PASSWORD}\n",
    )
    assert result.exit_code == 0 and "ne correspondent pas" in result.output


def test_users_create_refuses_duplicate_and_weak(runner, make_user):
    user = make_user("manager")
    duplicate = runner.invoke(
        args=["users", "create", user.email.upper(), "--role", "admin", "--name", "X", "--password-stdin"],
        input=PASSWORD + "\n",
    )
    assert duplicate.exit_code != 0 and "existe déjà" in duplicate.output
    weak = runner.invoke(
        args=["users", "create", "w@example.org", "--role", "admin", "--name", "W", "--password-stdin"],
        input="azerty123\n",
    )
    assert weak.exit_code != 0 and "12 caractères" in weak.output
    common = runner.invoke(
        args=["users", "create", "w@example.org", "--role", "admin", "--name", "W", "--password-stdin"],
        input="motdepasse1234\n",
    )
    assert common.exit_code != 0 and "courant" in common.output


def test_users_create_refuses_bad_phone(runner):
    result = runner.invoke(
        args=[
            "users",
            "create",
            "t@example.org",
            "--role",
            "jurist",
            "--name",
            "T",
            "--phone",
            "12",
            "--mission",
            "info_logement",
            "--password-stdin",
        ],
        input=PASSWORD + "\n",
    )
    assert result.exit_code != 0 and "téléphone" in result.output.lower()


def test_login_form_fields_and_success(client, make_user, app):
    user = make_user("manager")
    page = client.get("/login").get_data(as_text=True)
    assert 'name="email"' in page and 'name="password"' in page
    token = csrf_token(client, "/login")
    response = client.post("/login", data={"email": user.email, "password": PASSWORD, "csrf_token": token})
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert client.get("/consultations/").status_code == 200
    with app.app_context():
        attempts = list(db.session.scalars(select(LoginAttempt)))
        assert [(a.email, a.success, a.reason) for a in attempts] == [(user.email, True, "ok")]


def test_wrong_password_and_unknown_account_get_the_same_message(client, make_user, app):
    user = make_user("manager")
    messages = []
    for email in (user.email, "nobody@example.org"):
        token = csrf_token(client, "/login")
        response = client.post("/login", data={"email": email, "password": "wrong-password-123", "csrf_token": token})
        assert response.status_code == 200
        page = response.get_data(as_text=True)
        messages.append(page.split('class="flash flash-error"')[1].split("</p>")[0])
        assert f'value="{email}"' in page  # what was typed is kept
    assert messages[0] == messages[1]
    with app.app_context():
        reasons = [a.reason for a in db.session.scalars(select(LoginAttempt).order_by(LoginAttempt.id))]
        assert reasons == ["bad_password", "unknown_account"]


def test_login_is_rate_limited_per_address(client, make_user, app):
    app.config["LOGIN_RATE_LIMIT"] = "3 per minute"
    token = csrf_token(client, "/login")
    codes = [
        client.post(
            "/login", data={"email": f"x{i}@example.org", "password": "nope-nope-nope", "csrf_token": token}
        ).status_code
        for i in range(4)
    ]
    assert codes == [200, 200, 200, 429]


def test_disabled_account_cannot_log_in(client, make_user):
    user = make_user("manager", active=False)
    token = csrf_token(client, "/login")
    response = client.post("/login", data={"email": user.email, "password": PASSWORD, "csrf_token": token})
    assert response.status_code == 200 and "Identifiants incorrects" in response.get_data(as_text=True)


@pytest.mark.parametrize(
    "target,expected",
    [
        ("/consultations/?mission=info_logement", "/consultations/?mission=info_logement"),
        ("https://evil.example.com/", "/"),
        ("//evil.example.com/", "/"),
        ("/\\evil.example.com", "/"),
        ("javascript:alert(1)", "/"),
    ],
)
def test_next_only_to_same_site(client, make_user, target, expected):
    user = make_user("manager")
    token = csrf_token(client, "/login")
    response = client.post(
        "/login", query_string={"next": target}, data={"email": user.email, "password": PASSWORD, "csrf_token": token}
    )
    assert response.headers["Location"] == expected


def test_session_is_renewed_at_login(client, make_user):
    user = make_user("manager")
    with client.session_transaction() as session:
        session["planted"] = "by an attacker"
    token = csrf_token(client, "/login")
    client.post("/login", data={"email": user.email, "password": PASSWORD, "csrf_token": token})
    with client.session_transaction() as session:
        assert "planted" not in session
        assert session.get("_user_id") == str(user.id)


def test_logout(client, make_user, login):
    login(make_user("manager"))
    token = csrf_token(client, "/consultations/")
    response = client.post("/logout", data={"csrf_token": token})
    assert response.status_code == 302
    assert client.get("/consultations/").status_code == 302


def test_form_without_csrf_token_is_refused(client, make_user, app):
    user = make_user("manager")
    response = client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 400
    assert "Formulaire expiré" in response.get_data(as_text=True)


def test_every_page_sends_anonymous_visitors_to_login(app, client):
    public = {"auth.login", "static", "main.health"}
    checked = 0
    for rule in app.url_map.iter_rules():
        if rule.endpoint in public or rule.endpoint.startswith(("public.", "legal.")):  # pages open to all
            continue
        url = rule.rule
        for argument in rule.arguments:
            url = url.replace(f"<{argument}>", "1").replace(f"<int:{argument}>", "1")
        method = "GET" if "GET" in rule.methods else "POST"
        response = client.open(url, method=method)
        if method == "POST" and response.status_code == 400:
            continue  # refused earlier still: no CSRF token
        assert response.status_code == 302, url
        assert response.headers["Location"].startswith("/login"), url
        checked += 1
    assert checked > 10


def test_roles_see_only_their_pages(client, make_user, login):
    login(make_user("jurist"))
    assert client.get("/admin/users/").status_code == 403
    assert client.get("/consultations/new").status_code == 200


def test_admin_does_not_read_consultations(client, make_user, login):
    login(make_user("admin"))
    assert client.get("/consultations/").status_code == 403
    assert client.get("/households/1").status_code in (403, 404)
    home = client.get("/")  # the admin's own home (issue 10): accounts, duty gaps, permanences without a jurist
    assert home.status_code == 200 and 'id="comptes"' in home.get_data(as_text=True)
    assert "/consultations/" not in home.get_data(as_text=True)


def test_console_script_creates_a_user_from_any_directory(tmp_path):
    import os
    import shutil
    import sqlite3
    import subprocess

    hotline = shutil.which("hotline") or os.path.join(os.path.dirname(__import__("sys").executable), "hotline")
    env = dict(os.environ, HOTLINE_DATABASE_URL=f"sqlite:///{tmp_path}/cli.sqlite3")
    env.pop("HOTLINE_TEST_DATABASE_URL", None)
    subprocess.run([hotline, "db", "upgrade"], cwd=tmp_path, env=env, check=True, capture_output=True)
    created = subprocess.run(
        [hotline, "users", "create", "cli@example.org", "--role", "admin", "--name", "CLI", "--password-stdin"],
        input=PASSWORD + "\n",
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
    )
    assert created.returncode == 0, created.stderr
    assert "Compte créé" in created.stdout
    again = subprocess.run(
        [hotline, "users", "create", "cli@example.org", "--role", "admin", "--name", "CLI", "--password-stdin"],
        input=PASSWORD + "\n",
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
    )
    assert again.returncode != 0 and "existe déjà" in again.stderr
    with sqlite3.connect(tmp_path / "cli.sqlite3") as con:
        assert con.execute("select role from users where email = 'cli@example.org'").fetchone() == ("admin",)


def test_users_create_refuses_a_jurist_without_a_mission(runner, app):
    result = runner.invoke(
        args=["users", "create", "sans@example.org", "--role", "jurist", "--name", "Sans Mission", "--password-stdin"],
        input=PASSWORD + "\n",
    )
    assert result.exit_code != 0 and "au moins une mission" in result.output
    with app.app_context():
        assert db.session.scalar(select(User).where(User.email == "sans@example.org")) is None
    result = runner.invoke(
        args=[
            "users",
            "create",
            "avec@example.org",
            "--role",
            "jurist",
            "--name",
            "Avec Mission",
            "--mission",
            "info_logement",
            "--password-stdin",
        ],
        input=PASSWORD + "\n",
    )
    assert result.exit_code == 0, result.output


def test_a_jurist_who_lost_every_mission_is_told_so(app, client, make_user, login):
    from hotline.auth.models import UserMission

    user = make_user("jurist", missions=("info_logement",))
    with app.app_context():  # an account from before the rule, or whose mission was taken away in the database
        db.session.execute(UserMission.__table__.delete().where(UserMission.user_id == user.id))
        db.session.commit()
    login(user)
    for url in ("/consultations/", "/"):
        page = client.get(url).get_data(as_text=True).replace("&#39;", "'")
        assert "Aucune mission" in page and "administrateur" in page, url
    response = client.get("/consultations/")
    assert response.status_code == 403


@pytest.mark.parametrize("email", ["\x00", "jurist\x00@example.org"])
def test_an_address_holding_a_nul_is_refused_in_french_not_with_an_error_page(client, app, email):
    # PostgreSQL refuses a NUL in a query: the address is never looked up, nor logged as an attempt.
    token = csrf_token(client, "/login")
    response = client.post("/login", data={"email": email, "password": "wrong-password-123", "csrf_token": token})
    assert response.status_code == 200
    assert "Ce champ contient un caractère invisible" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(LoginAttempt)) == 0
