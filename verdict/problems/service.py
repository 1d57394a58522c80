"""Problem services for instructors: listing their problems, importing packages from their import
directory on the server, from uploads and from allowed URLs, and updating them.

Each user has an import directory, ``settings.import_root / <username>``; a Jutge path such as
``user@host:problems/dir/x.pbm`` names ``problems/dir/x.pbm`` inside it (the ``user@host`` part
only has to name the requester). Nothing outside that directory can be read.

URL imports are fetched only from the hosts an administrator lists in
``settings.url_import_hosts``, on the ports of ``settings.url_import_ports`` (80 and 443 unless
the administrator allows more), over http and https only, redirects only within the same host and
port, with the size cap of packages and one wall-clock deadline for the whole fetch
(``settings.url_import_seconds``, headers and redirects included: see
:mod:`verdict.problems.fetch`). What is checked before connecting (form, scheme, host, port) gets
its own message; every failure after that gets the same one, so that an import cannot be used to
tell an open port from a closed one or to read what a server answers.
"""

from __future__ import annotations

import re
import shutil
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any, BinaryIO
from urllib.parse import urljoin, urlsplit

import httpcore
import httpx
import sqlalchemy as sa
from sqlalchemy.orm import Session

from verdict.accounts.models import User
from verdict.courses.sync import sync_courses_of_problem
from verdict.errors import InvalidInput, NotFound, PermissionDenied, TooLarge
from verdict.judge.errors import PackageError
from verdict.judge.packages.common import brief
from verdict.problems.fetch import NETWORK_ERRORS, DeadlineBackend
from verdict.problems.models import Problem
from verdict.problems.store import ImportResult, ProblemNotFound, get_problem, import_package
from verdict.settings import Settings

LANGUAGE_RE = re.compile(r"^[a-z]{2,3}$")
SAFE_FILENAME_RE = re.compile(r"[^A-Za-z0-9_.\-]")
MAX_REDIRECTS = 5
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
DEFAULT_PORTS = {"http": 80, "https": 443}
_CHUNK = 1 << 16


@dataclass(frozen=True)
class Imported:
    problem: Problem
    created: bool  # a new problem
    changed: bool  # a new version (False when the package was identical)
    report: dict[str, Any]  # what was found: languages, tests, golden solution, limits, warnings


# --------------------------------------------------------------------------- queries and checks


def owned_problems(session: Session, user: User) -> list[Problem]:
    return list(session.scalars(sa.select(Problem).where(Problem.owner_id == user.id).order_by(Problem.id)))


def check_can_add(user: User) -> None:
    if not user.is_instructor:
        raise PermissionDenied("only instructors and administrators may add problems")


def problem_to_update(session: Session, user: User, ref: str) -> Problem:
    """The problem ``ref`` (``P12345`` or ``P12345_en``) if ``user`` may update it."""
    try:
        problem = get_problem(session, ref)
    except ProblemNotFound:
        raise NotFound(f"no problem {ref}") from None
    if not (user.is_admin or (problem.owner_id is not None and problem.owner_id == user.id)):
        raise PermissionDenied(f"problem {problem.id} belongs to another user")
    return problem


def check_languages(languages: Sequence[str] | None) -> list[str] | None:
    if languages is None:
        return None
    for index, language in enumerate(languages):
        if not LANGUAGE_RE.match(language):
            raise InvalidInput(
                f"languages[{index}]: {language!r} is not a language code such as 'en' or 'ca'",
                field=f"languages[{index}]",
            )
    return list(dict.fromkeys(languages))


# --------------------------------------------------------------------------- import directory


def user_import_root(settings: Settings, user: User) -> Path:
    return (settings.import_root / user.username).resolve()


def resolve_import_path(settings: Settings, user: User, path: str) -> Path:
    """The package directory or archive a Jutge ``path`` names in ``user``'s import directory.

    ``"Jutge@jutge.org:problems/mydir/myproblem.pbm"`` -> ``<import_root>/<user>/problems/mydir/
    myproblem.pbm``. Absolute paths, ``..`` and links leading out of the directory are refused.
    """
    location, colon, relative = path.partition(":")
    if not colon:
        location, relative = "", path
    if "@" in location:
        login = location.rpartition("@")[0]
        if login != user.username:
            raise PermissionDenied(
                f"path: {login!r} is not your username: only your own import directory is readable",
                field="path",
            )
    if not relative.strip():
        raise InvalidInput("path: empty path", field="path")
    pure = PurePosixPath(relative)
    if pure.is_absolute() or relative.startswith("~") or "\\" in relative or "\x00" in relative:
        raise InvalidInput(f"path: {relative!r} must be relative to your import directory", field="path")
    if ".." in pure.parts:
        raise InvalidInput(f"path: {relative!r} must not contain '..'", field="path")
    root = user_import_root(settings, user)
    target = (root / pure).resolve()
    if not target.is_relative_to(root):
        raise InvalidInput(f"path: {relative!r} leads outside your import directory", field="path")
    if not target.exists():
        raise InvalidInput(f"path: {relative!r} does not exist in your import directory", field="path")
    return target


