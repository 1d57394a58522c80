"""`verdict run` and `verdict languages` through Typer's CliRunner and the real sandbox."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from verdict.cli import app
from verdict.judge.languages import all_languages
from verdict.judge.sandbox import SandboxConfig

pytestmark = pytest.mark.integration

SUM_C = (
    '#include <stdio.h>\nint main(void){ long a, b; scanf("%ld %ld", &a, &b); printf("%ld\\n", a + b); }\n'
)


@pytest.fixture
def cli(sandbox_config: SandboxConfig, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    # sandbox_config: skips where the sandbox cannot run. The CLI builds its own config from
    # the settings, so its data (and compile cache) go to this test's directory.
    monkeypatch.setenv("VERDICT_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("COLUMNS", "200")
    return CliRunner()


def test_run_a_c_file_with_input(cli: CliRunner, tmp_path: Path) -> None:
    source = tmp_path / "sum.c"
    source.write_text(SUM_C)
    data = tmp_path / "input.txt"
    data.write_text("20 22\n")
    result = cli.invoke(app, ["run", str(source), "--input", str(data), "--time", "1"])
    assert result.exit_code == 0, result.output
    assert "42" in result.output.splitlines()[0]  # the program's output first
    assert "sum.c (GCC)" in result.output  # then the table
    assert "ok" in result.output
    assert "cpu s" in result.output


def test_run_reports_a_runtime_error(cli: CliRunner, tmp_path: Path) -> None:
    source = tmp_path / "crash.c"
    source.write_text("int main(void){ volatile int *p = 0; return *p; }\n")
    result = cli.invoke(app, ["run", str(source)])
    assert result.exit_code == 1, result.output
    assert "runtime error" in result.output and "SIGSEGV" in result.output


def test_run_reports_a_compile_error(cli: CliRunner, tmp_path: Path) -> None:
    source = tmp_path / "broken.c"
    source.write_text("int main(void){ return nope; }\n")
    result = cli.invoke(app, ["run", str(source)])
    assert result.exit_code == 1
    assert "Compile error" in result.output and "nope" in result.output


def test_run_with_explicit_language(cli: CliRunner, tmp_path: Path) -> None:
    source = tmp_path / "prog.txt"
    source.write_text("print(6 * 7)\n")
    result = cli.invoke(app, ["run", str(source), "--lang", "Python3"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("42")


def test_unknown_language_is_a_clear_error(cli: CliRunner, tmp_path: Path) -> None:
    source = tmp_path / "x.c"
    source.write_text(SUM_C)
    result = cli.invoke(app, ["run", str(source), "--lang", "Klingon"])
    assert result.exit_code == 2
    assert "unknown language 'Klingon'" in result.output
    assert "GCC" in result.output  # the known ones are listed


def test_languages_json_for_scripts(cli: CliRunner) -> None:
    """--json: every id with its availability, version, time class and (with the check) the
    self-test's result, here run for two ids in the real sandbox."""
    result = cli.invoke(app, ["languages", "--json", "--lang", "GCC", "--lang", "python3"])
    assert result.exit_code == 0, result.output
    rows = {row["id"]: row for row in json.loads(result.output)}
    assert set(rows) == {"GCC", "Python3"}
    assert rows["GCC"]["time_class"] == "fast" and rows["Python3"]["time_class"] == "slow"
    for row in rows.values():
        assert row["available"] and row["version"] and row["reason"] is None
        assert row["self_test"] == "passed"
    assert rows["GCC"]["compile"][:4] == ["/usr/bin/gcc", "-D_JUDGE_", "-DNDEBUG", "-O2"]
    everything = json.loads(cli.invoke(app, ["languages", "--json", "--no-check"]).output)
    assert len(everything) == len(all_languages())
    for row in everything:
        assert row["self_test"] is None
        assert row["available"] == (row["reason"] is None), row
    bad = cli.invoke(app, ["languages", "--lang", "Klingon"])
    assert bad.exit_code == 2 and "unknown language 'Klingon'" in bad.output


def test_languages_without_check(cli: CliRunner) -> None:
    result = cli.invoke(app, ["languages", "--no-check"])
    assert result.exit_code == 0, result.output
    for language_id in ("GCC", "G++17", "Python3", "JDK", "BEEF"):
        assert language_id in result.output
    assert "not run" in result.output and "None" not in result.output
