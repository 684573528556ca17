"""The scheduler process: `hotline scheduler` runs the timed jobs: SMS reminders of appointments
every few minutes, the nightly purge of personal data past its retention (hotline/privacy/retention.py), and
the consultation imports queued by the import page (hotline/consultations/imports/jobs.py), looked
for every IMPORT_JOBS_SECONDS seconds and run one at a time.
Run exactly one, beside the web workers; `hotline reminders send`, `hotline purge` and
`hotline consultations import-jobs run` run a job once.

Only the CLI imports this module (and APScheduler), when one of its commands runs: see
hotline/cli.py's LazyCommand. The web process never does.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime

import click
from apscheduler.schedulers.blocking import BlockingScheduler
from flask import current_app
from flask.cli import with_appcontext

from hotline.appointments import reminders
from hotline.consultations import flags
from hotline.consultations.imports import jobs as import_jobs
from hotline.core import clock
from hotline.extensions import db
from hotline.ivr import selfservice
from hotline.privacy import retention
from hotline.sms.outbox import OUTCOMES
from hotline.sms.twilio_client import SmsNotConfigured, check_configured

log = logging.getLogger("hotline.scheduler")


# The outbox's purposes beside the appointments': the voice menu's self-service SMS, which obeys the flags.
OTHER_SMS = {selfservice.PURPOSE: selfservice.renderer(flags.sms_refused)}


def send_reminders(app) -> dict[str, int]:
    with app.app_context():
        try:
            return reminders.send_due(clock.now(), also=OTHER_SMS)
        except SmsNotConfigured as error:
            log.error("reminders: %s", error)
            return dict.fromkeys(OUTCOMES, 0)


def nightly_purge(app) -> dict[str, int]:
    with app.app_context():
        counts = retention.purge(clock.now())
        db.session.commit()
        log.info("purge: %s", ", ".join(f"{name} {count}" for name, count in counts.items()))
        return counts


def run_import_jobs(app) -> int | None:
    with app.app_context():
        try:
            return import_jobs.run_pending()
        finally:
            db.session.remove()


IMPORT_JOBS_SECONDS = 15


@click.command("scheduler", help="Lancer le planificateur (rappels SMS des rendez-vous). Un seul processus.")
@with_appcontext
def scheduler_command():
    app = current_app._get_current_object()
    try:  # without Twilio's real credentials, every reminder would fail: do not start
        check_configured(app.config)
    except SmsNotConfigured as error:
        raise click.ClickException(f"Le planificateur ne démarre pas. {error}") from None
    minutes = app.config["SCHEDULER_INTERVAL_MINUTES"]
    scheduler = BlockingScheduler(
        timezone=app.config["TIMEZONE"], job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 300}
    )
    # The scheduler runs on the real clock; the job reads the app's (possibly fixed) one.
    scheduler.add_job(
        send_reminders, "interval", args=[app], minutes=minutes, id="sms_reminders", next_run_time=datetime.now(UTC)
    )
    scheduler.add_job(nightly_purge, "cron", args=[app], hour=3, minute=15, id="purge")
    seconds = app.config.get("IMPORT_JOBS_SECONDS") or IMPORT_JOBS_SECONDS
    scheduler.add_job(
        run_import_jobs, "interval", args=[app], seconds=seconds, id="import_jobs", next_run_time=datetime.now(UTC)
    )
    click.echo(
        f"Planificateur lancé : rappels SMS toutes les {minutes} min, purge des données chaque nuit à 3 h 15, "
        f"imports en arrière-plan cherchés toutes les {seconds} s. Ctrl+C pour arrêter."
    )
    try:
        scheduler.start()
    except (KeyboardInterrupt, SystemExit):
        pass


@click.group("reminders", help="Rappels SMS des rendez-vous.")
def reminders_cli():
    pass


@reminders_cli.command("send", help="Envoyer maintenant les rappels dus.")
@with_appcontext
def send_command():
    try:
        counts = reminders.send_due(clock.now(), also=OTHER_SMS)
    except SmsNotConfigured as error:
        raise click.ClickException(str(error)) from None
    click.echo(
        f"Rappels : {counts['sent']} envoyé(s), {counts['failed']} en échec"
        + (f", {counts['retry']} à réessayer (Twilio injoignable)" if counts["retry"] else "")
        + (f", {counts['unknown']} peut-être envoyé(s), à vérifier" if counts["unknown"] else "")
        + "."
    )


@click.command("purge", help="Effacer les données personnelles dont la durée de conservation est passée.")
@click.option("--dry-run", is_flag=True, help="Compter seulement : rien n'est effacé.")
@with_appcontext
def purge_command(dry_run: bool):
    counts = retention.purge(clock.now(), dry_run=dry_run)
    db.session.commit()
    erased = (
        f"{counts['login_attempts']} tentative(s) de connexion, {counts['audit_events']} lecture(s) du "
        f"journal, {counts['caller_numbers']} numéro(s) d'appelant, {counts['import_jobs']} import(s) en "
        f"arrière-plan (détail des erreurs, nom du fichier) ; {counts['households']} ménage(s)"
    )
    click.echo(f"À effacer : {erased} à anonymiser." if dry_run else f"Effacé : {erased} anonymisé(s).")
