"""A grading's deadline and the sandboxes it runs, so that a grading stuck past its limits can be
abandoned and everything it started killed (audit H1: two stalled submissions held both graders
forever while the heartbeat renewed their leases).

The grader announces each phase with the seconds its limits allow (a compile: the compile wall
limit; the tests: the sum of their wall limits, and the checker's); the deadline is then the
phase's start plus that plus a margin. A supervisor in another thread (the grading engine) asks
`expired()` and calls `abandon()`, which aborts every sandbox of the grading from the host, and
refuses new ones. Nothing here needs the runner's cooperation.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext

from verdict.judge.errors import SandboxError
from verdict.judge.sandbox import Sandbox


class Supervision:
    def __init__(self, margin: float) -> None:
        self.margin = margin
        self._lock = threading.Lock()
        self._boxes: list[Sandbox] = []
        self._deadline = time.monotonic() + margin  # before the first phase: fetching, loading
        self.abandoned = ""  # why, once abandoned

    def allow(self, seconds: float) -> None:
        """A phase starts that its limits let last `seconds` (plus the margin)."""
        with self._lock:
            self._deadline = time.monotonic() + seconds + self.margin

    def remaining(self) -> float:
        with self._lock:
            return self._deadline - time.monotonic()

    def expired(self) -> bool:
        return self.remaining() <= 0

    @contextmanager
    def watching(self, box: Sandbox) -> Iterator[Sandbox]:
        """Registers a started sandbox for the time of the block (abandon() aborts it)."""
        with self._lock:
            if self.abandoned:
                raise SandboxError(f"grading abandoned: {self.abandoned}")
            self._boxes.append(box)
        try:
            yield box
        finally:
            with self._lock:
                self._boxes.remove(box)

    def abandon(self, why: str) -> None:
        """Kills every sandbox of the grading now; any sandbox it asks for later is refused."""
        with self._lock:
            self.abandoned = why
            boxes = list(self._boxes)
        for box in boxes:
            box.abort(f"grading abandoned: {why}")


def watched(supervision: Supervision | None, box: Sandbox) -> AbstractContextManager[Sandbox]:
    """`supervision.watching(box)`, or nothing when the grading is not supervised (CLI, tests)."""
    return supervision.watching(box) if supervision is not None else nullcontext(box)
