"""The jurists' "Appels" page: calls in progress, callbacks to do, calls to log or close."""

from __future__ import annotations

from itertools import groupby

from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask_login import current_user

from hotline.auth.access import roles_required
from hotline.calls import worklist
from hotline.core import clock
from hotline.extensions import db
from hotline.ivr import calls
from hotline.ivr.models import CALLBACK_RESULTS, CLOSE_REASONS, CallbackTask
from hotline.web.actions import attempt

bp = Blueprint("calls", __name__, url_prefix="/calls")


@bp.route("/")
@roles_required("jurist", "manager")
def index():
    live, recent = calls.my_calls(current_user)
    tasks = calls.open_tasks(current_user)
    by_territory = [
        (code, list(items)) for code, items in groupby(tasks, key=lambda t: t.call.territory_code or "non_renseigne")
    ]
    mine = set(current_user.territories)
    by_territory.sort(key=lambda group: group[0] not in mine)  # the jurist's own territories first
    return render_template(
        "calls/index.html",
        live=live,
        recent=recent,
        by_territory=by_territory,
        unlogged=worklist.unlogged_calls(current_user),
        results=CALLBACK_RESULTS,
        reasons=CLOSE_REASONS,
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


@bp.route("/<int:call_id>/close", methods=["POST"])
@roles_required("jurist")
def close(call_id: int):
    call = calls.readable_call(call_id, current_user) or abort(404)
    return _attempt(
        lambda: calls.close_without_consultation(call, current_user, request.form.get("reason", "")),
        "Appel clos sans consultation.",
    )
