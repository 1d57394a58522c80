"""Packages made ready at import, as the Jutge toolkit's `make` would: expected outputs from the
golden solution, the golden one required to pass (SE otherwise), the other solutions checked as
warnings only, and per-language layouts graded with their own tests."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.support.packages import prepared_copy
from tests.support.paths import FIXTURE_PACKAGES
from verdict.judge.errors import PackageError
from verdict.judge.grader import Grader
from verdict.judge.packages import load_package
from verdict.judge.preparation import SetterError, prepare
from verdict.judge.sandbox import SandboxConfig
from verdict.judge.verdicts import Verdict

pytestmark = pytest.mark.integration

LARGER = FIXTURE_PACKAGES / "jutge" / "larger.pbm"  # flat, no .cor, golden in C (handler `solution: C`)
WORDS = FIXTURE_PACKAGES / "jutge" / "words.pbm"  # ca/ and en/, each with its own tests, no .cor
MAX_C = b'#include <stdio.h>\nint main(){long long a,b;scanf("%lld %lld",&a,&b);printf("%lld\\n",a>b?a:b);}\n'
MAX_PY = b"a, b = map(int, input().split())\nprint(max(a, b))\n"


def test_expected_outputs_are_made_by_the_golden_solution(
    tmp_path: Path, sandbox_config: SandboxConfig
) -> None:
    problem, report = prepared_copy(LARGER, tmp_path, sandbox_config, every_solution=True)
    assert sorted(report.made_outputs) == ["sample-1", "sample-2", "test-1", "test-2", "test-3"]
    outputs = {t.name: t.answer_path.read_text() for t in problem.tests}
    assert outputs == {
        "sample-1": "8\n",
        "sample-2": "-5\n",
        "test-1": "1000000000\n",
        "test-2": "7\n",
        "test-3": "2147483647\n",
    }
    assert not list(LARGER.glob("*.cor"))  # the package itself is left as the tools wrote it
    [golden] = report.golden
    assert (golden.file, golden.language, golden.verdict) == ("solution.c", "GCC", "AC")
    assert {c.file for c in report.solutions} == {"solution.java", "solution.py"}


def test_a_failing_golden_solution_is_a_setter_error(tmp_path: Path, sandbox_config: SandboxConfig) -> None:
    package = Path(shutil.copytree(LARGER, tmp_path / "larger.pbm"))
    (package / "test-2.cor").write_text("8\n")  # the golden solution prints 7
    with pytest.raises(SetterError) as caught:
        prepare(load_package(package), sandbox_config)
    message = str(caught.value)
    assert "setter error (SE)" in message and "solution.c" in message
    assert "WA" in message and "test-2" in message


def test_a_golden_solution_that_cannot_make_an_output_names_the_test(
    tmp_path: Path, sandbox_config: SandboxConfig
) -> None:
    with pytest.raises(SetterError, match=r"test 2 has no expected output 2\.cor.*solution\.py fails"):
        prepared_copy(FIXTURE_PACKAGES / "bad" / "no_cor.pbm", tmp_path, sandbox_config)


def test_failing_alternates_are_warnings_and_students_are_unaffected(
    tmp_path: Path, sandbox_config: SandboxConfig
) -> None:
    package = Path(shutil.copytree(LARGER, tmp_path / "src" / "larger.pbm"))
    (package / "solution.py").write_text("import numpy_is_not_here\n")  # a missing library: RE
    (package / "solution.jl").write_text("println(1)\n")  # Julia: no toolchain here (nor in Debian 12)
    problem, report = prepared_copy(package, tmp_path, sandbox_config, every_solution=True)
    warnings = "\n".join(report.warnings)
    assert "solution.py: expected AC, got RE" in warnings
    assert "solution.jl: not checked" in warnings
    timing = report.timing()
    assert [r.file for r in timing.references] == ["solution.c", "solution.java"]  # the failing one left out
    grader = Grader(problem, sandbox_config, timing=timing)
    assert grader.grade(MAX_C, "GCC").verdict == Verdict.AC
    python = grader.grade(MAX_PY, "Python3")
    assert python.verdict == Verdict.AC, python
    assert python.time_limit == timing.limit_for(".py", "slow")


def test_a_per_language_package_is_one_problem_with_a_variant_per_language(
    tmp_path: Path, sandbox_config: SandboxConfig
) -> None:
    problem, report = prepared_copy(WORDS, tmp_path, sandbox_config, every_solution=True)
    assert problem.problem_id == "words" and problem.language == "ca"  # ca has the author
    assert problem.titles == {"ca": "Comptar paraules", "en": "Counting words"}
    assert set(problem.statements) == {"ca", "en"} and set(problem.variants) == {"ca", "en"}
    assert [t.name for t in problem.variant("en").tests] == ["sample-1", "test-1", "test-2", "test-3"]
    assert [t.name for t in problem.variant("ca").tests] == ["sample-1", "test-1", "test-2"]
    assert sorted(report.made_outputs) == [
        "ca/sample-1",
        "ca/test-1",
        "ca/test-2",
        "en/sample-1",
        "en/test-1",
        "en/test-2",
        "en/test-3",
    ]
    assert [c.file for c in report.golden] == ["ca/solution.cc", "en/solution.cc"]
    assert [c.file for c in report.solutions] == ["en/solution.py"] and not report.warnings
    source = b"import sys\nprint(len(sys.stdin.read().split()))\n"
    english = Grader(problem.variant("en"), sandbox_config, timing=report.timing("en")).grade(
        source, "Python3"
    )
    assert english.verdict == Verdict.AC and [t.name for t in english.tests][-1] == "test-3"
    catalan = Grader(problem.variant("ca"), sandbox_config, timing=report.timing("ca")).grade(
        source, "Python3"
    )
    assert catalan.verdict == Verdict.AC and len(catalan.tests) == 3


def test_a_language_folder_imported_alone_is_refused_with_what_to_import() -> None:
    with pytest.raises(
        PackageError, match=r"'en' folder of the per-language package words\.pbm: import words\.pbm"
    ):
        load_package(WORDS / "en")


def test_a_package_never_prepared_cannot_be_graded(sandbox_config: SandboxConfig) -> None:
    result = Grader(load_package(LARGER), sandbox_config).grade(MAX_C, "GCC")
    assert result.verdict == Verdict.IE and "no expected output" in result.message


def test_a_bundled_submission_must_get_its_expected_score(
    tmp_path: Path, sandbox_config: SandboxConfig
) -> None:
    """@EXPECTED_SCORE@ is checked as the verdict is: a partial submission scoring otherwise disagrees."""
    package = Path(shutil.copytree(FIXTURE_PACKAGES / "kattis" / "groups", tmp_path / "src" / "groups"))
    partial = package / "submissions" / "partially_accepted" / "float_formula.py"
    partial.write_text(partial.read_text().replace("@EXPECTED_SCORE@: 30", "@EXPECTED_SCORE@: 70"))
    _, report = prepared_copy(package, tmp_path, sandbox_config, every_solution=True)
    [check] = [c for c in report.solutions if c.file.endswith("float_formula.py")]
    assert check.verdict == "SC" and not check.agrees and check.message == "score 30, expected 70"
    assert any("float_formula.py: expected SC, got SC (score 30, expected 70)" in w for w in report.warnings)


def test_no_variant_means_the_original_language_whatever_its_folder_order(
    tmp_path: Path, sandbox_config: SandboxConfig
) -> None:
    package = Path(shutil.copytree(WORDS, tmp_path / "src" / "words.pbm"))
    (package / "ca" / "problem.ca.yml").write_text(
        "title: Comptar paraules\ntranslator: Equip\noriginal_language: en\n"
    )
    (package / "en" / "problem.en.yml").write_text("title: Counting words\nauthor: Verdict Team\n")
    problem, report = prepared_copy(package, tmp_path, sandbox_config)
    assert problem.language == "en" and report.original == "en"
    assert report.timing() is report.timings["en"] and report.timing("ca") is report.timings["ca"]
