"""The home page: each role's home says what there is to do (see hotline/home/services.py); and the health check for
monitoring."""

import logging

from flask import Blueprint, jsonify, render_template
from flask_login import current_user, login_required
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from hotline.auth.access import NO_MISSION, has_no_mission
from hotline.core import clock
from hotline.extensions import db
from hotline.home import services as homes

bp = Blueprint("main", __name__)
log = logging.getLogger("hotline")


@bp.route("/")
@login_required
def home():
    now, zone = clock.now(), clock.local_zone()
    if current_user.role == "admin":
        return render_template("home/admin.html", home=homes.admin_home(now, zone))
    if current_user.role == "manager":
        return render_template("home/manager.html", home=homes.manager_home(current_user, now, zone))
    if has_no_mission(current_user):
        return render_template("home/jurist.html", home=None, no_mission=NO_MISSION)
    return render_template("home/jurist.html", home=homes.jurist_home(current_user, now, zone), no_mission=None)


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
