"""The problem store: import packages into content-addressed blobs and problem versions, and hand
them back to graders as directories cached by hash.

Importing (:func:`import_package`) reads a directory or an archive safely (see
:mod:`verdict.problems.archives`), loads it with the judge's package loader (so a broken package is
refused before it is stored), packs it deterministically, stores the archive once per sha256 and
records a new :class:`ProblemVersion` when the content changed. Submissions keep the version they
were graded with.
"""

from __future__ import annotations

import hashlib
import os
import re
import secrets
import shutil
import tempfile
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from verdict.accounts.models import User
from verdict.accounts.passwords import hash_password
from verdict.judge.errors import PackageError
from verdict.judge.packages import load_package, refuse_language_folder
from verdict.judge.preparation import Preparation, prepare
from verdict.judge.problem import Problem as Package
from verdict.problems.archives import (
    Budget,
    archive_stem,
    is_archive,
    pack_deterministic,
    package_root,
    safe_extract,
    walk_package,
)
from verdict.problems.models import Blob, Problem, ProblemVersion
from verdict.settings import Settings, sandbox_config

PROBLEM_ID_RE = re.compile(r"^P\d{5}$")
PROBLEM_REF_RE = re.compile(r"^(?P<id>[A-Z]\d{5})(?:_(?P<lang>[a-z]{2,3}))?$")  # "P12345_en"
HASH_RE = re.compile(r"^[0-9a-f]{64}$")


class ProblemNotFound(LookupError):
    pass


@dataclass(frozen=True)
class ImportResult:
    problem: Problem
    version: ProblemVersion  # the problem's current version after the import
    package: Package  # the loaded package (its paths point into a temporary copy: gone after)
    problem_created: bool
    version_created: bool  # False when the content was identical to the current version
    preparation: Preparation  # outputs made, solutions checked, limits measured (the import report)


# --------------------------------------------------------------------------- blobs


def put_blob(session: Session, data: bytes) -> Blob:
    """Store ``data`` under its sha256, once."""
    digest = hashlib.sha256(data).hexdigest()
    existing = session.get(Blob, digest)
    if existing is not None:
        return existing
    blob = Blob(hash=digest, size=len(data), data=data)
    try:
        with session.begin_nested():  # a concurrent import may store the same bytes first
            session.add(blob)
    except IntegrityError:
        found = session.get(Blob, digest)
        assert found is not None
        return found
    return blob


def get_blob_data(session: Session, blob_hash: str) -> bytes:
    data = session.scalar(sa.select(Blob.data).where(Blob.hash == blob_hash))
    if data is None:
        raise ProblemNotFound(f"no blob {blob_hash}")
    return bytes(data)


# --------------------------------------------------------------------------- import


def import_package(
    session: Session,
    source: Path | str,
    *,
    settings: Settings,
    owner: User | None = None,
    problem_id: str | None = None,
    match_existing: bool = True,
    password: str | None = None,
    languages: list[str] | None = None,
    record_source: bool = True,
) -> ImportResult:
    """Import the package at ``source`` (a directory, or a tar/zip archive).

    Which problem it becomes: ``problem_id`` if given (it must exist: this is an update);
    otherwise, with ``match_existing``, the problem of the same owner made from a package with the
    same package id; otherwise a new problem, whose id is the package id when that is a free
    "P" + 5 digits id, else a freshly allocated one.

    ``record_source`` keeps the resolved source path on the problem (Jutge ``/update`` re-reads
    it); turn it off for uploaded temporary files. Raises PackageError for unsafe or invalid
    packages and ProblemNotFound for an unknown ``problem_id``.
    """
    source = Path(source)
    scratch = settings.data_dir / "tmp"
    scratch.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=scratch, prefix="import-") as tmp:
        root = _private_copy(source, Path(tmp), settings)
        package = load_package(root)
        # Outputs are made in the copy, then packed with the rest: the version holds them.
        preparation = prepare(package, sandbox_config(settings))
        entries = walk_package(root, _budget(settings, source))
        data = pack_deterministic(root.name, entries)
    blob = put_blob(session, data)
    problem, created = _target_problem(
        session, package, owner, problem_id, match_existing, source, record_source
    )
    _update_problem(problem, package, languages, password, source if record_source else None)
    version, version_created = _new_version(
        session, problem, blob, _meta(package, blob, len(entries), str(source), preparation)
    )
    session.flush()
    return ImportResult(problem, version, package, created, version_created, preparation)


