"""Issue 10, C1: the secret key and the data directory.

The audit forged an admin ``verdict_session`` cookie with the default key ``change-me`` and a
leaked password hash, and read the SQLite file because it was 0644. These tests bootstrap the
real platform on a fresh data directory (the embedded default: SQLite inside it, migrated).
"""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa

from verdict.accounts.models import Role, User
from verdict.accounts.sessions import make_session_cookie, read_session_cookie
from verdict.datadir import SECRET_KEY_FILE, WeakSecretKey, prepare_data_dir
from verdict.platform import bootstrap
from verdict.settings import Settings

STRONG_KEY = "Zx8-q1Vw3Lm9Tr5Ka2Ys7Pd4Hn6Bc0Fg_Je"


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def _embedded(data_dir: Path, **overrides: object) -> Settings:
    values: dict[str, object] = {
        "data_dir": data_dir,
        "database_url": "",
        "broker_url": "",
        "import_root": data_dir.parent / "imports",
        "secret_key": "",
    }
    values.update(overrides)
    return Settings(**values)  # type: ignore[arg-type]


@pytest.mark.integration
def test_fresh_data_dir_gets_a_private_generated_key_reused_on_restart(tmp_path: Path) -> None:
    data_dir = tmp_path / "var"
    first = bootstrap(_embedded(data_dir), migrate=True)
    first.close()
    key_file = data_dir / SECRET_KEY_FILE
    assert _mode(key_file) == 0o600
    key = key_file.read_text().strip()
    assert len(key) >= 48 and key == first.settings.secret_key

    second = bootstrap(_embedded(data_dir))
    second.close()
    assert second.settings.secret_key == key  # sessions survive a restart
    other = bootstrap(_embedded(tmp_path / "elsewhere"))
    other.close()
    assert other.settings.secret_key != key  # random, not a constant


@pytest.mark.integration
def test_data_dir_and_sqlite_files_are_private(tmp_path: Path) -> None:
    data_dir = tmp_path / "var"
    data_dir.mkdir(mode=0o755)
    os.chmod(data_dir, 0o755)  # an existing, too open directory is tightened
    platform = bootstrap(_embedded(data_dir), migrate=True)
    try:
        with platform.session_scope() as session:  # a write, so that SQLite opens its WAL
            session.execute(sa.text("CREATE TABLE IF NOT EXISTS probe (x INTEGER)"))
            session.execute(sa.text("INSERT INTO probe VALUES (1)"))
        database = data_dir / "verdict.sqlite3"
        assert _mode(data_dir) == 0o700
        assert _mode(database) == 0o600
        companions = [database.with_name(database.name + s) for s in ("-wal", "-shm")]
        assert any(path.exists() for path in companions)  # the embedded default runs in WAL mode
        for path in companions:
            if path.exists():
                assert _mode(path) == 0o600, path
    finally:
        platform.close()


@pytest.mark.unit
def test_an_existing_database_and_key_file_with_loose_modes_are_tightened(tmp_path: Path) -> None:
    data_dir = tmp_path / "var"
    data_dir.mkdir()
    database = data_dir / "verdict.sqlite3"
    database.touch(mode=0o644)
    os.chmod(database, 0o644)
    key_file = data_dir / SECRET_KEY_FILE
    key_file.write_text(STRONG_KEY + "\n")
    os.chmod(key_file, 0o644)
    settings = prepare_data_dir(_embedded(data_dir))
    assert settings.secret_key == STRONG_KEY
    assert _mode(database) == 0o600 and _mode(key_file) == 0o600


@pytest.mark.integration
@pytest.mark.parametrize(
    "weak_key",
    ["change-me", "test-secret-key", "short-but-random-9f2c", "a" * 64, "CHANGE-ME", "01" * 40],
)
def test_an_explicit_weak_key_refuses_to_start(tmp_path: Path, weak_key: str) -> None:
    with pytest.raises(WeakSecretKey, match="VERDICT_SECRET_KEY") as caught:
        bootstrap(_embedded(tmp_path / "var", secret_key=weak_key))
    assert weak_key not in str(caught.value)  # the message never echoes the key


@pytest.mark.integration
def test_an_explicit_strong_key_is_used_as_given(tmp_path: Path) -> None:
    platform = bootstrap(_embedded(tmp_path / "var", secret_key=STRONG_KEY))
    platform.close()
    assert platform.settings.secret_key == STRONG_KEY
    assert not (tmp_path / "var" / SECRET_KEY_FILE).exists()


@pytest.mark.unit
def test_a_truncated_key_file_is_refused(tmp_path: Path) -> None:
    data_dir = tmp_path / "var"
    data_dir.mkdir()
    (data_dir / SECRET_KEY_FILE).write_text("")
    with pytest.raises(WeakSecretKey, match="delete it"):
        prepare_data_dir(_embedded(data_dir))


@pytest.mark.integration
def test_a_cookie_forged_with_the_old_default_key_is_not_accepted(tmp_path: Path) -> None:
    """The audit's attack: an admin cookie signed with ``change-me`` (hash known) is refused."""
    platform = bootstrap(_embedded(tmp_path / "var"), migrate=True)
    try:
        with platform.session_scope() as session:
            admin = User(username="root", email="root@example.org", role=Role.ADMIN, password_hash="x")
            session.add(admin)
            session.flush()
            forged = make_session_cookie(
                platform.settings.model_copy(update={"secret_key": "change-me"}), admin
            )
            genuine = make_session_cookie(platform.settings, admin)
            assert read_session_cookie(session, platform.settings, forged) is None
            found = read_session_cookie(session, platform.settings, genuine)
            assert found is not None and found.id == admin.id
    finally:
        platform.close()


@pytest.mark.integration
def test_the_cli_refuses_a_weak_key_with_a_clear_message(tmp_path: Path) -> None:
    environment = {
        **os.environ,
        "VERDICT_DATA_DIR": str(tmp_path / "var"),
        "VERDICT_SECRET_KEY": "change-me",
        "VERDICT_DATABASE_URL": "",
    }
    script = "from verdict.platform import bootstrap; bootstrap()"
    result = subprocess.run(
        [sys.executable, "-c", script], env=environment, capture_output=True, text=True, timeout=60
    )
    assert result.returncode != 0
    assert "WeakSecretKey: the secret key is a well-known placeholder" in result.stderr
