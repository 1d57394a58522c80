"""What a course page shows a student: the course's tasks, each with its status for the student
(accepted, tried, not tried) and grade, and the course grade.

A Jutge course is made of lists: its tasks follow them (:mod:`verdict.courses.sync`: one task per
problem reference, the task's slug), so the page shows each list with its headers and, under them,
the tasks of its problems. Tasks that are in no list (an INGInious course's, all of them) follow
in the course's order (``toc`` / ``order``). Only the tasks the student sees are shown.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.orm import Session

from verdict.accounts.models import User
from verdict.courses.access import Access
from verdict.courses.grades import Standing, course_grade, standings
from verdict.courses.models import Course, ListItemKind, Task
from verdict.courses.task_view import visible_tasks
from verdict.courses.windows import window_of


@dataclass(frozen=True)
class TaskRow:
    slug: str
    name: str
    status: str  # "succeeded" | "failed" | "notattempted"
    grade: float
    deadline: str  # "" when none
    closed: bool  # past its deadline


@dataclass
class Section:
    """A list of the course, or the tasks in no list. ``rows`` hold headers (str) and tasks."""

    title: str
    description: str = ""
    rows: list[str | TaskRow] = field(default_factory=list)


@dataclass(frozen=True)
class CoursePage:
    sections: list[Section]
    grade: float
    solved: int
    total: int


def course_page(session: Session, course: Course, user: User, access: Access, now: datetime) -> CoursePage:
    tasks = visible_tasks(session, course, access, now)
    standing = standings(session, user, tasks)
    by_slug = {task.slug: task for task in tasks}
    placed: set[str] = set()
    sections: list[Section] = []
    for course_list in course.course_lists:
        plist = course_list.list
        section = Section(plist.title or plist.name, plist.description or "")
        for item in plist.items:
            if item.kind == ListItemKind.HEADER:
                section.rows.append(item.value)
            elif item.kind == ListItemKind.PROBLEM and item.value in by_slug:
                section.rows.append(_row(by_slug[item.value], standing[by_slug[item.value].id], now))
                placed.add(item.value)
        sections.append(section)
    others = [task for task in tasks if task.slug not in placed]
    if others or not sections:
        sections.append(Section("", rows=[_row(task, standing[task.id], now) for task in others]))
    solved = sum(1 for task in tasks if standing[task.id].status == "succeeded")
    return CoursePage(sections, course_grade(tasks, standing), solved, len(tasks))


def _row(task: Task, standing: Standing, now: datetime) -> TaskRow:
    window = window_of(task.accessibility)
    return TaskRow(
        slug=task.slug,
        name=task.name or task.slug,
        status=standing.status,
        grade=standing.grade,
        deadline=window.deadline_text(),
        closed=not window.is_open(now),
    )
