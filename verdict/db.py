"""Database plumbing: the declarative base, the engine, units of work and migrations.

SQLite (the embedded default) and PostgreSQL (psycopg 3) run the same schema, built only by the
Alembic migrations packaged in :mod:`verdict.migrations` (``verdict db upgrade``).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import Any, ClassVar

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from sqlalchemy import event
from sqlalchemy.engine import URL, Connection, Engine, make_url
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker

from verdict.errors import Busy

# Deterministic constraint names: Alembic can only drop or alter what it can name, and SQLite
# batch migrations need names too.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

MIGRATIONS_DIR = Path(__file__).parent / "migrations"  # shipped inside the package
SQLITE_BUSY_TIMEOUT_MS = 30_000  # writers queue up behind each other instead of failing at once
BUSY_RETRY_AFTER_SECONDS = 2  # what a client refused with 503 is told to wait
# SQLite's messages for SQLITE_BUSY and SQLITE_LOCKED (the stdlib driver gives no error code).
SQLITE_BUSY_MESSAGES = ("database is locked", "database table is locked", "database schema is locked")


class UTCDateTime(sa.types.TypeDecorator[datetime]):
    """A timezone-aware UTC datetime on every backend.

    PostgreSQL stores ``timestamptz``; SQLite has no time zones and hands back naive values, so
    values are normalised to UTC on the way in and tagged UTC on the way out. Comparing an aware
    and a naive datetime raises in Python, which is why this matters.
    """

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: sa.Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r}: use timezone-aware UTC datetimes")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: sa.Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def enum_type(enum_class: type[StrEnum], name: str) -> sa.Enum:
    """A portable enum column: VARCHAR plus a CHECK constraint named ``name`` (no native types,
    so adding a value later is a plain migration on both backends)."""
    return sa.Enum(
        enum_class,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=max(len(member.value) for member in enum_class),
        values_callable=lambda members: [member.value for member in members],
        validate_strings=True,
    )


def utcnow() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        datetime: UTCDateTime(),
        dict[str, Any]: sa.JSON(),
        list[Any]: sa.JSON(),
    }


# --------------------------------------------------------------------------- engine


def normalize_url(url: str | URL) -> URL:
    """Accept the usual ``postgresql://`` / ``postgres://`` spellings and pick psycopg 3."""
    parsed = make_url(url) if isinstance(url, str) else url
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed


def create_engine(url: str | URL, **kwargs: Any) -> Engine:
    """An engine for ``url``; SQLite gets WAL, foreign keys, a busy timeout and real transactions."""
    parsed = normalize_url(url)
    if parsed.get_backend_name() == "sqlite":
        return _create_sqlite_engine(parsed, **kwargs)
    kwargs.setdefault("pool_pre_ping", True)
    return sa.create_engine(parsed, **kwargs)


def _create_sqlite_engine(
    url: URL, *, busy_timeout_ms: int = SQLITE_BUSY_TIMEOUT_MS, **kwargs: Any
) -> Engine:
    """``busy_timeout_ms``: how long a writer waits for the lock before :class:`Busy` (tests shorten it)."""
    if url.database and url.database != ":memory:":
        Path(url.database).parent.mkdir(parents=True, exist_ok=True)
    connect_args = kwargs.pop("connect_args", {})
    # Connections move between threads (web server pool, grader threads); SQLite serialises
    # writes itself, so the stdlib's same-thread check only gets in the way.
    connect_args.setdefault("check_same_thread", False)
    engine = sa.create_engine(url, connect_args=connect_args, **kwargs)
    event.listen(engine, "connect", lambda dbapi, record: _sqlite_on_connect(dbapi, record, busy_timeout_ms))
    event.listen(engine, "begin", _sqlite_on_begin)
    event.listen(engine, "handle_error", _sqlite_busy_to_domain_error)
    return engine


