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
from flask import Flask, render_template
from werkzeug.middleware.proxy_fix import ProxyFix

from hotline.config import DEFAULTS, ConfigError, from_environment

PACKAGE_DIR = Path(__file__).resolve().parent
TEMPLATES_DIR = PACKAGE_DIR.parent / "templates"


def create_app(config: Mapping | None = None) -> Flask:
    app = Flask(__name__, template_folder=str(TEMPLATES_DIR), instance_relative_config=True)
    configure(app, config)
    register_extensions(app)
    register_blueprints(app)
    register_errorhandlers(app)
    register_security_headers(app)
    register_template_helpers(app)
    register_commands(app)
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
    relaxed = bool(cfg.get("TESTING") or development or click.get_current_context(silent=True) is not None)
    for key, variable in (("SECRET_KEY", "HOTLINE_SECRET_KEY"), ("TWILIO_AUTH_TOKEN", "HOTLINE_TWILIO_AUTH_TOKEN")):
        if cfg.get(key):
            continue
        if not relaxed:
            raise ConfigError(
                f"{variable} n'est pas défini : le serveur ne démarre pas sans lui. "
                "Voir .env.example (une clé se génère avec : python -c 'import secrets; "
                "print(secrets.token_hex(32))').")
        # Tests, the local demo and one-off CLI commands get a throw-away value.
        cfg[key] = secrets.token_hex(32)
    cfg["SQLALCHEMY_DATABASE_URI"] = database_uri(cfg.get("DATABASE_URL"), app.instance_path)
    cfg["SQLALCHEMY_ENGINE_OPTIONS"] = engine_options(cfg["SQLALCHEMY_DATABASE_URI"], cfg)
    logging.getLogger("hotline").setLevel(cfg.get("LOG_LEVEL", "INFO"))


def database_uri(url: str | None, instance_path: str) -> str:
    if not url:  # the folder is made at the first connection (database.py), not here
        return "sqlite:///" + str(Path(instance_path) / "hotline.sqlite3")
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://"):]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    return url


def engine_options(uri: str, cfg: Mapping) -> dict:
    # hide_parameters: database errors name no value (a caller's number, a name) in the logs.
    if uri.startswith("sqlite"):
        return {"hide_parameters": True, "connect_args": {"timeout": cfg["DB_BUSY_TIMEOUT_MS"] / 1000}}
    return {"hide_parameters": True, "pool_pre_ping": True, "connect_args": {"connect_timeout": 5}}


def register_extensions(app: Flask) -> None:
    from hotline import database
    from hotline.extensions import csrf, db, limiter, login_manager, migrate

    db.init_app(app)
    database.install_sqlite_pragmas(app)
    migrate.init_app(app, db, directory=str(PACKAGE_DIR / "migrations"))
    csrf.init_app(app)
    limiter.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Connectez-vous pour accéder à cette page."
    login_manager.login_message_category = "info"
    login_manager.session_protection = "strong"


def register_blueprints(app: Flask) -> None:
    from hotline.activities.views import bp as activities_bp
    from hotline.admin.views import bp as admin_bp
    from hotline.appointments.views import bp as appointments_bp
    from hotline.auth.views import bp as auth_bp
    from hotline.consultations.views import bp as consultations_bp
    from hotline.ivr.calls_views import bp as calls_bp
    from hotline.permanences.views import bp as permanences_bp
    from hotline.public.views import bp as public_bp
    from hotline.reports.views import bp as reports_bp
    from hotline.views import bp as main_bp

    app.register_blueprint(main_bp)
    app.register_blueprint(auth_bp)
    app.register_blueprint(consultations_bp)
    app.register_blueprint(admin_bp)
    app.register_blueprint(calls_bp)
    app.register_blueprint(permanences_bp)
    app.register_blueprint(appointments_bp)
    app.register_blueprint(reports_bp)
    app.register_blueprint(activities_bp)
    app.register_blueprint(public_bp)


def register_errorhandlers(app: Flask) -> None:
    from flask_wtf.csrf import CSRFError

    def render(code: int, title: str, message: str):
        return render_template("error.html", code=code, title=title, message=message), code

    app.register_error_handler(CSRFError, lambda e: render(
        400, "Formulaire expiré", "Le formulaire a expiré ou n'a pas été envoyé depuis cette page. "
        "Revenez en arrière, rechargez la page et envoyez-le de nouveau."))
    app.register_error_handler(403, lambda e: render(
        403, "Accès refusé", "Votre rôle ne donne pas accès à cette page."))
    app.register_error_handler(404, lambda e: render(
        404, "Page introuvable", "Cette page n'existe pas ou n'existe plus."))
    app.register_error_handler(405, lambda e: render(
        405, "Méthode non permise", "Cette action n'est pas possible ainsi."))
    app.register_error_handler(413, lambda e: render(
        413, "Fichier trop lourd", "Ce fichier dépasse 20 Mo : coupez-le en plusieurs fichiers."))
    app.register_error_handler(429, lambda e: render(
        429, "Trop de tentatives", "Trop de tentatives en peu de temps. Patientez quelques minutes."))
    app.register_error_handler(500, lambda e: render(
        500, "Erreur du serveur", "Une erreur est survenue. Rien n'a été enregistré ; réessayez."))


SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'; "
                               "form-action 'self'; base-uri 'none'",
}


def register_security_headers(app: Flask) -> None:
    @app.after_request
    def add_headers(response):
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        if response.mimetype == "text/html":
            response.headers.setdefault("Cache-Control", "no-store")  # personal data: no cached copies
        return response


def register_template_helpers(app: Flask) -> None:
    from hotline import templating

    templating.install(app)


def mount_voice_app(app: Flask) -> None:
    """The Twilio webhooks (/ivr/*) are served by an app of their own, without sessions, CSRF or
    rate limits (see ivr/app.py); ProxyFix, when configured, sits in front of both."""
    from hotline.ivr.app import VoiceDispatcher, create_voice_app

    voice = create_voice_app(app.config)
    app.extensions["hotline.voice"] = voice
    app.wsgi_app = VoiceDispatcher(app.wsgi_app, voice)
    if app.config.get("PROXY_HOPS"):
        hops = app.config["PROXY_HOPS"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops, x_port=hops)


def register_commands(app: Flask) -> None:
    from hotline.auth.commands import users_cli
    from hotline.consultations.commands import consultations_cli
    from hotline.demo import demo_command
    from hotline.ivr.commands import ivr_cli
    from hotline.reports.commands import reports_cli
    from hotline.scheduler import purge_command, reminders_cli, scheduler_command

    app.cli.add_command(scheduler_command)
    app.cli.add_command(purge_command)
    app.cli.add_command(reminders_cli)
    app.cli.add_command(reports_cli)
    app.cli.add_command(users_cli)
    app.cli.add_command(consultations_cli)
    app.cli.add_command(demo_command)
    app.cli.add_command(ivr_cli)
