"""Alembic environment. Normally driven by :mod:`verdict.db`, which passes a live connection in
``config.attributes["connection"]``; otherwise the URL comes from the settings (VERDICT_*)."""

from __future__ import annotations

from alembic import context
from sqlalchemy.engine import Connection

from verdict.db import create_engine, migration_options
from verdict.schema import target_metadata
from verdict.settings import Settings


def _run(connection: Connection) -> None:
    context.configure(connection=connection, target_metadata=target_metadata(), **migration_options())
    with context.begin_transaction():
        context.run_migrations()


def _run_online() -> None:
    connection = context.config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = create_engine(Settings().sqlalchemy_url)
    try:
        with engine.connect() as connection:
            _run(connection)
    finally:
        engine.dispose()


def _run_offline() -> None:
    context.configure(
        url=Settings().sqlalchemy_url,
        target_metadata=target_metadata(),
        literal_binds=True,
        **migration_options(),
    )
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    _run_offline()
else:
    _run_online()
