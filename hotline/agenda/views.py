"""The agenda page: a week of permanences, duty shifts and appointments, filtered by jurist,
territory and mission; with ?household=, each free slot books it for that household. Thin: see
services."""
from __future__ import annotations

from datetime import date, timedelta

from flask import Blueprint, Response, render_template, request
from flask_login import current_user, login_required
from sqlalchemy import select

from hotline import clock
from hotline.agenda import services
from hotline.appointments.models import STATUSES
from hotline.appointments.services import default_mission
from hotline.appointments.views import household_for
from hotline.auth.access import roles_required
from hotline.auth.models import User
from hotline.extensions import db
from hotline.ids import parse_id
from hotline.reference import labels
from hotline.reference.services import territories

bp = Blueprint("agenda", __name__, url_prefix="/agenda")
EARLIEST, LATEST = date(2000, 1, 3), date(2099, 12, 28)  # Mondays: any week asked for lies between


def _week(text: str | None, today: date) -> date:
    try:
        day = date.fromisoformat(text or "")
    except ValueError:
        day = today
    return services.monday_of(min(max(day, EARLIEST), LATEST))


@bp.route("/")
@roles_required("jurist", "manager")
def week():
    args = request.args
    household = household_for(current_user) if args.get("household") else None
    missions = services.visible_missions(current_user)
    mission = args.get("mission") if "mission" in args else default_mission(household, current_user) \
        if household else None
    codes = [t.code for t in territories(include_buckets=False)]
    territory = args.get("territory") if "territory" in args else \
        household.commune.territory_code if household and household.commune else None
    jurists = list(db.session.scalars(select(User).where(User.role == "jurist", User.active.is_(True))
                                      .order_by(User.name)))
    jurist_id = parse_id(args.get("jurist"))
    mission = mission if mission in missions else None
    territory = territory if territory in codes else None
    zone, week_of, note = clock.local_zone(), _week(args.get("week"), clock.local_today()), None
    if household and "week" not in args:  # open on the first free slot, in the household's territory if any
        first, widened = services.first_free(clock.now(), zone, mission=mission or None, territory=territory)
        if widened and "territory" not in args:
            which = f"« {labels('missions')[mission]} » " if mission else ""
            note = (f"Aucun créneau libre {which}dans le territoire du ménage ces huit prochaines semaines : "
                    "voici ceux des autres territoires.")
            territory = None
        if first is not None:
            week_of = services.monday_of(first.starts.date())
    filters = services.Filters(week_of, mission, territory, jurist_id if jurist_id in {u.id for u in jurists} else None)
    days = services.week(current_user, filters, clock.now(), zone)
    db.session.commit()  # the audited read of the household, if any
    keep = {"household": household.id if household else None, "mission": filters.mission or "",
            "territory": filters.territory or "", "jurist": filters.jurist_id or ""}
    return render_template(
        "agenda/week.html", days=days, filters=filters, household=household, jurists=jurists,
        missions=[(m, labels("missions")[m]) for m in missions], territory_list=territories(include_buckets=False),
        keep=keep, note=note, previous=filters.week - timedelta(days=7), following=filters.week + timedelta(days=7),
        today=clock.local_today(), statuses=STATUSES, can_book=household is not None and current_user.role == "jurist")


@bp.route("/agenda.css")
@login_required
def stylesheet():
    """The week's layout (seven columns, a list per day on a phone); kept beside its template."""
    return Response(render_template("agenda/agenda.css"), mimetype="text/css")
