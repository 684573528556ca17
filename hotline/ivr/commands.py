"""`flask ivr simulate`: call the voice menu from the terminal.

A simulated call is written to a throw-away copy of the database unless --write is given, so that trying
the menu on the demo (or on production data) adds no call to the log nor to the figures.
"""

from __future__ import annotations

import sqlite3
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup

# The app, SQLAlchemy and the models are imported in the functions that run the call, not here:
# `hotline ivr simulate --help` reads this module and must start as fast as Flask alone (hotline/cli.py).


@click.group("ivr", cls=AppGroup, help="Numéro vert.")
def ivr_cli():
    pass


@ivr_cli.command("simulate", help="Simuler un appel : requêtes signées, comme Twilio.")
@click.option(
    "--to",
    "to",
    default="+33800000000",
    show_default=True,
    help="Numéro appelé ; un numéro de HOTLINE_IVR_NUMBERS choisit directement sa mission",
)
@click.option("--from", "caller", default="+33612000000", show_default=True, help="Numéro de l'appelant")
@click.option("--at", default=None, help="Instant de l'appel, heure de Paris : 2026-12-01T10:00")
@click.option(
    "--keys",
    default="",
    help="Touches successives, séparées par des espaces ; « - » pour un silence, « voix:Nom » pour une réponse parlée",
)
@click.option("--no-answer", is_flag=True, help="Aucun juriste ne décroche")
@click.option("--no-message", is_flag=True, help="L'appelant ne laisse pas de message")
@click.option("--write", is_flag=True, help="Écrire l'appel dans la base configurée (par défaut : une copie jetable)")
def simulate(to, caller, at, keys, no_answer, no_message, write):
    from hotline.ivr.simulator import Simulator

    with simulation_app(current_app._get_current_object(), write) as app, app.app_context():
        simulator = Simulator(
            app, to=to, caller=caller, at=at, keys=keys, answer=not no_answer, leave_message=not no_message
        )
        walk = simulator.run()
        report(walk)
        show_sms(app, walk, simulator.now)
    if not write:
        click.echo("(Simulation sur une copie de la base : rien n'a été enregistré. --write pour écrire dans la base.)")


@contextmanager
def simulation_app(app: Flask, write: bool) -> Iterator[Flask]:
    """The app itself with --write; else the same app on a copy of its SQLite database, in a temporary folder."""
    from sqlalchemy import make_url

    from hotline import create_app

    if write:
        yield app
        return
    url = make_url(app.config["SQLALCHEMY_DATABASE_URI"])
    if url.get_backend_name() != "sqlite":
        raise click.ClickException(
            "Sur PostgreSQL, la simulation écrirait dans la base elle-même : ajoutez --write "
            "si c'est voulu, ou pointez HOTLINE_DATABASE_URL vers une base d'essai."
        )
    with tempfile.TemporaryDirectory(prefix="hotline-simulation-") as folder:
        copy = Path(folder) / "simulation.sqlite3"
        source, target = sqlite3.connect(url.database), sqlite3.connect(copy)
        try:
            source.backup(target)
        finally:
            source.close()
            target.close()
        overrides = {
            key: app.config[key]
            for key in ("SECRET_KEY", "TWILIO_AUTH_TOKEN", "IVR_NUMBERS", "TESTING")
            if key in app.config
        }
        yield create_app(overrides | {"DATABASE_URL": f"sqlite:///{copy}"})


def report(walk) -> None:
    from sqlalchemy import select

    from hotline.auth.models import User
    from hotline.extensions import db
    from hotline.ivr.calls import get_call

    names = {u.phone: u.name for u in db.session.scalars(select(User).where(User.phone.is_not(None)))}
    for event in walk.events:
        text = event.text
        for phone, name in names.items():
            text = text.replace(phone, f"{name} ({phone})")
        prefix = {
            "say": "🔊 ",
            "keys": "⌨  ",
            "silence": "…  ",
            "whisper": "🎧 juriste : ",
            "dial": "📞 ",
            "answered": "✅ ",
            "record": "⏺  ",
            "hangup": "☎  ",
            "transfer": "↪  ",
        }
        click.echo(prefix.get(event.kind, "") + text)
    db.session.expire_all()
    call = get_call(walk.call_sid)
    click.echo("")
    if call is None:
        click.echo("Aucune ligne dans le journal des appels.")
        return
    who = call.answered_by.name if call.answered_by else "—"
    click.echo(f"Fin : {walk.ended}")
    click.echo(
        f"Journal : issue={call.outcome} ({call.outcome_label}), mission={call.mission or '—'}, "
        f"territoire={call.territory_code or '—'}, commune={call.commune_insee or '—'}, "
        f"répondu par={who}, attente={call.wait_seconds}s, conversation={call.talk_seconds or 0}s"
    )
    click.echo(f"Parcours : {call.path}")


def show_sms(app: Flask, walk, now) -> None:
    """The self-service SMS the call queued, as the outbox would render it at the end of the call."""
    from sqlalchemy import select

    from hotline.extensions import db
    from hotline.ivr import selfservice
    from hotline.ivr.calls import get_call
    from hotline.sms.models import SmsMessage

    call = get_call(walk.call_sid)
    message = db.session.scalar(select(SmsMessage).where(SmsMessage.call_id == call.id)) if call else None
    if message is None:
        return
    previous = app.config.get("NOW_FUNCTION")
    app.config["NOW_FUNCTION"] = lambda: now
    try:
        outgoing = selfservice.renderer()(message)
    finally:
        app.config["NOW_FUNCTION"] = previous
    click.echo(f"SMS dans la file d'envoi ({message.key}, envoyé par `hotline scheduler`) pour {outgoing.to} :")
    for line in outgoing.body.splitlines():
        click.echo(f"   {line}")
