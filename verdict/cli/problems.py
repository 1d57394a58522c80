"""``verdict problem check`` (the judge only) and ``verdict problem import`` (into the platform)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from verdict.cli.judge import colour, load_or_exit, prepared
from verdict.cli.runtime import Runtime, console, errors
from verdict.cli.users import user_or_refuse
from verdict.judge.preparation import Preparation
from verdict.judge.problem import Problem as Package
from verdict.judge.quiz_model import Quiz
from verdict.judge.quiz_variables import QuizScriptError, run_scripts, unknown_names
from verdict.judge.sandbox import SandboxConfig
from verdict.problems.store import import_package

CHECK_SEEDS = (1, 2, 3)  # a quiz's variable scripts are run with each
app = typer.Typer(help="Problem packages: import, check.", no_args_is_help=True)


def _check_quiz(quiz: Quiz, config: SandboxConfig) -> None:
    """Every question parsed (the package loaded), every variable script run with a few seeds."""
    scripts = {q.file: q.script for q in quiz.questions if q.script is not None}
    try:
        runs = {seed: run_scripts(scripts, seed, config) for seed in CHECK_SEEDS}
    except QuizScriptError as error:
        console.print(f"[bold red]A variable script fails:[/] {escape(str(error))}")
        raise typer.Exit(1) from None
    table = Table(title=f"quiz {escape(quiz.title)} ({len(quiz.questions)} questions)")
    for column in ("question", "type", "score", "variables", "unknown names"):
        table.add_column(column)
    for item in quiz.questions:
        variables = runs[CHECK_SEEDS[0]].get(item.file, {})
        unknown = sorted(unknown_names(item.question, variables)) if item.script is not None else []
        table.add_row(
            item.file,
            item.question.type,
            f"{item.score:g}",
            escape(", ".join(sorted(variables)) or "-"),
            escape(", ".join(unknown) or "-"),
        )
    console.print(table)
    console.print(
        f"[green]The quiz loads, every question parses and {len(scripts)} variable script(s) ran "
        f"in the sandbox with seeds {', '.join(map(str, CHECK_SEEDS))}.[/]"
    )


@app.command("check")
def check_command(
    ctx: typer.Context,
    package: Path = typer.Argument(..., exists=True, help="Problem package directory."),
) -> None:
    """Prepare the package as an import does, then judge every bundled submission and compare
    with its expected verdict (the golden solution first; the package itself is not changed)."""
    config = Runtime.of(ctx).sandbox_config()
    quiz = load_or_exit(package).quiz
    if quiz is not None:  # a Jutge quiz: every question parsed, every variable script run
        _check_quiz(quiz, config)
        return
    with prepared(package, config, every_solution=True) as (problem, report):
        print_report(problem, report)
    checks = [*report.golden, *report.solutions]
    disagreements = sum(not check.agrees for check in checks)
    if disagreements:
        console.print(f"[bold red]{disagreements} submission(s) disagree with their expected verdict.[/]")
        raise typer.Exit(1)
    console.print("[green]Every bundled submission gets its expected verdict.[/]")


def print_report(problem: Package, report: Preparation) -> None:
    """The import report: tests, outputs made, limits, and each bundled solution's verdict."""
    kind = f"{problem.type}, multi-pass" if problem.multi_pass else problem.type
    console.print(
        f"{problem.problem_id} ({problem.format}, {kind}): {len(problem.tests)} tests, "
        f"languages {', '.join(sorted(problem.titles)) or '-'}, checker {problem.checker.kind}"
    )
    if report.made_outputs:
        console.print(f"expected outputs made by the golden solution: {len(report.made_outputs)}")
    for variant, timing in report.timings.items():
        limits = ", ".join(f"{name} {seconds:g}s" for name, seconds in timing.summary().items())
        console.print(f"time limits{f' ({variant})' if variant else ''}: {limits}")
    table = Table(title="bundled solutions")
    for column in ("submission", "language", "expected", "got", "time", "agrees", "message"):
        table.add_column(column)
    for check in [*report.golden, *report.solutions]:
        table.add_row(
            check.file,
            check.language or "-",
            check.expected,
            colour(check.verdict) if check.verdict else "not run",
            f"{check.seconds:.2f}s",
            "[green]yes[/]" if check.agrees else "[bold red]NO[/]",
            escape(check.message),
        )
    console.print(table)
    for warning in report.warnings:
        console.print(f"[yellow]warning:[/] {escape(warning)}")


@app.command("import")
def import_command(
    ctx: typer.Context,
    path: Annotated[Path, typer.Argument(help="Package directory, or .tgz/.zip archive.")],
    owner: Annotated[str | None, typer.Option(help="Owner's username (default: the platform).")] = None,
    problem_id: Annotated[str | None, typer.Option("--id", help="Update this existing problem.")] = None,
) -> None:
    """Import a problem package (re-importing the same package updates it). Prints the problem id."""
    with Runtime.of(ctx).unit_of_work() as (platform, session):
        owner_user = user_or_refuse(session, owner) if owner else None
        result = import_package(
            session, path, settings=platform.settings, owner=owner_user, problem_id=problem_id
        )
    action = "created" if result.problem_created else "updated" if result.version_created else "unchanged"
    errors.print(
        f"{action} {result.problem.title()!r} ({result.package.format}, {len(result.package.tests)} tests), "
        f"version {result.version.id}, blob {result.version.blob_hash[:12]}"
    )
    for warning in result.preparation.warnings:
        errors.print(f"[yellow]warning:[/] {escape(warning)}")
    console.print(result.problem.id, highlight=False)
