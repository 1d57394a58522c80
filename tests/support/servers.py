"""Real servers on 127.0.0.1 for the tests: a free port, and an ASGI app served by uvicorn in a
thread of the test process."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, Literal

import uvicorn

from verdict.platform import Platform
from verdict.web.app import create_app


def free_port() -> int:
    """A port of 127.0.0.1 that nothing listens on (bound, then released)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def uvicorn_thread(
    app: Any, *, lifespan: Literal["auto", "on", "off"] = "auto", timeout: float = 30
) -> Iterator[int]:
    """Serve ``app`` with uvicorn in a daemon thread on a free port; yields the port once the
    server has started, and stops it (joining the thread) when the context ends."""
    port = free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan=lifespan)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="uvicorn", daemon=True)
    thread.start()
    deadline = time.monotonic() + timeout
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.02)
    try:
        yield port
    finally:
        server.should_exit = True
        thread.join(timeout)


@contextmanager
def serve_platform(platform: Platform, *, graders: int = 1) -> Iterator[str]:
    """The platform's application on loopback (its base URL) with ``graders`` grader threads on
    its in-process queue, as ``verdict serve`` runs them; the queue is stopped at the end."""
    platform.queue.start_workers(graders)
    try:
        with uvicorn_thread(create_app(platform=platform)) as port:
            yield f"http://127.0.0.1:{port}"
    finally:
        platform.queue.stop()
