"""Alembic environment: runs against the app's engine (as the schema owner)."""
import logging
from logging.config import fileConfig

import sqlalchemy as sa
from alembic import context
from flask import current_app

from app.core.db import TZDateTime

config = context.config
if config.config_file_name and not config.attributes.get("skip_logging"):
    fileConfig(config.config_file_name, disable_existing_loggers=False)
logger = logging.getLogger("alembic.env")

db = current_app.extensions["migrate"].db
import app.models  # noqa: E402,F401  every table, so autogenerate sees the whole schema

target_metadata = db.metadata


def render_item(type_, obj, autogen_context):
    """Render our timezone-aware type as the plain column type it stores."""
    if type_ == "type" and isinstance(obj, TZDateTime):
        return "sa.DateTime(timezone=True)"
    return False


def _configure(**kwargs):
    context.configure(
        target_metadata=target_metadata,
        compare_type=True,
        render_as_batch=True,  # SQLite needs batch mode to alter tables
        render_item=render_item,
        **kwargs,
    )


def _owner_url():
    # With APP_DATABASE_URL set the app's engine is the unprivileged role; the schema is the owner's.
    return current_app.config.get("OWNER_DATABASE_URL")


def run_migrations_offline():
    _configure(url=_owner_url() or db.engine.url.render_as_string(hide_password=False), literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online():
    connectable = config.attributes.get("connection")
    if isinstance(connectable, sa.engine.Connection):
        _configure(connection=connectable)
        with context.begin_transaction():
            context.run_migrations()
        return
    owner_engine = sa.create_engine(_owner_url()) if _owner_url() else None
    try:
        with (owner_engine or db.engine).connect() as connection:
            _configure(connection=connection)
            with context.begin_transaction():
                context.run_migrations()
    finally:
        if owner_engine is not None:
            owner_engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
