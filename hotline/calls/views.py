"""The jurists' "Appels" page (calls to log, callbacks by urgency), the screen pop, the line now, and the
actions on them.

The screen pop and the line now are fragments that static/live.js asks for again every second or two
with the ETag of what it shows: nothing changed, a 304 and nothing drawn (calls/live.py says why a poll
and not Server-Sent Events).
"""

from __future__ import annotations

from functools import wraps

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask.sessions import SessionInterface
from flask_login import current_user

from hotline.auth.access import roles_required
from hotline.auth.models import User
from hotline.calls import callbacks, known, live, worklist
from hotline.consultations.models import Household, HouseholdNumber
from hotline.consultations.services import can_read_household, find_households
from hotline.core import audit, clock
from hotline.core.phones import e164
from hotline.extensions import db
from hotline.ivr import caller, calls
from hotline.ivr.models import CALLBACK_RESULTS, CLOSE_REASONS, CallbackTask
from hotline.web.actions import attempt

bp = Blueprint("calls", __name__, url_prefix="/calls")


def whisper_words(number: str | None, user_id: int) -> str | None:
    """What the whisper says of the caller to the jurist `user_id` (ivr/caller.py)."""
    user = db.session.get(User, user_id)
    if user is None or not user.active:
        return None
    return known.whisper_words(number, user, clock.local_today())


POLLS = {"calls.pop", "calls.line_now"}  # asked every second or two by static/live.js


class PollsDoNotExtendSessions(SessionInterface):
    """The app's session interface, except that a poll does not renew the session cookie: a page left open
    must not keep its session alive past PERMANENT_SESSION_LIFETIME, as a page left idle would not. A session
    a poll changed is saved as usual."""

    def __init__(self, inner: SessionInterface):
        self.inner = inner

    def open_session(self, app, request):
        return self.inner.open_session(app, request)

    def save_session(self, app, session, response) -> None:
        if request.endpoint in POLLS and not session.modified:
            return None
        return self.inner.save_session(app, session, response)

    def make_null_session(self, app):
        return self.inner.make_null_session(app)

    def is_null_session(self, obj) -> bool:
        return self.inner.is_null_session(obj)


@bp.record_once
def _install(state) -> None:
    caller.register(state.app, whisper_words)
    state.app.session_interface = PollsDoNotExtendSessions(state.app.session_interface)


@bp.route("/")
@roles_required("jurist", "manager")
def index():
    jurist = current_user.role == "jurist"
    live_calls, recent = calls.my_calls(current_user) if jurist else ([], [])
    rows = callbacks.worklist(current_user, clock.local_today(), current_user.territories)
    return render_template(
        "calls/index.html",
        live=live_calls,
        recent=recent,
        by_territory=rows,
        handled=sum(r.handled for _, group in rows for r in group),
        unlogged=worklist.unlogged_calls(current_user) if jurist else [],
        results=CALLBACK_RESULTS,
        reasons=CLOSE_REASONS,
        watches=live.may_watch_the_line(current_user, clock.now()),
    )


def _task(task_id: int) -> CallbackTask:
    number = calls.row_id(task_id) or abort(404)
    task = db.session.get(CallbackTask, number) or abort(404)
    if calls.readable_call(task.call_id, current_user) is None:
        abort(403)
    return task


def _attempt(action, success: str):
    """Run one action on a task or call, commit, and say how it went."""
    attempt(action, success, calls.TaskError)
    return redirect(url_for(".index"))


@bp.route("/tasks/<int:task_id>/claim", methods=["POST"])
@roles_required("jurist")
def claim(task_id: int):
    task = _task(task_id)
    return _attempt(lambda: calls.claim(task, current_user, clock.now()), "Rappel pris en charge.")


@bp.route("/tasks/<int:task_id>/done", methods=["POST"])
@roles_required("jurist")
def done(task_id: int):
    task = _task(task_id)
    return _attempt(
        lambda: calls.complete(
            task, current_user, request.form.get("result", ""), request.form.get("comment"), clock.now()
        ),
        "Rappel marqué comme traité.",
    )


@bp.route("/tasks/seen", methods=["POST"])
@roles_required("jurist")
def seen():
    count = callbacks.mark_handled_seen(current_user, clock.now())
    db.session.commit()
    if count:
        flash(f"Appels manqués déjà traités marqués comme vus : {count}.", "success")
    else:
        flash("Aucun appel manqué déjà traité à marquer.", "info")
    return redirect(url_for(".index"))


