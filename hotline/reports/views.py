"""Reports pages, for managers: the monthly breakdown per territory on screen, the tidy report as
CSV or XLSX. Thin: see services and tidy."""
from __future__ import annotations

from dateutil.relativedelta import relativedelta
from flask import Blueprint, Response, render_template, request

from hotline import audit, clock
from hotline.auth.access import roles_required
from hotline.extensions import db
from hotline.reference import labels
from hotline.reference.services import territories, territory_labels
from hotline.reports import bilan, services, tidy

bp = Blueprint("reports", __name__, url_prefix="/reports")

SUMMARY = ["consultations", "households", "households_received", "debt_known", "debt_amount_sum", "debt_amount_median",
           "calls_received", "calls_answered", "calls_missed", "callbacks_done", "permanences_held"]


def _params() -> tuple[dict, list[str]]:
    """The range and missions asked for, with French errors; defaults: this year up to this month."""
    today = clock.local_today()
    values = {"from": request.args.get("from") or f"{today:%Y}-01", "to": request.args.get("to") or f"{today:%Y-%m}",
              "mission": request.args.get("mission", "")}
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


def _rows(values) -> list[tidy.Row]:
    rows = services.report(values["first"], values["last"], values["missions"], clock.now(), clock.local_zone())
    audit.record("report.read", "report", f"{values['from']}..{values['to']}:{values['mission'] or 'all'}")
    db.session.commit()
    return rows


@bp.route("/")
@roles_required("manager")
def index():
    values, errors = _params()
    rows = [] if errors else _rows(values)
    month_list = [] if errors else [f"{m:%Y-%m}" for m in services.months(values["first"], values["last"])]
    # mission -> territory -> period -> consultations, and mission -> indicator -> value (total, all)
    table: dict = {}
    summary: dict = {}
    for row in rows:
        if row.indicator == "consultations":
            table.setdefault(row.mission, {}).setdefault(row.territory, {})[row.period] = row.value
        if row.period == tidy.TOTAL and row.territory == tidy.ALL and row.indicator in SUMMARY:
            summary.setdefault(row.mission, {})[row.indicator] = row.value
    return render_template("reports/index.html", values=values, errors=errors, months=month_list, table=table,
                           summary=summary, summary_names=SUMMARY,
                           territory_list=territories(include_buckets=True))


@bp.route("/export.<fmt>")
@roles_required("manager")
def export(fmt: str):
    values, errors = _params()
    if errors or fmt not in ("csv", "xlsx", "pdf"):
        return Response("; ".join(errors) or "Format inconnu : csv, xlsx ou pdf.", status=400,
                        mimetype="text/plain")
    rows = _rows(values)
    name = f"rapport-{values['mission'] or 'toutes-missions'}-{values['from']}-{values['to']}"
    if fmt == "pdf":
        body = bilan.build(rows, values["first"], values["last"], values["missions"], territory_labels(), clock.now())
        return Response(body, mimetype="application/pdf",
                        headers={"Content-Disposition": f"attachment; filename=bilan-{name[8:]}.pdf"})
    if fmt == "csv":
        return Response(services.to_csv(rows), mimetype="text/csv",
                        headers={"Content-Disposition": f"attachment; filename={name}.csv"})
    return Response(services.to_xlsx(rows),
                    mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    headers={"Content-Disposition": f"attachment; filename={name}.xlsx"})
