"""The login throttle (issue 16): growing delays per account and address, per address and per account, kept
in the database; a stranger never locks an owner out; the client's address through HOTLINE_PROXY_HOPS."""

from datetime import UTC, datetime, timedelta

import pytest
from conftest import PASSWORD, csrf_token
from sqlalchemy import select

from hotline import create_app
from hotline.auth import throttle
from hotline.auth.models import LoginAttempt, LoginThrottle
from hotline.config import ConfigError
from hotline.extensions import db

WRONG = "Wrong-Horse-Battery-99"
START = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


class Clock:
    def __init__(self, app):
        self.at = START
        app.config["NOW_FUNCTION"] = lambda: self.at

    def advance(self, seconds: float) -> None:
        self.at += timedelta(seconds=seconds)


@pytest.fixture
def clock(app):
    return Clock(app)


@pytest.fixture
def small_rules(app):
    """Fewer free attempts per address and per account, so that a test needs fewer (slow, Argon2) logins."""
    rules = app.config["LOGIN_THROTTLE"]
    app.config["LOGIN_THROTTLE"] = {**rules, "address": (6, 900), "account": (3, 60)}
    yield
    app.config["LOGIN_THROTTLE"] = rules


def attempt(client, email, password=WRONG, address="192.0.2.10"):
    client.environ_base["REMOTE_ADDR"] = address
    token = csrf_token(client, "/login")
    response = client.post("/login", data={"email": email, "password": password, "csrf_token": token})
    return response.status_code, response.get_data(as_text=True)


def reasons(app) -> list[str]:
    with app.app_context():
        return [a.reason for a in db.session.scalars(select(LoginAttempt).order_by(LoginAttempt.id))]


@pytest.mark.parametrize(
    "attempts,free,cap,expected",
    [
        (0, 5, 900, 0),
        (4, 5, 900, 0),
        (5, 5, 900, 1),
        (6, 5, 900, 2),
        (9, 5, 900, 16),
        (14, 5, 900, 512),
        (15, 5, 900, 900),
        (10**6, 5, 900, 900),
        (10, 10, 60, 1),
        (16, 10, 60, 60),
    ],
)
def test_delays_double_after_the_free_attempts_up_to_the_cap(attempts, free, cap, expected):
    assert throttle.delay(attempts, free, cap) == expected


@pytest.mark.parametrize(
    "address,counted",
    [
        ("192.0.2.10", "192.0.2.10"),
        ("::ffff:192.0.2.10", "192.0.2.10"),
        ("2001:db8:1:2:aaaa::1", "2001:db8:1:2::/64"),
        ("2001:db8:1:2:bbbb::9", "2001:db8:1:2::/64"),
        ("", ""),
        (None, ""),
        ("not an address", "not an address"),
    ],
)
def test_an_ipv6_address_counts_by_its_64(address, counted):
    assert throttle.network(address) == counted


def test_after_five_failures_each_attempt_waits_longer_and_says_how_long(app, client, make_user, clock):
    user = make_user("manager")
    for _ in range(4):
        assert attempt(client, user.email)[0] == 200
    code, page = attempt(client, user.email)
    assert code == 200 and "Attendez 1 seconde avant de réessayer" in page
    code, page = attempt(client, user.email, PASSWORD)  # the right password, too early: not even checked
    assert code == 429 and "attendez 1 seconde avant de réessayer" in page and f'value="{user.email}"' in page
    assert reasons(app)[-2:] == ["bad_password", "throttled"]
    clock.advance(1)
    code, page = attempt(client, user.email)
    assert code == 200 and "Attendez 2 secondes" in page
    clock.advance(1.5)
    code, page = attempt(client, user.email)
    assert code == 429 and "attendez 1 seconde" in page  # 0.5 s left, rounded up
    for expected in (
        "4 secondes",
        "8 secondes",
        "16 secondes",
        "32 secondes",
        "64 secondes",
        "3 minutes",
        "5 minutes",
        "9 minutes",
        "15 minutes",
        "15 minutes",
    ):
        clock.advance(15 * 60)
        assert expected in attempt(client, user.email)[1]
    clock.advance(15 * 60)
    code, _ = attempt(client, user.email, PASSWORD)
    assert code == 302
    with app.app_context():  # the throttle keeps no e-mail and no address
        for row in db.session.scalars(select(LoginThrottle)):
            assert user.email not in row.key and "192.0.2.10" not in row.key and len(row.key) == 64


def test_a_success_starts_the_count_again(app, client, make_user, clock):
    user = make_user("manager")
    for _ in range(4):
        attempt(client, user.email)
    assert attempt(client, user.email, PASSWORD)[0] == 302
    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    for _ in range(4):
        code, page = attempt(client, user.email)
        assert code == 200 and "Attendez" not in page


def test_counts_are_forgotten_after_an_hour_without_an_attempt(app, client, make_user, clock):
    user = make_user("manager")
    for _ in range(5):
        attempt(client, user.email)
    clock.advance(61 * 60)
    code, page = attempt(client, user.email)
    assert code == 200 and "Attendez" not in page