def _budget(settings: Settings, source: Path) -> Budget:
    return Budget(settings.max_package_bytes, settings.max_package_files, str(source))


def _private_copy(source: Path, tmp: Path, settings: Settings) -> Path:
    """The package to read and prepare: a copy of ``source`` under ``tmp``, whether ``source`` is a
    directory (walked and packed under the budget, then unpacked) or an archive (safely
    extracted). Expected outputs are written into the copy, never into the teacher's files."""
    extracted = tmp / "x"
    if source.is_dir():
        refuse_language_folder(source.resolve())
        packed = pack_deterministic(source.name, walk_package(source, _budget(settings, source)))
        safe_extract(BytesIO(packed), extracted, Budget(None, None, str(source)))
        return package_root(extracted)
    if not source.exists():
        raise PackageError(source, "no such file or directory")
    if not is_archive(source):
        raise PackageError(source, "neither a directory nor a tar or zip archive")
    safe_extract(source, extracted / archive_stem(source), _budget(settings, source))
    return package_root(extracted / archive_stem(source))


def _target_problem(
    session: Session,
    package: Package,
    owner: User | None,
    problem_id: str | None,
    match_existing: bool,
    source: Path,
    by_path: bool,
) -> tuple[Problem, bool]:
    """The problem ``problem_id``; else, with ``match_existing``, the owner's problem recorded for
    this path (``by_path``) or, for sources without a path, made from the same package id; else
    a new one. A path import never updates a problem imported from another path, even one whose
    package has the same name (two ``en/`` folders, two ``x.pbm`` in different directories)."""
    if problem_id is not None:
        problem = session.get(Problem, problem_id)
        if problem is None:
            raise ProblemNotFound(f"no problem {problem_id}")
        return problem, False
    if match_existing:
        same = (
            Problem.source_path == str(source.resolve())
            if by_path
            else sa.and_(Problem.package_id == package.problem_id, Problem.source_path.is_(None))
        )
        existing = session.scalar(
            sa.select(Problem).where(same, _owned_by(owner)).order_by(Problem.created_at.desc()).limit(1)
        )
        if existing is not None:
            return existing, False
    new_id = package.problem_id if _free_id(session, package.problem_id) else allocate_problem_id(session)
    problem = Problem(id=new_id, owner_id=owner.id if owner else None, package_id=package.problem_id)
    session.add(problem)
    return problem, True


def _owned_by(owner: User | None) -> sa.ColumnElement[bool]:
    return Problem.owner_id.is_(None) if owner is None else Problem.owner_id == owner.id


def _free_id(session: Session, candidate: str) -> bool:
    return bool(PROBLEM_ID_RE.match(candidate)) and session.get(Problem, candidate) is None


def allocate_problem_id(session: Session, prefix: str = "P") -> str:
    """A free id ``prefix`` + 5 digits, drawn at random (ids reveal nothing about the count)."""
    for _ in range(1000):
        candidate = f"{prefix}{10000 + secrets.randbelow(90000)}"
        if session.get(Problem, candidate) is None:
            return candidate
    raise RuntimeError(f"no free problem id with prefix {prefix!r}")


def _update_problem(
    problem: Problem, package: Package, languages: list[str] | None, password: str | None, source: Path | None
) -> None:
    problem.package_id = package.problem_id
    problem.format = package.format
    problem.titles = dict(package.titles)
    problem.languages = list(languages) if languages is not None else sorted(package.titles)
    if source is not None:
        problem.source_path = str(source.resolve())
    if password is not None:
        problem.password_hash = hash_password(password) if password else None


