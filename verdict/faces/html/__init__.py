"""The web interface: server-rendered pages (Jinja2, autoescaped) with htmx, for people in a
browser, over the same services as the two API faces.

* :mod:`.pages`: the templates, one environment per language, and what a page knows of its
  request (user from the session cookie, language, CSRF token); every HTML answer gets the
  security headers (:mod:`.security`).
* :mod:`.routes_account`: login, logout, password, API tokens, the language switch.
* :mod:`.routes_admin`: the administrators' users and grading status pages (and its JSON).
* :mod:`.routes_pages`: the welcome page or the dashboard at ``/``.
* :mod:`.routes_course`: a course page (status and grade of each task, registration), the task
  page ``/course/<courseid>/<taskid>`` (with ``?load=<id>``, what the INGInious IDE plugin opens):
  statement, samples, the submission form, the submission watched live (:mod:`.live`, server-sent
  events), the history and diffs; :mod:`.routes_problem`: the same for ``/problem/<problem_id>``.
* :mod:`.routes_teach`: the teachers' pages under ``/teach`` (:mod:`.teach`, :mod:`.teach_stats`).
* :mod:`.routes_competitions`: the game competitions, their rounds and the owner's actions.
* :mod:`.errors`: errors as pages (401 on a page: to the login page).
* :mod:`.i18n`: English, Catalan and Spanish, from the ``.po`` files under ``locales/``.
* :mod:`.assets`: the pinned npm packages (``assets.toml``), fetched by ``./dev`` into
  ``static/vendor/`` and served under ``/static/vendor/``: no CDN.

:func:`install` mounts ``/static`` and the routes, and renders the errors of the face's paths.
"""

from __future__ import annotations

from fastapi import FastAPI
from starlette.staticfiles import StaticFiles

from verdict.faces.html import (
    live,
    routes_account,
    routes_admin,
    routes_competitions,
    routes_course,
    routes_exams,
    routes_pages,
    routes_problem,
    routes_teach,
)
from verdict.faces.html.errors import render_error, render_error_negotiated
from verdict.faces.html.pages import STATIC, Pages
from verdict.settings import Settings
from verdict.web.deps import body_limits, error_routes

# Paths whose errors are pages (``/`` alone is covered by the catch-all below).
PREFIXES = (
    "/login",
    "/logout",
    "/language",
    "/account",
    "/course",
    "/problem",
    "/static",
    "/admin",
    "/teach",
    "/competitions",
    "/exams",
)
FORM_BYTES = 16 * 1024  # three passwords of up to 1024 characters, percent-encoded, fit


def _form_cap(_settings: Settings) -> int:
    return FORM_BYTES


def install(app: FastAPI) -> None:
    """Mount the pages and the static files. Install after the API faces: the catch-all error
    renderer (HTML for browsers under no face's prefix) must come last."""
    app.state.html_pages = Pages()
    app.mount("/static", StaticFiles(directory=STATIC, check_dir=False), name="static")
    for router in (
        routes_pages.router,
        routes_account.router,
        routes_course.router,
        routes_problem.router,
        routes_admin.router,
        routes_teach.router,
        routes_competitions.router,
        routes_exams.router,
    ):
        app.include_router(router)
    routes_competitions.install(app)
    errors = error_routes(app)
    errors.render_under("/admin/status.json", routes_admin.render_json_error)  # before /admin
    for prefix in PREFIXES:
        errors.render_under(prefix, render_error)
    errors.render_under("/", render_error_negotiated)
    limits = body_limits(app)
    for path in ("/login", "/logout", "/language", "/account/password", "/account/tokens"):
        limits.cap("POST", path, _form_cap)
    limits.cap("POST", "/account/tokens/{token_id}/revoke", _form_cap)
    routes_teach.cap_bodies(limits)
    for path in ("/admin/users/new", "/admin/users/{user_id}/role", "/admin/users/{user_id}/password"):
        limits.cap("POST", path, _form_cap)
    limits.cap("POST", "/course/{courseid}/register", _form_cap)
    limits.cap("POST", "/course/{courseid}/{taskid}/submit", live.submission_cap)
    limits.cap("POST", "/problem/{ref}/submit", live.submission_cap)
    for path in routes_exams.FORM_PATHS:
        limits.cap("POST", path, _form_cap)
    limits.cap("POST", routes_exams.SUBMIT_PATH, routes_exams.submit_cap)
