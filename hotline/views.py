"""The home page: each role lands where its daily work is; and the health check for monitoring."""
import logging

from flask import Blueprint, jsonify, redirect, render_template, url_for
from flask_login import current_user, login_required
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from hotline.auth.access import NO_MISSION, has_no_mission
from hotline.extensions import db

bp = Blueprint("main", __name__)
log = logging.getLogger("hotline")


@bp.route("/")
@login_required
def home():
    if current_user.role == "admin":
        return redirect(url_for("admin.users"))
    return render_template("home.html", no_mission=NO_MISSION if has_no_mission(current_user) else None)


@bp.route("/healthz")
def health():
    """For the load balancer and uptime monitoring: 200 when the database answers, else 503. Says
    nothing else."""
    try:
        db.session.execute(text("SELECT 1"))
        db.session.rollback()
        return jsonify(status="ok")
    except SQLAlchemyError:
        db.session.rollback()
        log.error("health check: database unavailable")
        return jsonify(status="database unavailable"), 503
