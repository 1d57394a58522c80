"""Shared fixtures: settings, and a real database on each backend built only from migrations.

``db_url`` is parametrized over SQLite (a file) and PostgreSQL (a fresh database created for the
test session on the server at ``VERDICT_TEST_POSTGRES_URL``, default
``postgresql+psycopg://postgres@127.0.0.1:5432/test``; skipped with the reason when unreachable).
Each backend is migrated once per test session; after every test using ``engine`` all tables are
emptied, so tests may commit freely and still start clean.
"""

from __future__ import annotations

import functools
import os
import secrets
from collections.abc import Callable, Iterator, Mapping
from datetime import datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.orm import Session

from tests.support.inginious import Demo, make_demo
from tests.support.users import PASSWORD, MakeUser
from verdict import db, schema
from verdict.accounts.models import Role, User
from verdict.accounts.passwords import hash_password
from verdict.db import utcnow
from verdict.grading.graders import SubmissionGrader, SubmissionKind
from verdict.grading.queue import DramatiqQueue, Queue
from verdict.platform import Platform, QueueFactory, bootstrap
from verdict.settings import Settings
from verdict.web.app import create_app

POSTGRES_URL = os.environ.get(
    "VERDICT_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
BACKENDS = ["sqlite", "postgresql"]

# tests.support.markers: every test is exactly one of unit, integration, e2e (or the collection
# fails); pytester runs pytest inside a test, to test that plugin.
pytest_plugins = ["tests.support.markers", "pytester"]


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """Settings for one test: a private data directory, a known secret key, SQLite in data_dir.

    Everything that matters is given explicitly so that the developer's VERDICT_* environment
    cannot leak in.
    """
    return Settings(
        data_dir=tmp_path / "var",
        database_url="",
        broker_url="",
        import_root=tmp_path / "imports",
        secret_key="test-secret-key-3f9a1c7e5b2d8046aa91",  # explicit and strong enough (verdict.datadir)
    )


@pytest.fixture
def cli_env(settings: Settings, db_url: str, engine: Engine) -> dict[str, str]:
    """Environment pointing a CLI command at this test's migrated database and data directory."""
    return {
        "VERDICT_DATA_DIR": str(settings.data_dir),
        "VERDICT_DATABASE_URL": db_url,
        "VERDICT_SECRET_KEY": settings.secret_key,
    }


# --------------------------------------------------------------------------- databases


@pytest.fixture(scope="session", params=BACKENDS)
def db_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """URL of a database migrated to head, one per backend per test session."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'verdict.sqlite3'}"
        _migrate(url)
        yield url
    else:
        yield from _postgres_database()


def _migrate(url: str) -> None:
    engine = db.create_engine(url)
    try:
        db.upgrade(engine)
    finally:
        engine.dispose()


def postgres_admin_engine() -> Engine:
    """An AUTOCOMMIT engine on the test server's maintenance database; skips if unreachable."""
    engine = db.create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 3})
    try:
        with engine.connect():
            pass
    except sa.exc.OperationalError as error:
        engine.dispose()
        reason = str(error.orig).strip().splitlines()[0] if error.orig else str(error)
        pytest.skip(f"PostgreSQL unreachable at {POSTGRES_URL}: {reason}")
    return engine


def fresh_postgres_database() -> Iterator[str]:
    """Create an empty, uniquely named database; drop it afterwards. Yields its URL."""
    admin = postgres_admin_engine()
    name = f"verdict_test_{os.getpid()}_{secrets.token_hex(4)}"
    with admin.connect() as connection:
        connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    url = make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)
    try:
        yield url
    finally:
        with admin.connect() as connection:
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


def _postgres_database() -> Iterator[str]:
    for url in fresh_postgres_database():
        _migrate(url)
        yield url


