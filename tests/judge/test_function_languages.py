"""A Jutge function problem solved in every language whose assembly Jutge's driver has
(jutge-driver-std's ``source_modifier: no_main``: GCC, Clang, G++, G++11, G++17, P1++, Clang++17,
JDK, Python3, MyPy, GHC and R), and in Rust, which Verdict assembles too.

The problem is ``tests/fixtures/languages/function.pbm``: ``digits(n)``, with the problem's main
in each language (main.c, main.cc, main.java, main.py, main.hs, main.R, main.rs). Its
``solutions/AC/<Id>.<ext>`` has a solution per compiler id, each accepted; ``solutions/WA/`` has
wrong ones (no digit for 0) for some, each rejected. MyPy type-checks the submission and the main
together, as Jutge's MyPy does: a type error that only the main reveals is a compile error too.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.support.languages import offered
from tests.support.paths import FIXTURES
from verdict.judge import function_problems as fp
from verdict.judge.grader import Grader, GradeResult
from verdict.judge.languages import all_languages, get_language
from verdict.judge.packages import load_package
from verdict.judge.preparation import prepare, prepared_grader
from verdict.judge.sandbox import SandboxConfig
from verdict.judge.verdicts import Verdict

FUNCTION = FIXTURES / "languages" / "function.pbm"
SOLUTIONS = FUNCTION / "solutions"
# jutge-driver-std's compilers that honour no_main, then Verdict's own (Rust).
COMPILERS = (
    *("GCC", "Clang", "G++", "G++11", "G++17", "G++20", "P1++", "Clang++17"),
    *("JDK", "Python3", "MyPy", "GHC", "R", "Rust"),
)
MAINS = ("main.c", "main.cc", "main.java", "main.py", "main.hs", "main.R", "main.rs")


def solution(kind: str, compiler: str) -> Path:
    """solutions/<kind>/<compiler>.<ext> (a glob: "G++.*" matches G++.cc, never G++11.cc)."""
    (path,) = (SOLUTIONS / kind).glob(f"{compiler}.*")
    return path


def wrong_ones() -> list[str]:
    return sorted(path.stem for path in (SOLUTIONS / "WA").iterdir())


@pytest.fixture(scope="module")
def grader(sandbox_config: SandboxConfig) -> Grader:
    return prepared_grader(load_package(FUNCTION), sandbox_config)


def grade(grader: Grader, compiler: str, source: Path | bytes) -> GradeResult:
    language = offered(compiler)
    if isinstance(source, Path):
        return grader.grade(source.read_bytes(), language, file_name=source.name)
    return grader.grade(source, language)


# --- the fixture ------------------------------------------------------------------------------------


@pytest.mark.unit
def test_the_problem_has_a_main_per_language_and_a_solution_per_compiler() -> None:
    problem = load_package(FUNCTION)
    assert problem.function is not None and problem.function.function_name == "digits"
    assert sorted(path.name for path in problem.function.mains.values()) == sorted(MAINS)
    assert sorted(path.stem for path in (SOLUTIONS / "AC").iterdir()) == sorted(COMPILERS)
    assert set(wrong_ones()) <= set(COMPILERS)
    # The solutions' folder is no part of the package: only solution.cc is a bundled submission.
    assert [submission.path.name for submission in problem.submissions] == ["solution.cc"]


@pytest.mark.unit
def test_the_languages_with_function_problems_are_jutges() -> None:
    """jutge-driver-std's no_main compilers (C, C++, Java, Python, Haskell, R) and Rust here; every
    other id, RunPython and RunHaskell included, takes whole programs only."""
    with_functions = {language.id for language in all_languages().values() if language.function_assembly}
    assert with_functions == set(COMPILERS)


@pytest.mark.unit
def test_r_is_assembled_as_jutges_driver_does() -> None:
    """R: the submission then main.R, one source under the R language's own file name."""
    problem = load_package(FUNCTION)
    assert problem.function is not None
    r = get_language("R")
    assembly = fp.assemble(problem.function, r, b"digits <- function(n) 1")
    assert assembly.language is r and not assembly.extra_files
    assert assembly.source == b"digits <- function(n) 1\n" + (FUNCTION / "main.R").read_bytes()


