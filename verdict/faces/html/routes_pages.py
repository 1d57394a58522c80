"""The home page: the welcome page, or the dashboard once logged in.

The course and task pages are :mod:`.routes_course` (``/course/<courseid>/<taskid>?load=<id>``
is the address the INGInious IDE plugin opens after submitting through the API), and a problem
on its own :mod:`.routes_problem`.
"""

from __future__ import annotations

from fastapi import APIRouter
from starlette.responses import Response

from verdict.faces.html.dashboard import dashboard
from verdict.faces.html.pages import Page
from verdict.web.deps import DbSession, Now

router = APIRouter(include_in_schema=False)


@router.get("/")
def home(page: Page, session: DbSession, now: Now) -> Response:
    if page.user is None:
        return page.render("welcome.html")
    return page.render("dashboard.html", board=dashboard(session, page.user, now))