def check_recorded_path(settings: Settings, user: User, problem: Problem) -> Path:
    """The recorded source of ``problem``, still inside its owner's import directory."""
    if not problem.source_path:
        raise InvalidInput(
            f"problem {problem.id} was not imported from a path: use update-upload or update-url"
        )
    owner = user if problem.owner_id == user.id else None
    roots = [user_import_root(settings, owner)] if owner else [settings.import_root.resolve()]
    source = Path(problem.source_path).resolve()
    if not any(source.is_relative_to(root) for root in roots):
        raise InvalidInput(f"problem {problem.id}: its recorded path is outside the import directory")
    if not source.exists():
        raise InvalidInput(f"problem {problem.id}: its recorded path {problem.source_path} is gone")
    return source


# --------------------------------------------------------------------------- imports


def import_from_path(
    session: Session,
    settings: Settings,
    user: User,
    path: str,
    *,
    password: str | None = None,
    languages: Sequence[str] | None = None,
) -> Imported:
    """PUT /services/problems: import (or update, for the same package) from the import directory."""
    check_can_add(user)
    source = resolve_import_path(settings, user, path)
    return _import(
        session,
        settings,
        source,
        owner=user,
        password=password,
        languages=check_languages(languages),
        record_source=True,
    )


def reimport(session: Session, settings: Settings, user: User, ref: str) -> Imported:
    """GET /services/problems/P12345/update: import again from the recorded path."""
    problem = problem_to_update(session, user, ref)
    source = check_recorded_path(settings, user, problem)
    return _import(session, settings, source, owner=user, problem_id=problem.id, record_source=True)


def import_file(
    session: Session,
    settings: Settings,
    user: User,
    archive: Path,
    *,
    problem_ref: str | None = None,
) -> Imported:
    """Import an uploaded or downloaded archive as a new problem, or as a new version of
    ``problem_ref``."""
    if problem_ref is None:
        check_can_add(user)
        return _import(session, settings, archive, owner=user, match_existing=False, record_source=False)
    problem = problem_to_update(session, user, problem_ref)
    return _import(session, settings, archive, owner=user, problem_id=problem.id, record_source=False)


def _import(
    session: Session,
    settings: Settings,
    source: Path,
    *,
    owner: User,
    problem_id: str | None = None,
    match_existing: bool = True,
    password: str | None = None,
    languages: list[str] | None = None,
    record_source: bool,
) -> Imported:
    try:
        result: ImportResult = import_package(
            session,
            source,
            settings=settings,
            owner=owner,
            problem_id=problem_id,
            match_existing=match_existing,
            password=password,
            languages=languages,
            record_source=record_source,
        )
    except PackageError as error:
        raise InvalidInput(f"invalid package: {_package_message(error, source)}") from None
    except ProblemNotFound as error:
        raise NotFound(str(error)) from None
    if languages is not None:
        missing = [language for language in languages if language not in result.package.titles]
        if missing:
            raise InvalidInput(
                f"languages: the package has no statement in {', '.join(missing)} "
                f"(it has {', '.join(sorted(result.package.titles)) or 'none'})",
                field="languages",
            )
    # The tasks of the courses listing the problem carry its title.
    sync_courses_of_problem(session, result.problem.id)
    return Imported(result.problem, result.problem_created, result.version_created, import_report(result))


def import_report(result: ImportResult) -> dict[str, Any]:
    """The import report: what the package holds and what preparing it found. Paths are the
    package's own; timings are limits in seconds per Jutge time class."""
    package, preparation = result.package, result.preparation
    return {
        "format": package.format,
        "type": package.type,
        "languages": sorted(package.variants or package.titles),
        "tests": sum(len(p.tests) for p in package.packages),
        "samples": sum(len(p.samples) for p in package.packages),
        "checker": package.checker.kind,
        "compilers": list(package.compilers),
        "golden": [check.file for check in preparation.golden],
        "made_outputs": len(preparation.made_outputs),
        "time_limits": {
            variant or "all": timing.summary() for variant, timing in preparation.timings.items()
        },
        "solutions": [
            {
                "file": c.file,
                "language": c.language,
                "expected": c.expected,
                "verdict": c.verdict,
                "agrees": c.agrees,
            }
            for c in [*preparation.golden, *preparation.solutions]
        ],
        "warnings": list(preparation.warnings),
    }


def _package_message(error: PackageError, source: Path) -> str:
    # Paths of the server (scratch directories, the import root) are not the user's business.
    message = str(error)
    for prefix in sorted({str(source.parent), str(source.parent.resolve())}, key=len, reverse=True):
        message = message.replace(prefix + "/", "")
    return re.sub(r"/\S*/import-[^/\s]+/x/", "", message)


# --------------------------------------------------------------------------- uploads and URLs


@contextmanager
def scratch_file(settings: Settings, filename: str) -> Iterator[Path]:
    """A path named like ``filename`` (sanitised) in a fresh scratch directory, removed after."""
    scratch = settings.data_dir / "tmp"
    scratch.mkdir(parents=True, exist_ok=True)
    directory = Path(tempfile.mkdtemp(dir=scratch, prefix="upload-"))
    try:
        yield directory / safe_filename(filename)
    finally:
        shutil.rmtree(directory, ignore_errors=True)


