"""Login and logout."""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required, login_user, logout_user

from hotline.auth.forms import LoginForm
from hotline.auth.models import User
from hotline.auth.services import authenticate
from hotline.extensions import db, limiter, login_manager

bp = Blueprint("auth", __name__)

GENERIC_FAILURE = ("Identifiants incorrects, ou compte bloqué quelques minutes après plusieurs "
                   "échecs. Vérifiez votre adresse et votre mot de passe.")


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    if not user_id.isdigit():
        return None
    return db.session.get(User, int(user_id))


def safe_next(target: str | None) -> str | None:
    """Only a path on this site: no scheme, no host, no protocol-relative '//' trick."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
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
            target = safe_next(request.args.get("next"))
            session.clear()  # a new session at login: nothing from before carries over
            session.permanent = True  # ends after PERMANENT_SESSION_LIFETIME (a working day)
            login_user(user)
            return redirect(target or url_for("main.home"))
        flash(GENERIC_FAILURE, "error")
    return render_template("auth/login.html", form=form)


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    logout_user()
    session.clear()
    flash("Vous êtes déconnecté.", "info")
    return redirect(url_for("auth.login"))
