"""The voice line's own WSGI app: Twilio's webhooks without the web pages' machinery.

Twilio proves each request with its signature, not with a session cookie: the webhooks need no
session, CSRF token, login or rate limit (Twilio treats a 429 as an error). Serving them from a
separate Flask app, mounted under /ivr/ by `VoiceDispatcher`, keeps those hooks off the phone line's
path entirely. Both apps share one configuration object and the same models and database.
"""
from __future__ import annotations

from urllib.parse import parse_qsl

from flask import Config, Flask, Request
from flask.sessions import SessionInterface
from werkzeug.datastructures import ImmutableMultiDict
from werkzeug.exceptions import HTTPException

PREFIX = "/ivr/"
MAX_BODY = 64 * 1024  # Twilio's forms weigh a few hundred bytes


class TwilioRequest(Request):
    """Twilio posts small url-encoded forms: read in one go and parsed by the standard library.
    Anything else (another type, no length, over MAX_BODY) gets an empty form, hence a 403."""

    def _load_form_data(self) -> None:
        if "form" in self.__dict__:
            return
        length = self.content_length
        form = ImmutableMultiDict()
        if self.mimetype == "application/x-www-form-urlencoded" and length is not None and length <= MAX_BODY:
            body = self.environ["wsgi.input"].read(length)
            form = ImmutableMultiDict(parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True))
        self.__dict__["form"], self.__dict__["files"] = form, ImmutableMultiDict()


class NoSessions(SessionInterface):
    """The webhooks keep no session: Flask hands them a null session and sets no cookie."""

    def open_session(self, app, request):
        return None

    def save_session(self, app, session, response):
        return None


def create_voice_app(config: Config) -> Flask:
    from hotline import database
    from hotline.extensions import db
    from hotline.ivr import calllog, views

    voice = Flask(__name__)
    voice.config = config  # the same object: a setting changed on the web app holds here too
    voice.session_interface = NoSessions()
    voice.request_class = TwilioRequest
    db.init_app(voice)
    database.install_sqlite_pragmas(voice)
    calllog.install(voice)
    voice.register_blueprint(views.bp)

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
