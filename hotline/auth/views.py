"""Login and logout."""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user, login_required, logout_user

from hotline.auth import sessions
from hotline.auth.forms import LoginForm
from hotline.auth.services import authenticate, end_sessions
from hotline.extensions import db, limiter, login_manager

bp = Blueprint("auth", __name__)

GENERIC_FAILURE = ("Identifiants incorrects, ou compte bloqué quelques minutes après plusieurs "
                   "échecs. Vérifiez votre adresse et votre mot de passe.")


login_manager.user_loader(sessions.load)


def safe_next(target: str | None) -> str | None:
    """Only a path on this site: no scheme, no host, no protocol-relative '//' trick, and no control
    character (a CR/LF would break the Location header)."""
    if not target or not target.isprintable() or not target.startswith("/") or target.startswith("//") \
            or "\\" in target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return None
    return target


def _login_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    form = LoginForm()
    if form.validate_on_submit():
        user = authenticate(form.email.data, form.password.data, request.remote_addr)
        db.session.commit()
        if user is not None:
            response = redirect(safe_next(request.args.get("next")) or url_for("main.home"))
            sessions.start(user)  # only once the response is made: nothing is left half-done
            return response
        flash(GENERIC_FAILURE, "error")
    return render_template("auth/login.html", form=form)


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    end_sessions(current_user)  # every session of the account, a copied cookie included
    db.session.commit()
    logout_user()
    session.clear()
    flash("Vous êtes déconnecté.", "info")
    return redirect(url_for("auth.login"))
