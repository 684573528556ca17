"""The agenda page: a week (or, with ?day=, a day) of permanences, duty shifts and appointments in an
time grid, filtered by jurist, territory and mission; with ?household=, each free slot books it for that
household. Without a week asked for, it opens on today's week, or on the next working day's after the
opening hours of a Friday, on a weekend or a public holiday. On a phone the week shows one day, with
links to the day before and after. Thin: see services."""

from __future__ import annotations

from datetime import date, timedelta

from flask import Blueprint, Response, render_template, request
from flask_login import current_user, login_required
from sqlalchemy import select

from hotline.agenda import grid, services
from hotline.appointments.models import STATUSES
from hotline.appointments.services import default_mission
from hotline.appointments.views import household_for
from hotline.auth.access import roles_required
from hotline.auth.models import User
from hotline.core import clock
from hotline.core.calendar import is_holiday
from hotline.core.ids import parse_id
from hotline.extensions import db
from hotline.reference import labels
from hotline.reference.services import territories

bp = Blueprint("agenda", __name__, url_prefix="/agenda")
EARLIEST, LATEST = date(2000, 1, 3), date(2099, 12, 28)  # Mondays: any week asked for lies between


def _day(text: str | None) -> date | None:
    try:
        return min(max(date.fromisoformat(text or ""), EARLIEST), LATEST)
    except ValueError:
        return None


@bp.route("/")
@roles_required("jurist", "manager")
def week():
    args = request.args
    household = household_for(current_user) if args.get("household") else None
    missions = services.visible_missions(current_user)
    mission = (
        args.get("mission") if "mission" in args else default_mission(household, current_user) if household else None
    )
    codes = [t.code for t in territories(include_buckets=False)]
    territory = (
        args.get("territory")
        if "territory" in args
        else household.commune.territory_code
        if household and household.commune
        else None
    )
    jurists = list(
        db.session.scalars(select(User).where(User.role == "jurist", User.active.is_(True)).order_by(User.name))
    )
    jurist_id = parse_id(args.get("jurist"))
    mission = mission if mission in missions else None
    territory = territory if territory in codes else None
    today = clock.local_today()
    zone, note = clock.local_zone(), None
    one_day = _day(args.get("day"))
    opening = grid.opening_day(clock.now().astimezone(zone), services.closing_time(current_user), is_holiday)
    focus = one_day or _day(args.get("week")) or opening
    if household and "week" not in args and one_day is None:  # on the first free slot, in its territory if any
        first, widened = services.first_free(clock.now(), zone, mission=mission or None, territory=territory)
        if widened and "territory" not in args:
            which = f"« {labels('missions')[mission]} » " if mission else ""
            note = (
                f"Aucun créneau libre {which}dans le territoire du ménage ces huit prochaines semaines : "
                "voici ceux des autres territoires."
            )
            territory = None
        if first is not None:
            focus = first.starts.date()
    start, count = (one_day, 1) if one_day else (services.monday_of(focus), 7)  # a phone shows the focus day
    filters = services.Filters(
        start, mission, territory, jurist_id if jurist_id in {u.id for u in jurists} else None, count
    )
    shown = services.view(current_user, filters, clock.now(), zone, keep=focus)
    db.session.commit()  # the audited read of the household, if any
    keep = {
        "household": household.id if household else None,
        "mission": filters.mission or "",
        "territory": filters.territory or "",
        "jurist": filters.jurist_id or "",
    }
    return render_template(
        "agenda/week.html",
        view=shown,
        days=shown.days,
        filters=filters,
        household=household,
        jurists=jurists,
        missions=[(m, labels("missions")[m]) for m in missions],
        territory_list=territories(include_buckets=False),
        keep=keep,
        note=note,
        one_day=one_day,
        focus=focus,
        previous=start - timedelta(days=count),
        following=start + timedelta(days=count),
        day_before=focus - timedelta(days=1),
        day_after=focus + timedelta(days=1),
        today=today,
        opening=opening,
        place=grid.place,
        statuses=STATUSES,
        can_book=household is not None and current_user.role == "jurist",
    )


@bp.route("/agenda.css")
@login_required
def stylesheet():
    """The time grid's layout (classes for hours, minutes, left and width: no inline style passes the
    Content-Security-Policy); kept beside its template."""
    return Response(render_template("agenda/agenda.css"), mimetype="text/css")
