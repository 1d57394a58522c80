"""Kattis validators built as problemtools builds them and multi-pass problems, through the real
sandbox: the hilo fixture (2023-07 interactive, C++ validator with its own validate.h), hilo2025
(the same in the 2025-09 layout), the remember fixture (multi-pass), and broken copies of them
whose internal errors say why."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.support.paths import FIXTURE_PACKAGES
from verdict.cli import app
from verdict.judge.grader import Grader
from verdict.judge.packages import load_package
from verdict.judge.sandbox import SandboxConfig
from verdict.judge.verdicts import Verdict

pytestmark = pytest.mark.integration

KATTIS = FIXTURE_PACKAGES / "kattis"
HILO = KATTIS / "hilo"
REMEMBER = KATTIS / "remember"
HILO_2025 = KATTIS / "hilo2025"
CUSTOMVAL = KATTIS / "customval"
HILO_VALIDATOR = "output_validator/hilo_validator"


@pytest.fixture(autouse=True)
def cli_data_dir(monkeypatch: pytest.MonkeyPatch, sandbox_config: SandboxConfig) -> None:
    monkeypatch.setenv("VERDICT_DATA_DIR", str(sandbox_config.cache_dir.parent / "data"))
    # An interactive grading holds two sandboxes at once (validator and program). With the CLI's
    # default of 2 slots, machine-wide, another process holding one makes both wait for the
    # other's until the slot timeout: give the CLI the tests' 8.
    monkeypatch.setenv("VERDICT_SANDBOX_SLOTS", str(sandbox_config.slots))


def copy(tmp_path: Path, source: Path) -> Path:
    target = tmp_path / source.name
    shutil.copytree(source, target)
    return target


@pytest.mark.parametrize("package", [HILO, REMEMBER, HILO_2025], ids=lambda p: p.name)
def test_problem_check_agrees_with_every_bundled_submission(package: Path) -> None:
    outcome = CliRunner().invoke(app, ["problem", "check", str(package)], env={"COLUMNS": "250"})
    assert outcome.exit_code == 0, outcome.output
    assert "Every bundled submission gets its expected verdict." in outcome.output


def test_without_its_header_the_validator_fails_with_the_compilers_message(
    tmp_path: Path, sandbox_config: SandboxConfig
) -> None:
    package = copy(tmp_path, HILO)
    (package / HILO_VALIDATOR / "validate.h").unlink()
    accepted = (package / "submissions/accepted/bisect.py").read_bytes()
    result = Grader(load_package(package), sandbox_config, time_limit=2).grade(accepted, "python3")
    assert result.verdict == Verdict.IE
    assert result.message.startswith("cannot prepare the checker: CheckerError: "), result.message
    assert "checker does not compile" in result.message and "validate.h" in result.message


def test_every_source_of_the_validator_directory_is_compiled(
    tmp_path: Path, sandbox_config: SandboxConfig
) -> None:
    package = copy(tmp_path, HILO)
    validator = package / HILO_VALIDATOR
    main = (validator / "validate.cc").read_text()
    body = main[main.index("static int allowed_guesses") : main.index("int main(")]
    (validator / "validate.cc").write_text(main.replace(body, "int allowed_guesses(long long n);\n\n"))
    (validator / "guesses.cc").write_text(body.replace("static int", "int"))
    grader = Grader(load_package(package), sandbox_config, time_limit=2)
    for name, expected in [("accepted/bisect.cc", Verdict.AC), ("wrong_answer/linear.py", Verdict.WA)]:
        source = package / "submissions" / name
        result = grader.grade(source.read_bytes(), "cpp" if source.suffix == ".cc" else "python3")
        assert result.verdict == expected, (result.message, result.tests)


def test_a_validator_with_build_and_run_scripts(tmp_path: Path, sandbox_config: SandboxConfig) -> None:
    package = copy(tmp_path, CUSTOMVAL)
    folder = package / "output_validators/checker"
    (folder / "checker.py").rename(folder / "check_impl.py")
    (folder / "build").write_text("cp check_impl.py built.py\n")
    (folder / "run").write_text('#!/bin/sh\nexec /usr/bin/python3 -S built.py "$@"\n')
    grader = Grader(load_package(package), sandbox_config, time_limit=2)
    for name, expected in [("accepted/largest.py", Verdict.AC), ("wrong_answer/one.py", Verdict.WA)]:
        source = package / "submissions" / name
        result = grader.grade(source.read_bytes(), "Python3")
        assert result.verdict == expected, (result.message, result.tests)


def test_a_failing_build_script_says_why(tmp_path: Path, sandbox_config: SandboxConfig) -> None:
    package = copy(tmp_path, CUSTOMVAL)
    folder = package / "output_validators/checker"
    (folder / "build").write_text("echo 'no compiler for this' >&2\nexit 1\n")
    result = Grader(load_package(package), sandbox_config, time_limit=2).grade(b"print(1)\n", "Python3")
    assert result.verdict == Verdict.IE
    assert "build script failed" in result.message and "no compiler for this" in result.message
    (folder / "build").write_text("true\n")  # builds nothing, and there is no run script
    result = Grader(load_package(package), sandbox_config, time_limit=2).grade(b"print(1)\n", "Python3")
    assert result.verdict == Verdict.IE and "the build script made no run program" in result.message


# -- multi-pass ----------------------------------------------------------------------------------------
def test_the_second_pass_gets_the_validators_nextpass_input(sandbox_config: SandboxConfig) -> None:
    grader = Grader(load_package(REMEMBER), sandbox_config, time_limit=2)
    # A valid note in pass 1, then it prints what pass 2 gave it: the note back, "2 abc".
    echo = b"import sys\nstage, value = input().split()\nprint('abc' if stage == '1' else value)\n"
    result = grader.grade(echo, "python3")
    assert result.verdict == Verdict.WA
    assert "pass 2: expected 42, got ['abc']" in result.tests[0].judge_message


def test_a_validator_that_never_stops_asking_is_a_judge_error(
    tmp_path: Path, sandbox_config: SandboxConfig
) -> None:
    package = copy(tmp_path, REMEMBER)
    validator = package / "output_validator/validate.py"
    text = validator.read_text().replace(
        'if stage == "1":', 'if True:  # asks again whatever the pass\n        output = ["x"]\n    if True:'
    )
    validator.write_text(text)
    accepted = (package / "submissions/accepted/letters.py").read_bytes()
    result = Grader(load_package(package), sandbox_config, time_limit=2).grade(accepted, "Python3")
    assert result.verdict == Verdict.IE
    assert "no verdict within 2 passes" in result.message, result.message


def test_the_feedback_directory_is_kept_between_passes(tmp_path: Path, sandbox_config: SandboxConfig) -> None:
    package = copy(tmp_path, REMEMBER)
    validator = package / "output_validator/validate.py"
    text = validator.read_text()
    # Pass 1 leaves a note in the feedback directory; pass 2 rejects unless it is still there.
    text = text.replace(
        '        finish(feedback_dir, ACCEPT, f"pass 1: note {output[0]!r}")',
        '        open(feedback_dir + "state.txt", "w").write("seen")\n'
        '        finish(feedback_dir, ACCEPT, f"pass 1: note {output[0]!r}")',
    )
    text = text.replace(
        "    if output != [expected]:",
        '    import os\n    if not os.path.exists(feedback_dir + "state.txt"):\n'
        '        finish(feedback_dir, REJECT, "pass 2: state.txt is gone")\n    if output != [expected]:',
    )
    validator.write_text(text)
    accepted = (package / "submissions/accepted/letters.c").read_bytes()
    result = Grader(load_package(package), sandbox_config, time_limit=2).grade(accepted, "c")
    assert result.verdict == Verdict.AC, (result.message, [t.judge_message for t in result.tests])
