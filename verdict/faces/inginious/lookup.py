"""Finding what an INGInious address names, with INGInious's answers when it cannot be had:
404 for an unknown course, 403 for a course one is not registered to (or that is closed), 404 for
a task one may not see yet (403 when posting a submission to it, as INGInious) — in that order."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from verdict.accounts.models import User
from verdict.courses.access import Access, course_access
from verdict.courses.models import Course, Task
from verdict.courses.submission_rules import NOT_ALLOWED
from verdict.courses.task_view import ChoiceOrder, get_course, get_task, task_visible
from verdict.errors import NotFound, PermissionDenied
from verdict.platform import Platform
from verdict.settings import sandbox_config

MAX_ID = 2**63 - 1  # the largest id a database integer column holds


def visible_course(session: Session, courseid: str, user: User, now: datetime) -> tuple[Course, Access]:
    """The course, if the user may see it: 404 otherwise."""
    course = get_course(session, courseid)
    if course is None:
        raise NotFound("Course not found")
    access = course_access(session, course, user, now)
    if not access.visible:
        raise NotFound("Course not found")
    return course, access


def registered_course(session: Session, courseid: str, user: User, now: datetime) -> tuple[Course, Access]:
    """The course, if the user may work in it: 404 unknown, 403 not registered or closed."""
    course = get_course(session, courseid)
    if course is None:
        raise NotFound("Course not found")
    access = course_access(session, course, user, now)
    if not access.registered:
        raise PermissionDenied("You are not registered to this course")
    if not access.open:
        raise PermissionDenied("This course is not accessible now")
    return course, access


def visible_task(session: Session, course: Course, taskid: str, access: Access, now: datetime) -> Task:
    task = get_task(session, course, taskid)
    if task is None or not task_visible(task, access, now):
        raise NotFound("Task not found")
    return task


def submittable_task(session: Session, course: Course, taskid: str, access: Access, now: datetime) -> Task:
    """The task a submission is posted to: 404 when there is none, 403 when the student may not
    see it (closed, or not started): INGInious answers so, having found the task."""
    task = get_task(session, course, taskid)
    if task is None:
        raise NotFound("Task not found")
    if not task_visible(task, access, now):
        raise PermissionDenied(NOT_ALLOWED)
    return task


def choice_order(platform: Platform, user: User) -> ChoiceOrder:
    """What one student is shown: choice orders, and a Jutge quiz's variables (run in the sandbox)."""
    return ChoiceOrder(
        platform.settings.secret_key, user.username, user.id, sandbox_config(platform.settings)
    )


def parse_id(text: str) -> int | None:
    """A database id written in ASCII digits, or None (``"²".isdigit()`` is True, and ids of
    2**63 and more overflow the column)."""
    if not text.isascii() or not text.isdigit() or len(text) > 19:
        return None
    number = int(text)
    return number if number <= MAX_ID else None
