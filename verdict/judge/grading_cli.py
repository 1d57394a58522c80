"""`verdict judge PACKAGE SOURCE` and `verdict problem check PACKAGE`."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

from verdict.judge.errors import PackageError, SandboxError, UnknownLanguage
from verdict.judge.grader import Grader, GradeResult, TestResult, reference_language
from verdict.judge.languages import get_language, language_for_file
from verdict.judge.packages import load_package
from verdict.judge.problem import Problem

console = Console()
problem_app = typer.Typer(help="Problem packages: import, check.", no_args_is_help=True)

COLOURS = {"AC": "green", "SC": "yellow", "CE": "magenta", "IE": "red"}


def _colour(code: str) -> str:
    return f"[{COLOURS.get(code, 'red')}]{code}[/]"


def _load(path: Path) -> Problem:
    try:
        return load_package(path)
    except PackageError as error:
        console.print(f"[bold red]Bad package:[/] {error}")
        raise typer.Exit(2) from None


def _progress(result: TestResult, index: int, total: int) -> None:
    console.print(
        f"  [{index + 1}/{total}] {result.name:30} {_colour(result.verdict.value)} "
        f"{result.time:.3f}s {result.memory / 2**20:.1f}MB {result.message}"
    )


def _summary_table(title: str, result: GradeResult) -> Table:
    table = Table(title=title)
    for column in ("test", "kind", "group", "verdict", "cpu s", "memory MB", "message"):
        table.add_column(column)
    for test in result.tests:
        table.add_row(
            test.name,
            test.kind,
            test.group,
            _colour(test.verdict.value),
            f"{test.time:.3f}",
            f"{test.memory / 2**20:.1f}",
            test.message,
        )
    table.caption = (
        f"verdict {_colour(result.verdict.value)} ({result.verdict.description}) · score "
        f"{result.score:g}/{result.max_score:g} · time limit {result.time_limit:g}s · {result.language}"
    )
    return table


def judge_command(
    package: Path = typer.Argument(..., exists=True, help="Problem package directory (Kattis or Jutge)."),
    source: Path = typer.Argument(..., exists=True, dir_okay=False, help="Submission source."),
    lang: str = typer.Option(None, "--lang", "-l", help="Compiler id (default: from the extension)."),
) -> None:
    """Judge SOURCE against PACKAGE with live progress and a final table."""
    from verdict.judge.cli import sandbox_config

    problem = _load(package)
    try:
        language = get_language(lang) if lang else language_for_file(source)
    except UnknownLanguage as error:
        raise typer.BadParameter(str(error)) from None
    try:
        result = Grader(problem, sandbox_config()).grade(source.read_bytes(), language, _progress)
    except SandboxError as error:
        console.print(f"[bold red]Sandbox error:[/] {error}")
        raise typer.Exit(2) from None
    if result.compile_output and result.verdict.value == "CE":
        console.print(result.compile_output, markup=False)
    console.print(_summary_table(f"{problem.problem_id}: {source.name}", result))
    raise typer.Exit(0 if result.verdict.value == "AC" else 1)


def _agrees(expected: str, result: GradeResult, expected_score: float | None) -> bool:
    allowed = {code.strip().upper() for code in expected.split("|")}
    if result.verdict.value not in allowed:
        return False
    return expected_score is None or abs(result.score - expected_score) < 1e-6


def check_command(
    package: Path = typer.Argument(..., exists=True, help="Problem package directory."),
) -> None:
    """Judge every bundled submission and compare with its expected verdict."""
    from verdict.judge.cli import sandbox_config

    problem = _load(package)
    grader = Grader(problem, sandbox_config())
    table = Table(title=f"{problem.problem_id} ({problem.format}, {problem.type})")
    for column in ("submission", "expected", "got", "score", "agrees"):
        table.add_column(column)
    disagreements = 0
    if not problem.submissions:
        console.print("[yellow]The package bundles no submissions to check.[/]")
    try:
        console.print(f"time limit: {grader.time_limit:g}s")
    except (PackageError, UnknownLanguage) as error:
        console.print(f"[bold red]Cannot set the time limit:[/] {error}")
        raise typer.Exit(1) from None
    for submission in problem.submissions:
        result = grader.grade(submission.path.read_bytes(), reference_language(problem, submission.path))
        ok = _agrees(submission.expected, result, submission.score)
        disagreements += not ok
        table.add_row(
            str(submission.path.relative_to(problem.root)),
            submission.expected,
            _colour(result.verdict.value),
            f"{result.score:g}/{result.max_score:g}",
            "[green]yes[/]" if ok else "[bold red]NO[/]",
        )
    console.print(table)
    if disagreements:
        console.print(f"[bold red]{disagreements} submission(s) disagree with their expected verdict.[/]")
        raise typer.Exit(1)
    console.print("[green]Every bundled submission gets its expected verdict.[/]")


def register(app: typer.Typer) -> None:
    app.command("judge")(judge_command)
    problem_app.command("check")(check_command)
    app.add_typer(problem_app, name="problem")
