"""The home page: each role lands where its daily work is."""
from flask import Blueprint, redirect, render_template, url_for
from flask_login import current_user, login_required

bp = Blueprint("main", __name__)


@bp.route("/")
@login_required
def home():
    if current_user.role == "admin":
        return redirect(url_for("admin.users"))
    return render_template("home.html")

