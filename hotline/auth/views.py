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

from hotline.auth import sessions, throttle
from hotline.auth.forms import LoginForm
from hotline.auth.services import authenticate, end_sessions, log_attempt, normalize_email
from hotline.extensions import db, limiter, login_manager

bp = Blueprint("auth", __name__)

GENERIC_FAILURE = "Identifiants incorrects. Vérifiez votre adresse et votre mot de passe."
# After several failures, each attempt waits a little longer (auth/throttle.py); the message says how long.
THEN_WAIT = "Attendez {wait} avant de réessayer : après plusieurs échecs, chaque essai attend un peu plus."
THROTTLED = (
    "Trop de tentatives de connexion : attendez {wait} avant de réessayer (votre mot de passe n'a pas été vérifié)."
)


login_manager.user_loader(sessions.load)


def safe_next(target: str | None) -> str | None:
    """Only a path on this site: no scheme, no host, no protocol-relative '//' trick, and no control
    character (a CR/LF would break the Location header)."""
    if (
        not target
        or not target.isprintable()
        or not target.startswith("/")
        or target.startswith("//")
        or "\\" in target
    ):
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
        # request.remote_addr is the client's own address: ProxyFix reads it from HOTLINE_PROXY_HOPS proxies.
        email, address = normalize_email(form.email.data)[:254], request.remote_addr
        admission = throttle.admit(email, address)
        if admission.wait:
            log_attempt(email, address, "throttled")
            db.session.commit()
            flash(THROTTLED.format(wait=throttle.wait_text(admission.wait)), "error")
            return render_template("auth/login.html", form=form), 429, {"Retry-After": str(admission.wait)}
        db.session.commit()  # counted before the password is checked: guesses sent in parallel wait too
        user = authenticate(email, form.password.data, address)
        if user is not None:
            throttle.succeeded(email, address)
        db.session.commit()
        if user is not None:
            response = redirect(safe_next(request.args.get("next")) or url_for("main.home"))
            sessions.start(user)  # only once the response is made: nothing is left half-done
            return response
        flash(GENERIC_FAILURE, "error")
        if admission.next_wait:
            flash(THEN_WAIT.format(wait=throttle.wait_text(admission.next_wait)), "error")
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