def _new_version(
    session: Session, problem: Problem, blob: Blob, meta: dict[str, Any]
) -> tuple[ProblemVersion, bool]:
    current = problem.current_version
    if current is not None and current.blob_hash == blob.hash and "timing" in current.meta:
        return current, False
    version = ProblemVersion(problem=problem, blob_hash=blob.hash, meta=meta)
    session.add(version)
    session.flush()  # the version needs its id before the problem can point at it
    problem.current_version = version
    return version, True


def _meta(
    package: Package, blob: Blob, file_count: int, source: str, preparation: Preparation
) -> dict[str, Any]:
    """What a version records: its summary, and the measured limits its graders apply."""
    return {
        "format": package.format,
        "package_id": package.problem_id,
        "type": package.type,
        "titles": dict(package.titles),
        "tests": len(package.tests),
        "samples": len(package.samples),
        "compilers": list(package.compilers),
        "files": file_count,
        "size": blob.size,
        "source": source,
        "languages": sorted(package.variants) if package.variants else sorted(package.titles),
        "checker": package.checker.kind,
        "golden": str(package.golden_solution.relative_to(package.root)) if package.golden_solution else None,
        "timing": {variant: timing.to_dict() for variant, timing in preparation.timings.items()},
        "preparation": preparation.to_dict(),
        **({"quiz": package.quiz.to_data()} if package.quiz else {}),  # a Jutge quiz's questions
        **({"kind": "game", "game": _game_meta(package)} if package.game else {}),  # a game problem
    }


def _game_meta(package: Package) -> dict[str, Any]:
    """A game problem's summary: its limits and what students never see."""
    game = package.game
    assert game is not None
    return {
        "hidden": list(game.hidden),
        "dummy": game.dummy,
        "players": game.players,
        "cpu_time": game.cpu_seconds,
        "memory": game.memory_mb,
        "viewer": game.viewer is not None,
    }


# --------------------------------------------------------------------------- lookups


def parse_problem_ref(ref: str) -> tuple[str, str | None]:
    """``"P12345_en"`` -> ``("P12345", "en")``; ``"P12345"`` -> ``("P12345", None)``."""
    match = PROBLEM_REF_RE.match(ref)
    if not match:
        return ref, None
    return match["id"], match["lang"]


def get_problem(session: Session, ref: str) -> Problem:
    """The problem named by an id or a language variant id; ProblemNotFound otherwise."""
    problem_id, _language = parse_problem_ref(ref)
    problem = session.get(Problem, problem_id)
    if problem is None:
        raise ProblemNotFound(f"no problem {ref}")
    return problem


# --------------------------------------------------------------------------- fetch for graders


def fetch_package(session: Session, blob_hash: str, cache_dir: Path) -> Path:
    """The package directory of blob ``blob_hash``, extracted once into ``cache_dir/<hash>/``.

    Returns ``cache_dir/<hash>/<package dir>`` (the name the loader derives the package id from).
    Concurrent callers (threads or processes) extract to private temporary directories and the
    first atomic rename wins, so a reader never sees a half-extracted package.
    """
    if not HASH_RE.match(blob_hash):
        raise ValueError(f"not a sha256 hex digest: {blob_hash!r}")
    final = cache_dir / blob_hash
    if final.is_dir():
        return package_root(final)
    data = get_blob_data(session, blob_hash)
    if hashlib.sha256(data).hexdigest() != blob_hash:
        raise PackageError(blob_hash, "stored blob does not match its hash (corrupt database?)")
    cache_dir.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{blob_hash[:16]}-", dir=cache_dir))
    try:
        # Our own archive, but extracted by the same careful code as any upload.
        safe_extract(BytesIO(data), tmp, Budget(None, None, blob_hash))
        os.rename(tmp, final)
    except OSError:
        shutil.rmtree(tmp, ignore_errors=True)
        if not final.is_dir():  # not a lost race: a real error
            raise
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return package_root(final)
