"""The web app's own errors: huge identifiers, a forged session, a redirect with control
characters and a database error each give a French page, never a 500; and the security headers."""

import pytest
from conftest import PASSWORD, TOKEN, csrf_token
from flask_login import login_required
from flask_login.utils import _create_identifier
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select

from hotline import create_app
from hotline.auth.models import User
from hotline.auth.views import safe_next
from hotline.extensions import db

HUGE = ["9" * 20, "9223372036854775808", str(2**31), "9" * 5000]


def int_routes(app):
    """Every rule of the app with an <int:...> argument, and the method to call it with."""
    for rule in app.url_map.iter_rules():
        names = [name for name, converter in rule._converters.items() if converter.regex == r"\d+"]
        if names:
            yield rule, names, "GET" if "GET" in rule.methods else "POST"


@pytest.mark.parametrize("role", ["jurist", "manager", "admin"])
def test_a_huge_identifier_in_any_int_route_is_a_404(app, client, make_user, login, role):
    login(make_user(role))
    token = csrf_token(client, "/permanences/")
    checked = 0
    for rule, names, method in int_routes(app):
        for value in HUGE:
            url = rule.rule
            for name in names:
                url = url.replace(f"<int:{name}>", value)
            for name in rule.arguments - set(names):  # other arguments of the route keep a plain value
                url = url.replace(f"<{name}>", "x")
            response = client.open(url, method=method, data={"csrf_token": token})
            assert response.status_code == 404, (url[:80], response.status_code)
            assert "Page introuvable" in response.get_data(as_text=True)
            checked += 1
    assert checked >= 15 * len(HUGE)


def test_identifiers_up_to_the_largest_integer_are_looked_up(client, make_user, login):
    login(make_user("admin"))
    for value in (2**31 - 1, 2**31, 2**63 - 1, 2**63, 10**10, 10**11):
        assert client.get(f"/admin/users/{value}").status_code == 404, value


@pytest.mark.parametrize("page", ["9" * 20, str(2**62), str(2**31), "9" * 5000])
def test_a_huge_page_number_is_a_404(client, make_user, login, page):
    login(make_user("manager"))
    response = client.get("/consultations/", query_string={"page": page})
    assert response.status_code == 404
    assert "Page introuvable" in response.get_data(as_text=True)


def test_ordinary_page_numbers_still_work(client, make_user, login, make_consultation):
    login(make_user("manager"))
    make_consultation()
    assert client.get("/consultations/?page=1").status_code == 200
    assert client.get("/consultations/?page=1000").status_code == 200  # past the end: an empty list
    assert client.get(f"/consultations/?page={2**31 - 1}").status_code == 200
    assert client.get("/consultations/?page=abc").status_code == 200  # unreadable: the first page


@pytest.mark.parametrize("forged", ["9" * 20, str(2**31), "9" * 5000, "²", "-1", "1e3", ""])
def test_a_forged_user_id_in_the_session_is_a_logged_out_visitor(client, make_user, login, forged):
    login(make_user("manager"))
    with client.session_transaction() as session:
        session["_user_id"] = forged
    response = client.get("/consultations/")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")


@pytest.mark.parametrize("target", ["/%0d%0ax", "/%0ax", "/%09x", "/x%00", "/x%7f", "/%e2%80%a8x"])
def test_next_with_control_characters_is_refused_and_the_login_completes(client, make_user, target):
    user = make_user("manager")
    token = csrf_token(client, "/login")
    response = client.post(
        f"/login?next={target}", data={"email": user.email, "password": PASSWORD, "csrf_token": token}
    )
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert client.get("/consultations/").status_code == 200


@given(st.text(max_size=40))
def test_safe_next_only_ever_gives_a_plain_local_path(target):
    result = safe_next(target)
    if result is not None:
        assert result == target
        assert result.startswith("/") and not result.startswith("//")
        assert "\\" not in result
        assert all(ch.isprintable() for ch in result)


@given(st.text(alphabet=st.characters(categories=["L", "N"]), max_size=20))
def test_safe_next_keeps_ordinary_paths(tail):
    assert safe_next("/consultations/" + tail) == "/consultations/" + tail


