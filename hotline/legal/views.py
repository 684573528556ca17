"""Legal notice, personal data notice and accessibility statement: plain pages, no login, no personal data."""

from flask import Blueprint, current_app, render_template

bp = Blueprint("legal", __name__)


@bp.route("/mentions-legales")
def notice():
    return render_template("legal/notice.html")


@bp.route("/donnees-personnelles")
def personal_data():
    cfg = current_app.config
    durations = {
        "household_years": cfg["RETENTION_HOUSEHOLD_YEARS"],
        "caller_days": cfg["RETENTION_CALLER_DAYS"],
        "audit_days": cfg["RETENTION_AUDIT_DAYS"],
        "login_days": cfg["RETENTION_LOGIN_DAYS"],
        "import_job_days": cfg["RETENTION_IMPORT_JOB_DAYS"],
    }
    return render_template("legal/personal_data.html", durations=durations)


@bp.route("/accessibilite")
def accessibility():
    return render_template("legal/accessibility.html")
