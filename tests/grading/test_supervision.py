"""Audit H1 (grader part): two stalled submissions blocked both graders forever, the heartbeat
renewing their leases. A grading now has a deadline from the problem's limits; past it the
grading is abandoned, its sandboxes killed, and the submission put back (IE after
MAX_DEADLINE_ATTEMPTS), while the grader thread goes on to the next submission.

The stall is made two ways: a task grader that never returns, registered through the normal
path (the platform's grader of task submissions), standing for any grading step that hangs; and, end
to end, a real sandbox whose runner is frozen from outside (SIGSTOP, what the audit's ptrace
attach did)."""

from __future__ import annotations

import os
import signal
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.paths import APLUSB
from verdict.accounts.models import User
from verdict.courses.models import Course, Task
from verdict.grading import service
from verdict.grading.graders import Judge, SubmissionGrader, SubmissionKind
from verdict.grading.queue import DramatiqQueue
from verdict.grading.service import NewSubmission, Outcome
from verdict.judge.sandbox import check_available
from verdict.platform import Platform, bootstrap
from verdict.problems.store import import_package
from verdict.settings import Settings
from verdict.submissions.models import Submission

pytestmark = pytest.mark.integration

MARGIN = 2  # seconds of slack on a grading's deadline in these tests
LEASE = 3
RUN_CMDLINE = b"/usr/bin/python3\x00-S\x00main.py\x00"  # the Python3 run, not its compile


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(
        data_dir=tmp_path / "var",
        database_url="",
        broker_url="",
        import_root=tmp_path / "imports",
        secret_key="test-secret-key-that-is-long-enough-0123456789",
        lease_seconds=LEASE,
        grading_margin_seconds=MARGIN,
    )


@pytest.fixture(autouse=True)
def _sandbox() -> None:
    if reason := check_available():
        pytest.skip(f"sandbox unavailable: {reason}")


class StuckGrader:
    """A task grader that hangs until released; counts its calls."""

    def __init__(self) -> None:
        self.release = threading.Event()
        self.calls = 0

    def __call__(self, judge: Judge, submission: Submission) -> Outcome:
        self.calls += 1
        self.release.wait()
        return Outcome(service.SubmissionStatus.DONE, verdict="AC", score=100, grade=100)


@pytest.fixture
def stuck() -> Iterator[StuckGrader]:
    grader = StuckGrader()
    yield grader
    grader.release.set()


@pytest.fixture
def graders(stuck: StuckGrader) -> dict[SubmissionKind, SubmissionGrader]:
    """Passed to ``bootstrap`` by the platform fixture: the stuck grader grades every task."""
    return {SubmissionKind.TASK: stuck}


def _task_submissions(platform: Platform, user: User, count: int) -> list[int]:
    with platform.session_scope() as session:
        course = Course(owner_id=user.id, name="c", slug=f"c{time.monotonic_ns()}")
        session.add(course)
        session.flush()
        task = Task(course_id=course.id, slug="hang")
        session.add(task)
        session.flush()
        return [
            service.create_submission(session, NewSubmission(user.id, None, None, None, task_id=task.id)).id
            for _ in range(count)
        ]


def _row(platform: Platform, submission_id: int) -> Submission:
    with platform.sessionmaker() as session:
        row = session.get(Submission, submission_id)
        assert row is not None
        return row


def test_stalled_grading_is_abandoned_at_its_deadline_and_put_back(
    platform: Platform,
    make_user,  # type: ignore[no-untyped-def]
    stuck: StuckGrader,
) -> None:
    (submission_id,) = _task_submissions(platform, make_user("hostile"), 1)
    engine = platform.grading_engine()
    started = time.monotonic()
    assert engine.grade_next() == submission_id  # returns: the grader thread is free again
    elapsed = time.monotonic() - started
    assert MARGIN <= elapsed < MARGIN + LEASE, elapsed
    row = _row(platform, submission_id)
    assert (row.status, row.lease_owner, row.lease_expires_at, row.attempts) == ("waiting", None, None, 1)
    # Nothing renews the lease after the deadline, and the late result is dropped.
    stuck.release.set()
    time.sleep(0.5)
    row = _row(platform, submission_id)
    assert (row.status, row.grading_count, row.lease_owner) == ("waiting", 0, None)


