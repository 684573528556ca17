"""`flask demo`: realistic demo data — accounts of each role, the duty roster, places and permanences of
both missions in every territory, and two years (the whole previous year and the current one) of
consultations in every territory, households whose eviction procedure moves on, calls and callbacks,
appointments and the service's activities.

setup.py holds what an administrator sets up, households.py the households and their consultations,
calls.py the green number's calls, days.py when things happen (working days, opening hours).

Running it again does not duplicate anything: it only gives the demo accounts new passwords.
"""

from __future__ import annotations

import random

import click
from flask.cli import with_appcontext
from sqlalchemy import func, select

from hotline.consultations.models import Consultation
from hotline.core import clock
from hotline.extensions import db
from hotline.jobs.demo.calls import calls
from hotline.jobs.demo.households import LAW_2023, consultations
from hotline.jobs.demo.setup import JURISTS, accounts, activities, appointments, permanences, roster
from hotline.reference.models import Commune

__all__ = ["JURISTS", "LAW_2023", "accounts", "calls", "consultations", "demo_command", "permanences", "roster"]


@click.command("demo", help="Remplir la base avec des données de démonstration.")
@with_appcontext
@click.option("--seed", default=62, show_default=True, help="Graine du hasard, pour des données reproductibles")
def demo_command(seed: int):
    if not db.session.scalar(select(func.count()).select_from(Commune)):
        raise click.ClickException("La base n'est pas initialisée : lancez d'abord « hotline db upgrade ».")
    rng = random.Random(seed)
    made_accounts = accounts()
    jurists = [u for u, _ in made_accounts if u.role == "jurist"]
    db.session.flush()
    today = clock.local_today()
    roster(jurists)
    permanences(jurists, today)
    if not db.session.scalar(select(func.count()).select_from(Consultation)):
        made = consultations(rng, jurists, today)
        received = calls(rng, jurists, clock.now())
        booked = appointments(rng, jurists)
        done = activities(rng, jurists, today)
        click.echo(
            f"{made} consultations, {received} appels, {booked} rendez-vous et {done} activités de démonstration créés."
        )
    else:
        click.echo("Données de démonstration déjà présentes : seuls les mots de passe sont renouvelés.")
    db.session.commit()
    click.echo("\nComptes de démonstration (mots de passe renouvelés à chaque « hotline demo ») :")
    for user, password in made_accounts:
        territory = f" — {', '.join(user.territories)}" if user.territories else ""
        click.echo(f"  {user.role_label:<15} {user.email:<38} {password}{territory}")