# --- every compiler ---------------------------------------------------------------------------------


@pytest.mark.integration
@pytest.mark.parametrize("compiler", COMPILERS)
def test_each_compilers_solution_is_accepted(grader: Grader, compiler: str) -> None:
    result = grade(grader, compiler, solution("AC", compiler))
    assert result.verdict == Verdict.AC, (result.compile_output[-2000:], result.tests)
    assert len(result.tests) == len(grader.problem.tests)


@pytest.mark.integration
@pytest.mark.parametrize("compiler", wrong_ones())
def test_wrong_solutions_are_wrong_answers(grader: Grader, compiler: str) -> None:
    result = grade(grader, compiler, solution("WA", compiler))
    assert result.verdict == Verdict.WA, (result.compile_output[-2000:], result.tests)


# --- MyPy checks what Jutge's checks: the submission with the main ------------------------------------

UNTYPED_BUT_WRONG = b"def digits(n: str) -> int:\n    return len(n)\n"


@pytest.mark.integration
def test_mypy_checks_the_submission_with_the_main(grader: Grader) -> None:
    """digits(n: str) is fine alone; the main calls it with an int (yogi's tokens(int)): MyPy
    says so, naming main.py's own line, while Python3 just runs it (and fails at run time)."""
    checked = grade(grader, "MyPy", UNTYPED_BUT_WRONG)
    assert checked.verdict == Verdict.CE, checked.tests
    assert 'main.py:4:18: error: Argument 1 to "digits" has incompatible type "int"' in checked.compile_output
    assert "program.py" not in checked.compile_output and "jutge_program" not in checked.compile_output
    assert grade(grader, "Python3", UNTYPED_BUT_WRONG).verdict == Verdict.RE


@pytest.mark.integration
def test_mypy_names_the_students_own_lines(grader: Grader) -> None:
    source = b'def digits(n: int) -> int:\n    count: int = "1"\n    return count\n'
    result = grade(grader, "MyPy", source)
    assert result.verdict == Verdict.CE
    assert "program.py:2:18: error: Incompatible types in assignment" in result.compile_output
    assert 'program.py: note: In function "digits":' in result.compile_output, result.compile_output


@pytest.mark.integration
def test_python_syntax_errors_name_the_file_they_are_in(grader: Grader) -> None:
    for compiler in ("Python3", "MyPy"):
        result = grade(grader, compiler, b"def digits(n: int) -> int\n    return len(str(n))\n")
        assert result.verdict == Verdict.CE
        assert 'File "program.py", line 1' in result.compile_output, result.compile_output


@pytest.mark.integration
def test_a_submission_runs_as_a_module_of_its_own(grader: Grader) -> None:
    """The submission's module is registered (dataclasses look their class's module up)."""
    source = b"""\
from __future__ import annotations

from dataclasses import dataclass


@dataclass
class Count:
    digits: int


def digits(n: int) -> int:
    return Count(len(str(n))).digits
"""
    for compiler in ("Python3", "MyPy"):
        result = grade(grader, compiler, source)
        assert result.verdict == Verdict.AC, (result.compile_output, result.tests)


@pytest.mark.integration
def test_runpython_has_no_function_problems(grader: Grader) -> None:
    result = grade(grader, "RunPython", solution("AC", "Python3"))
    assert result.verdict == Verdict.CE
    assert "RunPython runs each test's input as code" in result.compile_output


@pytest.mark.integration
def test_the_golden_function_makes_the_missing_outputs(tmp_path: Path, sandbox_config: SandboxConfig) -> None:
    """A function problem's golden solution is assembled with its main to make the outputs too."""
    root = tmp_path / "function.pbm"
    shutil.copytree(FUNCTION, root, ignore=shutil.ignore_patterns("solutions", "*.cor"))
    report = prepare(load_package(root), sandbox_config)
    assert sorted(report.made_outputs) == ["1", "2", "sample-1"]
    for answer in FUNCTION.glob("*.cor"):
        assert (root / answer.name).read_bytes() == answer.read_bytes()
