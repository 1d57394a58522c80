"""The submission life cycle on the real SQLite file and the real PostgreSQL server."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.support.paths import APLUSB
from verdict.db import utcnow
from verdict.grading import service
from verdict.grading.service import NewSubmission, Outcome
from verdict.platform import Platform
from verdict.problems.store import import_package
from verdict.submissions.models import Submission, SubmissionStatus

pytestmark = pytest.mark.integration


def _setup(platform: Platform, make_user, count: int = 2, priority: int = 0) -> list[int]:  # type: ignore[no-untyped-def]
    user = make_user("student1")
    with platform.session_scope() as session:
        problem = import_package(session, APLUSB, settings=platform.settings).problem
        return [
            service.create_submission(
                session, NewSubmission(user.id, problem.id, "Python3", "print(1)", priority=priority)
            ).id
            for _ in range(count)
        ]


def test_claim_is_oldest_first_and_exclusive(platform: Platform, make_user) -> None:  # type: ignore[no-untyped-def]
    first, second = _setup(platform, make_user)
    with platform.sessionmaker() as session:
        assert service.claim_next(session, "a", 60) == first
        assert service.claim_next(session, "b", 60) == second
        assert service.claim_next(session, "c", 60) is None


def test_interactive_beats_rejudge(platform: Platform, make_user) -> None:  # type: ignore[no-untyped-def]
    (old,) = _setup(platform, make_user, 1)
    with platform.session_scope() as session:
        service.rejudge(session, submission_ids=[old])
        problem_id = session.get(Submission, old).problem_id  # type: ignore[union-attr]
        fresh = service.create_submission(
            session, NewSubmission(session.get(Submission, old).user_id, problem_id, "Python3", "print(2)")
        ).id  # type: ignore[union-attr]
    with platform.sessionmaker() as session:
        assert service.claim_next(session, "w", 60) == fresh
        assert service.claim_next(session, "w", 60) == old


def test_exam_beats_practice_and_rejudge(platform: Platform, make_user) -> None:  # type: ignore[no-untyped-def]
    """A running exam's submissions are graded first, even when they arrive last (issue 15)."""
    old, practice = _setup(platform, make_user, 2)
    with platform.session_scope() as session:
        service.rejudge(session, submission_ids=[old])
        template = session.get(Submission, practice)
        assert template is not None and template.problem_id is not None
        exam = service.create_submission(
            session,
            NewSubmission(
                template.user_id, template.problem_id, "Python3", "print(3)", priority=service.PRIORITY_EXAM
            ),
        ).id
    with platform.sessionmaker() as session:
        claimed = [service.claim_next(session, "w", 60) for _ in range(3)]
    assert claimed == [exam, practice, old]


def test_result_written_only_under_the_lease(platform: Platform, make_user) -> None:  # type: ignore[no-untyped-def]
    (submission_id,) = _setup(platform, make_user, 1)
    outcome = Outcome(
        SubmissionStatus.DONE,
        verdict="AC",
        score=100,
        grade=100,
        tests=[{"test_name": "t1", "verdict": "AC", "time": 0.01, "memory": 1000, "message": ""}],
    )
    with platform.sessionmaker() as session:
        assert service.claim_next(session, "slow", 60) == submission_id
        # The slow worker's lease expires; the sweeper gives the submission to another worker.
        session.get(Submission, submission_id).lease_expires_at = utcnow() - timedelta(seconds=1)  # type: ignore[union-attr]
        session.commit()
        assert service.sweep_expired(session) == [submission_id]
        assert service.claim_next(session, "fast", 60) == submission_id
        assert service.complete(session, submission_id, "fast", outcome)
        assert not service.complete(session, submission_id, "slow", outcome)  # dropped: no double grading
        row = session.get(Submission, submission_id)
        session.refresh(row)
        assert row.status == "done" and row.grading_count == 1 and row.attempts == 2  # type: ignore[union-attr]
        assert [t.test_name for t in row.tests] == ["t1"]  # type: ignore[union-attr]


def test_sweeper_gives_up_after_repeated_losses(platform: Platform, make_user) -> None:  # type: ignore[no-untyped-def]
    (submission_id,) = _setup(platform, make_user, 1)
    with platform.sessionmaker() as session:
        for _ in range(service.MAX_ATTEMPTS):
            assert service.claim_next(session, "w", 60) == submission_id
            session.get(Submission, submission_id).lease_expires_at = utcnow() - timedelta(seconds=1)  # type: ignore[union-attr]
            session.commit()
            service.sweep_expired(session)
        row = session.get(Submission, submission_id)
        session.refresh(row)
        assert row.status == "error" and "abandoned" in row.error_reason  # type: ignore[union-attr]


def test_renew_keeps_the_lease(platform: Platform, make_user) -> None:  # type: ignore[no-untyped-def]
    (submission_id,) = _setup(platform, make_user, 1)
    with platform.sessionmaker() as session:
        service.claim_next(session, "w", 1)
        assert service.renew_lease(session, submission_id, "w", 600)
        assert not service.renew_lease(session, submission_id, "other", 600)
        assert service.sweep_expired(session) == []


def test_restart_resumes_waiting_work(platform: Platform, make_user) -> None:  # type: ignore[no-untyped-def]
    """Submissions left waiting by a stopped server (in-process broker: messages gone) are
    graded when graders start again."""
    import time

    import pytest

    from verdict.judge.sandbox import check_available

    if reason := check_available():
        pytest.skip(f"sandbox unavailable: {reason}")
    ids = _setup(platform, make_user, 3)  # committed, never woken: as after a crash
    queue = platform.queue
    queue.start_workers(1)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            with platform.sessionmaker() as session:
                statuses = [session.get(Submission, i).status for i in ids]  # type: ignore[union-attr]
            if all(s == "done" for s in statuses):
                break
            time.sleep(0.1)
    finally:
        queue.stop()
    assert statuses == ["done"] * 3
