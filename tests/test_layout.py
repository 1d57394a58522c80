"""The test suite's own rules: every folder of test modules is a package under ``tests``, and every
test is exactly one of unit, integration, e2e (tests/support/markers.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

pytestmark = pytest.mark.unit

TESTS = Path(__file__).resolve().parent


def test_every_test_folder_is_a_package() -> None:
    """A folder without ``__init__.py`` would put its modules back on sys.path under bare names
    (where two ``test_x.py`` of different folders clash, and helpers are imported as top-level
    modules instead of as ``tests.support.x``)."""
    folders = {path.parent for path in TESTS.rglob("*.py") if "fixtures" not in path.relative_to(TESTS).parts}
    assert sorted(str(f.relative_to(TESTS.parent)) for f in folders if not (f / "__init__.py").exists()) == []


KINDS_MODULE = """
import pytest

def test_none():
    pass

@pytest.mark.unit
@pytest.mark.e2e
def test_two():
    pass

@pytest.mark.integration
def test_one():
    pass
"""


def same_markers(pytester: pytest.Pytester, request: pytest.FixtureRequest) -> None:
    """The inner run registers the suite's markers, as pyproject.toml does."""
    pytester.makeini("[pytest]\nmarkers =\n" + "".join(f"  {m}\n" for m in request.config.getini("markers")))


def test_a_test_without_a_kind_or_with_two_fails_the_collection(
    pytester: pytest.Pytester, request: pytest.FixtureRequest
) -> None:
    same_markers(pytester, request)
    pytester.makepyfile(test_kinds=KINDS_MODULE)
    result = pytester.runpytest("-p", "tests.support.markers", "--collect-only", "-q")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*exactly one of the markers unit, integration, e2e*"])
    result.stderr.fnmatch_lines(["*test_kinds.py::test_none: none", "*test_kinds.py::test_two: e2e, unit"])
    assert "test_one" not in result.stderr.str()


def test_a_test_of_one_kind_is_collected(pytester: pytest.Pytester, request: pytest.FixtureRequest) -> None:
    same_markers(pytester, request)
    pytester.makepyfile(
        test_kinds="import pytest\npytestmark = pytest.mark.unit\n\ndef test_one():\n    pass\n"
    )
    result = pytester.runpytest("-p", "tests.support.markers", "-q")
    assert result.ret == pytest.ExitCode.OK
    result.assert_outcomes(passed=1)
