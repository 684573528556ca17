"""The `hotline` console script (the same as `flask --app hotline`), its table of commands, and
LazyCommand: a command registered by name whose module is imported only when it runs.

`hotline --help` and `hotline ivr simulate --help` build no app: the table below names each command and
its one-line help, so the listing imports neither the app, SQLAlchemy nor the commands' modules; a command
imports its module when it is invoked (or asked for its own help), and builds the app (through Flask's
ScriptInfo, `with_appcontext`) only when it runs.
"""

from __future__ import annotations

import importlib

import click
from flask.cli import FlaskGroup

# name: (module holding the click command or group of that name, its one-line help in `hotline --help`).
COMMANDS = {
    "db": ("flask_migrate.cli", "Migrations de la base (Flask-Migrate, Alembic)."),
    "users": ("hotline.auth.commands", "Gérer les comptes."),
    "demo": ("hotline.jobs.demo", "Remplir la base avec des données de démonstration."),
    "ivr": ("hotline.ivr.commands", "Numéro vert."),
    "consultations": ("hotline.consultations.commands", "Consultations : import d'un fichier."),
    "reports": ("hotline.reports.commands", "Rapports d'activité."),
    "backup": ("hotline.jobs.backup", "Sauvegarder la base de données (pendant que l'application tourne)."),
    # The scheduler's commands import APScheduler only when one of them runs: not in the web process.
    "scheduler": ("hotline.jobs.scheduler", "Lancer le planificateur (rappels SMS, purge). Un seul processus."),
    "purge": ("hotline.jobs.scheduler", "Effacer les données personnelles dont la durée de conservation est passée."),
    "reminders": ("hotline.jobs.scheduler", "Rappels SMS des rendez-vous."),
}


class LazyCommand(click.Command):
    """Stands for the click command (or group) `name` of `module` (found by its `name`), imported
    when that command is invoked or asked for its help, not when the app's CLI is built."""

    def __init__(self, name: str, module: str, help_text: str):
        super().__init__(name, help=help_text)
        self.module = module

    def target(self) -> click.Command:
        module = importlib.import_module(self.module)
        for value in vars(module).values():
            if isinstance(value, click.Command) and value.name == self.name:
                return value
        raise LookupError(f"{self.module} has no command {self.name!r}")

    def make_context(self, info_name, args, parent=None, **extra) -> click.Context:
        # The context is the real command's: click then invokes it (and its subcommands) directly.
        return self.target().make_context(info_name, args, parent=parent, **extra)


def lazy_commands() -> list[LazyCommand]:
    return [LazyCommand(name, module, help_text) for name, (module, help_text) in COMMANDS.items()]


def register(cli: click.Group) -> None:
    """Adds the table's commands to the app's CLI (`flask --app hotline ...`)."""
    for command in lazy_commands():
        cli.add_command(command)


class HotlineGroup(FlaskGroup):
    """Flask's group, told the app's commands by the table: listing them or reaching one does not build
    the app. Flask's own (run, shell, routes) stay; any other name is looked up in the app, as Flask does."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        for command in lazy_commands():
            self.add_command(command)

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(self.commands)


def _create():
    from hotline import create_app

    return create_app()


def main() -> None:
    HotlineGroup(create_app=_create, help="Commandes de hotline (équivalent de « flask --app hotline »).")()
