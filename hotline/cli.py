"""The `hotline` console script: the same as `flask --app hotline`."""
from flask.cli import FlaskGroup


def _create():
    from hotline import create_app

    return create_app()


def main() -> None:
    FlaskGroup(create_app=_create, help="Commandes de hotline (équivalent de « flask --app hotline »).")()
