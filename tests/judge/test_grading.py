"""Grading through the real sandbox: every fixture package with submissions of known verdicts."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.support.packages import ready_grader
from tests.support.paths import APLUSB, PROGRAMS, good_package
from tests.support.paths import GOOD_PACKAGES as ALL_PACKAGES
from verdict.cli import app
from verdict.judge.grader import Grader, reference_language
from verdict.judge.languages import language_for_file
from verdict.judge.packages import load_package
from verdict.judge.preparation import prepare
from verdict.judge.problem import TestKind
from verdict.judge.sandbox import SandboxConfig
from verdict.judge.verdicts import Verdict

pytestmark = pytest.mark.integration

PREFIX_VERDICTS = {
    "ac": "AC",
    "wa": "WA",
    "pe": "PE",
    "ic": "IC",
    "partial": "SC",
    "tle": "TLE",
    "re": "RE",
    "ce": "CE",
}


def _cases() -> list[tuple[Path, Path, str]]:
    cases = []
    for package in ALL_PACKAGES:
        problem = load_package(package)
        cases += [(package, s.path, s.expected) for s in problem.submissions]
        for program in sorted((PROGRAMS / package.stem).glob("*")):
            cases.append((package, program, PREFIX_VERDICTS[program.stem.split("_")[0]]))
    return cases


CASES = _cases()


@pytest.fixture(autouse=True)
def cli_data_dir(monkeypatch: pytest.MonkeyPatch, sandbox_config: SandboxConfig) -> None:
    """The CLI builds its sandbox config from VERDICT_* settings: share the tests' cache."""
    monkeypatch.setenv("VERDICT_DATA_DIR", str(sandbox_config.cache_dir.parent / "data"))


@pytest.fixture(scope="module")
def graders(sandbox_config: SandboxConfig, tmp_path_factory: pytest.TempPathFactory) -> dict[Path, Grader]:
    copies = tmp_path_factory.mktemp("packages")
    return {package: ready_grader(package, copies, sandbox_config) for package in ALL_PACKAGES}


@pytest.mark.parametrize(
    ("package", "source", "expected"), CASES, ids=[f"{p.name}/{s.name}" for p, s, _ in CASES]
)
def test_fixture_submission_gets_expected_verdict(
    graders: dict[Path, Grader], package: Path, source: Path, expected: str
) -> None:
    grader = graders[package]
    # A Kattis submission's file name is its Java class; Jutge names every solution solution.<ext>.
    file_name = source.name if grader.problem.format == "kattis" else None
    result = grader.grade(
        source.read_bytes(), reference_language(grader.problem, source), file_name=file_name
    )
    assert result.verdict.value in expected.split("|"), (result.verdict, result.message, result.tests)
    if result.verdict == Verdict.SC:
        assert 0 < result.score < result.max_score
    if result.verdict == Verdict.AC:
        assert result.score == result.max_score


def test_the_fixtures_cover_every_verdict() -> None:
    covered = {expected for _, _, expected in CASES}
    assert {"AC", "WA", "PE", "IC", "TLE", "RE", "MLE", "CE", "SC"} <= covered


def test_samples_run_first_and_pass_fail_stops_at_first_failure(graders: dict[Path, Grader]) -> None:
    grader = graders[APLUSB]
    wrong = APLUSB / "submissions/wrong_answer/diff.py"
    result = grader.grade(wrong.read_bytes(), "Python3")
    assert [t.kind for t in result.tests] == ["sample"]
    assert result.tests[0].verdict == Verdict.WA
    accepted = grader.grade((APLUSB / "submissions/accepted/sum.py").read_bytes(), "Python3")
    kinds = [t.kind for t in accepted.tests]
    assert kinds == sorted(kinds, key=lambda k: k != "sample") and len(accepted.tests) == len(
        grader.problem.tests
    )


