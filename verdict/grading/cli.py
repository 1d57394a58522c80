"""`verdict serve`, `verdict worker`, `verdict submit`, `verdict rejudge`."""

from __future__ import annotations

import logging
import signal
import threading
import time
from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

from verdict.settings import Settings

console = Console()


def serve_command(
    host: str = typer.Option(None, help="Listen address (default VERDICT_HOST or 127.0.0.1)."),
    port: int = typer.Option(None, help="Port (default VERDICT_PORT or 8000)."),
    graders: int = typer.Option(None, help="Grader threads in this process (default VERDICT_GRADERS)."),
) -> None:
    """Run the web server, with grader threads and the lease sweeper."""
    import uvicorn

    from verdict.grading.queue import DramatiqQueue
    from verdict.platform import bootstrap
    from verdict.web.app import create_app

    settings = Settings()
    platform = bootstrap(settings, migrate=True)
    queue = platform.queue
    assert isinstance(queue, DramatiqQueue)
    queue.start_workers(settings.graders if graders is None else graders)
    app = create_app(settings, platform=platform)
    host, port = host or settings.host, port or settings.port
    console.print(
        f"Verdict at [bold]http://{host}:{port}/[/] (API docs at /docs); "
        f"broker: {'in-process' if queue.embedded else settings.broker_url}"
    )
    try:
        uvicorn.run(app, host=host, port=port, log_level="info")
    finally:
        queue.stop()
        platform.close()


def worker_command(
    threads: int = typer.Option(None, help="Grader threads (default VERDICT_GRADERS)."),
) -> None:
    """Run a grading worker against VERDICT_DATABASE_URL and VERDICT_BROKER_URL."""
    from verdict.grading.queue import DramatiqQueue
    from verdict.platform import bootstrap

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    settings = Settings()
    if not settings.broker_url:
        console.print(
            "[red]verdict worker needs VERDICT_BROKER_URL (amqp://... or redis://...); "
            "without one, `verdict serve` grades in-process.[/]"
        )
        raise typer.Exit(2)
    platform = bootstrap(settings)
    queue = platform.queue
    assert isinstance(queue, DramatiqQueue)
    queue.start_workers(settings.graders if threads is None else threads)
    console.print(f"worker {queue.engine.name} grading from {settings.broker_url}")
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    stop.wait()
    queue.stop()
    platform.close()


def submit_command(
    problem: str = typer.Argument(..., help="Problem id (P12345)."),
    source: Path = typer.Argument(..., exists=True, dir_okay=False),
    user: str = typer.Option(..., "--user", "-u", help="Submitting user (username or email)."),
    lang: str = typer.Option(None, "--lang", "-l", help="Compiler id (default: from the extension)."),
    wait: bool = typer.Option(True, help="Wait for the verdict and print it."),
    timeout: float = typer.Option(300, help="Seconds to wait."),
) -> None:
    """Submit SOURCE to PROBLEM; graded in-process unless a broker is configured."""
    from verdict.accounts.service import get_user
    from verdict.grading.queue import DramatiqQueue
    from verdict.grading.service import NewSubmission, create_submission
    from verdict.judge.errors import UnknownLanguage
    from verdict.judge.languages import get_language, language_for_file
    from verdict.platform import bootstrap

    settings = Settings()
    platform = bootstrap(settings, migrate=not settings.database_url)
    try:
        language = get_language(lang) if lang else language_for_file(source)
    except UnknownLanguage as error:
        raise typer.BadParameter(str(error)) from None
    with platform.session_scope() as session:
        account = get_user(session, user)
        if account is None:
            raise typer.BadParameter(f"no user {user!r}")
        submission = create_submission(
            session, NewSubmission(account.id, problem, language.id, source.read_text(errors="replace"))
        )
        submission_id = submission.id
    queue = platform.queue
    assert isinstance(queue, DramatiqQueue)
    queue.wake()
    console.print(f"submission {submission_id} created")
    if not wait:
        return
    if queue.embedded:
        queue.start_workers(1, sweep=False)
    try:
        _print_when_graded(platform, submission_id, timeout)
    finally:
        queue.stop()
        platform.close()


def _print_when_graded(platform: object, submission_id: int, timeout: float) -> None:
    from verdict.submissions.models import Submission

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with platform.sessionmaker() as session:  # type: ignore[attr-defined]
            submission = session.get(Submission, submission_id)
            if submission.status in ("done", "error"):
                table = Table(title=f"submission {submission_id}")
                for column in ("status", "verdict", "score", "grade", "result"):
                    table.add_column(column)
                table.add_row(
                    submission.status,
                    submission.verdict or "",
                    f"{submission.score}",
                    f"{submission.grade}",
                    submission.result or "",
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
    submissions: list[int] = typer.Option(None, "--submission", "-s", help="Submission ids."),
    problem: str = typer.Option(None, "--problem", "-p", help="All submissions of a problem."),
) -> None:
    """Put submissions back in the queue (at rejudge priority) and wake the graders."""
    from verdict.grading.queue import DramatiqQueue
    from verdict.grading.service import rejudge
    from verdict.platform import bootstrap

    if not submissions and not problem:
        raise typer.BadParameter("give --submission ids or --problem")
    platform = bootstrap(Settings())
    with platform.session_scope() as session:
        ids = rejudge(session, submission_ids=list(submissions) if submissions else None, problem_id=problem)
    queue = platform.queue
    assert isinstance(queue, DramatiqQueue)
    queue.wake(len(ids))
    console.print(f"{len(ids)} submission(s) queued for rejudging")
    if queue.embedded:
        console.print(
            "[yellow]no broker configured: a running `verdict serve` picks them up at its next "
            "restart or sweep[/]"
        )
    queue.stop()
    platform.close()


def register(app: typer.Typer) -> None:
    app.command("serve")(serve_command)
    app.command("worker")(worker_command)
    app.command("submit")(submit_command)
    app.command("rejudge")(rejudge_command)
