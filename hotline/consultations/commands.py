"""`hotline consultations import FILE [--dry-run]`: the consultations import of formats.md, streamed,
with a progress bar; `hotline consultations import-jobs run`: the queued background imports
(hotline/consultations/imports/jobs.py), for deployments without the scheduler process."""

from __future__ import annotations

import os
import sys

import click
from flask.cli import with_appcontext

from hotline.consultations.imports import jobs as import_jobs
from hotline.consultations.imports import write as importer
from hotline.core import clock
from hotline.extensions import db


@click.group("consultations", help="Consultations : import d'un fichier.")
def consultations_cli():
    pass


@consultations_cli.command("import", help="Importer un fichier CSV de consultations (tout ou rien).")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--dry-run", is_flag=True, help="Vérifier seulement : rien n'est écrit.")
@with_appcontext
def import_command(path: str, dry_run: bool):
    with (
        open(path, "rb") as fh,
        click.progressbar(
            length=os.path.getsize(path), label="Vérification", file=sys.stderr, show_pos=False
        ) as checking,
    ):

        def checked(_rows: int) -> None:
            checking.update(fh.tell() - checking.pos)

        result = importer.check(fh, clock.local_today(), checked, keep=not dry_run)
        checking.update(checking.length - checking.pos)
        if not result.problems and not dry_run:
            with click.progressbar(
                length=result.created + result.updated, label="Écriture", file=sys.stderr, show_pos=True
            ) as writing:
                result = importer.import_file(
                    fh, None, clock.local_today(), checked=None, written=writing.update, checked_already=result
                )
    if result.problems:
        for problem in result.problems:
            click.echo(str(problem), err=True)
        if result.problems.more:
            click.echo(f"… et {result.problems.more} autre(s) erreur(s), non listée(s).", err=True)
        db.session.rollback()
        raise click.ClickException(f"{result.problems.total} erreur(s) : rien n'a été importé.")
    if dry_run:
        click.echo(f"Essai : {result.created} consultation(s) seraient créées, {result.updated} mises à jour.")
        return
    db.session.commit()
    click.echo(f"Import terminé : {result.created} consultation(s) créées, {result.updated} mises à jour.")


@consultations_cli.group("import-jobs", help="Imports en arrière-plan (fichiers déposés sur la page d'import).")
def import_jobs_cli():
    pass


@import_jobs_cli.command("run", help="Lancer les imports en attente, un à la fois (sans le planificateur).")
@with_appcontext
def run_jobs_command():
    ran = import_jobs.run_pending()
    click.echo(
        "Un autre processus lance déjà les imports en arrière-plan : rien à faire ici."
        if ran is None
        else f"Imports en arrière-plan : {ran} lancé(s)."
    )
