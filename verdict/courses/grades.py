"""A student's standing in the tasks of a course, and the course grade.

* The evaluated submission of a task is its ``best`` graded one (ties: the newest) or its ``last``
  graded one (:func:`evaluated_submission`); the task status is ``succeeded``, ``failed`` or
  ``notattempted`` (:func:`standing`).
* A group task's submissions are those of the student's group too (made for a group the student
  was in: :func:`verdict.courses.groups.visible_to`): its grade is every member's.
* The course grade is the weighted mean of the grades of the tasks the user sees (a task not open
  yet does not count until it opens; ``accessible: false`` tasks never count): :func:`course_grade`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import Session

from verdict.accounts.models import User
from verdict.courses.groups import visible_to
from verdict.courses.models import Evaluate, Task
from verdict.courses.windows import window_of
from verdict.judge.verdicts import Verdict
from verdict.submissions.models import Submission, SubmissionStatus


@dataclass(frozen=True)
class Standing:
    status: str  # "succeeded" | "failed" | "notattempted"
    grade: float
    submission: Submission | None  # the evaluated one


NOT_ATTEMPTED = Standing("notattempted", 0.0, None)


def evaluated_submission(task: Task, submissions: Sequence[Submission]) -> Submission | None:
    """The submission that counts: ``best`` grade (ties: the newest) or the ``last`` graded one.

    Only graded submissions (``done``) count."""
    done = [s for s in submissions if s.status == SubmissionStatus.DONE]
    if not done:
        return None
    if task.evaluate == Evaluate.LAST:
        return max(done, key=lambda s: (s.created_at, s.id))
    return max(done, key=lambda s: (s.grade or 0.0, s.created_at, s.id))


def standing(task: Task, submissions: Sequence[Submission]) -> Standing:
    tried = [s for s in submissions if s.status in (SubmissionStatus.DONE, SubmissionStatus.ERROR)]
    if not tried:
        return NOT_ATTEMPTED
    chosen = evaluated_submission(task, submissions)
    if chosen is None:
        return Standing("failed", 0.0, None)
    succeeded = chosen.verdict == Verdict.AC  # every part correct
    return Standing("succeeded" if succeeded else "failed", float(chosen.grade or 0.0), chosen)


def standings(session: Session, user: User, tasks: Sequence[Task]) -> dict[int, Standing]:
    """The user's standing in each task (one query)."""
    if not tasks:
        return {}
    by_task: dict[int, list[Submission]] = {task.id: [] for task in tasks}
    for submission in session.scalars(
        sa.select(Submission).where(visible_to(user.id), Submission.task_id.in_(list(by_task)))
    ):
        by_task[submission.task_id].append(submission)  # type: ignore[index]
    return {task.id: standing(task, by_task[task.id]) for task in tasks}


def course_grade(tasks: Sequence[Task], standings_by_task: Mapping[int, Standing]) -> float:
    """The weighted mean of the grades of ``tasks`` (give the tasks the user sees; tasks never
    accessible are left out even for staff); 0 when no task has weight."""
    counted = [
        (task.weight, standings_by_task.get(task.id, NOT_ATTEMPTED).grade) for task in graded_tasks(tasks)
    ]
    total = sum(weight for weight, _ in counted if weight > 0)
    if total <= 0:
        return 0.0
    return round(sum(weight * grade for weight, grade in counted if weight > 0) / total, 2)


def user_submissions(session: Session, task: Task, user: User) -> list[Submission]:
    """The user's submissions to the task (their group's included), newest first."""
    return list(
        session.scalars(
            sa.select(Submission)
            .where(Submission.task_id == task.id, visible_to(user.id))
            .order_by(Submission.created_at.desc(), Submission.id.desc())
        )
    )


def graded_tasks(tasks: Iterable[Task]) -> list[Task]:
    """The tasks counted in the course grade: all but those never accessible (``false``)."""
    return [task for task in tasks if not window_of(task.accessibility).never]
