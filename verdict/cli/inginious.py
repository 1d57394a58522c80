"""``verdict course import-inginious PATH``: import an INGInious course directory."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from verdict.accounts.service import get_user
from verdict.cli.runtime import Runtime, console, errors
from verdict.courses.inginious_import import (
    DESCRIPTORS,
    InginiousImportError,
    find_descriptor,
    import_inginious_course,
    read_descriptor,
)
from verdict.judge.errors import PackageError

app = typer.Typer(help="Courses.", no_args_is_help=True)


def _first_admin(descriptor: Path) -> str | None:
    """The first admin that the course's descriptor names, if it names one."""
    try:
        admins = read_descriptor(descriptor).get("admins")
    except InginiousImportError:
        return None
    return str(admins[0]) if isinstance(admins, list) and admins else None


@app.command("import-inginious")
def import_inginious(
    ctx: typer.Context,
    path: Annotated[
        Path,
        typer.Argument(
            help="The course directory (taskset.yaml, course.yaml or course.json + task folders)."
        ),
    ],
    owner: Annotated[
        str | None,
        typer.Option(help="Owner's username (default: the first admin of the course's descriptor)."),
    ] = None,
    course_id: Annotated[
        str | None, typer.Option("--id", help="Course id (default: the directory name).")
    ] = None,
) -> None:
    """Import (or update) an INGInious course: its tasks, quizzes and test cases.

    Code problems are graded by the judge against a tests/ folder (NAME.in + NAME.ans) or a
    Kattis/Jutge package next to task.yaml; without one, only the quiz parts are imported and the
    report says what needs test cases. Exits with 1 when a task could not be imported.
    """
    try:
        descriptor = find_descriptor(path)
    except InginiousImportError:
        names = ", ".join(DESCRIPTORS)
        errors.print(f"[red]error:[/red] {path}: no course descriptor ({names}): not an INGInious course")
        raise typer.Exit(2) from None
    platform = Runtime.of(ctx).platform()
    with platform.session_scope() as session:
        login = owner if owner is not None else _first_admin(descriptor)
        if login is None:
            errors.print(f"[red]error:[/red] {descriptor.name} names no admin: give --owner USERNAME")
            raise typer.Exit(2)
        user = get_user(session, login)
        if user is None:
            errors.print(f"[red]error:[/red] no user {login!r} (create it, or give --owner)")
            raise typer.Exit(2)
        try:
            report = import_inginious_course(
                session, path, settings=platform.settings, owner=user, course_id=course_id
            )
        except (InginiousImportError, PackageError) as error:
            errors.print(f"[red]error:[/red] {error}")
            raise typer.Exit(1) from None

    verb = "created" if report.created else "updated"
    console.print(f"course [bold]{report.course_id}[/bold] ({report.title}) {verb}, owner {user.username}")
    console.print(f"descriptor: {report.descriptor}")
    for section in report.sections:  # the table of contents: its order is the tasks' order
        console.print(f"section {escape(section)}")
    for group in report.groups:
        console.print(f"group {escape(group)}")
    table = Table("task", "status", "problems", "grading", "notes", show_lines=True)
    for task in report.tasks:
        status = {"imported": "[green]imported[/]", "skipped": "[yellow]skipped[/]"}.get(
            task.status, "[red]error[/]"
        )
        problems = ", ".join(task.problems)
        if task.dropped:
            problems += f"\n[yellow]left out: {', '.join(task.dropped)}[/]"
        table.add_row(task.task_id, status, problems, task.grading, "\n".join(task.notes))
    console.print(table)
    for warning in report.warnings:
        errors.print(f"[yellow]warning:[/yellow] {warning}")
    if report.errors:
        errors.print(f"[red]{len(report.errors)} task(s) could not be imported[/]")
        raise typer.Exit(1)
