"""Submitting: the use cases that take a student's code or answers and make it waiting.

Each owns its unit of work, as cosmicpython's handlers do: it checks what may be submitted, writes
the waiting submission, commits, and only then wakes the grading queue (a grader woken before the
commit would not see the row). The faces and ``verdict submit`` call these and do nothing else.
"""

from __future__ import annotations

import logging

from sqlalchemy.orm import Session

from verdict.courses.submission_rules import TaskAnswers, create_task_submission
from verdict.db import begin_write
from verdict.errors import NotFound, ServiceError, Unavailable
from verdict.grading.queue import Queue
from verdict.grading.service import NewSubmission, create_submission
from verdict.problems.models import Problem
from verdict.problems.store import parse_problem_ref

log = logging.getLogger(__name__)


def submit_to_problem(
    session: Session, queue: Queue, *, user_id: int, problem_id: str, language: str, source: str
) -> int:
    """A waiting submission of ``source`` to a problem (``P12345``, or ``P12345_en`` for the tests of
    one statement language); returns its id, committed and queued.

    Raises NotFound (no such problem) or Unavailable (committed, but no grader could be woken)."""
    if session.in_transaction():
        session.commit()  # end the caller's reads: the unit of work takes the write lock first
    begin_write(session)
    base, variant = parse_problem_ref(problem_id)
    problem = session.get(Problem, base)
    if problem is None:
        session.rollback()
        raise NotFound(f"no problem {problem_id!r}")
    submission = create_submission(
        session,
        NewSubmission(
            user_id=user_id,
            problem_id=problem.id,
            problem_version_id=problem.current_version_id,
            language=language,
            source=source,
            variant=variant,
        ),
    )
    session.commit()
    wake_for(queue, submission.id)
    return submission.id


def submit_to_task(session: Session, queue: Queue, answers: TaskAnswers) -> int:
    """A waiting submission of decoded answers to an INGInious task; returns its id, committed
    and queued.

    The checks run inside the write transaction, so that two requests cannot both pass them (one
    waiting submission per user and task, submission limits). Raises PermissionDenied (403),
    InvalidInput (400) or Unavailable (500: no grader for a program part, nothing written; or
    committed, but no grader could be woken), in that order of checks."""
    session.commit()  # end the caller's reads: the unit of work takes the write lock first
    begin_write(session)
    try:
        submission = create_task_submission(session, answers)
        submission_id = submission.id
        session.commit()
    except ServiceError:
        session.rollback()
        raise
    wake_for(queue, submission_id)
    return submission_id


def wake_for(queue: Queue, submission_id: int) -> None:
    """Wake a grader for a committed submission. A broker that is down is Unavailable (500), and
    the submission stays waiting: the sweeper of the next grader to start picks it up."""
    try:
        queue.wake()
    except Exception as error:  # whatever the broker raises: the row is safe, the client told
        log.exception("could not wake a grader for submission %s", submission_id)
        raise Unavailable(
            f"no grader available ({error}); submission {submission_id} is kept waiting and "
            "will be graded when a grader is back"
        ) from None
