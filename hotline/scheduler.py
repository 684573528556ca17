"""The scheduler process: `hotline scheduler` runs the timed jobs (today: SMS reminders of
appointments). Run exactly one, beside the web workers; `hotline reminders send` runs the job once.
"""
from __future__ import annotations

import logging
from datetime import datetime, timezone

import click
from apscheduler.schedulers.blocking import BlockingScheduler
from flask import current_app
from flask.cli import with_appcontext

from hotline import clock
from hotline.appointments import reminders
from hotline.sms import SmsNotConfigured

log = logging.getLogger("hotline.scheduler")


def send_reminders(app) -> dict[str, int]:
    with app.app_context():
        try:
            return reminders.send_due(clock.now(), clock.local_zone())
        except SmsNotConfigured as error:
            log.error("reminders: %s", error)
            return {"sent": 0, "failed": 0}


@click.command("scheduler", help="Lancer le planificateur (rappels SMS des rendez-vous). Un seul processus.")
@with_appcontext
def scheduler_command():
    app = current_app._get_current_object()
    minutes = app.config["SCHEDULER_INTERVAL_MINUTES"]
    scheduler = BlockingScheduler(timezone=app.config["TIMEZONE"],
                                  job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 300})
    # The scheduler runs on the real clock; the job reads the app's (possibly fixed) one.
    scheduler.add_job(send_reminders, "interval", args=[app], minutes=minutes, id="sms_reminders",
                      next_run_time=datetime.now(timezone.utc))
    click.echo(f"Planificateur lancé : rappels SMS toutes les {minutes} min. Ctrl+C pour arrêter.")
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
        counts = reminders.send_due(clock.now(), clock.local_zone())
    except SmsNotConfigured as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"Rappels : {counts['sent']} envoyé(s), {counts['failed']} en échec.")
