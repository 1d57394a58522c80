"""``verdict problem check`` (the judge only) and ``verdict problem import`` (into the platform)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from verdict.cli.judge import colour, load_or_exit
from verdict.cli.runtime import Runtime, console, errors
from verdict.cli.users import user_or_refuse
from verdict.judge.errors import PackageError, UnknownLanguage
from verdict.judge.grader import Grader, GradeResult, reference_language
from verdict.judge.verdicts import Verdict
from verdict.problems.store import import_package

app = typer.Typer(help="Problem packages: import, check.", no_args_is_help=True)


def _agrees(expected: str, result: GradeResult, expected_score: float | None) -> bool:
    allowed = {code.strip().upper() for code in expected.split("|")}
    if result.verdict.value not in allowed:
        return False
    return expected_score is None or abs(result.score - expected_score) < 1e-6


def _message(result: GradeResult) -> str:
    """An internal error's reason, a compile error's first line; nothing otherwise."""
    if result.verdict == Verdict.IE:
        return result.message or "internal error (no reason given)"
    if result.verdict == Verdict.CE:
        return next(iter(result.compile_output.strip().splitlines()), result.message)[:200]
    return ""


@app.command("check")
def check_command(
    ctx: typer.Context,
    package: Path = typer.Argument(..., exists=True, help="Problem package directory."),
) -> None:
    """Judge every bundled submission and compare with its expected verdict."""
    problem = load_or_exit(package)
    grader = Grader(problem, Runtime.of(ctx).sandbox_config())
    kind = f"{problem.type}, multi-pass" if problem.multi_pass else problem.type
    table = Table(title=f"{problem.problem_id} ({problem.format}, {kind})")
    for column in ("submission", "expected", "got", "score", "agrees", "message"):
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
        result = grader.grade(
            submission.path.read_bytes(),
            reference_language(problem, submission.path),
            file_name=submission.path.name,
        )
        ok = _agrees(submission.expected, result, submission.score)
        disagreements += not ok
        table.add_row(
            str(submission.path.relative_to(problem.root)),
            submission.expected,
            colour(result.verdict.value),
            f"{result.score:g}/{result.max_score:g}",
            "[green]yes[/]" if ok else "[bold red]NO[/]",
            escape(_message(result)),
        )
    console.print(table)
    if disagreements:
        console.print(f"[bold red]{disagreements} submission(s) disagree with their expected verdict.[/]")
        raise typer.Exit(1)
    console.print("[green]Every bundled submission gets its expected verdict.[/]")


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
    console.print(result.problem.id, highlight=False)