def _sqlite_busy_to_domain_error(context: sa.engine.ExceptionContext) -> None:
    """Turn "database is locked" into :class:`Busy` (503 with Retry-After in every face).

    It only happens once the busy timeout has run out, or at once when a deferred transaction that
    read tries to become a writer after another writer committed (SQLITE_BUSY_SNAPSHOT: waiting
    cannot help). Units of work that read then write avoid the latter with :func:`begin_write`;
    what is left is real overload, which the client may retry.
    """
    original = context.original_exception
    if is_sqlite_busy(original):
        raise Busy(retry_after=BUSY_RETRY_AFTER_SECONDS) from original


def is_sqlite_busy(error: BaseException | None) -> bool:
    return isinstance(error, sqlite3.OperationalError) and str(error).startswith(SQLITE_BUSY_MESSAGES)


def _sqlite_on_connect(
    dbapi_connection: Any, _record: Any, busy_timeout_ms: int = SQLITE_BUSY_TIMEOUT_MS
) -> None:
    # Take transaction control away from the stdlib driver (which only BEGINs before DML, breaking
    # SAVEPOINTs and transactional DDL); _sqlite_on_begin emits BEGIN instead.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA journal_mode=WAL")  # readers do not block the writer
        cursor.execute("PRAGMA foreign_keys=ON")  # off by default in SQLite
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        cursor.execute("PRAGMA synchronous=NORMAL")  # safe with WAL, much faster commits
    finally:
        cursor.close()


def _sqlite_on_begin(connection: Connection) -> None:
    mode = connection.get_execution_options().get("sqlite_begin", "")
    connection.exec_driver_sql(f"BEGIN {mode}".strip())


def begin_write(session: Session) -> None:
    """Call first in a unit of work that reads and then writes (e.g. claiming a submission).

    On SQLite it starts the transaction with ``BEGIN IMMEDIATE``, taking the write lock up front:
    a deferred transaction that read first fails at once with "database is locked" when another
    writer got in between, instead of waiting out the busy timeout. Elsewhere it does nothing
    (PostgreSQL uses row locks: ``SELECT ... FOR UPDATE SKIP LOCKED``).
    """
    if session.get_bind().dialect.name == "sqlite":
        if session.in_transaction():
            raise RuntimeError("begin_write() must come before the first statement of the transaction")
        session.connection(execution_options={"sqlite_begin": "IMMEDIATE"})


def make_sessionmaker(engine: Engine) -> sessionmaker[Session]:
    # expire_on_commit=False: objects returned from a committed unit of work stay readable (CLI
    # output, enqueueing after commit) instead of lazily reloading from a closed session.
    return sessionmaker(bind=engine, expire_on_commit=False)


@contextmanager
def session_scope(factory: sessionmaker[Session]) -> Iterator[Session]:
    """One unit of work: commits if the block succeeds, rolls back if it raises."""
    with factory() as session, session.begin():
        yield session


# --------------------------------------------------------------------------- migrations


def alembic_config(connection: Connection | None = None) -> Config:
    """Alembic configuration built in code, pointing at the migrations inside the package."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the schema up to ``revision`` (default: the latest)."""
    with engine.begin() as connection:
        command.upgrade(alembic_config(connection), revision)


def downgrade(engine: Engine, revision: str) -> None:
    with engine.begin() as connection:
        command.downgrade(alembic_config(connection), revision)


def new_revision(engine: Engine, message: str) -> None:
    """Write a migration for the difference between the models and the database at ``engine``
    (which must be at head). For developers: review the generated file before committing it."""
    with engine.begin() as connection:
        command.revision(alembic_config(connection), message=message, autogenerate=True)


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def migration_options() -> dict[str, Any]:
    """Options shared by ``migrations/env.py`` and the drift check, so both compare alike."""
    return {
        "compare_type": True,
        "render_as_batch": True,  # SQLite can only ALTER by copying the table
        "render_item": _render_item,
    }


def _render_item(kind: str, obj: Any, autogen_context: Any) -> str | bool:
    # Migrations must not import application code (they outlive it): write our decorated type as
    # the plain SQLAlchemy type it stores.
    if kind == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False
