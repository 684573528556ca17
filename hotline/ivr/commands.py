"""`flask ivr simulate`: call the voice menu from the terminal."""
from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy import select

from hotline.auth.models import User
from hotline.extensions import db
from hotline.ivr.calls import get_call
from hotline.ivr.simulator import Simulator


@click.group("ivr", cls=AppGroup, help="Numéro vert.")
def ivr_cli():
    pass


@ivr_cli.command("simulate", help="Simuler un appel : requêtes signées, comme Twilio.")
@click.option("--to", "to", default="+33800000000", show_default=True,
              help="Numéro appelé ; un numéro de HOTLINE_IVR_NUMBERS choisit directement sa mission")
@click.option("--from", "caller", default="+33612000000", show_default=True, help="Numéro de l'appelant")
@click.option("--at", default=None, help="Instant de l'appel, heure de Paris : 2026-12-01T10:00")
@click.option("--keys", default="", help="Touches successives, séparées par des espaces ; « - » pour un silence, "
                                       "« voix:Nom » pour une réponse parlée")
@click.option("--no-answer", is_flag=True, help="Aucun juriste ne décroche")
@click.option("--no-message", is_flag=True, help="L'appelant ne laisse pas de message")
def simulate(to, caller, at, keys, no_answer, no_message):
    app = current_app._get_current_object()
    walk = Simulator(app, to=to, caller=caller, at=at, keys=keys, answer=not no_answer,
                     leave_message=not no_message).run()
    names = {u.phone: u.name for u in db.session.scalars(select(User).where(User.phone.is_not(None)))}
    for event in walk.events:
        text = event.text
        for phone, name in names.items():
            text = text.replace(phone, f"{name} ({phone})")
        prefix = {"say": "🔊 ", "keys": "⌨  ", "silence": "…  ", "whisper": "🎧 juriste : ",
                  "dial": "📞 ", "answered": "✅ ", "record": "⏺  ", "hangup": "☎  ", "transfer": "↪  "}
        click.echo(prefix.get(event.kind, "") + text)
    db.session.expire_all()
    call = get_call(walk.call_sid)
    click.echo("")
    if call is None:
        click.echo("Aucune ligne dans le journal des appels.")
        return
    who = call.answered_by.name if call.answered_by else "—"
    click.echo(f"Fin : {walk.ended}")
    click.echo(f"Journal : issue={call.outcome} ({call.outcome_label}), mission={call.mission or '—'}, "
               f"territoire={call.territory_code or '—'}, commune={call.commune_insee or '—'}, "
               f"répondu par={who}, attente={call.wait_seconds}s, conversation={call.talk_seconds or 0}s")
    click.echo(f"Parcours : {call.path}")
