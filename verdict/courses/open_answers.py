"""A teacher grades the open answers of a Jutge quiz submission (:mod:`verdict.courses.jutge_quiz`).

A submission with an open answer is graded *pending* (done, no verdict, no grade). Staff give each
open question a score from 0 to 100 (of that question); the scores are kept with the submission's
answers (``input["_teacher"]``, never a student's to write: :func:`parse_input` stores only the
task's sub-problems) and the submission goes back to the grading queue, which grades it again,
this time with the teacher's scores: the one grading path, idempotent, leases and all.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

from sqlalchemy.orm import Session

from verdict import db
from verdict.courses.access import Access
from verdict.courses.jutge_quiz import TEACHER_KEY
from verdict.courses.models import Task
from verdict.errors import InvalidInput, NotFound, PermissionDenied
from verdict.grading.service import rejudge
from verdict.submissions.models import Submission, SubmissionStatus


def open_pids(task: Task) -> list[str]:
    return [
        pid
        for pid, problem in (task.problems or {}).items()
        if isinstance(problem, Mapping) and problem.get("type") == "open"
    ]


def grade_open_answers(
    session: Session, task: Task, submission_id: int, scores: Mapping[str, str], access: Access
) -> int:
    """Record a teacher's scores (pid -> "0".."100") and put the submission back to grading, in
    one committed unit of work; the caller wakes the queue. Returns the submission's id.
    Raises PermissionDenied (not staff), NotFound, InvalidInput (a pid that is no open question of
    the task, a score out of range, a submission still being graded)."""
    if not access.staff:
        raise PermissionDenied("only the course's staff grade open answers")
    session.commit()  # end the caller's reads: the unit of work takes the write lock first
    db.begin_write(session)
    submission = session.get(Submission, submission_id)
    if submission is None or submission.task_id != task.id:
        raise NotFound("Submission not found")
    if submission.status not in (SubmissionStatus.DONE, SubmissionStatus.ERROR):
        raise InvalidInput("this submission is still being graded: grade its open answers once it is done")
    teacher = dict((submission.input or {}).get(TEACHER_KEY) or {})
    teacher.update(_checked(task, scores))
    submission.input = {**(submission.input or {}), TEACHER_KEY: teacher}
    rejudge(session, submission_ids=[submission.id])
    session.commit()
    return submission.id


def _checked(task: Task, scores: Mapping[str, str]) -> dict[str, float]:
    allowed = open_pids(task)
    if not scores:
        raise InvalidInput(f"give a score for an open question: {', '.join(allowed) or 'the task has none'}")
    checked: dict[str, float] = {}
    for pid, text in scores.items():
        if pid not in allowed:
            raise InvalidInput(f"{pid!r} is not an open question of this task")
        try:
            value = float(text)
        except ValueError:
            raise InvalidInput(f"the score of {pid!r} must be a number from 0 to 100") from None
        if not math.isfinite(value) or not 0 <= value <= 100:
            raise InvalidInput(f"the score of {pid!r} must be a number from 0 to 100")
        checked[pid] = value
    return checked
