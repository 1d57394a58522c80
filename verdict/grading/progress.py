"""A grading's progress, published to its submission row while it runs (the pages show it live).

The worker may be on another machine than the pages, so the row is the channel
(:mod:`verdict.submissions.progress` says what the text means). Writing it must cost the grading
next to nothing and never fail it:

* **Throttled.** The first text is written at once, later ones at most one every
  :data:`INTERVAL` seconds: a problem of a thousand tiny tests makes a few writes a second, not
  a thousand transactions. A text that comes within the interval is not lost but replaced by the
  next one: the latest is written once the interval is over, so the row is never left behind
  while a long test runs.
* **Off the grading's thread.** The grading thread only hands the latest text over (a lock held
  for an assignment); a thread of the publisher's own does the writes, each a short transaction
  of its own. A test never waits for the database, and no lock is held while a test runs.
* **Harmless.** A failed write is logged, never raised. Once closed (the grading ended or was
  abandoned), nothing more is written; the write itself only changes the row while the grading
  still holds its lease (:func:`verdict.grading.service.set_progress`).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from verdict.judge.grader import TestResult
from verdict.submissions.progress import COMPILING, running_test

log = logging.getLogger(__name__)
INTERVAL = 0.25  # seconds between two writes of one grading's progress, at least


class Throttle:
    """When the next write may happen: at once the first time, then ``interval`` after the last."""

    def __init__(self, interval: float) -> None:
        self.interval = interval
        self._last: float | None = None

    def wait(self, now: float) -> float:
        """Seconds to wait before writing (0: write now)."""
        return 0.0 if self._last is None else max(0.0, self._last + self.interval - now)

    def wrote(self, now: float) -> None:
        self._last = now


class ProgressPublisher:
    """Publishes one grading's progress through ``write`` (the text to store), throttled, from a
    thread started by the first text (a grading that publishes nothing costs no thread)."""

    def __init__(
        self,
        write: Callable[[str], object],
        *,
        interval: float = INTERVAL,
        clock: Callable[[], float] = time.monotonic,
        name: str = "verdict-progress",
    ) -> None:
        self._write = write
        self._throttle = Throttle(interval)
        self._clock = clock
        self._name = name
        self._pending: str | None = None
        self._closed = False
        self._changed = threading.Condition()
        self._thread: threading.Thread | None = None

    # what the judge calls (verdict.judge.grader.Grader.grade's hooks) -----------------------------
    def compiling(self) -> None:
        self.publish(COMPILING)

    def tests_start(self, total: int) -> None:
        if total:
            self.publish(running_test(1, total))

    def test_done(self, result: TestResult, index: int, total: int) -> None:
        """Test ``index`` (0-based) finished: the next one runs now. After the last one there is
        nothing to say: the outcome is about to be written."""
        if index + 1 < total:
            self.publish(running_test(index + 2, total))

    # ---------------------------------------------------------------------------------------------
    def publish(self, text: str) -> None:
        """Hands ``text`` over to be written (replacing one not written yet); never blocks on the
        database."""
        with self._changed:
            if self._closed:
                return
            self._pending = text
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name=self._name, daemon=True)
                self._thread.start()
            self._changed.notify()

    def close(self) -> None:
        """No more writes: a text not written yet is dropped (the outcome or the put-back clears
        the row anyway); returns once a write under way has ended."""
        with self._changed:
            self._closed = True
            self._pending = None
            self._changed.notify()
            thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join()

    def _run(self) -> None:
        while (text := self._next()) is not None:
            self._throttle.wrote(self._clock())
            try:
                self._write(text)
            except Exception:  # progress is a courtesy: the grading goes on without it
                log.warning("could not record the grading's progress %r", text, exc_info=True)

    def _next(self) -> str | None:
        """The next text to write, once the throttle allows; None when closed."""
        with self._changed:
            while not self._closed:
                if self._pending is None:
                    self._changed.wait()
                    continue
                wait = self._throttle.wait(self._clock())
                if wait > 0:
                    self._changed.wait(wait)
                    continue
                text, self._pending = self._pending, None
                return text
            return None
