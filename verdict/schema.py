"""The schema the models declare, with every feature's tables, and its drift from a database.

``verdict.db`` knows the declarative base but none of the features (they import it); this module
sits above them all, for Alembic (``migrations/env.py``), ``verdict db check`` and the tests.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy.engine import Engine

from verdict import models
from verdict.db import migration_options


def target_metadata() -> sa.MetaData:
    """The metadata with every feature's models registered (what Alembic compares against)."""
    return models.Base.metadata


def schema_drift(engine: Engine) -> list[Any]:
    """Differences between the models and the migrated database (empty when they agree)."""
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts=migration_options())
        return list(compare_metadata(context, target_metadata()))
