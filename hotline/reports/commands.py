"""`hotline reports export`: the tidy report of formats.md, as CSV or XLSX, or the bilan in PDF;
`hotline reports observatory`: the pseudonymised export for the Département's observatory;
`hotline reports rebuild`: the monthly rollup recomputed from the consultations."""

from __future__ import annotations

import itertools
import sys

import click
from dateutil.relativedelta import relativedelta
from flask import current_app
from flask.cli import with_appcontext

from hotline.core import clock
from hotline.extensions import db
from hotline.reference import labels
from hotline.reference.services import territory_labels
from hotline.reports import bilan, household_months, notes, observatory, rollup, services


@click.group("reports", help="Rapports d'activité.")
def reports_cli():
    pass


@reports_cli.command("export", help="Exporter le rapport (format d'échange) d'une période.")
@click.option("--from", "first", required=True, help="Premier mois, AAAA-MM")
@click.option("--to", "last", required=True, help="Dernier mois, AAAA-MM")
@click.option("--mission", default="", help="Une mission (par défaut : toutes)")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["csv", "xlsx", "pdf"]),
    default="csv",
    show_default=True,
    help="csv, xlsx (le format d'échange) ou pdf (le bilan d'activité)",
)
@click.option("--output", type=click.Path(dir_okay=False, writable=True), help="Fichier (par défaut : la sortie)")
@with_appcontext
def export_command(first: str, last: str, mission: str, fmt: str, output: str | None):
    try:
        start, end = services.parse_month(first), services.parse_month(last)
    except ValueError as error:
        raise click.BadParameter(str(error)) from None
    if end < start:
        raise click.BadParameter("Le dernier mois doit suivre le premier.")
    if mission and mission not in labels("missions"):
        raise click.BadParameter(f"Mission inconnue : {mission} ({', '.join(labels('missions'))}).")
    rows = services.report(
        start, end, [mission] if mission else list(labels("missions")), clock.now(), clock.local_zone()
    )
    if fmt in ("xlsx", "pdf"):
        if not output:
            raise click.BadParameter(f"--output est nécessaire pour un fichier {fmt.upper()}.")
        missions = [mission] if mission else list(labels("missions"))
        from hotline.reports import (  # loaded when used: fpdf, openpyxl, start-up time (issue 9)
            pdf,
            workbook,
        )

        body = (
            workbook.to_xlsx(rows)
            if fmt == "xlsx"
            else pdf.build(
                rows,
                start,
                end,
                missions,
                territory_labels(),
                clock.now(),
                services.report(*bilan.year_before(start, end), missions, clock.now(), clock.local_zone()),
                notes.current(missions, start, end),
            )
        )
        with open(output, "wb") as fh:
            fh.write(body)
    elif output:
        with open(output, "w", encoding="utf-8", newline="") as fh:
            fh.write(services.to_csv(rows))
    else:
        sys.stdout.write(services.to_csv(rows))
    if output:
        what = "Bilan d'activité écrit" if fmt == "pdf" else f"{len(rows)} lignes écrites"
        click.echo(f"{what} dans {output}.", err=True)


@reports_cli.command(
    "observatory",
    help="Export pseudonymisé pour l'observatoire du Département : une ligne par "
    "consultation, des codes, le mois, le territoire, le ménage sous pseudonyme.",
)
@click.option("--from", "first", required=True, help="Premier mois, AAAA-MM")
@click.option("--to", "last", required=True, help="Dernier mois, AAAA-MM")
@click.option("--output", required=True, type=click.Path(dir_okay=False, writable=True), help="Fichier CSV")
@with_appcontext
def observatory_command(first: str, last: str, output: str):
    try:
        start, end = services.parse_month(first), services.parse_month(last)
    except ValueError as error:
        raise click.BadParameter(str(error)) from None
    if end < start:
        raise click.BadParameter("Le dernier mois doit suivre le premier.")
    lines = observatory.rows(
        current_app.config.get("OBSERVATORY_KEY") or "", start, end + relativedelta(months=1), list(labels("missions"))
    )
    try:
        header = next(lines)  # no key: refused before any file is written
    except observatory.ObservatoryKeyMissing as error:
        raise click.ClickException(str(error)) from None
    with open(output, "w", encoding="utf-8", newline="") as fh:
        for chunk in observatory.csv_chunks(itertools.chain([header], lines)):
            fh.write(chunk)
    click.echo(f"Export pseudonymisé écrit dans {output}.", err=True)


@reports_cli.command(
    "rebuild",
    help="Recalculer les totaux mensuels et les mois des ménages des rapports à partir des consultations "
    "(après une restauration ou une correction faite hors de l'application).",
)
@with_appcontext
def rebuild_command():
    rollup.rebuild(db.session)
    household_months.rebuild(db.session)
    db.session.commit()
    click.echo("Totaux mensuels et mois des ménages recalculés.", err=True)
