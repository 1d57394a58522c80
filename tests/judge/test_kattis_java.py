"""Kattis Java submissions as their authors name them (the ``hellojava`` fixture, made like
problemtools' examples/hello), and internal errors that say what failed, through the real sandbox."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.support.paths import FIXTURE_PACKAGES
from verdict.cli import app
from verdict.judge.errors import PackageError
from verdict.judge.grader import Grader
from verdict.judge.languages import availability, get_language
from verdict.judge.packages import load_package
from verdict.judge.preparation import prepared_grader
from verdict.judge.sandbox import SandboxConfig
from verdict.judge.verdicts import Verdict

pytestmark = pytest.mark.integration

HELLO = FIXTURE_PACKAGES / "kattis" / "hellojava"
CUSTOMVAL = FIXTURE_PACKAGES / "kattis" / "customval"


@pytest.fixture(autouse=True)
def cli_data_dir(monkeypatch: pytest.MonkeyPatch, sandbox_config: SandboxConfig) -> None:
    monkeypatch.setenv("VERDICT_DATA_DIR", str(sandbox_config.cache_dir.parent / "data"))


@pytest.fixture(scope="module")
def hello(sandbox_config: SandboxConfig) -> Grader:
    available, why = availability(get_language("JDK"))
    if not available:
        pytest.skip(f"Java unavailable: {why}")
    return prepared_grader(load_package(HELLO), sandbox_config)


def submission(name: str) -> Path:
    [path] = HELLO.glob(f"submissions/*/{name}")
    return path


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Hello.java", Verdict.AC),
        ("greeter.java", Verdict.AC),
        ("Shout.java", Verdict.WA),
        ("Packaged.java", Verdict.CE),
        ("Misnamed.java", Verdict.CE),
    ],
)
def test_bundled_java_submissions_graded_with_their_file_names(
    hello: Grader, name: str, expected: Verdict
) -> None:
    path = submission(name)
    assert path.parent.name == {"AC": "accepted", "WA": "wrong_answer", "CE": "compile_error"}[expected]
    result = hello.grade(path.read_bytes(), "JDK", file_name=path.name)
    assert result.verdict == expected, (result.message, result.compile_output, result.tests)


def test_pasted_java_is_named_after_its_public_class(hello: Grader) -> None:
    # No file name (text pasted in a form): Hello.java, run as Hello; the misnamed one compiles.
    assert hello.grade(submission("Hello.java").read_bytes(), "JDK").verdict == Verdict.AC
    assert hello.grade(submission("Misnamed.java").read_bytes(), "JDK").verdict == Verdict.AC
    assert hello.grade(submission("greeter.java").read_bytes(), "JDK").verdict == Verdict.AC


def test_a_package_declaration_is_a_clear_compile_error(hello: Grader) -> None:
    result = hello.grade(submission("Packaged.java").read_bytes(), "JDK", file_name="Packaged.java")
    assert result.verdict == Verdict.CE
    assert "package declarations are not supported" in result.compile_output
    assert "package hello.world;" in result.compile_output


def test_problem_check_agrees_on_the_java_package(hello: Grader) -> None:
    outcome = CliRunner().invoke(app, ["problem", "check", str(HELLO)], env={"COLUMNS": "250"})
    assert outcome.exit_code == 0, outcome.output
    assert "NO" not in outcome.output and "package declarations are not supported" in outcome.output


def test_judge_json_prints_the_whole_result(hello: Grader) -> None:
    outcome = CliRunner().invoke(app, ["judge", "--json", str(HELLO), str(submission("greeter.java"))])
    assert outcome.exit_code == 0, outcome.output
    data = json.loads(outcome.stdout)
    assert (data["verdict"], data["score"], data["language"]) == ("AC", 100.0, "JDK")
    assert [t["name"] for t in data["tests"]] == ["sample/hello", "secret/hello"]
    assert all({"verdict", "time", "memory", "message"} <= set(t) for t in data["tests"])
    assert {"compile_output", "message", "time_limit", "cause"} <= set(data)


# -- internal errors say what failed -----------------------------------------------------------------
def broken_checker(tmp_path: Path, body: str) -> Path:
    package = tmp_path / "customval"
    shutil.copytree(CUSTOMVAL, package)
    (package / "output_validators/checker/checker.py").write_text(body)
    return package


def test_a_crashing_checker_gives_ie_with_its_reason(tmp_path: Path, sandbox_config: SandboxConfig) -> None:
    package = broken_checker(tmp_path, "import sys\nraise SystemExit(3)\n")
    grader = Grader(load_package(package), sandbox_config, time_limit=2)
    result = grader.grade(next(package.glob("submissions/accepted/*.py")).read_bytes(), "Python3")
    assert result.verdict == Verdict.IE
    assert result.message.startswith("test sample/1: output validator exited with code 3"), result.message
    assert "output validator exited with code 3" in result.cause
    assert all(t.judge_message for t in result.tests if t.verdict == Verdict.IE)


def test_a_checker_that_does_not_compile_gives_ie_with_its_reason(
    tmp_path: Path, sandbox_config: SandboxConfig
) -> None:
    package = broken_checker(tmp_path, "def broken(:\n")
    grader = Grader(load_package(package), sandbox_config, time_limit=2)
    result = grader.grade(b"print(2)\n", "Python3")
    assert result.verdict == Verdict.IE
    assert result.message.startswith("cannot prepare the checker: CheckerError: "), result.message
    assert "checker does not compile" in result.message and "SyntaxError" in result.message


def test_no_time_limit_and_no_accepted_solution_is_refused_and_never_graded(
    tmp_path: Path, sandbox_config: SandboxConfig
) -> None:
    package = tmp_path / "customval"
    shutil.copytree(CUSTOMVAL, package)
    shutil.rmtree(package / "submissions/accepted")
    with pytest.raises(PackageError, match="no time limit given and no accepted solution"):
        prepared_grader(load_package(package), sandbox_config)  # as an import refuses it
    result = Grader(load_package(package), sandbox_config).grade(b"print(2)\n", "Python3")
    assert result.verdict == Verdict.IE  # a grader without measured references says why
    assert result.message.startswith("cannot set the time limit: PackageError: ")
    assert "never measured" in result.message


def test_judge_prints_the_ie_reason_and_json_carries_it(tmp_path: Path) -> None:
    package = broken_checker(tmp_path, "import sys\nraise SystemExit(3)\n")
    (package / ".timelimit").write_text("2\n")
    source = next(package.glob("submissions/accepted/*.py"))
    table = CliRunner().invoke(app, ["judge", str(package), str(source)], env={"COLUMNS": "250"})
    assert table.exit_code == 1
    assert "Internal error:" in table.output and "output validator exited with code 3" in table.output
    outcome = CliRunner().invoke(app, ["judge", "--json", str(package), str(source)])
    assert outcome.exit_code == 1
    data = json.loads(outcome.stdout)
    assert data["verdict"] == "IE" and "output validator exited with code 3" in data["message"]
    assert data["tests"][0]["verdict"] == "IE"


def test_problem_check_prints_the_ie_reason(tmp_path: Path) -> None:
    package = broken_checker(tmp_path, "import sys\nraise SystemExit(3)\n")
    (package / ".timelimit").write_text("2\n")
    outcome = CliRunner().invoke(app, ["problem", "check", str(package)], env={"COLUMNS": "250"})
    assert outcome.exit_code == 1
    assert "output validator exited with code 3" in outcome.output, outcome.output