@bp.route("/<int:call_id>/close", methods=["POST"])
@roles_required("jurist")
def close(call_id: int):
    call = calls.readable_call(call_id, current_user) or abort(404)
    return _attempt(
        lambda: calls.close_without_consultation(call, current_user, request.form.get("reason", "")),
        "Appel clos sans consultation.",
    )


# --- the screen pop -------------------------------------------------------------------------------


def _fragment(template: str, tag: str, build) -> Response:
    """A live fragment: 304 when the page already shows `tag`, else the fragment drawn by build()."""
    if tag in request.if_none_match:
        response = Response(status=304)
    else:
        response = Response(render_template(template, **build()), mimetype="text/html")
    response.set_etag(tag)
    return response


@bp.route("/pop")
@roles_required("jurist")
def pop():
    """The banner of the calls ringing this jurist's phone, or that they are in or just ended."""
    now = clock.now()
    today = clock.local_today()
    pops = live.pops_for(current_user, now)
    # Who the numbers belong to is part of the banner: a number attached to a household since the last
    # poll must change the tag (one query, only while a call is shown).
    found = known.households_for((p.call.from_number for p in pops), current_user) if pops else {}
    tag = live.fingerprint(
        current_user.id,
        today,
        [(p.call.id, p.state, p.call.mission, p.call.territory_code) for p in pops],
        sorted((number, household.id) for number, theirs in found.items() for household in theirs),
    )

    def build():
        households = {}
        for number, theirs in found.items():
            households[number] = known.describe(theirs, current_user, today)
            for household in theirs:
                audit.record("household.read", "household", household.id)
        waiting = live.open_callbacks((p.call.from_number for p in pops), current_user)
        db.session.commit()
        return {
            "pops": pops,
            "households": households,
            "callbacks": waiting,
            "e164": e164,
            "deadlines": known.DEADLINES,
        }

    return _fragment("calls/_pop.html", tag, build)


@bp.route("/<int:call_id>/attach", methods=["GET", "POST"])
@roles_required("jurist")
def attach(call_id: int):
    """Attach the number of a call to a household the jurist may read: found by name or number (posted,
    so that the terms stay out of URLs and logs), then chosen."""
    call = calls.readable_call(call_id, current_user) or abort(404)
    number = e164(call.from_number)
    terms = request.form.get("q", "").strip()[:120] if request.method == "POST" else ""
    chosen = request.form.get("household_id") if request.method == "POST" else None
    if number is None:
        flash("Ce numéro est masqué ou illisible : il ne peut pas être rattaché à un ménage.", "error")
    elif chosen is not None:
        household = db.session.get(Household, calls.row_id(chosen) or 0)
        if household is None or not can_read_household(current_user, household):
            flash("Ce ménage est introuvable ou ne vous est pas accessible.", "error")
        else:
            _attach(household, number)
            db.session.commit()
            flash(f"Numéro rattaché au ménage {household.display_name}.", "success")
            return redirect(url_for("consultations.household", household_id=household.id))
    return render_template(
        "calls/attach.html",
        call=call,
        number=number,
        terms=terms,
        matches=find_households(terms, current_user) if terms and number else [],
    )


def _attach(household: Household, number: str) -> None:
    """The household's own number when it has none; else one more of its numbers (once)."""
    if household.phone == number:
        return
    if household.phone is None:
        household.phone = number
    elif (
        db.session.scalar(
            db.select(HouseholdNumber).where(
                HouseholdNumber.household_id == household.id, HouseholdNumber.phone == number
            )
        )
        is None
    ):
        db.session.add(HouseholdNumber(household_id=household.id, phone=number, added_by_id=current_user.id))
    audit.record("household.update", "household", household.id)
    db.session.flush()


# --- the line now ---------------------------------------------------------------------------------


def watchers_only(view):
    """Managers and the jurists on duty now; anyone else is told why not."""

    @wraps(view)
    @roles_required("jurist", "manager")
    def wrapped(*args, **kwargs):
        if live.may_watch_the_line(current_user, clock.now()):
            return view(*args, **kwargs)
        message = (
            "La ligne en direct est ouverte aux responsables et aux juristes de permanence en ce moment : "
            "vous n'êtes de permanence pour aucune de vos missions."
        )
        return render_template("error.html", code=403, title="Réservé aux juristes de permanence", message=message), 403

    return wrapped


@bp.route("/line")
@watchers_only
def line():
    return render_template("calls/line.html", line=live.line_now(clock.now()), now=clock.now())


@bp.route("/line/now")
@watchers_only
def line_now():
    now = clock.now()
    state = live.line_now(now)
    return _fragment("calls/_line.html", live.fingerprint(state.parts()), lambda: {"line": state, "now": now})
