"""The app factory, its configuration and the database settings."""

import subprocess
import sys

import pytest
from sqlalchemy import inspect, text

from hotline import create_app
from hotline.config import ConfigError, from_environment, parse_numbers
from hotline.extensions import db


def test_mapping_overrides_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("HOTLINE_TIMEZONE", "Europe/London")
    monkeypatch.setenv("HOTLINE_SECRET_KEY", "from-env")
    app = create_app({"TESTING": True, "SECRET_KEY": "from-mapping", "DATABASE_URL": f"sqlite:///{tmp_path}/x.db"})
    assert app.config["SECRET_KEY"] == "from-mapping"
    assert app.config["TIMEZONE"] == "Europe/London"


def test_environment_defaults(monkeypatch):
    for name in ("HOTLINE_TIMEZONE", "HOTLINE_DATABASE_URL", "HOTLINE_ENV"):
        monkeypatch.delenv(name, raising=False)
    settings = from_environment()
    assert settings["TIMEZONE"] == "Europe/Paris"
    assert settings["DATABASE_URL"] is None
    assert settings["SESSION_COOKIE_SECURE"] is True


def test_default_database_is_sqlite_in_instance_folder(monkeypatch):
    monkeypatch.delenv("HOTLINE_DATABASE_URL", raising=False)
    app = create_app({"TESTING": True})
    assert app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite:///")
    assert app.config["SQLALCHEMY_DATABASE_URI"].endswith("instance/hotline.sqlite3")


def test_postgres_url_uses_psycopg3(tmp_path):
    app = create_app({"TESTING": True, "DATABASE_URL": "postgresql://u:p@localhost/hotline"})
    assert app.config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://u:p@localhost/hotline"


def test_missing_secret_key_stops_a_production_start(monkeypatch, tmp_path):
    monkeypatch.delenv("HOTLINE_SECRET_KEY", raising=False)
    monkeypatch.setenv("HOTLINE_ENV", "production")
    with pytest.raises(ConfigError, match="HOTLINE_SECRET_KEY"):
        create_app({"DATABASE_URL": f"sqlite:///{tmp_path}/x.db", "TWILIO_AUTH_TOKEN": "t"})


def test_missing_twilio_token_stops_a_production_start(monkeypatch, tmp_path):
    monkeypatch.setenv("HOTLINE_ENV", "production")
    monkeypatch.delenv("HOTLINE_TWILIO_AUTH_TOKEN", raising=False)
    with pytest.raises(ConfigError, match="HOTLINE_TWILIO_AUTH_TOKEN"):
        create_app({"DATABASE_URL": f"sqlite:///{tmp_path}/x.db", "SECRET_KEY": "s"})


def test_creating_the_app_has_no_side_effects(tmp_path):
    path = tmp_path / "untouched.db"
    app = create_app({"TESTING": True, "DATABASE_URL": f"sqlite:///{path}"})
    assert not path.exists()
    with app.app_context():
        assert inspect(db.engine).get_table_names() == []


def test_sqlite_runs_with_wal_foreign_keys_and_busy_timeout(app):
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        pytest.skip("SQLite only")
    with app.app_context():
        assert db.session.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert db.session.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert db.session.execute(text("PRAGMA busy_timeout")).scalar() == 5000


def test_numbers_setting_maps_dialled_numbers_to_missions():
    assert parse_numbers("+33800000062=prevention_expulsion, +33800000063=info_logement") == {
        "+33800000062": "prevention_expulsion",
        "+33800000063": "info_logement",
    }
    with pytest.raises(ConfigError):
        parse_numbers("+33800000062")


def test_console_script_is_flask_app_cli(tmp_path):
    result = subprocess.run(
        [sys.executable, "-c", "from hotline.cli import main; main()", "--help"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    assert result.returncode == 0
    for command in ("db", "users", "demo", "ivr", "run"):
        assert command in result.stdout


@pytest.mark.parametrize("args", [["--help"], ["ivr", "simulate", "--help"]])
def test_console_script_help_builds_no_app_and_loads_no_sqlalchemy(tmp_path, args):
    """The start-up target of issue 17: the listing and a command's help import neither the app nor
    SQLAlchemy; they come with the commands that run."""
    probe = (
        "import atexit, sys\n"
        "atexit.register(lambda: print('LOADED', sorted(m for m in ('sqlalchemy', 'flask_sqlalchemy', "
        "'flask_wtf', 'hotline.extensions', 'hotline.ivr.simulator') if m in sys.modules)))\n"
        "from hotline.cli import main\nmain()"
    )
    result = subprocess.run([sys.executable, "-c", probe, *args], capture_output=True, text=True, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "Usage:" in result.stdout
    assert result.stdout.strip().splitlines()[-1] == "LOADED []"


def test_security_headers_of_cookies(app, client, make_user, login):
    user = make_user("manager")
    token_page = client.get("/login")
    cookie = token_page.headers.get("Set-Cookie", "")
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert login(user)


def test_pages_carry_security_headers(client):
    response = client.get("/login")
    assert response.headers["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    assert response.headers["Cache-Control"] == "no-store"


def test_database_errors_do_not_log_values(app):
    from sqlalchemy.exc import StatementError

    with app.app_context():
        try:
            db.session.execute(text("SELECT * FROM no_such_table WHERE x = :phone"), {"phone": "+33611223344"})
        except StatementError as error:
            assert "+33611223344" not in str(error)
        else:  # pragma: no cover
            raise AssertionError("the query should have failed")
        finally:
            db.session.rollback()


def test_health_check_says_whether_the_database_answers(client):
    import socket

    from hotline import create_app

    response = client.get("/healthz")
    assert (response.status_code, response.get_json()) == (200, {"status": "ok"})
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    down = create_app({"TESTING": True, "DATABASE_URL": f"postgresql://hotline@127.0.0.1:{port}/hotline"})
    response = down.test_client().get("/healthz")
    assert (response.status_code, response.get_json()) == (503, {"status": "database unavailable"})
