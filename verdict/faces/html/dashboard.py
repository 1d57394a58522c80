"""What the dashboard shows: the user's courses (INGInious and Jutge alike: both have tasks, a Jutge
course's being its lists' problems) with the tasks solved and the grade, the courses open to
registration, and the latest submissions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from verdict.accounts.models import User
from verdict.courses.access import courses_for
from verdict.courses.grades import course_grade, standings
from verdict.courses.models import Course, Task
from verdict.courses.task_view import visible_tasks
from verdict.submissions.models import Submission

RECENT = 10


@dataclass(frozen=True)
class CourseCard:
    slug: str
    title: str
    staff: bool
    solved: int
    total: int
    grade: float  # 0-100, weighted as the course grades

    @property
    def percent(self) -> int:
        """Tasks solved, in percent (what the progress bar shows)."""
        return round(100 * self.solved / self.total) if self.total else 0


@dataclass(frozen=True)
class OpenCourse:
    slug: str
    title: str


@dataclass(frozen=True)
class RecentSubmission:
    id: int
    created_at: datetime
    where: str  # "course: task", or the problem id of a submission outside any course
    url: str | None  # the task (or problem) page showing it
    status: str
    verdict: str | None
    grade: float | None


@dataclass(frozen=True)
class Dashboard:
    courses: list[CourseCard]
    open_courses: list[OpenCourse]
    recent: list[RecentSubmission]


def dashboard(session: Session, user: User, now: datetime) -> Dashboard:
    cards, open_courses = [], []
    for course, access in courses_for(session, user, now):
        if not access.registered:
            if access.can_register:
                open_courses.append(OpenCourse(course.slug, course.title or course.name))
            continue
        tasks = visible_tasks(session, course, access, now)
        standing = standings(session, user, tasks)
        solved = sum(1 for task in tasks if standing[task.id].status == "succeeded")
        cards.append(
            CourseCard(
                slug=course.slug,
                title=course.title or course.name,
                staff=access.staff,
                solved=solved,
                total=len(tasks),
                grade=course_grade(tasks, standing),
            )
        )
    return Dashboard(cards, open_courses, recent_submissions(session, user))


def recent_submissions(session: Session, user: User, limit: int = RECENT) -> list[RecentSubmission]:
    rows = session.execute(
        sa.select(Submission, Task, Course)
        .outerjoin(Task, Task.id == Submission.task_id)
        .outerjoin(Course, Course.id == Submission.course_id)
        .where(Submission.user_id == user.id)
        .order_by(Submission.created_at.desc(), Submission.id.desc())
        .limit(limit)
    )
    found = []
    for submission, task, course in rows:
        if task is not None and course is not None:
            where = f"{course.title or course.name}: {task.name or task.slug}"
            url: str | None = f"/course/{course.slug}/{task.slug}?load={submission.id}"
        else:
            where = submission.problem_id or ""
            url = f"/problem/{submission.problem_id}?load={submission.id}" if submission.problem_id else None
        found.append(
            RecentSubmission(
                id=submission.id,
                created_at=submission.created_at,
                where=where,
                url=url,
                status=str(submission.status),
                verdict=str(submission.verdict) if submission.verdict else None,
                grade=submission.grade,
            )
        )
    return found