@pytest.fixture(params=BACKENDS)
def fresh_db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """URL of an *empty* database (no tables) of each backend, private to one test."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'fresh.sqlite3'}"
    else:
        yield from fresh_postgres_database()


@pytest.fixture(scope="session")
def _session_engine(db_url: str) -> Iterator[Engine]:
    engine = db.create_engine(db_url)
    yield engine
    engine.dispose()


@pytest.fixture
def engine(_session_engine: Engine) -> Iterator[Engine]:
    """The migrated engine of the current backend; every table is emptied after the test."""
    yield _session_engine
    _empty_all_tables(_session_engine)


def _empty_all_tables(engine: Engine) -> None:
    tables = list(reversed(schema.target_metadata().sorted_tables))
    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            # DELETE, children first, then every sequence back to 1 (as TRUNCATE ... RESTART
            # IDENTITY would): about 1 ms for the few rows a test leaves, against TRUNCATE's 70 ms
            # of file work for every table, after each of some 600 PostgreSQL tests.
            connection.exec_driver_sql("; ".join(f'DELETE FROM "{table.name}"' for table in tables))
            connection.exec_driver_sql("SELECT setval(oid, 1, false) FROM pg_class WHERE relkind = 'S'")
        else:
            for table in tables:  # children first, so foreign keys hold at every step
                connection.execute(table.delete())


@pytest.fixture
def session(platform: Platform) -> Iterator[Session]:
    """A session on the test database. Commit as you like: tables are emptied afterwards."""
    with platform.sessionmaker() as session:
        yield session


@pytest.fixture
def grading_queue() -> Queue | QueueFactory:
    """The platform's queue: Dramatiq's in-process broker. A test passes a fake to ``bootstrap``
    by parametrizing this name (``@pytest.mark.parametrize("grading_queue", [NullQueue()])``)."""
    return DramatiqQueue


@pytest.fixture
def graders() -> Mapping[SubmissionKind, SubmissionGrader] | None:
    """The platform's graders (None: the default ones); parametrize it to pass fakes."""
    return None


@pytest.fixture
def clock() -> Callable[[], datetime]:
    """The platform's clock: the wall clock. A test of deadlines overrides this fixture with a
    :class:`tests.support.clock.ManualClock` it moves by hand."""
    return utcnow


@pytest.fixture
def platform(
    settings: Settings,
    db_url: str,
    engine: Engine,
    grading_queue: Queue | QueueFactory,
    graders: Mapping[SubmissionKind, SubmissionGrader] | None,
    clock: Callable[[], datetime],
) -> Iterator[Platform]:
    """The platform wired to the test database (shares the backend's engine)."""
    platform = bootstrap(
        settings.model_copy(update={"database_url": db_url}),
        engine=engine,
        queue=grading_queue,
        graders=graders,
        clock=clock,
    )
    yield platform
    platform.queue.stop()  # the engine is the backend's, shared with the next test


@pytest.fixture
def app(platform: Platform) -> FastAPI:
    return create_app(platform=platform)


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app) as test_client:
        yield test_client


# --------------------------------------------------------------------------- data


@functools.cache
def cached_password_hash(password: str) -> str:
    """argon2 costs ~0.25 s here: hash each test password once per test session."""
    return hash_password(password)


@pytest.fixture
def make_user(session: Session) -> MakeUser:
    """make_user("alice", role="instructor", password=PASSWORD, email=None, full_name="") -> a
    committed User (email defaults to <username>@example.org)."""

    def make(
        username: str,
        *,
        role: Role | str = Role.STUDENT,
        password: str | None = PASSWORD,
        email: str | None = None,
        full_name: str = "",
    ) -> User:
        user = User(
            username=username,
            email=(email or f"{username}@example.org").lower(),
            role=Role(role),
            full_name=full_name or username.title(),
            password_hash=cached_password_hash(password) if password is not None else None,
        )
        session.add(user)
        session.commit()
        return user

    return make


@pytest.fixture
def demo(session: Session, platform: Platform, make_user: MakeUser) -> Demo:
    """The INGInious demo course (tests.support.inginious) imported for a teacher, a tutor and
    students alice and bob (registered) and carol (not)."""
    return make_demo(session, platform, make_user)


@pytest.fixture
def instructor(make_user: MakeUser) -> User:
    return make_user("Instructor", role="instructor")
