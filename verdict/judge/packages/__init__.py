"""Problem package loaders: turn a Kattis or Jutge package directory into the one Problem model.

Loading is pure (no sandbox, database or network) so that malformed packages are rejected with a
PackageError naming the offending file before anything is compiled or run.
"""

from __future__ import annotations

from pathlib import Path

from verdict.judge.errors import PackageError
from verdict.judge.packages.jutge import language_folders, load_jutge, refuse_language_folder
from verdict.judge.packages.kattis import load_kattis
from verdict.judge.problem import Problem

__all__ = ["detect_format", "load_jutge", "load_kattis", "load_package", "refuse_language_folder"]


def detect_format(path: Path | str) -> str:
    """Return "kattis" (problem.yaml) or "jutge" (handler.yml), or raise PackageError naming what is missing.

    A directory that looks like a Jutge package (.pbm suffix, .inp tests, problem.<lang>.yml) but has
    no handler.yml is reported as missing handler.yml rather than as an unknown format.
    """
    root = Path(path)
    if not root.is_dir():
        raise PackageError(root, "not a problem package directory")
    has_kattis, has_jutge = (root / "problem.yaml").is_file(), (root / "handler.yml").is_file()
    if has_jutge and (not has_kattis or root.suffix == ".pbm"):
        return "jutge"
    if has_kattis:
        return "kattis"
    if language_folders(root):
        return "jutge"  # one folder per statement language (x.pbm/ca/, x.pbm/en/)
    if _looks_like_jutge(root):
        raise PackageError(root / "handler.yml", "missing handler.yml")
    raise PackageError(root / "problem.yaml", "missing problem.yaml (Kattis) or handler.yml (Jutge)")


def _looks_like_jutge(root: Path) -> bool:
    return root.suffix == ".pbm" or any(root.glob("*.inp")) or any(root.glob("problem.*.yml"))


def load_package(path: Path | str) -> Problem:
    """Load a problem package of either format; paths in the result are absolute."""
    root = Path(path).resolve()
    if detect_format(root) == "jutge":
        return load_jutge(root)
    return load_kattis(root)
