"""`flask users create ...`"""

from __future__ import annotations

import sys

import click
from flask.cli import AppGroup

from hotline.auth.models import ROLES
from hotline.auth.services import AccountError, create_user
from hotline.extensions import db


@click.group("users", cls=AppGroup, help="Gérer les comptes.")
def users_cli():
    pass


def prompt_password(tries: int = 3) -> str:
    """Hidden and confirmed, with French messages (click's own confirmation speaks English)."""
    for _ in range(tries):
        password = click.prompt("Mot de passe", hide_input=True)
        if password == click.prompt("Confirmez le mot de passe", hide_input=True):
            return password
        click.echo("Les deux saisies ne correspondent pas. Recommencez.", err=True)
    raise click.ClickException("Mot de passe non confirmé.")


@users_cli.command("create", help="Créer un compte.")
@click.argument("email")
@click.option("--role", type=click.Choice(list(ROLES)), required=True, help="jurist, manager ou admin")
@click.option("--name", required=True, help="Nom affiché")
@click.option("--phone", default=None, help="Téléphone, par exemple +33612345678")
@click.option("--mission", "missions", multiple=True, help="Mission (répétable ; au moins une pour un juriste)")
@click.option("--territory", "territories", multiple=True, help="Territoire (répétable)")
@click.option("--password-stdin", is_flag=True, help="Lire le mot de passe sur l'entrée standard")
def create(email, role, name, phone, missions, territories, password_stdin):
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = prompt_password()
    try:
        user = create_user(email, name, role, password, phone=phone, missions=missions, territories=territories)
        db.session.commit()
    except AccountError as error:
        db.session.rollback()
        raise click.ClickException(str(error)) from None
    click.echo(f"Compte créé : {user.email} ({user.role_label}).")
