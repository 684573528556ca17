"""The `hotline` console script (the same as `flask --app hotline`), and LazyCommand: a command
registered by name whose module is imported only when it runs."""
from __future__ import annotations

import importlib

import click
from flask.cli import FlaskGroup


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


def _create():
    from hotline import create_app

    return create_app()


def main() -> None:
    FlaskGroup(create_app=_create, help="Commandes de hotline (équivalent de « flask --app hotline »).")()
