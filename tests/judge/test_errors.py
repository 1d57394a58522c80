"""The judge's errors: one JudgeError family, none of them a ValueError or a RuntimeError, each raised
with its message where the judge's side fails (the package, the checker, the language, the sandbox)."""

from __future__ import annotations

from pathlib import Path

import pytest

from verdict.judge.checker_programs import checker_main_file
from verdict.judge.errors import (
    CheckerError,
    JudgeError,
    NeedsProgram,
    PackageError,
    SandboxError,
    UnknownLanguage,
)
from verdict.judge.grader import Grader
from verdict.judge.languages import get_language, language_for_file
from verdict.judge.packages import load_package
from verdict.judge.preparation import prepare
from verdict.judge.problem import CheckerSpec, Problem, TestCase, TestKind
from verdict.judge.sandbox import SandboxConfig
from verdict.judge.verdicts import Verdict

ERRORS = [PackageError, SandboxError, UnknownLanguage, CheckerError, NeedsProgram]


@pytest.mark.unit
@pytest.mark.parametrize("error", ERRORS, ids=[e.__name__ for e in ERRORS])
def test_every_judge_error_is_a_judge_error_and_no_builtin_one(error: type[Exception]) -> None:
    assert issubclass(error, JudgeError)
    assert not issubclass(error, ValueError | RuntimeError | LookupError)


@pytest.mark.unit
def test_judge_error_is_an_exception_of_its_own() -> None:
    assert JudgeError.__bases__ == (Exception,)
    assert JudgeError.__doc__ and "not the submission's fault" in JudgeError.__doc__
    assert issubclass(NeedsProgram, CheckerError)


@pytest.mark.unit
def test_package_error_keeps_its_signature_and_message() -> None:
    error = PackageError(Path("/pkg/problem.yaml"), "'limits.time' needs a number")
    assert str(error) == "/pkg/problem.yaml: 'limits.time' needs a number"
    assert (error.path, error.message) == ("/pkg/problem.yaml", "'limits.time' needs a number")


@pytest.mark.unit
def test_a_broken_package_raises_package_error_with_its_message(tmp_path: Path) -> None:
    root = tmp_path / "prob"
    root.mkdir()
    (root / "data" / "secret").mkdir(parents=True)
    (root / "data" / "secret" / "1.in").write_text("1\n")
    (root / "data" / "secret" / "1.ans").write_text("1\n")
    (root / "problem.yaml").write_text("name: X\nlimits:\n  time_multiplier: fast\n")
    with pytest.raises(JudgeError) as caught:
        load_package(root)
    assert type(caught.value) is PackageError
    assert caught.value.path.endswith("problem.yaml")
    assert "time_multiplier" in caught.value.message and "fast" in caught.value.message


@pytest.mark.unit
def test_an_unknown_language_is_a_judge_error() -> None:
    with pytest.raises(JudgeError, match="unknown language 'klingon'") as caught:
        get_language("klingon")  # not cobol: a Kattis language id now, refused as not offered
    assert type(caught.value) is UnknownLanguage
    with pytest.raises(UnknownLanguage, match=r"cannot tell the language of 'notes\.xyz'"):
        language_for_file("notes.xyz")


def _problem(root: Path, checker: CheckerSpec, **fields: object) -> Problem:
    (root / "1.in").write_text("1 2\n")
    (root / "1.ans").write_text("3\n")
    test = TestCase("1", root / "1.in", root / "1.ans", TestKind.SECRET)
    return Problem(root, "kattis", "p", {}, {}, tests=[test], checker=checker, **fields)  # type: ignore[arg-type]


@pytest.mark.unit
def test_package_failures_found_by_the_grader_are_package_errors(tmp_path: Path) -> None:
    empty = tmp_path / "checker"
    empty.mkdir()
    (empty / "README").write_text("no program here\n")
    with pytest.raises(PackageError, match="no checker program found") as caught:
        checker_main_file(empty)
    assert caught.value.path == str(empty)
    problem = _problem(tmp_path, CheckerSpec("std"))
    with pytest.raises(PackageError, match="no time limit given and no accepted solution"):
        prepare(problem, SandboxConfig(cache_dir=tmp_path / "cache"))


@pytest.mark.integration
def test_a_broken_checker_is_an_internal_error_not_an_exception(
    tmp_path: Path, sandbox_config: SandboxConfig
) -> None:
    """The grader turns the checker's PackageError into IE, with the package's message."""
    empty = tmp_path / "checker"
    empty.mkdir()
    problem = _problem(tmp_path, CheckerSpec("testlib", source=empty), time_limit=2.0)
    result = Grader(problem, sandbox_config).grade(b"print(3)\n", "Python3")
    assert result.verdict is Verdict.IE
    assert result.message == f"cannot prepare the checker: PackageError: {empty}: no checker program found"
