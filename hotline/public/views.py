"""The public permanences page and the calendar feed of each territory: no login, no personal data
(no jurist, no appointment), cacheable. Thin: see listing and permanences.services."""

from __future__ import annotations

from flask import Blueprint, Response, abort, current_app, render_template, request

from hotline.core import clock
from hotline.permanences import places, recurrence, services
from hotline.public import listing
from hotline.reference import labels
from hotline.reference.services import territories

bp = Blueprint("public", __name__, url_prefix="/public", static_folder="static")
FEED_WEEKS = 12
CACHE = "public, max-age=300"  # the same for everyone; nothing personal


def _territories() -> dict[str, str]:
    return {t.code: t.label for t in territories(include_buckets=False)}


def _number(mission: str) -> listing.PhoneNumber | None:
    config = current_app.config
    return listing.green_number(mission, config.get("IVR_NUMBERS") or {}, config.get("GREEN_NUMBER_DISPLAY"))


def _coming(start, end, territory: str | None) -> list[services.Occurrence]:
    return [o for o in services.occurrences(start, end, territory=territory) if o.permanence.place.active]


@bp.route("/permanences")
def permanences():
    known = _territories()
    territory = request.args.get("territory", "")
    territory = territory if territory in known else ""
    start, end = services.horizon(clock.local_today())
    shown = {territory: known[territory]} if territory else known
    groups = listing.group(_coming(start, end, territory or None), shown)
    missions = labels("missions")
    body = render_template(
        "public/permanences.html",
        groups=groups,
        territories=known,
        territory=territory,
        start=start,
        end=end,
        missions=missions,
        describe=recurrence.describe,
        numbers={m: _number(m) for m in missions},
        general=_number(""),
        hour=listing.spoken_hour,
        display_phone=places.display_phone,
    )
    return Response(body, mimetype="text/html", headers={"Cache-Control": CACHE})


@bp.route("/permanences/<territory>.ics")
def feed(territory: str):
    known = _territories()
    if territory not in known:
        abort(404)
    start, end = services.horizon(clock.local_today(), weeks=FEED_WEEKS)
    missions = labels("missions")

    def public(item: services.Occurrence) -> tuple[str, str]:
        p = item.permanence
        number = _number(p.mission)
        lines = [missions.get(p.mission, p.mission), p.place.access_notes or ""]
        if number:
            lines.append(f"Prendre rendez-vous : appelez le numéro vert {number.display} (appel gratuit).")
        return f"Permanence logement — {p.name}", "\n".join(line for line in lines if line)

    body = services.calendar(
        _coming(start, end, territory),
        clock.local_zone(),
        clock.now(),
        title=f"Permanences logement — {known[territory]}",
        public=public,
    )
    return Response(
        body,
        mimetype="text/calendar",
        headers={"Content-Disposition": f"inline; filename=permanences-{territory}.ics", "Cache-Control": CACHE},
    )
