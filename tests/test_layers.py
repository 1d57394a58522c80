"""The layer contracts (pyproject's import-linter section) hold for the tree, and fail on a tree
that breaks them: each test copies the package, adds one forbidden import, and runs lint-imports."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parent.parent
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"


def lint(root: Path) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, "PYTHONPATH": str(root)}
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache", str(root / "pyproject.toml")],
        cwd=root,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    """A copy of the package and its configuration, to break."""
    shutil.copytree(ROOT / "verdict", tmp_path / "verdict", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


def test_the_tree_keeps_every_contract(tree: Path) -> None:
    answer = lint(tree)
    assert answer.returncode == 0, answer.stdout + answer.stderr
    assert "3 kept, 0 broken" in answer.stdout


@pytest.mark.parametrize(
    ("module", "forbidden", "contract"),
    [
        ("verdict/courses/windows.py", "verdict.faces.inginious.results", "No feature imports a face"),
        ("verdict/judge/checkers.py", "verdict.db", "The judge is a library"),
        ("verdict/web/deps.py", "verdict.faces.jutge.errors", "Layers"),
        ("verdict/grading/graders.py", "verdict.platform", "Layers"),
    ],
)
def test_a_forbidden_import_breaks_its_contract(
    tree: Path, module: str, forbidden: str, contract: str
) -> None:
    path = tree / module
    path.write_text(path.read_text() + f"\nimport {forbidden}  # noqa\n")
    answer = lint(tree)
    assert answer.returncode != 0
    assert "0 broken" not in answer.stdout, answer.stdout
    details = answer.stdout.split("Broken contracts", 1)[1]
    assert contract in details and forbidden in details, answer.stdout