def safe_filename(filename: str) -> str:
    """The last path component of ``filename``, with only safe characters (default
    ``package.tgz``). The name matters: the package id comes from it (``x.pbm.tgz`` -> ``x``)."""
    name = PurePosixPath(filename.replace("\\", "/")).name
    name = SAFE_FILENAME_RE.sub("_", name).lstrip(".")
    return name[-200:] or "package.tgz"


def save_stream(source: BinaryIO, target: Path, limit: int) -> int:
    """Copy ``source`` to ``target``, refusing more than ``limit`` bytes."""
    size = 0
    with open(target, "wb") as out:
        while chunk := source.read(_CHUNK):
            size += len(chunk)
            if size > limit:
                raise TooLarge(f"file: larger than the {limit} bytes allowed", field="file")
            out.write(chunk)
    return size


def check_url(settings: Settings, url: str) -> httpx.URL:
    """``url`` parsed, if it is http(s) on an allowed host and port; PermissionDenied for others.

    Decided from the URL alone, before any connection, so these messages reveal nothing about the
    network."""
    try:
        parsed = httpx.URL(url.strip())
    except (httpx.InvalidURL, TypeError, ValueError):
        raise InvalidInput(f"url: {brief(url)} is not a URL", field="url") from None
    if parsed.scheme not in ("http", "https") or not parsed.host:
        raise InvalidInput(f"url: {brief(url)} is not an http or https URL", field="url")
    if parsed.userinfo:
        raise InvalidInput("url: credentials in the URL are not allowed", field="url")
    allowed = {host.strip().lower().rstrip(".") for host in settings.url_import_hosts if host.strip()}
    if parsed.host.lower().rstrip(".") not in allowed:
        raise PermissionDenied(
            f"url: host {brief(parsed.host)} is not allowed for imports"
            + (f" (allowed: {', '.join(sorted(allowed))})" if allowed else " (no host is allowed)"),
            field="url",
        )
    port = parsed.port or DEFAULT_PORTS[parsed.scheme]
    if port not in settings.url_import_ports:
        ports = ", ".join(str(p) for p in sorted(settings.url_import_ports)) or "none"
        raise PermissionDenied(f"url: port {port} is not allowed for imports (allowed: {ports})", field="url")
    return parsed


class _FetchFailed(Exception):
    """Anything that went wrong once the server was contacted; reported as one message."""


def fetch_failed_message(settings: Settings, seconds: float) -> str:
    return (
        "url: could not fetch a package from this URL: it must answer 200 with at most "
        f"{settings.max_package_bytes} bytes within {seconds:g} seconds in all, "
        "redirecting only within the same host and port"
    )


def download(settings: Settings, url: str, target: Path, *, timeout: float | None = None) -> int:
    """Fetch ``url`` into ``target`` under the host and port allow-lists, the package size cap and
    one deadline for everything (``timeout``, default ``settings.url_import_seconds``). Redirects
    are followed only within the same scheme, host and port."""
    seconds = timeout if timeout is not None else settings.url_import_seconds
    current = check_url(settings, url)
    deadline = time.monotonic() + seconds
    try:
        with httpcore.ConnectionPool(network_backend=DeadlineBackend(deadline), retries=0) as pool:
            for _ in range(MAX_REDIRECTS + 1):
                with pool.stream("GET", str(current), headers=[(b"Accept", b"*/*")]) as response:
                    if response.status in REDIRECT_STATUSES:
                        current = _redirect_target(settings, current, _header(response, b"location"))
                        continue
                    return _save_response(settings, response, target, deadline)
    except (_FetchFailed, *NETWORK_ERRORS):
        pass
    raise InvalidInput(fetch_failed_message(settings, seconds), field="url")


def _header(response: httpcore.Response, name: bytes) -> str:
    for key, value in response.headers:
        if key.lower() == name:
            return value.decode("latin-1")
    return ""


def _redirect_target(settings: Settings, current: httpx.URL, location: str) -> httpx.URL:
    if not location:
        raise _FetchFailed("a redirect without a location")
    try:
        target = check_url(settings, urljoin(str(current), location))
    except (InvalidInput, PermissionDenied):
        raise _FetchFailed("a redirect out of the allow-lists") from None
    if (target.scheme, target.host, target.port) != (current.scheme, current.host, current.port):
        raise _FetchFailed("a redirect to another host")
    return target


def _save_response(settings: Settings, response: httpcore.Response, target: Path, deadline: float) -> int:
    limit = settings.max_package_bytes
    declared = _header(response, b"content-length")
    if response.status != 200 or (declared.isdigit() and int(declared) > limit):
        raise _FetchFailed(f"status {response.status}")
    size = 0
    with open(target, "wb") as out:
        for chunk in response.iter_stream():
            size += len(chunk)
            if size > limit or time.monotonic() > deadline:
                raise _FetchFailed("too large or too slow")
            out.write(chunk)
    return size


def url_filename(url: str) -> str:
    return PurePosixPath(urlsplit(url).path).name or "package.tgz"