def test_two_stalled_submissions_do_not_stop_the_grader(
    platform: Platform,
    make_user,  # type: ignore[no-untyped-def]
    stuck: StuckGrader,
) -> None:
    """The audit's case: hostile submissions ahead of an honest one, and one grader thread."""
    user = make_user("student")
    hostile = _task_submissions(platform, user, 2)
    with platform.session_scope() as session:
        problem = import_package(session, APLUSB, settings=platform.settings).problem
        honest = service.create_submission(
            session, NewSubmission(user.id, problem.id, "Python3", "print(sum(map(int, input().split())))")
        ).id
    queue = DramatiqQueue(platform.settings, platform.sessionmaker, platform.graders)
    queue.start_workers(1, sweep=False)
    queue.wake(3)
    deadline = time.monotonic() + 60
    try:
        while time.monotonic() < deadline:
            rows = [_row(platform, i) for i in [*hostile, honest]]
            if all(r.status in ("done", "error") for r in rows):
                break
            time.sleep(0.2)
    finally:
        stuck.release.set()
        queue.stop()
    assert [(r.status, r.verdict) for r in rows] == [("error", "IE"), ("error", "IE"), ("done", "AC")]
    for row in rows[:2]:
        assert row.attempts == service.MAX_DEADLINE_ATTEMPTS and "deadline" in row.error_reason
        assert "limits" in row.feedback
    assert stuck.calls == 2 * service.MAX_DEADLINE_ATTEMPTS


def _descendants(pid: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            parent = int(stat[stat.rindex(")") + 2 :].split()[1])
            children.setdefault(parent, []).append(int(entry.name))
    found, todo = [], list(children.get(pid, []))
    while todo:
        child = todo.pop()
        found.append(child)
        todo += children.get(child, [])
    return found


def _cmdline(pid: int) -> bytes:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return b""


def test_frozen_sandbox_runner_does_not_hold_the_grader(settings: Settings, tmp_path: Path) -> None:
    """End to end on the real sandbox: the program's run starts, then everything in its sandbox is
    stopped (SIGSTOP: the runner cannot enforce its wall limit nor answer). The grading must end
    within its deadline (by the sandbox's own host-side kill, or by the engine's abandonment),
    and the frozen processes must be gone."""
    platform = bootstrap(settings, migrate=True)
    try:
        with platform.session_scope() as session:
            user = User(username="frozen", email="frozen@example.org", full_name="F")
            session.add(user)
            session.flush()
            problem = import_package(session, APLUSB, settings=platform.settings).problem
            submission_id = service.create_submission(
                session, NewSubmission(user.id, problem.id, "Python3", "import time\ntime.sleep(120)\n")
            ).id
        engine = platform.grading_engine()
        done = threading.Event()
        grading = threading.Thread(target=lambda: (engine.grade_next(), done.set()), daemon=True)
        started = time.monotonic()
        grading.start()
        frozen = _freeze_running_program(started)
        assert done.wait(timeout=60), "the grading was never given up"
        elapsed = time.monotonic() - started
        row = _row(platform, submission_id)
        assert row.status != "grading" and row.lease_owner is None
        assert row.status == "waiting" or row.verdict in ("TLE", "IE"), (row.status, row.verdict)
        time.sleep(0.5)
        assert not [pid for pid in frozen if Path(f"/proc/{pid}").exists() and _state(pid) != "Z"]
        assert elapsed < 60
    finally:
        platform.close()


def _state(pid: int) -> str:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return "X"
    return stat[stat.rindex(")") + 2 :].split()[0]


def _freeze_running_program(started: float) -> list[int]:
    """Waits until this process's sandbox runs the submission (python3 sleeping in it), then
    stops every process of that sandbox. Only our own descendants: other tests' sandboxes on
    the machine are left alone."""
    while time.monotonic() - started < 30:
        for pid in _descendants(os.getpid()):
            if _cmdline(pid) == RUN_CMDLINE:
                box = [p for p in _descendants(os.getpid()) if p != os.getpid()]
                for each in box:
                    os.kill(each, signal.SIGSTOP)
                return box
        time.sleep(0.02)
    pytest.fail("the submission's run never started")
