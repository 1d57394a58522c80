"""``verdict serve`` (the web server, with in-process graders) and ``verdict worker`` (a grader)."""

from __future__ import annotations

import logging
import signal
import threading

import typer

from verdict.cli.runtime import Runtime, console
from verdict.grading.queue import DramatiqQueue


def serve_command(
    ctx: typer.Context,
    host: str = typer.Option(None, help="Listen address (default VERDICT_HOST or 127.0.0.1)."),
    port: int = typer.Option(None, help="Port (default VERDICT_PORT or 8000)."),
    graders: int = typer.Option(None, help="Grader threads in this process (default VERDICT_GRADERS)."),
) -> None:
    """Run the web server, with grader threads and the lease sweeper."""
    # Imported here for start-up time only: FastAPI, the faces and uvicorn take about a second to
    # import, and no other command needs them (`verdict --help` would pay it on every call).
    import uvicorn

    from verdict.web.app import create_app

    platform = Runtime.of(ctx).platform(migrate=True)
    settings, queue = platform.settings, platform.queue
    queue.start_workers(settings.graders if graders is None else graders)
    app = create_app(settings, platform=platform)
    host, port = host or settings.host, port or settings.port
    in_process = not isinstance(queue, DramatiqQueue) or queue.embedded
    console.print(
        f"Verdict at [bold]http://{host}:{port}/[/] (API docs at /docs); "
        f"broker: {'in-process' if in_process else settings.broker_url}"
    )
    uvicorn.run(app, host=host, port=port, log_level="info")


def worker_command(
    ctx: typer.Context,
    threads: int = typer.Option(None, help="Grader threads (default VERDICT_GRADERS)."),
) -> None:
    """Run a grading worker against VERDICT_DATABASE_URL and VERDICT_BROKER_URL."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    runtime = Runtime.of(ctx)
    settings = runtime.settings
    if not settings.broker_url:
        console.print(
            "[red]verdict worker needs VERDICT_BROKER_URL (amqp://... or redis://...); "
            "without one, `verdict serve` grades in-process.[/]"
        )
        raise typer.Exit(2)
    queue = runtime.platform().queue
    queue.start_workers(settings.graders if threads is None else threads)
    name = queue.engine.name if isinstance(queue, DramatiqQueue) else type(queue).__name__
    console.print(f"worker {name} grading from {settings.broker_url}")
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    stop.wait()
