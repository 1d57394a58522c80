"""What a submission being graded is doing now, as stored in ``submissions.progress``.

The grading engine writes it (:mod:`verdict.grading.progress`), the pages read it; it may be
written on another machine, so the database row is the channel. The text is short and counts
only, never a test's name (a hidden test's name is a secret):

* ``compiling``: the grading started (compiling, preparing the checker, setting the time limit);
* ``test i/N``: test *i* of the package's *N* is running: ``i`` is the number of the test being
  run now (tests finished + 1), 1-based, counted in the package's order, so it only grows (tests a
  failed group skips are jumped over);
* NULL: nothing known beyond the status (waiting, done, or a kind of grading that publishes no
  progress: a run script, a quiz, a game player). The outcome's write clears it, and so does
  putting a submission back.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

COMPILING = "compiling"
MAX_LENGTH = 64  # the column's width
_TEST = re.compile(r"test (\d{1,9})/(\d{1,9})")


@dataclass(frozen=True)
class Progress:
    """A parsed progress: compiling (``total`` 0), or running test ``test`` of ``total``."""

    test: int = 0
    total: int = 0

    @property
    def compiling(self) -> bool:
        return self.total == 0


def running_test(test: int, total: int) -> str:
    """The stored text of "test ``test`` (1-based) of ``total`` is running"."""
    return f"test {test}/{total}"


def parse(text: str | None) -> Progress | None:
    """The progress a row's text says, or None (no progress, or a text this version does not know)."""
    if text == COMPILING:
        return Progress()
    found = _TEST.fullmatch(text or "")
    if found is None:
        return None
    test, total = int(found[1]), int(found[2])
    return Progress(test, total) if 1 <= test <= total else None
