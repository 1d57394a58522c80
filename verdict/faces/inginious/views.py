"""Courses, tasks and submissions as the INGInious REST API v0 shows them (plain dicts)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from verdict.accounts.models import User
from verdict.courses.access import Access
from verdict.courses.grades import Standing, course_grade, standings
from verdict.courses.inginious_run import is_run_script_task
from verdict.courses.jutge_quiz import is_pending
from verdict.courses.models import Course, Registration, Task
from verdict.courses.rst_feedback import feedback_html
from verdict.courses.task_view import (
    ChoiceOrder,
    contact_url,
    problem_feedback_html,
    public_problems,
    visible_tasks,
)
from verdict.courses.windows import window_of
from verdict.faces.inginious.results import submission_result
from verdict.submissions.models import Submission, SubmissionStatus

DATE_FORMAT = "%Y-%m-%d %H:%M:%S"
PREFIX = "/api/v0"  # as schemas.PREFIX


def course_view(
    session: Session, course: Course, access: Access, user: User, now: datetime
) -> dict[str, Any]:
    view: dict[str, Any] = {
        "name": course.title or course.name,
        "require_password": course.registration == Registration.PASSWORD,
        "is_registered": access.registered,
    }
    if access.registered:
        tasks = visible_tasks(session, course, access, now)
        view["tasks"] = {task.slug: task.name or task.slug for task in tasks}
        view["grade"] = course_grade(tasks, standings(session, user, tasks))
    return view


def task_view(
    task: Task, course: Course, user: User, standing: Standing, order: ChoiceOrder
) -> dict[str, Any]:
    return {
        "name": task.name or task.slug,
        "authors": [str(author) for author in task.authors or []],
        "contact_url": contact_url(task, course, user),
        "deadline": window_of(task.accessibility).deadline_text(),
        "status": standing.status,
        "grade": standing.grade,
        "context": task.context or "",
        "problems": public_problems(task, order, figures_url(course, task)),
    }


def figures_url(course: Course, task: Task) -> str:
    """Where a Jutge quiz's ``FIG_DIR`` points: the task's figures route."""
    return f"{PREFIX}/courses/{course.slug}/tasks/{task.slug}/figures"


def submission_status(submission: Submission) -> str:
    """done | waiting | error: a submission queued or being graded is ``waiting``, and so is one
    whose open answers wait for a teacher's grade (a Jutge quiz's: :func:`is_pending`)."""
    if submission.status == SubmissionStatus.DONE and is_pending(submission):
        return "waiting"
    if submission.status == SubmissionStatus.DONE:
        return "done"
    if submission.status == SubmissionStatus.ERROR:
        return "error"
    return "waiting"


def submission_view(
    submission: Submission, task: Task, now: datetime | None = None, staff: bool = False
) -> dict[str, Any]:
    """The submission as INGInious's API shows it; feedback kept as reStructuredText rendered now
    (``hidden-until`` parts as of ``now``, every part for ``staff``), as INGInious renders it."""
    status = submission_status(submission)
    view: dict[str, Any] = {
        "id": str(submission.id),
        "submitted_on": submission.created_at.strftime(DATE_FORMAT),
        "status": status,
        "grade": float(submission.grade or 0.0) if status == "done" else 0.0,
        "input": dict(submission.input or {}),
    }
    if is_pending(submission):
        view["feedback"] = feedback_html(submission.feedback or "", now, staff)
    if status == "done":
        view["result"] = submission_result(submission, scripted=is_run_script_task(task))
        view["feedback"] = feedback_html(submission.feedback or "", now, staff)
        view["problems_feedback"] = {
            pid: feedback_html(problem_feedback_html(value), now, staff)
            for pid, value in (submission.problems_feedback or {}).items()
        }
    return view
