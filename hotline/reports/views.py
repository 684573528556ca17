"""Reports pages, for managers: the bilan on screen (charts, tables, the qualitative analysis they write), a page
per territory, and the downloads: the tidy report as CSV or XLSX (with readable sheets), the bilan as PDF.
Thin: the page's and the PDF's figures come from services.page() (the rollup, never the whole report), the CSV's and
the XLSX's from services.report() (their tidy rows: every cell); what they say from bilan.assemble()."""

from __future__ import annotations

from dateutil.relativedelta import relativedelta
from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user

from hotline.auth.access import roles_required
from hotline.core import audit, charts, clock
from hotline.extensions import db
from hotline.reference import labels
from hotline.reference.services import territory_labels
from hotline.reports import bilan, notes, services, tidy

bp = Blueprint("reports", __name__, url_prefix="/reports")


def _params() -> tuple[dict, list[str]]:
    """The range and missions asked for, with French errors; defaults: the year of the last complete month, up to
    it (a month in progress would seem to fall)."""
    complete = clock.local_today().replace(day=1) - relativedelta(months=1)
    values = {
        "from": request.args.get("from") or f"{complete:%Y}-01",
        "to": request.args.get("to") or f"{complete:%Y-%m}",
        "mission": request.args.get("mission", ""),
    }
    errors = []
    try:
        values["first"] = services.parse_month(values["from"])
        values["last"] = services.parse_month(values["to"])
        # The links and the download's name repeat only what was understood.
        values["from"], values["to"] = f"{values['first']:%Y-%m}", f"{values['last']:%Y-%m}"
        if values["last"] < values["first"]:
            errors.append("Le dernier mois doit suivre le premier.")
        elif values["last"] >= values["first"] + relativedelta(years=3):
            errors.append("Trois ans au plus à la fois.")
    except ValueError as error:
        errors.append(str(error))
    if values["mission"] and values["mission"] not in labels("missions"):
        errors.append("Mission inconnue.")
    values["missions"] = [values["mission"]] if values["mission"] else list(labels("missions"))
    return values, errors


def _report(
    values, what: str = "report", compared: bool = True, territory: str | None = None
) -> tuple[list[tidy.Row], list[tidy.Row]]:
    """The rows of the range and (compared) of the same months a year before, audited as one read: the whole
    report (the CSV and the XLSX), or (territory: tidy.ALL or a code) what the page of that territory shows (the
    page, and the PDF, which shows the same bilan)."""
    now, zone = clock.now(), clock.local_zone()
    first, last, missions = values["first"], values["last"], values["missions"]
    if territory is None:
        rows = services.report(first, last, missions, now, zone)
        # The year before as the bilan compares it (its totals, months and household figures: the page's rows), not
        # the whole report (every cell's distinct households and medians), which the downloads never show of it.
        previous = services.page(*bilan.year_before(first, last), missions, now, zone) if compared else []
    else:
        rows = services.page(first, last, missions, now, zone, territory)
        # The year before with its household figures: the key figures compare the households' debt.
        previous = services.page(*bilan.year_before(first, last), missions, now, zone, territory)
    audit.record("report.read", what, f"{values['from']}..{values['to']}:{values['mission'] or 'all'}")
    db.session.commit()
    return rows, previous


def _bilans(values, territory: str = tidy.ALL) -> list[bilan.MissionBilan]:
    # object_type "report.territory:<code>" (at most 33 characters of the column's 40)
    rows, previous = _report(
        values, "report" if territory == tidy.ALL else f"report.territory:{territory}", territory=territory
    )
    texts = notes.current(values["missions"], values["first"], values["last"]) if territory == tidy.ALL else {}
    return bilan.assemble(
        rows, values["first"], values["last"], values["missions"], territory_labels(), previous, texts, territory
    )


def _page(values, errors, forms: dict | None = None):
    bilans = [] if errors else _bilans(values)
    forms = forms or {}
    for mission in [] if errors else values["missions"]:
        if mission not in forms:
            forms[mission] = notes.NoteForm(prefix=mission, formdata=None)
            forms[mission].text.data = notes.current([mission], values["first"], values["last"]).get(mission, "")
    histories = {} if errors else {m: notes.history(m, values["first"], values["last"]) for m in values["missions"]}
    return render_template(
        "reports/index.html",
        values=values,
        errors=errors,
        bilans=bilans,
        forms=forms,
        histories=histories,
        cell_text=bilan.cell_text,
        chart_src=_chart_src,
    )


