"""hotline: the green number and consultation log of a housing-law information service.

`create_app(config)` builds the Flask app in small named steps. It has no side effects: it
creates no schema, starts no scheduler and opens no network connection.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Mapping
from pathlib import Path

import click
from flask import Flask, Response, render_template, request
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import IntegerConverter, UnicodeConverter, ValidationError

from hotline.config import DEFAULTS, ConfigError, from_environment
from hotline.core.ids import MAX_ID

PACKAGE_DIR = Path(__file__).resolve().parent
# An installed wheel carries the templates inside the package (setup.py copies them there); a checkout
# keeps them at the top level, the client's layout.
TEMPLATES_DIR = next(
    (d for d in (PACKAGE_DIR / "templates", PACKAGE_DIR.parent / "templates") if d.is_dir()),
    PACKAGE_DIR.parent / "templates",
)
log = logging.getLogger("hotline")


class BoundedIntegerConverter(IntegerConverter):
    """Werkzeug's `int`, up to MAX_ID: /admin/users/99999999999999999999 is a 404, not a database
    error. It replaces `int` for every route of the app."""

    def to_python(self, value: str) -> int:
        if len(value.lstrip("-")) > 10:
            raise ValidationError()
        number = super().to_python(value)
        if abs(number) > MAX_ID:
            raise ValidationError()
        return number


class PlainTextConverter(UnicodeConverter):
    """Werkzeug's default converter without control characters: /admin/communes/%00/territory is a 404, not
    a database error (PostgreSQL refuses a NUL). It replaces `string` for every route of the app."""

    def __init__(self, map, *args, **kwargs):
        super().__init__(map, *args, **kwargs)
        self.regex = self.regex.replace("[^/]", r"[^/\x00-\x1f\x7f-\x9f\u2028\u2029]", 1)


def create_app(config: Mapping | None = None) -> Flask:
    app = Flask(__name__, template_folder=str(TEMPLATES_DIR), instance_relative_config=True)
    configure(app, config)
    app.url_map.converters["int"] = BoundedIntegerConverter  # before any route is added
    app.url_map.converters["default"] = app.url_map.converters["string"] = PlainTextConverter
    register_extensions(app)
    register_blueprints(app)
    register_errorhandlers(app)
    register_security_headers(app)
    register_template_helpers(app)
    register_commands(app)
    register_subscribers(app)
    mount_voice_app(app)
    return app


def configure(app: Flask, overrides: Mapping | None) -> None:
    app.config.update(DEFAULTS)
    app.config.update(from_environment())
    if overrides:
        app.config.update(overrides)
    cfg = app.config
    development = cfg["HOTLINE_ENV"] == "development"
    if cfg.get("TESTING") or development:
        cfg["SESSION_COOKIE_SECURE"] = bool(overrides and overrides.get("SESSION_COOKIE_SECURE"))
    if cfg.get("HSTS") is None:  # not configured: on, except in tests and development
        cfg["HSTS"] = not (cfg.get("TESTING") or development)
    relaxed = bool(cfg.get("TESTING") or development or click.get_current_context(silent=True) is not None)
    for key, variable in (("SECRET_KEY", "HOTLINE_SECRET_KEY"), ("TWILIO_AUTH_TOKEN", "HOTLINE_TWILIO_AUTH_TOKEN")):
        if cfg.get(key):
            continue
        if not relaxed:
            raise ConfigError(
                f"{variable} n'est pas défini : le serveur ne démarre pas sans lui. "
                "Voir .env.example (une clé se génère avec : python -c 'import secrets; "
                "print(secrets.token_hex(32))')."
            )
        # Tests, the local demo and one-off CLI commands get a throw-away value.
        cfg[key] = secrets.token_hex(32)
        cfg[f"{key}_GENERATED"] = True  # not a real one: SMS are not sent with it (sms.twilio_client.check_configured)
    if not relaxed and cfg.get("PUBLIC_URL") and cfg.get("PROXY_HOPS") is None:
        raise ConfigError(PROXY_HOPS_MISSING)
    cfg["SQLALCHEMY_DATABASE_URI"] = database_uri(cfg.get("DATABASE_URL"), app.instance_path)
    cfg["SQLALCHEMY_ENGINE_OPTIONS"] = engine_options(cfg["SQLALCHEMY_DATABASE_URI"], cfg)
    logging.getLogger("hotline").setLevel(cfg.get("LOG_LEVEL", "INFO"))


# Behind a reverse proxy every request comes from the proxy's address: the login throttle and the audit log
# would see one client. Guessing the number of proxies would let a client forge its address, so it is asked.
PROXY_HOPS_MISSING = (
    "HOTLINE_PUBLIC_URL est défini mais pas HOTLINE_PROXY_HOPS : le serveur ne démarre pas sans savoir combien "
    "de mandataires inverses (reverse proxies) le précèdent. Indiquez HOTLINE_PROXY_HOPS=1 derrière un "
    "mandataire (nginx, Apache, répartiteur de charge), 2 derrière deux, ou HOTLINE_PROXY_HOPS=0 si les "
    "navigateurs le joignent directement. Voir .env.example."
)


def database_uri(url: str | None, instance_path: str) -> str:
    if not url:  # the folder is made at the first connection (database.py), not here
        return "sqlite:///" + str(Path(instance_path) / "hotline.sqlite3")
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://") :]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    return url


def engine_options(uri: str, cfg: Mapping) -> dict:
    # hide_parameters: database errors name no value (a caller's number, a name) in the logs.
    if uri.startswith("sqlite"):
        return {"hide_parameters": True, "connect_args": {"timeout": cfg["DB_BUSY_TIMEOUT_MS"] / 1000}}
    return {"hide_parameters": True, "pool_pre_ping": True, "connect_args": {"connect_timeout": 5}}


def register_extensions(app: Flask) -> None:
    from hotline.core import database
    from hotline.extensions import csrf, db, limiter, login_manager

    db.init_app(app)
    database.install_sqlite_pragmas(app)
    database.install_write_lock(app)  # the web app's engine only, not the voice line's
    database.install_migrations(app, str(PACKAGE_DIR / "migrations"))
    csrf.init_app(app)
    limiter.init_app(app)
    say_where_rate_limits_live(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Connectez-vous pour accéder à cette page."
    login_manager.login_message_category = "info"
    login_manager.needs_refresh_message = "Reconnectez-vous pour accéder à cette page."
    login_manager.needs_refresh_message_category = "info"
    login_manager.session_protection = "strong"  # enforced by auth.sessions.load, the session being permanent


def say_where_rate_limits_live(app: Flask) -> None:
    """Flask-Limiter's limits (the flood guard on the login form) live in HOTLINE_RATELIMIT_STORAGE_URI: in
    memory, each process counts alone; the login throttle itself is in the database either way."""
    uri = app.config.get("RATELIMIT_STORAGE_URI") or "memory://"
    if uri.startswith("memory://"):
        if not (app.config.get("TESTING") or app.config["HOTLINE_ENV"] == "development"):
            log.warning(
                "rate limits: in memory, per process (set HOTLINE_RATELIMIT_STORAGE_URI=redis://... to share "
                "them between workers and servers; the login throttle is in the database either way)"
            )
    else:  # the scheme only: the URI may carry a password
        log.info("rate limits: shared storage %s", uri.split(":", 1)[0])


def register_blueprints(app: Flask) -> None:
    from hotline.activities.views import bp as activities_bp
    from hotline.admin.views import bp as admin_bp
    from hotline.agenda.views import bp as agenda_bp
    from hotline.appointments.views import bp as appointments_bp
    from hotline.auth.views import bp as auth_bp
    from hotline.calls.views import bp as calls_bp
    from hotline.consultations.case_views import bp as cases_bp
    from hotline.consultations.views import bp as consultations_bp
    from hotline.home.views import bp as main_bp
    from hotline.legal.views import bp as legal_bp
    from hotline.permanences.views import bp as permanences_bp
    from hotline.privacy.views import bp as privacy_bp
    from hotline.public.views import bp as public_bp
    from hotline.reports.views import bp as reports_bp

    app.register_blueprint(main_bp)
    app.register_blueprint(auth_bp)
    app.register_blueprint(consultations_bp)
    app.register_blueprint(cases_bp)
    app.register_blueprint(admin_bp)
    app.register_blueprint(calls_bp)
    app.register_blueprint(permanences_bp)
    app.register_blueprint(appointments_bp)
    app.register_blueprint(agenda_bp)
    app.register_blueprint(reports_bp)
    app.register_blueprint(activities_bp)
    app.register_blueprint(privacy_bp)
    app.register_blueprint(public_bp)
    app.register_blueprint(legal_bp)


SERVER_ERROR = ("Erreur du serveur", "Une erreur est survenue. Rien n'a été enregistré ; réessayez.")
# When even the error page cannot be drawn (the database is down): plain French, nothing to read.
BARE_SERVER_ERROR = (
    '<!doctype html><html lang="fr"><meta charset="utf-8"><title>Erreur du serveur</title>'
    f"<h1>{SERVER_ERROR[0]}</h1><p>{SERVER_ERROR[1]}</p></html>"
)


def register_errorhandlers(app: Flask) -> None:
    # Imported here, not at the top: `import hotline` is paid by every `hotline` command, --help included
    # (Flask-WTF brings WTForms; auth.access reads the models, hence SQLAlchemy).
    from flask_login import current_user
    from flask_wtf.csrf import CSRFError
    from werkzeug.exceptions import Forbidden

    from hotline.auth.access import NO_MISSION, has_no_mission
    from hotline.extensions import db  # hotline.extensions imports this module
    from hotline.web import lock_retry

    def render(code: int, title: str, message: str):
        return render_template("error.html", code=code, title=title, message=message), code

    def forbidden(error):
        """The refusal names its reason when the code gave one (auth.access: the role, or the missions)."""
        if has_no_mission(current_user):
            return render(403, "Aucune mission attribuée", NO_MISSION)
        given = error.description != Forbidden.description
        return render(403, "Accès refusé", error.description if given else "Vous n'avez pas accès à cette page.")

    def server_error(error):
        """The request's transaction is rolled back first: after a failed flush, drawing the page
        (which reads the account) would fail again."""
        try:
            db.session.rollback()
            return render(500, *SERVER_ERROR)
        except Exception:  # the last resort must not fail: the database may be down
            log.exception("the error page could not be drawn")
            return Response(BARE_SERVER_ERROR, status=500, mimetype="text/html")

    app.register_error_handler(
        CSRFError,
        lambda e: render(
            400,
            "Formulaire expiré",
            "Le formulaire a expiré ou n'a pas été envoyé depuis cette page. "
            "Revenez en arrière, rechargez la page et envoyez-le de nouveau.",
        ),
    )
    app.register_error_handler(403, forbidden)
    app.register_error_handler(
        404, lambda e: render(404, "Page introuvable", "Cette page n'existe pas ou n'existe plus.")
    )
    app.register_error_handler(
        405, lambda e: render(405, "Méthode non permise", "Cette action n'est pas possible ainsi.")
    )
    app.register_error_handler(
        413, lambda e: render(413, "Fichier trop lourd", "Ce fichier dépasse 20 Mo : coupez-le en plusieurs fichiers.")
    )
    app.register_error_handler(
        429,
        lambda e: render(429, "Trop de tentatives", "Trop de tentatives en peu de temps. Patientez quelques minutes."),
    )
    app.register_error_handler(500, server_error)
    lock_retry.install(app)  # a request that met a locked SQLite database is run once more

    @app.teardown_request
    def rollback_after_an_error(error):
        if error is not None:
            db.session.rollback()


SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'; "
    "form-action 'self'; base-uri 'none'",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=(), usb=(), serial=(), "
    "bluetooth=(), accelerometer=(), gyroscope=(), magnetometer=()",
}
HSTS = "max-age=31536000; includeSubDomains"  # a year


def register_security_headers(app: Flask) -> None:
    @app.after_request
    def add_headers(response):
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        if app.config["HSTS"]:
            response.headers.setdefault("Strict-Transport-Security", HSTS)
        # Pages and downloads (CSV, XLSX, PDF, ICS) hold personal data; static files and the public
        # permanences (the same for everyone, nothing personal) say how they may be cached.
        if request.endpoint != "static" and request.blueprint != "public":
            response.headers["Cache-Control"] = "no-store"
        return response


def register_template_helpers(app: Flask) -> None:
    from hotline.web import templating

    templating.install(app)


def mount_voice_app(app: Flask) -> None:
    """The Twilio webhooks (/ivr/*) are served by an app of their own, without sessions, CSRF or
    rate limits (see ivr/app.py); ProxyFix, when configured, sits in front of both."""
    from hotline.consultations.flags import number_blocked
    from hotline.ivr.app import VoiceDispatcher, create_voice_app

    voice = create_voice_app(app.config, flagged=number_blocked)
    app.extensions["hotline.voice"] = voice
    app.wsgi_app = VoiceDispatcher(app.wsgi_app, voice)
    if app.config.get("PROXY_HOPS"):
        hops = app.config["PROXY_HOPS"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops, x_port=hops)


def register_subscribers(app: Flask) -> None:
    """The report tables and the appointments follow what the other rooms write (core.signals), in the
    writer's transaction."""
    from hotline.appointments import subscribers as appointments
    from hotline.reports import subscribers as reports

    reports.subscribe(app)
    appointments.subscribe(app)


def register_commands(app: Flask) -> None:
    from hotline import cli

    cli.register(app.cli)  # each command's module is imported when it runs (hotline/cli.py)
