"""When a student may work in an exam: the window, as a pure rule of a few values and a ``now``.

The window opens at the *real* start (``Exam.started_at``, set by ``actions/start``): before it,
the exam has not begun, whatever its expected ``start`` says, because a class rarely starts on the
minute and the running time counts from the moment staff start it. It closes ``running_time``
minutes later, plus the student's ``extra_minutes`` (staff-given). Staff may close it early for
one student (``ExamStudent.closed_at``) and reopen it (``closed_at`` cleared again), within the
same end.

``now`` is always the platform's clock (``Platform.clock``, the request dependency
``verdict.web.deps.Now``): a client's clock counts for nothing. Every state carries a reason that
a refusal can show as it is.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

TIME_FORMAT = "%Y-%m-%d %H:%M:%S UTC"
MAX_MINUTES = 10 * 366 * 24 * 60  # ten years: longer is a typo, and would overflow a datetime


class ExamState(StrEnum):
    NOT_STARTED = "not_started"  # actions/start not done yet (or a clock before the start)
    RUNNING = "running"  # the student may submit
    ENDED = "ended"  # past the end (running time plus the student's extra time)
    CLOSED = "closed"  # staff closed it early for this student


@dataclass(frozen=True)
class ExamWindow:
    """One student's window at one moment: the state, why, and when it ends (None before start)."""

    state: ExamState
    reason: str
    started_at: datetime | None
    ends_at: datetime | None
    started: bool  # the real start has passed (one closed early sees the problems only then)

    @property
    def open(self) -> bool:
        return self.state == ExamState.RUNNING


def show(moment: datetime) -> str:
    """A moment as the reasons write it (UTC, to the second)."""
    return moment.strftime(TIME_FORMAT)


def ends_at(started_at: datetime | None, running_time: int, extra_minutes: int = 0) -> datetime | None:
    """The end of a student's window: the real start plus running time plus extra time."""
    if started_at is None:
        return None
    minutes = max(0, min(running_time + extra_minutes, MAX_MINUTES))
    return started_at + timedelta(minutes=minutes)


def exam_window(
    *,
    started_at: datetime | None,
    running_time: int,
    now: datetime,
    extra_minutes: int = 0,
    closed_at: datetime | None = None,
) -> ExamWindow:
    """The student's window at ``now``.

    A student closed early stays closed (whatever the start) until staff reopen; closed after
    the end is simply ended. Otherwise: before the real start, not started; from the start
    (included) to the end (excluded), running; from the end on, ended."""
    end = ends_at(started_at, running_time, extra_minutes)
    started = started_at is not None and now >= started_at
    if closed_at is not None and (end is None or closed_at < end):
        reason = f"the exam was closed early for you by staff at {show(closed_at)}"
        return ExamWindow(ExamState.CLOSED, reason, started_at, end, started)
    if started_at is None or end is None:
        return ExamWindow(ExamState.NOT_STARTED, "the exam has not started yet", None, None, False)
    if not started:
        reason = f"the exam has not started yet (it starts at {show(started_at)})"
        return ExamWindow(ExamState.NOT_STARTED, reason, started_at, end, False)
    if now >= end:
        return ExamWindow(ExamState.ENDED, f"the exam ended at {show(end)}", started_at, end, True)
    return ExamWindow(
        ExamState.RUNNING, f"the exam is running: it ends at {show(end)}", started_at, end, True
    )