@bp.route("/")
@roles_required("manager")
def index():
    values, errors = _params()
    return _page(values, errors)


@bp.route("/notes", methods=["POST"])
@roles_required("manager")
def save_note():
    """A new version of a mission's qualitative analysis for the range in the query string."""
    values, errors = _params()
    mission = request.args.get("note", "")
    if mission not in labels("missions"):
        abort(400, "Mission inconnue.")
    form = notes.NoteForm(prefix=mission)
    if errors or not form.validate_on_submit():
        return _page(values, errors, {mission: form}), 400
    notes.save(mission, values["first"], values["last"], form.text.data or "", current_user)
    audit.record("report.note", "report", f"{values['from']}..{values['to']}:{mission}")
    db.session.commit()
    flash("Analyse qualitative enregistrée : elle figure dans le bilan PDF.", "success")
    return redirect(
        url_for(
            ".index",
            **{"from": values["from"], "to": values["to"], "mission": values["mission"]},
            _anchor=f"analyse-{mission}",
        )
    )


@bp.route("/territory/<code>")
@roles_required("manager")
def territory(code: str):
    names = territory_labels()
    if code not in names:
        abort(404)
    values, errors = _params()
    bilans = [] if errors else _bilans(values, code)
    return render_template(
        "reports/territory.html",
        values=values,
        errors=errors,
        bilans=bilans,
        code=code,
        name=names[code],
        cell_text=bilan.cell_text,
        chart_src=_chart_src,
    )


def _chart_src(chart: charts.Chart) -> str:
    """Where the page's <img> finds a chart: drawn when the browser asks for it (below), after the page. (The
    longest token, a 36-month range's, is about 700 characters: far under the 4094 bytes of a request line
    that gunicorn accepts.)"""
    return url_for(".chart", token=chart.token(current_app.secret_key))


@bp.route("/charts/<token>.svg")
@roles_required("manager")
def chart(token: str):
    """A chart of a reports page, as an SVG image (its title and description inside)."""
    drawn = charts.from_token(token, current_app.secret_key)
    if drawn is None:
        abort(404)
    response = Response(drawn.scalable_svg(), mimetype="image/svg+xml")
    # An image of its own: its inline styles, nothing else (no script, no request).
    response.headers["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'"
    return response


@bp.route("/export.<fmt>")
@roles_required("manager")
def export(fmt: str):
    values, errors = _params()
    if errors or fmt not in ("csv", "xlsx", "pdf"):
        return Response("; ".join(errors) or "Format inconnu : csv, xlsx ou pdf.", status=400, mimetype="text/plain")
    # The PDF is the bilan alone: the page's rows give it whole (tests/test_reports_export_reads.py), read in half the
    # time of the whole report's every cell (distinct households and medians), which only the tidy rows hold.
    rows, previous = _report(values, compared=fmt != "csv", territory=tidy.ALL if fmt == "pdf" else None)
    name = f"rapport-{values['mission'] or 'toutes-missions'}-{values['from']}-{values['to']}"
    texts = notes.current(values["missions"], values["first"], values["last"])
    if fmt == "pdf":
        from hotline.reports import (
            pdf,  # loaded when used: fpdf, start-up time (issue 9)
        )

        body = pdf.build(
            rows, values["first"], values["last"], values["missions"], territory_labels(), clock.now(), previous, texts
        )
        return Response(
            body,
            mimetype="application/pdf",
            headers={"Content-Disposition": f"attachment; filename=bilan-{name[8:]}.pdf"},
        )
    if fmt == "csv":
        return Response(
            services.to_csv(rows),
            mimetype="text/csv",
            headers={"Content-Disposition": f"attachment; filename={name}.csv"},
        )
    bilans = bilan.assemble(
        rows, values["first"], values["last"], values["missions"], territory_labels(), previous, texts
    )
    from hotline.reports import (
        workbook,  # loaded when used: openpyxl, start-up time (issue 9)
    )

    return Response(
        workbook.to_xlsx(rows, bilans),
        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"Content-Disposition": f"attachment; filename={name}.xlsx"},
    )
