"""The exam window as a pure rule (verdict.exams.window): open from the real start to the start
plus running time plus the student's extra time, closed early by staff until reopened, and a
reason for every state. ``now`` is given: the rule never reads a clock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from verdict.exams.window import ExamState, ExamWindow, exam_window

pytestmark = pytest.mark.unit

START = datetime(2026, 6, 22, 12, 0, tzinfo=UTC)


def at(minutes: float, **kwargs: object) -> ExamWindow:
    """The window of a 120-minute exam started at START, ``minutes`` after START."""
    values: dict[str, object] = {"started_at": START, "running_time": 120}
    values.update(kwargs)
    return exam_window(now=START + timedelta(minutes=minutes), **values)  # type: ignore[arg-type]


def test_not_started_until_staff_start_it_whatever_the_time() -> None:
    window = at(30, started_at=None)
    assert window.state == ExamState.NOT_STARTED and not window.open and not window.started
    assert window.reason == "the exam has not started yet"
    assert window.ends_at is None and window.started_at is None


def test_before_the_real_start() -> None:
    window = at(-1)
    assert window.state == ExamState.NOT_STARTED and not window.open
    assert window.reason == "the exam has not started yet (it starts at 2026-06-22 12:00:00 UTC)"


def test_running_from_the_start_included_to_the_end_excluded() -> None:
    for minutes in (0, 60, 119.99):
        window = at(minutes)
        assert window.state == ExamState.RUNNING and window.open and window.started
        assert window.reason == "the exam is running: it ends at 2026-06-22 14:00:00 UTC"
    assert at(0).ends_at == START + timedelta(minutes=120)


def test_ended_at_start_plus_running_time() -> None:
    window = at(120)
    assert window.state == ExamState.ENDED and not window.open and window.started
    assert window.reason == "the exam ended at 2026-06-22 14:00:00 UTC"


def test_extra_time_moves_the_end_of_one_student() -> None:
    assert at(125, extra_minutes=10).open
    window = at(130, extra_minutes=10)
    assert window.state == ExamState.ENDED
    assert window.reason == "the exam ended at 2026-06-22 14:10:00 UTC"
    assert window.ends_at == START + timedelta(minutes=130)


def test_closed_early_by_staff_until_reopened() -> None:
    closed_at = START + timedelta(minutes=30)
    window = at(31, closed_at=closed_at)
    assert window.state == ExamState.CLOSED and not window.open
    assert window.reason == "the exam was closed early for you by staff at 2026-06-22 12:30:00 UTC"
    assert at(31, closed_at=None).open  # reopened: closed_at cleared


def test_closed_wins_over_not_started_and_after_the_end_is_only_ended() -> None:
    before = at(-5, closed_at=START - timedelta(minutes=10))
    assert before.state == ExamState.CLOSED and not before.started  # no problems shown yet
    assert at(5, closed_at=START).started
    assert at(10, started_at=None, closed_at=START).state == ExamState.CLOSED
    assert at(200, closed_at=START + timedelta(minutes=150)).state == ExamState.ENDED


def test_absurd_durations_neither_overflow_nor_go_backwards() -> None:
    assert at(10**6, running_time=10**15).open  # capped at ten years, no OverflowError
    assert at(0, running_time=-5).state == ExamState.ENDED  # a negative time ends at the start
