"""The voice line's own WSGI app: Twilio's webhooks without the web pages' machinery.

Twilio proves each request with its signature, not with a session cookie: the webhooks need no
session, CSRF token, login or rate limit (Twilio treats a 429 as an error). Serving them from a
separate Flask app, mounted under /ivr/ by `VoiceDispatcher`, keeps those hooks off the phone line's
path entirely. Both apps share one configuration object and the same models and database.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from flask import Config, Flask, request
from flask.sessions import SessionInterface
from werkzeug.exceptions import HTTPException

from hotline.core import database
from hotline.extensions import db
from hotline.ivr import circuit, deadline, views

PREFIX = "/ivr/"


class NoSessions(SessionInterface):
    """The webhooks keep no session: Flask hands them a null session and sets no cookie."""

    def open_session(self, app, request):
        return None

    def save_session(self, app, session, response):
        return None


def create_voice_app(config: Config, *, flagged: Callable[[str | None, str, date], bool]) -> Flask:
    """`flagged(number, kind, today)`: whether a household holding the number is flagged "ne pas rappeler"
    (kind "callback") or "ne pas envoyer de SMS" ("sms") (consultations/flags.py's number_blocked, handed
    over by create_app: the voice line imports no consultations)."""
    voice = Flask(__name__)
    voice.config = config  # the same object: a setting changed on the web app holds here too
    voice.extensions["hotline.flagged"] = flagged
    voice.session_interface = NoSessions()
    db.init_app(voice)
    database.install_sqlite_pragmas(voice)
    with voice.app_context():
        deadline.install(db.engine)  # the voice line's own engine: the web app's stays as it is
    circuit.install(voice)
    voice.register_blueprint(views.bp)

    @voice.before_request
    def small_forms_only():
        """Twilio's forms weigh a few hundred bytes: a larger body gets a 413 (the shared config's
        MAX_CONTENT_LENGTH is the pages' upload limit)."""
        request.max_content_length = voice.config["IVR_MAX_CONTENT_LENGTH"]

    @voice.errorhandler(Exception)
    def never_a_dead_line(error):
        """Whatever went wrong outside a step's own guard, the caller is put through to the backup."""
        if isinstance(error, HTTPException):
            return error
        views.log.exception("ivr: unexpected error; caller sent to the backup number")
        return views.degraded()

    return voice


class VoiceDispatcher:
    """Sends /ivr/* to the voice app and everything else to the web pages; paths are unchanged."""

    def __init__(self, web, voice: Flask):
        self.web, self.voice = web, voice

    def __call__(self, environ, start_response):
        if environ.get("PATH_INFO", "").startswith(PREFIX):
            return self.voice(environ, start_response)
        return self.web(environ, start_response)