def test_a_stranger_cannot_lock_the_owner_out(app, client, make_user, clock, small_rules):
    """Issue 16: five failures locked the account for 15 minutes, whoever sent them."""
    owner = make_user("jurist")
    assert attempt(client, owner.email, PASSWORD, address="192.0.2.1")[0] == 302  # the owner's office
    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    stranger = app.test_client()
    for n in range(16):  # from one address, then from many
        attempt(stranger, owner.email, address="198.51.100.7" if n < 8 else f"203.0.113.{n}")
        clock.advance(1)
    assert attempt(stranger, owner.email, address="198.51.100.7")[0] == 429  # the stranger waits
    # The owner, from the office: at once.
    assert attempt(client, owner.email, PASSWORD, address="192.0.2.1")[0] == 302
    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    # From a new address while the account is attacked from many: a minute at most.
    for n in range(10):
        attempt(stranger, owner.email, address=f"203.0.113.{100 + n}")
        clock.advance(60)
    attempt(stranger, owner.email, address="203.0.113.200")
    code, page = attempt(client, owner.email, PASSWORD, address="192.0.2.77")
    assert code == 429 and "attendez 60 secondes" in page
    clock.advance(60)
    assert attempt(client, owner.email, PASSWORD, address="192.0.2.77")[0] == 302


def test_an_address_trying_many_accounts_is_slowed_down(app, client, make_user, clock, small_rules):
    make_user("manager")
    for n in range(6):
        assert attempt(client, f"nobody{n}@example.org")[0] == 200
    code, page = attempt(client, "someone-else@example.org")
    assert code == 429 and "attendez 1 seconde" in page
    assert attempt(client, "someone-else@example.org", address="192.0.2.99")[0] == 200  # another address is not


def test_a_successful_login_gives_the_address_its_attempt_back(app, client, make_user, clock, small_rules):
    """An office behind one address: logins in a row, more than the address's free attempts, never wait."""
    users = [make_user("manager") for _ in range(3)]
    for n in range(9):
        assert attempt(client, users[n % 3].email, PASSWORD)[0] == 302
        client.post("/logout", data={"csrf_token": csrf_token(client, "/")})


def test_unknown_and_known_accounts_are_throttled_alike(app, client, make_user, clock, small_rules):
    user = make_user("manager")
    pages = []
    for email in (user.email, "nobody@example.org"):
        for _ in range(6):
            code, page = attempt(client, email, address=f"192.0.2.{len(pages) + 50}")
        pages.append((code, page.split('class="flash flash-error"')[1].split("</p>")[0]))
    assert pages[0] == pages[1] and pages[0][0] == 429


def test_the_purge_forgets_unused_throttle_rows(app, client, make_user, clock):
    from hotline.privacy import retention

    attempt(client, "nobody@example.org")
    with app.app_context():
        retention.purge(START + timedelta(days=179))
        assert len(db.session.scalars(select(LoginThrottle)).all()) == 3
        retention.purge(START + timedelta(days=181))
        db.session.commit()
        assert db.session.scalars(select(LoginThrottle)).all() == []


@pytest.fixture
def proxied(app):
    """The app behind one reverse proxy (HOTLINE_PROXY_HOPS=1), on the tests' database."""
    return create_app(
        {
            **{key: app.config[key] for key in ("SECRET_KEY", "DATABASE_URL", "TWILIO_AUTH_TOKEN")},
            "TESTING": True,
            "PROXY_HOPS": 1,
            "LOGIN_RATE_LIMIT": "10000 per minute",
        }
    )


def test_behind_a_proxy_the_client_address_is_counted_and_audited(app, proxied, make_user, clock):
    proxied.config["NOW_FUNCTION"] = app.config["NOW_FUNCTION"]
    user = make_user("manager")
    client = proxied.test_client()
    client.environ_base["REMOTE_ADDR"] = "10.0.0.2"  # the proxy

    def post(forwarded, password=WRONG):
        headers = {"X-Forwarded-For": forwarded}
        token = csrf_token(client, "/login")
        return client.post(
            "/login", data={"email": user.email, "password": password, "csrf_token": token}, headers=headers
        )

    for _ in range(5):
        post("198.51.100.7")
    assert post("198.51.100.7").status_code == 429
    assert post("192.0.2.1", PASSWORD).status_code == 302  # another client behind the same proxy
    with app.app_context():
        addresses = {a.remote_addr for a in db.session.scalars(select(LoginAttempt))}
        assert addresses == {"198.51.100.7", "192.0.2.1"}


def production(**env):
    base = {
        "HOTLINE_ENV": "production",
        "HOTLINE_SECRET_KEY": "s" * 32,
        "HOTLINE_TWILIO_AUTH_TOKEN": "t",
        "HOTLINE_DATABASE_URL": "sqlite:///:memory:",
    }
    return {**base, **env}


def test_production_with_a_public_url_and_no_proxy_setting_refuses_to_start(monkeypatch):
    """Issue 16: with only HOTLINE_PUBLIC_URL set, every user behind the proxy shared one address."""
    for name, value in production(HOTLINE_PUBLIC_URL="https://hotline.example.org").items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("HOTLINE_PROXY_HOPS", raising=False)
    with pytest.raises(ConfigError, match="HOTLINE_PROXY_HOPS"):
        create_app()
    monkeypatch.setenv("HOTLINE_PROXY_HOPS", "1")
    assert create_app().config["PROXY_HOPS"] == 1
    monkeypatch.setenv("HOTLINE_PROXY_HOPS", "0")  # said explicitly: served without a proxy
    assert create_app().config["PROXY_HOPS"] == 0
