"""Flask extensions, created unbound and bound to the app in the factory."""

from flask import abort, request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect

from hotline.core.ids import parse_id
from hotline.core.models_base import Base


class Database(SQLAlchemy):
    def paginate(self, select, *, page=None, per_page=None, **options):
        """Flask-SQLAlchemy's, with a ?page= or ?per_page= over MAX_ID (hence an offset over
        BIGINT, a 500 from the driver) a 404 instead. An unreadable one stays page 1."""
        if request and per_page is None:
            per_page = parse_id(request.args.get("per_page")) or 20
        if request and page is None:
            text = request.args.get("page", "1").strip()
            page = 1
            if text.isascii() and text.isdigit():  # "0" and "007" read as 1 and 7; beyond any row: a 404
                page = parse_id(text.lstrip("0") or "1")
                if page is None:
                    abort(404)
        return super().paginate(select, page=page, per_page=per_page, **options)


db = Database(model_class=Base)
login_manager = LoginManager()
csrf = CSRFProtect()
# No default limits: only the login form is limited. The Twilio webhooks must never see a 429.
limiter = Limiter(key_func=get_remote_address, default_limits=[])
