"""Errors of the web pages, as pages: the application's one error route
(:mod:`verdict.web.errors`) hands them here for the face's paths.

* 401 on a GET (a page for users only, opened without a session): See Other to the login page,
  which comes back here afterwards (``?next=``). Never ``WWW-Authenticate``: a browser would pop up
  its Basic dialog.
* Anything else: an error page with the status, a title in the user's language and the message,
  keeping the report's ``Retry-After``.

Addresses under no face's prefix (``/nowhere``) get the page when the client asks for HTML
(``Accept: text/html``, as browsers do), and the API's ``{"error": message}`` otherwise.
"""

from __future__ import annotations

from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from verdict.accounts.models import User
from verdict.accounts.sessions import SESSION_COOKIE, read_session_cookie
from verdict.faces.html.pages import PageContext, pages_of
from verdict.platform import Platform
from verdict.web.errors import ErrorReport

KEPT_HEADERS = ("retry-after", "connection")


def render_error(request: Request, report: ErrorReport) -> Response:
    platform: Platform = request.app.state.platform
    page = PageContext(request, pages_of(request), platform.settings, _user(request, platform))
    if report.status == 401 and request.method in ("GET", "HEAD"):
        here = page.here()
        return page.redirect("/login?next=" + quote(here, safe="/"))
    response = page.render(
        "error.html", status=report.status, status_code=report.status, message=report.message
    )
    for name, value in report.headers.items():
        if name.lower() in KEPT_HEADERS:
            response.headers[name] = value
    return response


def render_error_negotiated(request: Request, report: ErrorReport) -> Response:
    """Under no face's prefix: a page for browsers, JSON for the rest (as before the face)."""
    if "text/html" in request.headers.get("accept", ""):
        return render_error(request, report)
    return JSONResponse({"error": report.message}, report.status, report.headers or None)


def _user(request: Request, platform: Platform) -> User | None:
    """Who is logged in, for the navigation of the error page (its own short session: the
    request's may be the one that failed)."""
    cookie = request.cookies.get(SESSION_COOKIE)
    if not cookie:
        return None
    with platform.sessionmaker() as session:
        return read_session_cookie(session, platform.settings, cookie)
