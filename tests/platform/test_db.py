"""The schema comes only from migrations, matches the models, and behaves alike on both backends."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from tests.support.users import MakeUser
from verdict import db, schema
from verdict.models import ApiToken, Submission, SubmissionStatus, User
from verdict.platform import Platform


@pytest.mark.integration
def test_migrations_create_every_model_table(engine: Engine) -> None:
    tables = set(sa.inspect(engine).get_table_names())
    assert tables == set(schema.target_metadata().tables) | {"alembic_version"}
    assert db.current_revision(engine) is not None


@pytest.mark.integration
def test_models_and_migrations_do_not_drift(engine: Engine) -> None:
    # If this fails, a model changed without a migration: write one (verdict db revision, or
    # alembic revision --autogenerate) and review it.
    assert schema.schema_drift(engine) == []


@pytest.mark.integration
def test_drift_check_sees_a_model_change(engine: Engine) -> None:
    changed = sa.MetaData(naming_convention=db.NAMING_CONVENTION)
    for table in schema.target_metadata().tables.values():
        table.to_metadata(changed)
    changed.tables["users"].append_column(sa.Column("nickname", sa.String(20)))
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts=db.migration_options())
        differences = compare_metadata(context, changed)
    assert [d[0] for d in differences] == ["add_column"]


@pytest.mark.integration
def test_downgrade_to_nothing_and_back(fresh_db_url: str) -> None:
    engine = db.create_engine(fresh_db_url)
    try:
        db.upgrade(engine)
        db.downgrade(engine, "base")
        assert set(sa.inspect(engine).get_table_names()) <= {"alembic_version"}
        db.upgrade(engine)
        assert schema.schema_drift(engine) == []
    finally:
        engine.dispose()


@pytest.mark.integration
def test_sqlite_connection_settings(engine: Engine) -> None:
    if engine.dialect.name != "sqlite":
        pytest.skip("SQLite only")
    with engine.connect() as connection:

        def pragma(name):
            return connection.exec_driver_sql(f"PRAGMA {name}").scalar()

        assert pragma("journal_mode") == "wal"
        assert pragma("foreign_keys") == 1
        assert pragma("busy_timeout") == db.SQLITE_BUSY_TIMEOUT_MS


@pytest.mark.unit
def test_postgres_urls_use_psycopg3() -> None:
    assert db.normalize_url("postgresql://u@h/d").drivername == "postgresql+psycopg"
    assert db.normalize_url("postgres://u@h/d").drivername == "postgresql+psycopg"
    assert db.normalize_url("sqlite:///x.db").drivername == "sqlite"


@pytest.mark.integration
def test_foreign_keys_are_enforced(session: Session) -> None:
    session.add(ApiToken(user_id=999_999, name="orphan", token_hash="0" * 64))
    with pytest.raises(IntegrityError):
        session.flush()


@pytest.mark.integration
def test_enum_columns_reject_unknown_values(session: Session, make_user: MakeUser) -> None:
    make_user("alice")
    with pytest.raises(IntegrityError):  # the CHECK constraint, not only Python validation
        session.execute(sa.text("UPDATE users SET role = 'emperor'"))


@pytest.mark.integration
def test_datetimes_come_back_aware_in_utc(platform: Platform, make_user: MakeUser) -> None:
    user = make_user("alice")
    with platform.sessionmaker() as other:
        created = other.get(User, user.id).created_at
    assert created.tzinfo is not None and created.utcoffset().total_seconds() == 0
    assert abs((datetime.now(UTC) - created).total_seconds()) < 60


@pytest.mark.integration
def test_naive_datetimes_are_refused(session: Session, make_user: MakeUser) -> None:
    user = make_user("alice")
    user.created_at = datetime(2024, 1, 1)  # naive: the point of the test
    with pytest.raises(sa.exc.StatementError, match="naive datetime"):
        session.flush()


@pytest.mark.integration
def test_savepoints_roll_back_only_the_inner_work(session: Session, make_user: MakeUser) -> None:
    alice = make_user("alice")
    submission = Submission(user_id=alice.id, language="Python3", source="print(1)")
    session.add(submission)
    session.flush()
    nested = session.begin_nested()
    submission.status = SubmissionStatus.DONE
    session.flush()
    nested.rollback()
    session.commit()
    assert session.get(Submission, submission.id).status == SubmissionStatus.WAITING


@pytest.mark.integration
def test_session_scope_commits_or_rolls_back(platform: Platform, make_user: MakeUser) -> None:
    make_user("alice")
    with pytest.raises(RuntimeError), platform.session_scope() as session:
        session.scalar(sa.select(User).where(User.username == "alice")).full_name = "Changed"
        raise RuntimeError("abort")
    with platform.session_scope() as session:
        user = session.scalar(sa.select(User).where(User.username == "alice"))
        assert user.full_name == "Alice"
        user.full_name = "Committed"
    with platform.session_scope() as session:
        assert session.scalar(sa.select(User.full_name)) == "Committed"


@pytest.mark.integration
def test_sqlite_writers_wait_for_each_other(platform: Platform, make_user: MakeUser) -> None:
    """A second writer waits for the first (busy_timeout) instead of failing; begin_write takes the
    lock before reading, so read-then-write units of work never hit a stale snapshot."""
    if platform.engine.dialect.name != "sqlite":
        pytest.skip("SQLite only")
    make_user("alice")
    first_holds_lock = threading.Event()

    def first() -> None:
        with platform.sessionmaker() as session:
            db.begin_write(session)
            session.scalar(sa.select(User).where(User.username == "alice")).full_name = "First"
            session.flush()
            first_holds_lock.set()
            time.sleep(0.5)
            session.commit()

    with ThreadPoolExecutor(max_workers=1) as pool:
        done = pool.submit(first)
        first_holds_lock.wait(5)
        started = time.monotonic()
        with platform.sessionmaker() as session:
            db.begin_write(session)
            user = session.scalar(sa.select(User).where(User.username == "alice"))
            assert user.full_name == "First"  # read after the first writer committed
            user.full_name = user.full_name + " then second"
            session.commit()
        assert time.monotonic() - started > 0.2
        done.result()
    with platform.sessionmaker() as session:
        assert session.scalar(sa.select(User.full_name)) == "First then second"
