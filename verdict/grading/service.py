"""Submissions through their life: created waiting → claimed with a lease → done or error.

The database is the source of truth; the queue only wakes workers. A worker claims the best
waiting submission (lowest priority value, then oldest), renews its lease while grading, and
writes the result only if it still holds the lease. A sweeper puts expired leases back.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from verdict.db import begin_write, utcnow
from verdict.errors import NotFound
from verdict.judge.verdicts import Verdict
from verdict.problems.models import Problem
from verdict.submissions.models import Submission, SubmissionStatus, SubmissionTest

# Priorities: lower is graded first. A running exam beats practice, and a student waiting beats a
# rejudge.
PRIORITY_EXAM = -10
PRIORITY_INTERACTIVE = 0
PRIORITY_REJUDGE = 10
MAX_ATTEMPTS = 3  # claims of one submission before it is given up as an error
# Gradings abandoned past their deadline before the submission is given up (IE). Two, not
# one: a first overrun may be the machine's fault (overloaded, suspended); a second one on
# another claim is the submission's, and every retry costs a grader its whole deadline.
MAX_DEADLINE_ATTEMPTS = 2


@dataclass
class NewSubmission:
    user_id: int
    problem_id: str | None
    language: str | None
    source: str | None
    task_id: int | None = None
    course_id: int | None = None
    exam_id: int | None = None
    input: dict[str, object] | None = None
    priority: int = PRIORITY_INTERACTIVE
    problem_version_id: int | None = None  # the problem's current version, when the caller read it
    variant: str | None = None  # the statement language submitted to (P12345_en -> "en")


def create_submission(session: Session, new: NewSubmission) -> Submission:
    """Adds a waiting submission bound to the problem's current version (read here unless the
    caller, who read the problem already, says which). The caller commits, then wakes a worker
    (never before the commit: the worker would not see the row)."""
    version_id = new.problem_version_id
    if new.problem_id is not None and version_id is None:
        problem = session.get(Problem, new.problem_id)
        if problem is None:
            raise NotFound(f"no problem {new.problem_id!r}")
        version_id = problem.current_version_id
    submission = Submission(
        user_id=new.user_id,
        problem_id=new.problem_id,
        problem_version_id=version_id,
        task_id=new.task_id,
        course_id=new.course_id,
        exam_id=new.exam_id,
        language=new.language,
        variant=new.variant,
        source=new.source,
        input=new.input or {},
        priority=new.priority,
        status=SubmissionStatus.WAITING,
    )
    session.add(submission)
    session.flush()
    return submission


def claim_next(session: Session, owner: str, lease_seconds: float) -> int | None:
    """Claims the best waiting submission for `owner`; returns its id, or None when none waits.

    The UPDATE re-checks status = waiting, so of two workers racing for one row exactly one
    wins (SQLite serialises writers; PostgreSQL re-evaluates the WHERE after the row lock).
    """
    for _ in range(20):
        begin_write(session)  # SQLite: take the write lock before reading the candidate
        candidate = session.scalar(
            sa.select(Submission.id)
            .where(Submission.status == SubmissionStatus.WAITING)
            .order_by(Submission.priority, Submission.id)
            .limit(1)
        )
        if candidate is None:
            session.rollback()
            return None
        now = utcnow()
        claimed = _rows_changed(
            session,
            sa.update(Submission)
            .where(Submission.id == candidate, Submission.status == SubmissionStatus.WAITING)
            .values(
                status=SubmissionStatus.GRADING,
                lease_owner=owner,
                lease_expires_at=now + timedelta(seconds=lease_seconds),
                attempts=Submission.attempts + 1,
                progress=None,
            )
            .execution_options(synchronize_session=False),
        )
        session.commit()
        if claimed:
            return candidate
    return None


def _rows_changed(session: Session, statement: sa.Update) -> int:
    """How many rows an UPDATE changed: the compare-and-set that makes leases safe."""
    result = session.execute(statement)
    assert isinstance(result, sa.CursorResult)  # an UPDATE always answers with a cursor
    return result.rowcount


def _update_while_held(submission_id: int, owner: str) -> sa.Update:
    """An UPDATE of the submission that matches only while ``owner`` grades it under its lease."""
    return (
        sa.update(Submission)
        .where(
            Submission.id == submission_id,
            Submission.lease_owner == owner,
            Submission.status == SubmissionStatus.GRADING,
        )
        .execution_options(synchronize_session=False)
    )


def renew_lease(session: Session, submission_id: int, owner: str, lease_seconds: float) -> bool:
    begin_write(session)
    renewed = _rows_changed(
        session,
        _update_while_held(submission_id, owner).values(
            lease_expires_at=utcnow() + timedelta(seconds=lease_seconds)
        ),
    )
    session.commit()
    return bool(renewed)


def set_progress(session: Session, submission_id: int, owner: str, progress: str | None) -> bool:
    """Records what the grading is doing now (:mod:`verdict.submissions.progress`), only while
    ``owner`` holds the lease: a write of a grading abandoned or lost meanwhile changes nothing.
    One short transaction of its own (a single UPDATE: no lock held past it)."""
    changed = _rows_changed(
        session,
        _update_while_held(submission_id, owner).values(progress=progress),
    )
    session.commit()
    return bool(changed)


@dataclass
class Outcome:
    """What grading produced, ready to be stored."""

    status: SubmissionStatus
    verdict: Verdict | None = None
    score: float | None = None
    grade: float | None = None
    feedback: str = ""
    problems_feedback: dict[str, object] | None = None
    compiler_output: str = ""
    error_reason: str = ""
    tests: list[dict[str, object]] | None = None
    # What an INGInious run script set besides its feedback (verdict.courses.inginious_run).
    custom: dict[str, object] | None = None
    tags: dict[str, object] | None = None
    state: str = ""


def complete(session: Session, submission_id: int, owner: str, outcome: Outcome) -> bool:
    """Stores the outcome if `owner` still holds the lease; False when it was lost (then the
    submission belongs to another worker, and this result is dropped: no double grading)."""
    begin_write(session)
    stored = _rows_changed(
        session,
        _update_while_held(submission_id, owner).values(
            status=outcome.status,
            verdict=outcome.verdict,
            score=outcome.score,
            grade=outcome.grade,
            feedback=outcome.feedback,
            problems_feedback=outcome.problems_feedback or {},
            compiler_output=outcome.compiler_output,
            error_reason=outcome.error_reason,
            custom=outcome.custom or {},
            tags=outcome.tags or {},
            state=outcome.state,
            graded_at=utcnow(),
            lease_owner=None,
            lease_expires_at=None,
            progress=None,
            grading_count=Submission.grading_count + 1,
        ),
    )
    if not stored:
        session.rollback()
        return False
    session.execute(sa.delete(SubmissionTest).where(SubmissionTest.submission_id == submission_id))
    for position, test in enumerate(outcome.tests or []):
        session.add(SubmissionTest(submission_id=submission_id, position=position, **test))
    session.commit()
    return True


def sweep_expired(session: Session, now: datetime | None = None) -> list[int]:
    """Puts back submissions whose lease expired (worker killed, machine lost); gives up on
    those claimed too often. Returns the ids put back to waiting."""
    now = now or utcnow()
    begin_write(session)
    expired = list(
        session.scalars(
            sa.select(Submission.id).where(
                Submission.status == SubmissionStatus.GRADING, Submission.lease_expires_at < now
            )
        )
    )
    return _put_back(session, expired)


def sweep_dead_owners(session: Session, is_dead: Callable[[str], bool]) -> list[int]:
    """Puts back submissions whose lease owner is known to be dead (a worker killed on this
    machine), without waiting for the lease to expire. Returns the ids put back to waiting."""
    begin_write(session)
    grading = session.execute(
        sa.select(Submission.id, Submission.lease_owner).where(Submission.status == SubmissionStatus.GRADING)
    ).all()
    return _put_back(session, [row.id for row in grading if row.lease_owner and is_dead(row.lease_owner)])


def _put_back(session: Session, submission_ids: list[int]) -> list[int]:
    """Back to waiting (in the caller's write transaction, committed here), or given up after
    MAX_ATTEMPTS claims. Returns the ids put back."""
    requeued = []
    for submission_id in submission_ids:
        submission = session.get(Submission, submission_id)
        if submission is None or submission.status != SubmissionStatus.GRADING:
            continue
        submission.lease_owner = None
        submission.lease_expires_at = None
        submission.progress = None
        if submission.attempts >= MAX_ATTEMPTS:
            submission.status = SubmissionStatus.ERROR
            submission.error_reason = f"grading abandoned after {submission.attempts} attempts"
        else:
            submission.status = SubmissionStatus.WAITING
            requeued.append(submission_id)
    session.commit()
    return requeued


def abandon(session: Session, submission_id: int, owner: str, why: str) -> bool:
    """A grading abandoned by its own worker (past its deadline): the submission goes back to
    waiting, or ends IE after MAX_DEADLINE_ATTEMPTS claims. Only while `owner` holds the lease
    (compare-and-set, as in complete). True when it was put back to waiting."""
    begin_write(session)
    submission = session.get(Submission, submission_id, with_for_update=True, populate_existing=True)
    if submission is None or submission.status != SubmissionStatus.GRADING or submission.lease_owner != owner:
        session.rollback()
        return False
    submission.lease_owner = None
    submission.lease_expires_at = None
    submission.progress = None
    requeued = submission.attempts < MAX_DEADLINE_ATTEMPTS
    if requeued:
        submission.status = SubmissionStatus.WAITING
    else:
        submission.status = SubmissionStatus.ERROR
        submission.verdict = Verdict.IE
        submission.error_reason = f"grading abandoned on {submission.attempts} attempts: {why}"
        submission.feedback = (
            "<p><b>Internal error</b>: grading took longer than the problem's limits allow.</p>"
        )
        submission.graded_at = utcnow()
    session.commit()
    return requeued


def waiting_count(session: Session) -> int:
    return (
        session.scalar(
            sa.select(sa.func.count())
            .select_from(Submission)
            .where(Submission.status == SubmissionStatus.WAITING)
        )
        or 0
    )


def rejudge(
    session: Session,
    *,
    submission_ids: list[int] | None = None,
    problem_id: str | None = None,
    priority: int = PRIORITY_REJUDGE,
) -> list[int]:
    """Puts submissions back to waiting (by ids, or all of a problem) at rejudge priority,
    against the problem's current version. Submissions being graded are left alone."""
    query = sa.select(Submission).where(Submission.status != SubmissionStatus.GRADING)
    if submission_ids is not None:
        query = query.where(Submission.id.in_(submission_ids))
    if problem_id is not None:
        query = query.where(Submission.problem_id == problem_id)
    ids = []
    for submission in session.scalars(query):
        if submission.problem_id is not None:
            problem = session.get(Problem, submission.problem_id)
            submission.problem_version_id = problem.current_version_id if problem else None
        submission.status = SubmissionStatus.WAITING
        submission.priority = priority
        submission.attempts = 0
        ids.append(submission.id)
    session.flush()
    return ids
