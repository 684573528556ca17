"""Alembic environment: migrates the schema, then loads missing reference data.

So `flask db upgrade` leaves a database fully usable, and running it twice is harmless.
"""

import logging
from logging.config import fileConfig

from alembic import context
from flask import current_app

import hotline.models  # noqa: F401  (registers every table on the metadata)
from hotline.reference import seed

config = context.config
if config.config_file_name:
    fileConfig(config.config_file_name, disable_existing_loggers=False)
logger = logging.getLogger("alembic.env")

db = current_app.extensions["migrate"].db
target_metadata = db.metadata
config.set_main_option("sqlalchemy.url", db.engine.url.render_as_string(hide_password=False).replace("%", "%%"))


def run_migrations_offline():
    context.configure(
        url=config.get_main_option("sqlalchemy.url"),
        target_metadata=target_metadata,
        literal_binds=True,
        render_as_batch=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online():
    def process_revision_directives(context_, revision, directives):
        if getattr(config.cmd_opts, "autogenerate", False) and directives[0].upgrade_ops.is_empty():
            directives[:] = []
            logger.info("No changes in schema detected.")

    with db.engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=True,
            compare_type=True,
            process_revision_directives=process_revision_directives,
        )
        with context.begin_transaction():
            context.run_migrations()
        if not getattr(config.cmd_opts, "autogenerate", False):
            inserted = seed.sync(connection)
            connection.commit()
            logger.info("Reference data: %d rows inserted.", inserted)


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
