"""The Jutge.org face: the web services at ``/services/...`` (see
``shared/reference/jutge-web-services.txt``).

HTTP Basic authentication (or a bearer token) on every service; answers in YAML, or JSON with
``?format=json``; input documents in YAML (or JSON) as the body of a PUT (``curl -T doc.yml``);
objects named ``owner:name``; errors as documents (:mod:`verdict.faces.jutge.errors`).

Modules: :mod:`.yaml_io` (loading and dumping), :mod:`.errors` (error documents, the route
class), :mod:`.common` (user, bodies, document fields), one module per service family. A new
family (exams, competitions) is a module with a ``router``, added to :data:`ROUTERS`.
"""

from __future__ import annotations

import re

from fastapi import APIRouter, FastAPI, Request
from fastapi.routing import APIRoute
from starlette.responses import Response
from starlette.routing import compile_path

from verdict.faces.jutge import competitions, courses, exam_mode, exam_results, exams, lists, problems
from verdict.faces.jutge.common import document_cap, upload_cap, url_form_cap
from verdict.faces.jutge.errors import PREFIX, error_response, render_error
from verdict.settings import Settings
from verdict.web.deps import body_limits, error_routes

ROUTERS: tuple[APIRouter, ...] = (
    courses.router,
    lists.router,
    problems.router,
    exams.router,
    exam_results.router,
    exam_mode.router,
    competitions.router,
)
ALL_METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]

__all__ = ["PREFIX", "ROUTERS", "install"]


def install(app: FastAPI) -> None:
    """Mount the services on ``app`` under ``/services``."""
    known: list[tuple[re.Pattern[str], set[str]]] = []
    for router in ROUTERS:
        app.include_router(router, prefix=PREFIX)
        for route in router.routes:
            if isinstance(route, APIRoute):
                known.append((compile_path(PREFIX + route.path)[0], set(route.methods or ())))

    def unknown(request: Request) -> Response:
        path = request.scope["path"]
        allowed = sorted({method for regex, methods in known if regex.match(path) for method in methods})
        if allowed:
            methods = ", ".join(allowed)
            message = f"method {request.method} not allowed at {path} (use {methods})"
            return error_response(request, 405, message, headers={"Allow": methods})
        return error_response(request, 404, f"no service at {path}")

    # Last: unknown addresses and methods under /services get an error document too. (Routes
    # added under /services after this would be shadowed: add their router to ROUTERS instead.)
    fallback = APIRouter()
    fallback.add_api_route("", unknown, methods=ALL_METHODS, include_in_schema=False)
    fallback.add_api_route("/{rest:path}", unknown, methods=ALL_METHODS, include_in_schema=False)
    app.include_router(fallback, prefix=PREFIX)
    error_routes(app).render_under(PREFIX, render_error)
    _declare_body_caps(app)


def _explain_upload(settings: Settings, _limit: int) -> str:
    return f"the upload is larger than the {settings.max_package_bytes} bytes allowed"


def _declare_body_caps(app: FastAPI) -> None:
    """Bodies are documents (PUT), archives (add-upload, update-upload) and one URL (add-url,
    update-url); any other request of the face may carry ``Settings.max_body_bytes``."""
    limits = body_limits(app)
    for path in ("/courses", "/lists", "/problems", "/exams", "/competitions"):
        limits.cap("PUT", PREFIX + path, document_cap)
    for path in ("/problems/add-upload", "/problems/{ref}/update-upload"):
        limits.cap("POST", PREFIX + path, upload_cap, _explain_upload)
    for path in ("/problems/add-url", "/problems/{ref}/update-url"):
        limits.cap("POST", PREFIX + path, url_form_cap)
    limits.cap("POST", PREFIX + "/exams/{ref}/enter", document_cap)  # exam mode: a password
    limits.cap("POST", PREFIX + "/exams/{ref}/submissions", exam_mode.source_cap)  # one program
