"""``verdict submit`` (through the same use case as the faces), ``verdict rejudge`` and
``verdict submission`` (one submission as staff see it)."""

from __future__ import annotations

import json
import time
from pathlib import Path

import typer
from rich.table import Table

from verdict.accounts.service import get_user
from verdict.cli.judge import language_of
from verdict.cli.runtime import Runtime, console, errors
from verdict.courses.rst_feedback import source_of
from verdict.errors import ServiceError
from verdict.grading.queue import DramatiqQueue
from verdict.grading.service import rejudge
from verdict.platform import Platform
from verdict.submissions.models import Submission
from verdict.submissions.service import submit_to_problem


def submit_command(
    ctx: typer.Context,
    problem: str = typer.Argument(..., help="Problem id (P12345)."),
    source: Path = typer.Argument(..., exists=True, dir_okay=False),
    user: str = typer.Option(..., "--user", "-u", help="Submitting user (username or email)."),
    lang: str = typer.Option(None, "--lang", "-l", help="Compiler id (default: from the extension)."),
    wait: bool = typer.Option(True, help="Wait for the verdict and print it."),
    timeout: float = typer.Option(300, help="Seconds to wait."),
) -> None:
    """Submit SOURCE to PROBLEM; graded in-process unless a broker is configured."""
    runtime = Runtime.of(ctx)
    language = language_of(source, lang)
    platform = runtime.platform(migrate=not runtime.settings.database_url)
    with platform.sessionmaker() as session:  # the use case owns the unit of work: it commits
        account = get_user(session, user)
        if account is None:
            raise typer.BadParameter(f"no user {user!r}")
        try:
            submission_id = submit_to_problem(
                session,
                platform.queue,
                user_id=account.id,
                problem_id=problem,
                language=language.id,
                source=source.read_text(errors="replace"),
            )
        except ServiceError as error:
            errors.print(f"[red]error:[/red] {error.message}")
            raise typer.Exit(1) from None
    console.print(f"submission {submission_id} created")
    if not wait:
        return
    queue = platform.queue
    if isinstance(queue, DramatiqQueue) and queue.embedded:
        queue.start_workers(1, sweep=False)  # the in-process broker holds the wake for us
    _print_when_graded(platform, submission_id, timeout)


def _print_when_graded(platform: Platform, submission_id: int, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with platform.sessionmaker() as session:
            submission = session.get(Submission, submission_id)
            assert submission is not None  # committed by submit_to_problem
            if submission.status in ("done", "error"):
                table = Table(title=f"submission {submission_id}")
                for column in ("status", "verdict", "score", "grade", "meaning"):
                    table.add_column(column)
                table.add_row(
                    submission.status,
                    submission.verdict or "",
                    f"{submission.score}",
                    f"{submission.grade}",
                    submission.verdict.description if submission.verdict else "",
                )
                console.print(table)
                if submission.compiler_output and submission.verdict == "CE":
                    console.print(submission.compiler_output, markup=False)
                if submission.error_reason:
                    console.print(f"[red]{submission.error_reason}[/]")
                raise typer.Exit(0 if submission.verdict == "AC" else 1)
        time.sleep(0.1)
    console.print("[yellow]not graded yet[/]")
    raise typer.Exit(3)


def rejudge_command(
    ctx: typer.Context,
    submissions: list[int] = typer.Option(None, "--submission", "-s", help="Submission ids."),
    problem: str = typer.Option(None, "--problem", "-p", help="All submissions of a problem."),
) -> None:
    """Put submissions back in the queue (at rejudge priority) and wake the graders."""
    if not submissions and not problem:
        raise typer.BadParameter("give --submission ids or --problem")
    platform = Runtime.of(ctx).platform()
    with platform.session_scope() as session:
        ids = rejudge(session, submission_ids=list(submissions) if submissions else None, problem_id=problem)
    queue = platform.queue
    queue.wake(len(ids))
    console.print(f"{len(ids)} submission(s) queued for rejudging")
    if isinstance(queue, DramatiqQueue) and queue.embedded:
        console.print(
            "[yellow]no broker configured: a running `verdict serve` picks them up at its next "
            "restart or sweep[/]"
        )


def show_command(
    ctx: typer.Context,
    submission_id: int = typer.Argument(..., help="Submission id."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object."),
) -> None:
    """Show a submission as staff see it: its outcome, and what an INGInious run script set that
    students never see (its ``feedback-custom`` values, its tags and its state)."""
    platform = Runtime.of(ctx).platform()
    with platform.sessionmaker() as session:
        submission = session.get(Submission, submission_id)
        if submission is None:
            errors.print(f"[red]error:[/red] no submission {submission_id}")
            raise typer.Exit(1)
        shown = staff_view(submission)
    if as_json:
        console.print_json(json.dumps(shown))
        return
    table = Table(title=f"submission {submission_id}", show_header=False)
    for key, value in shown.items():
        table.add_row(key, value if isinstance(value, str) else json.dumps(value, indent=1))
    console.print(table)


def staff_view(submission: Submission) -> dict[str, object]:
    """The fields staff read; feedback as its source (the RST a run script wrote, else the HTML)."""
    feedback = submission.feedback or ""
    source = source_of(feedback)
    return {
        "id": submission.id,
        "user_id": submission.user_id,
        "task_id": submission.task_id,
        "problem_id": submission.problem_id,
        "status": str(submission.status),
        "progress": submission.progress,  # while being graded: "compiling", "test 3/10" (or None)
        "verdict": str(submission.verdict) if submission.verdict else None,
        "grade": submission.grade,
        "feedback": feedback if source is None else source,
        "custom": dict(submission.custom or {}),
        "tags": dict(submission.tags or {}),
        "state": submission.state or "",
        "error_reason": submission.error_reason or "",
    }
