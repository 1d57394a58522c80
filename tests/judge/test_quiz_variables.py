"""Quiz variable scripts run in the real sandbox: the same seed gives the same variables, two
students' seeds give them different numbers, each graded on their own; a failing or runaway script
is an error; ``verdict problem check`` on the fixture quiz runs every script."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.support.paths import FIXTURE_PACKAGES
from verdict.cli import app
from verdict.courses.jutge_quiz import grade_part, public_part, quiz_problems
from verdict.courses.models import Task
from verdict.courses.task_view import ChoiceOrder
from verdict.judge.packages.jutge_quiz import load_quiz
from verdict.judge.quiz_variables import QuizScriptError, run_scripts
from verdict.judge.sandbox import Limits, SandboxConfig

pytestmark = pytest.mark.integration

QUIZ = FIXTURE_PACKAGES / "jutge" / "quiz.pbm"
SCRIPTS = {q.file: q.script for q in load_quiz(QUIZ).questions if q.script is not None}


def test_a_seed_gives_the_same_variables_every_time(sandbox_config: SandboxConfig) -> None:
    first = run_scripts(SCRIPTS, 1234, sandbox_config)
    assert set(first) == set(SCRIPTS)
    assert first == run_scripts(SCRIPTS, 1234, sandbox_config)
    single = first["single-choice"]
    assert single["seed"] == 1234 and single["s1"] == single["a"] + single["b"]
    assert run_scripts(SCRIPTS, 4321, sandbox_config)["fill-in"] != first["fill-in"]


def test_sets_and_unserialisable_values_are_handled(sandbox_config: SandboxConfig) -> None:
    script = (
        "import random\nxs = sorted({random.randint(1, 99) for _ in range(5)})\nf = lambda: 1\nt = (1, 2)\n"
    )
    found = run_scripts({"q": script}, 7, sandbox_config)["q"]
    assert found["t"] == [1, 2] and "f" not in found and "random" not in found
    assert found == run_scripts({"q": script}, 7, sandbox_config)["q"]  # PYTHONHASHSEED fixed


@pytest.mark.parametrize(
    ("script", "message"),
    [
        ("raise ValueError('no numbers today')\n", "ValueError: no numbers today"),
        ("while True:\n    pass\n", "time limit"),
        ("open('/etc/passwd', 'w').write('x')\n", "a variable script failed"),
    ],
)
def test_a_failing_script_is_an_error(sandbox_config: SandboxConfig, script: str, message: str) -> None:
    with pytest.raises(QuizScriptError, match=message):
        run_scripts({"q": script}, 1, sandbox_config, Limits(cpu_time=1, memory_mb=128, processes=4))


def test_two_students_see_their_own_numbers_and_are_graded_on_them(sandbox_config: SandboxConfig) -> None:
    task = Task(slug="P12345", problem_id="P12345", problems=quiz_problems(load_quiz(QUIZ)))
    alice = ChoiceOrder("secret", "alice", 1, sandbox_config)
    bob = ChoiceOrder("secret", "bob", 2, sandbox_config)
    assert alice.quiz_seed(task) == ChoiceOrder("secret", "alice", 1).quiz_seed(task)
    assert alice.quiz_seed(task) != bob.quiz_seed(task)
    mine, theirs = alice.personal(task)["fill-in"], bob.personal(task)["fill-in"]
    assert public_part(mine, alice.seed(task, "fill-in"))["context"] != public_part(theirs, "x")["context"]
    assert "$a" not in public_part(mine, "x")["context"]
    own = {"XXXX": "0", "YYYY": "+", "ZZZZ": mine["items"]["ZZZZ"]["correct"]}
    assert grade_part(mine, own, "x").correct
    graded_on_theirs = grade_part(theirs, own, "x")
    assert not graded_on_theirs.correct and graded_on_theirs.score == pytest.approx(2 / 3)


@pytest.fixture
def cli(sandbox_config: SandboxConfig, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.setenv("VERDICT_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("COLUMNS", "200")
    return CliRunner()


def test_problem_check_runs_every_variable_script(cli: CliRunner) -> None:
    result = cli.invoke(app, ["problem", "check", str(QUIZ)])
    assert result.exit_code == 0, result.output
    assert "every question parses and 4 variable script(s) ran in the sandbox" in result.output
    assert "SingleChoice" in result.output and "OpenQuestion" in result.output


def test_problem_check_fails_on_a_broken_script(cli: CliRunner, tmp_path: Path) -> None:
    package = tmp_path / "quiz.pbm"
    package.mkdir()
    for path in QUIZ.iterdir():
        (package / path.name).write_bytes(path.read_bytes())
    (package / "ordering.py").write_text("1 / 0\n")
    result = cli.invoke(app, ["problem", "check", str(package)])
    assert result.exit_code == 1
    assert "A variable script fails" in result.output and "ZeroDivisionError" in result.output
