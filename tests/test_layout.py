"""The test suite's own layout: every folder of test modules is a package under ``tests``."""

from __future__ import annotations

from pathlib import Path

TESTS = Path(__file__).resolve().parent


def test_every_test_folder_is_a_package() -> None:
    """A folder without ``__init__.py`` would put its modules back on sys.path under bare names
    (where two ``test_x.py`` of different folders clash, and helpers are imported as top-level
    modules instead of as ``tests.support.x``)."""
    folders = {path.parent for path in TESTS.rglob("*.py") if "fixtures" not in path.relative_to(TESTS).parts}
    assert sorted(str(f.relative_to(TESTS.parent)) for f in folders if not (f / "__init__.py").exists()) == []