def test_a_database_error_gives_the_french_error_page_and_writes_nothing(app, make_user):
    """After a failed flush the session must be rolled back before the error page reads anything."""
    broken = create_app(
        {
            "TESTING": True,
            "PROPAGATE_EXCEPTIONS": False,
            "SECRET_KEY": "test-secret-key",
            "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
            "TWILIO_AUTH_TOKEN": TOKEN,
            "LOGIN_RATE_LIMIT": "10000 per minute",
        }
    )

    @broken.route("/boom", methods=["POST"])
    @login_required
    def boom():
        from flask_login import current_user

        db.session.add(User(email="half-written@example.org", name="Demi", role="manager"))
        db.session.flush()
        db.session.expire(current_user._get_current_object())  # as after a commit earlier in the request
        db.session.add(User(email="broken@example.org"))  # no name, no role: NOT NULL
        db.session.flush()
        return "unreachable"

    user = make_user("manager")
    client = broken.test_client()
    client.post("/login", data={"email": user.email, "password": PASSWORD, "csrf_token": csrf_token(client, "/login")})
    response = client.post("/boom", data={"csrf_token": csrf_token(client, "/permanences/")})
    assert response.status_code == 500
    page = response.get_data(as_text=True)
    assert "Erreur du serveur" in page and "Rien n'a été enregistré" in page.replace("&#39;", "'")
    assert client.get("/consultations/").status_code == 200  # the next request is served normally
    with app.app_context():
        emails = set(db.session.scalars(select(User.email)))
        assert "half-written@example.org" not in emails and "broken@example.org" not in emails


def test_the_error_page_survives_a_database_that_is_down(app, make_user, monkeypatch):
    """If even the error page cannot read the account, a plain French page is served."""
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    down = create_app(
        {
            "TESTING": True,
            "PROPAGATE_EXCEPTIONS": False,
            "SECRET_KEY": "test-secret-key",
            "DATABASE_URL": f"postgresql://hotline@127.0.0.1:{port}/hotline",
        }
    )
    environ = {"REMOTE_ADDR": "127.0.0.1", "HTTP_USER_AGENT": "Firefox"}
    client = down.test_client()
    client.environ_base.update(environ)
    with down.test_request_context(environ_base=environ):
        browser = _create_identifier()
    with client.session_transaction() as session:  # a live session: the account must be read
        session.update({"_user_id": "1", "_id": browser, "_generation": 0})
    response = client.get("/consultations/")
    assert response.status_code == 500
    assert "Erreur du serveur" in response.get_data(as_text=True)


def headers_of(config: dict, tmp_path, monkeypatch, env: str | None = None):
    if env:
        monkeypatch.setenv("HOTLINE_ENV", env)
    else:
        monkeypatch.delenv("HOTLINE_ENV", raising=False)
    monkeypatch.delenv("HOTLINE_HSTS", raising=False)
    base = {"DATABASE_URL": f"sqlite:///{tmp_path}/h.db", "SECRET_KEY": "s", "TWILIO_AUTH_TOKEN": "t"}
    return create_app(base | config).test_client().get("/login").headers


def test_hsts_outside_development_and_tests(tmp_path, monkeypatch):
    production = headers_of({}, tmp_path, monkeypatch, env="production")
    assert production["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    assert "Strict-Transport-Security" not in headers_of({}, tmp_path, monkeypatch, env="development")
    assert "Strict-Transport-Security" not in headers_of({"TESTING": True}, tmp_path, monkeypatch)
    configured = headers_of({"TESTING": True, "HSTS": True}, tmp_path, monkeypatch)
    assert configured["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    off = headers_of({"HSTS": False}, tmp_path, monkeypatch, env="production")
    assert "Strict-Transport-Security" not in off


def test_hsts_can_be_set_from_the_environment_in_development(tmp_path, monkeypatch):
    monkeypatch.setenv("HOTLINE_ENV", "development")
    monkeypatch.setenv("HOTLINE_HSTS", "1")
    app = create_app({"DATABASE_URL": f"sqlite:///{tmp_path}/h.db"})
    assert "includeSubDomains" in app.test_client().get("/login").headers["Strict-Transport-Security"]


def test_permissions_policy_on_every_response(client):
    for url in ("/login", "/healthz", "/static/app.css", "/no-such-page"):
        policy = client.get(url).headers["Permissions-Policy"]
        assert "camera=()" in policy and "microphone=()" in policy and "geolocation=()" in policy


def test_downloads_are_not_stored(client, make_user, login):
    login(make_user("manager"))
    for url in (
        "/reports/export.csv?from=2026-03&to=2026-04",
        "/reports/export.xlsx?from=2026-03&to=2026-04",
        "/reports/export.pdf?from=2026-03&to=2026-04",
        "/permanences/calendar.ics",
        "/healthz",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert response.headers["Cache-Control"] == "no-store", url
    assert client.get("/static/app.css").headers.get("Cache-Control") != "no-store"