def test_hidden_tests_never_quote_the_answer(graders: dict[Path, Grader]) -> None:
    grader = graders[good_package("pe_ic.pbm")]
    result = grader.grade((PROGRAMS / "pe_ic/wa.py").read_bytes(), "Python3")
    problem = grader.problem
    for test_result in result.tests:
        case = next(t for t in problem.tests if t.name == test_result.name)
        answer = case.answer_path.read_text().strip()
        if case.kind == TestKind.SECRET and answer:
            assert answer not in test_result.message


def test_failed_hint_tests_are_revealed(graders: dict[Path, Grader]) -> None:
    grader = graders[good_package("pe_ic.pbm")]
    result = grader.grade((PROGRAMS / "pe_ic/wa.py").read_bytes(), "Python3")
    hints = [t for t in result.tests if t.kind == "hint"]
    assert hints and all(t.revealed for t in hints if t.verdict != Verdict.AC)
    assert not any(t.revealed for t in result.tests if t.kind != "hint")
    assert all(t.visible for t in result.tests if t.kind in ("sample", "public"))


def test_compiler_restriction_is_enforced(graders: dict[Path, Grader]) -> None:
    grader = graders[good_package("elastic.pbm")]
    assert grader.problem.compilers and "GCC" not in grader.problem.compilers
    result = grader.grade(b"int main(){}", "GCC")
    assert result.verdict == Verdict.CE and "not allowed" in result.message


def test_time_limit_is_measured_from_the_golden_solution(sandbox_config: SandboxConfig) -> None:
    problem = load_package(good_package("scored.pbm"))
    assert problem.time_limit is None
    timing = prepare(problem, sandbox_config, every_solution=False).timing()
    assert [r.file for r in timing.references] == ["solution.cc"]
    fast, slow = timing.limit_for(".cc", "fast"), timing.limit_for(".py", "slow")
    assert 0.5 <= fast <= slow < 5


def test_partial_score_by_groups_is_reported(graders: dict[Path, Grader]) -> None:
    grader = graders[good_package("scored.pbm")]
    result = grader.grade((PROGRAMS / "scored/partial.py").read_bytes(), "Python3")
    assert result.verdict == Verdict.SC
    assert result.score == 40 and result.max_score == 100 and result.grade == 40.0


def test_execution_error_cause_for_jutge(graders: dict[Path, Grader]) -> None:
    grader = graders[APLUSB]
    result = grader.grade((APLUSB / "submissions/run_time_error/crash.c").read_bytes(), "GCC")
    assert result.verdict == Verdict.RE
    assert "run-time error" in result.cause and "SIGSEGV" in result.cause


def test_interactive_program_results_are_measured(graders: dict[Path, Grader]) -> None:
    grader = graders[good_package("guess")]
    binary = next(s.path for s in grader.problem.submissions if s.path.name == "binary.c")
    result = grader.grade(binary.read_bytes(), "GCC")
    assert result.verdict == Verdict.AC
    assert all(t.memory > 0 for t in result.tests)


@pytest.mark.parametrize("package", ALL_PACKAGES, ids=[p.name for p in ALL_PACKAGES])
def test_problem_check_agrees_with_every_expected_verdict(package: Path) -> None:
    outcome = CliRunner().invoke(app, ["problem", "check", str(package)])
    assert outcome.exit_code == 0, outcome.output
    assert "NO" not in outcome.output


def test_problem_check_reports_a_disagreement(tmp_path: Path) -> None:
    package = tmp_path / "aplusb"
    shutil.copytree(APLUSB, package)
    shutil.copy(package / "submissions/wrong_answer/diff.py", package / "submissions/accepted/diff.py")
    outcome = CliRunner().invoke(app, ["problem", "check", str(package)])
    assert outcome.exit_code == 1
    assert "disagree" in outcome.output


def test_judge_command_prints_progress_and_table() -> None:
    source = APLUSB / "submissions/accepted/sum.c"
    outcome = CliRunner().invoke(app, ["judge", str(APLUSB), str(source)])
    assert outcome.exit_code == 0, outcome.output
    assert "[1/" in outcome.output and "verdict AC" in outcome.output


def test_bundled_language_guess() -> None:
    assert language_for_file("x.cpp").id == "G++17"
