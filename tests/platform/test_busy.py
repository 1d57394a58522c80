"""SQLite under contention (issue 10, H3): a writer that cannot get the lock within the busy timeout
gets 503 with ``Retry-After`` from every face, never a 500 "database is locked".

SQLite only: PostgreSQL has no database-wide write lock. The busy timeout is shortened to keep the
test quick; the lock is held by a real second connection to the same file."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.support.users import PASSWORD
from verdict import db
from verdict.accounts.models import User
from verdict.accounts.passwords import hash_password
from verdict.errors import Busy
from verdict.platform import bootstrap
from verdict.settings import Settings
from verdict.web.app import create_app


@pytest.fixture
def sqlite_file(tmp_path: Path) -> Path:
    return tmp_path / "busy.sqlite3"


@pytest.fixture
def busy_client(settings: Settings, sqlite_file: Path) -> Iterator[TestClient]:
    url = f"sqlite:///{sqlite_file}"
    engine = db.create_engine(url, busy_timeout_ms=200)
    platform = bootstrap(settings.model_copy(update={"database_url": url}), engine=engine, migrate=True)
    with platform.session_scope() as session:
        session.add(User(username="ann", email="ann@example.org", password_hash=hash_password(PASSWORD)))
    with TestClient(create_app(platform=platform)) as client:
        yield client
    platform.close()


@pytest.fixture
def lock_holder(sqlite_file: Path) -> Iterator[sqlite3.Connection]:
    """Another process's long write transaction (the audit's 400,000-item list held it 42 s)."""
    connection = sqlite3.connect(sqlite_file, isolation_level=None)
    try:
        yield connection
    finally:
        connection.close()


def _hold_write_lock(connection: sqlite3.Connection) -> None:
    connection.execute("BEGIN IMMEDIATE")


@pytest.mark.integration
def test_a_locked_database_is_a_busy_domain_error(sqlite_file: Path, lock_holder: sqlite3.Connection) -> None:
    engine = db.create_engine(f"sqlite:///{sqlite_file}", busy_timeout_ms=100)
    db.upgrade(engine)
    _hold_write_lock(lock_holder)
    try:
        with db.make_sessionmaker(engine)() as session, pytest.raises(Busy) as busy:
            _write(session)
        assert busy.value.status == 503
        assert busy.value.headers == {"Retry-After": str(db.BUSY_RETRY_AFTER_SECONDS)}
    finally:
        engine.dispose()


def _write(session: Session) -> None:
    db.begin_write(session)
    session.add(User(username="bob", email="bob@example.org"))
    session.commit()


@pytest.mark.e2e
def test_jutge_face_answers_503_with_retry_after(
    busy_client: TestClient, lock_holder: sqlite3.Connection
) -> None:
    # A wrong Basic password must be recorded (a write), while someone else holds the lock.
    _hold_write_lock(lock_holder)
    response = busy_client.get("/services/lists", auth=("ann", "wrong password"))
    assert response.status_code == 503, response.text
    assert response.headers["retry-after"] == str(db.BUSY_RETRY_AFTER_SECONDS)
    assert "busy" in response.text
    lock_holder.execute("ROLLBACK")
    assert busy_client.get("/services/lists", auth=("ann", "wrong password")).status_code == 401


@pytest.mark.e2e
def test_inginious_face_answers_503_with_retry_after(
    busy_client: TestClient, lock_holder: sqlite3.Connection
) -> None:
    _hold_write_lock(lock_holder)
    response = busy_client.post("/api/v0/authentication", data={"login": "ann", "password": "wrong one"})
    assert response.status_code == 503, response.text
    assert response.headers["retry-after"] == str(db.BUSY_RETRY_AFTER_SECONDS)
    assert "busy" in response.json()["error"]
    lock_holder.execute("ROLLBACK")
    ok = busy_client.post("/api/v0/authentication", data={"login": "ann", "password": PASSWORD})
    assert ok.json() == {"status": "success"}
