"""The home page (welcome, or the dashboard once logged in) and the task page.

``GET /course/<courseid>/<taskid>?load=<id>`` is the address the INGInious IDE plugin opens after
submitting through the API: the task page with that submission (status, grade, feedback). For
now the page shows the task's name and the user's submissions to it; the statement and the
submission form come later. Access follows the INGInious face: 404 for an unknown course, 403
when not registered (or the course is closed), 404 for a task not open yet, and 404 for a
submission that is not the user's own to that task.
"""

from __future__ import annotations

import sqlalchemy as sa
from fastapi import APIRouter
from sqlalchemy.orm import Session
from starlette.responses import Response

from verdict.courses.access import course_access
from verdict.courses.grades import standings
from verdict.courses.models import Task
from verdict.courses.task_view import get_course, get_task, task_visible
from verdict.errors import NotFound, PermissionDenied
from verdict.faces.html.dashboard import dashboard
from verdict.faces.html.pages import Page, parse_id, signed_in
from verdict.submissions.models import Submission
from verdict.web.deps import DbSession, Now

router = APIRouter(include_in_schema=False)


@router.get("/")
def home(page: Page, session: DbSession, now: Now) -> Response:
    if page.user is None:
        return page.render("welcome.html")
    return page.render("dashboard.html", board=dashboard(session, page.user, now))


@router.get("/course/{courseid}/{taskid}")
def task_page(
    page: Page, session: DbSession, now: Now, courseid: str, taskid: str, load: str | None = None
) -> Response:
    user = signed_in(page)
    course = get_course(session, courseid)
    if course is None:
        raise NotFound(page._("Course not found."))
    access = course_access(session, course, user, now)
    if not access.registered:
        raise PermissionDenied(page._("You are not registered to this course."))
    if not access.open:
        raise PermissionDenied(page._("This course is not accessible now."))
    task = get_task(session, course, taskid)
    if task is None or not task_visible(task, access, now):
        raise NotFound(page._("Task not found."))
    submissions = task_submissions(session, task, user.id)
    loaded = None
    if load is not None:
        wanted = parse_id(load)
        loaded = next((s for s in submissions if s.id == wanted), None)
        if loaded is None:
            raise NotFound(page._("Submission not found."))
    standing = standings(session, user, [task])[task.id]
    return page.render(
        "task.html", course=course, task=task, submissions=submissions, loaded=loaded, standing=standing
    )


def task_submissions(session: Session, task: Task, user_id: int) -> list[Submission]:
    """The user's submissions to ``task``, newest first."""
    return list(
        session.scalars(
            sa.select(Submission)
            .where(Submission.task_id == task.id, Submission.user_id == user_id)
            .order_by(Submission.created_at.desc(), Submission.id.desc())
        )
    )
