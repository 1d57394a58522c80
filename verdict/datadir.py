"""The data directory, made private, and the secret key that signs session cookies.

``prepare_data_dir`` runs once per process, from :func:`verdict.platform.bootstrap`, before the database
is opened:

* the data directory is created (or tightened) to mode 0700: it holds the SQLite file, the blobs'
  cache and the secret key, none of which another local user may read;
* the SQLite database file (and its ``-wal``, ``-shm`` and ``-journal`` companions, when present)
  is 0600. The file is created empty with that mode before SQLite opens it, since SQLite would
  create it 0644; SQLite gives the companions the database file's mode;
* with no explicit key (the embedded default) a random key is generated once and kept in
  ``<data_dir>/secret_key`` (0600), and every later start reads it back, so sessions survive a
  restart. An explicit key (``VERDICT_SECRET_KEY``) that is short, a known placeholder or of too
  few distinct characters is refused: the server does not start, and says why.

Why refuse rather than warn: with the old default ``change-me`` anyone holding a user's password
hash could forge that user's session cookie (issue 10, C1).
"""

from __future__ import annotations

import contextlib
import os
import secrets
import stat
from pathlib import Path

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from verdict.settings import Settings

SECRET_KEY_FILE = "secret_key"
MIN_SECRET_KEY_LENGTH = 32
MIN_DISTINCT_CHARACTERS = 10  # "aaaa…" or "0101…" of any length is not a secret
# Placeholders seen in configuration templates; a longer one still must not be accepted.
PLACEHOLDER_KEYS = frozenset(
    {"change-me", "changeme", "change_me", "secret", "secret-key", "secret_key", "test-secret-key"}
)
_PRIVATE_DIR = 0o700
_PRIVATE_FILE = 0o600
_SQLITE_COMPANIONS = ("-wal", "-shm", "-journal")


class DataDirError(RuntimeError):
    """The data directory or the secret key cannot be made safe: the server must not start."""


class WeakSecretKey(DataDirError):
    pass


def prepare_data_dir(settings: Settings) -> Settings:
    """Make the data directory and the SQLite files private; return ``settings`` with the secret
    key to use (the explicit one once checked, or the one kept in the data directory)."""
    make_private_dir(settings.data_dir)
    if settings.secret_key:
        check_secret_key(settings.secret_key)
        key = settings.secret_key
    else:
        key = load_or_create_secret_key(settings.data_dir / SECRET_KEY_FILE)
    protect_sqlite_files(settings.sqlalchemy_url)
    return settings.model_copy(update={"secret_key": key})


def check_secret_key(key: str) -> None:
    """Refuse a key that can be guessed; the message says how to fix it (never echoes the key)."""
    fix = (
        "set VERDICT_SECRET_KEY to a random value of at least "
        f"{MIN_SECRET_KEY_LENGTH} characters (e.g. `python -c 'import secrets; "
        "print(secrets.token_urlsafe(48))'`), or unset it to let Verdict generate one in the data directory"
    )
    if key.strip().lower() in PLACEHOLDER_KEYS:
        raise WeakSecretKey(f"the secret key is a well-known placeholder: {fix}")
    if len(key) < MIN_SECRET_KEY_LENGTH:
        raise WeakSecretKey(f"the secret key is too short ({len(key)} characters): {fix}")
    if len(set(key)) < MIN_DISTINCT_CHARACTERS:
        raise WeakSecretKey(f"the secret key has too few distinct characters: {fix}")


def make_private_dir(directory: Path) -> None:
    directory.mkdir(parents=True, exist_ok=True, mode=_PRIVATE_DIR)
    _chmod(directory, _PRIVATE_DIR)  # mkdir's mode is cut by the umask, and an old one may be 0755


def load_or_create_secret_key(path: Path) -> str:
    """The key kept at ``path``, generated there first if there is none.

    Two processes starting together (a server and a worker) must end with the same key: the new
    key is written to a private temporary file and linked into place, which fails if the other
    process won, and then its key is read.
    """
    if not path.exists():
        _create_key_file(path)
    _chmod(path, _PRIVATE_FILE)  # a key file copied in with a looser mode is tightened
    key = path.read_text(encoding="ascii", errors="replace").strip()
    if len(key) < MIN_SECRET_KEY_LENGTH:
        raise WeakSecretKey(
            f"{path} holds no usable secret key ({len(key)} characters): delete it to generate a new one"
        )
    return key


def _create_key_file(path: Path) -> None:
    temporary = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, _PRIVATE_FILE)
    try:
        with os.fdopen(descriptor, "w", encoding="ascii") as out:
            out.write(secrets.token_urlsafe(48) + "\n")
            out.flush()
            os.fsync(out.fileno())
        with contextlib.suppress(FileExistsError):  # another process won: its key is the one
            os.link(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)


def sqlite_file(url: str) -> Path | None:
    """The database file of a SQLite URL; None for other databases and in-memory ones."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        return None
    database = parsed.database or ""
    if not parsed.drivername.startswith("sqlite") or database in ("", ":memory:"):
        return None
    if database.startswith("file:"):  # URI filenames: mode=memory and the like, left alone
        return None
    return Path(database)


def protect_sqlite_files(url: str) -> None:
    database = sqlite_file(url)
    if database is None:
        return
    database.parent.mkdir(parents=True, exist_ok=True)
    if not database.exists():
        # An empty file is a valid empty database; created here so that it is never 0644.
        os.close(os.open(database, os.O_WRONLY | os.O_CREAT, _PRIVATE_FILE))
    for path in (database, *(database.with_name(database.name + suffix) for suffix in _SQLITE_COMPANIONS)):
        if path.exists():
            _chmod(path, _PRIVATE_FILE)


def _chmod(path: Path, mode: int) -> None:
    try:
        if stat.S_IMODE(path.stat().st_mode) != mode:
            path.chmod(mode)
    except OSError as error:
        raise DataDirError(f"cannot make {path} private (mode {mode:o}): {error.strerror}") from None
