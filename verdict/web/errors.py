"""One error route for every face.

Services raise :class:`verdict.errors.ServiceError` subclasses (authentication errors included);
FastAPI raises ``RequestValidationError`` and Starlette ``HTTPException`` (no such address, wrong
method); the body counter's ``BodyTooLarge`` is a service error too. Each becomes one
:class:`ErrorReport`, and the face whose prefix the request is under renders it as its own
document: ``{"error": message}`` for INGInious (JSON or YAML by ``Accept``), ``error: {status,
message, field}`` for Jutge. A request under no face's prefix gets ``{"error": message}`` in JSON.

The faces register their renderer on install (:meth:`ErrorRoutes.render_under`); nothing else
formats errors, so the two faces cannot disagree on a status.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from sqlalchemy.exc import IntegrityError
from starlette.exceptions import HTTPException
from starlette.responses import JSONResponse, Response

from verdict.errors import ServiceError


@dataclass(frozen=True)
class ErrorReport:
    """A failed request, as every face's renderer receives it."""

    status: int
    message: str
    field: str | None = None
    headers: dict[str, str] = dataclasses.field(default_factory=dict)
    validation: bool = False  # a request the framework could not even parse into parameters


ErrorRenderer = Callable[[Request, ErrorReport], Response]


def _json_error(_request: Request, report: ErrorReport) -> Response:
    return JSONResponse({"error": report.message}, report.status, report.headers or None)


@dataclass
class ErrorRoutes:
    """The renderers of one application, by path prefix (kept on ``app.state.errors``)."""

    renderers: list[tuple[str, ErrorRenderer]] = dataclasses.field(default_factory=list)

    def render_under(self, prefix: str, renderer: ErrorRenderer) -> None:
        """Errors of requests under ``prefix`` are answered by ``renderer`` (the face's format)."""
        self.renderers.append((prefix.rstrip("/"), renderer))

    def render(self, request: Request, report: ErrorReport) -> Response:
        path = request.url.path
        for prefix, renderer in self.renderers:
            if path == prefix or path.startswith(prefix + "/"):
                return renderer(request, report)
        return _json_error(request, report)


def validation_message(error: RequestValidationError) -> str:
    """FastAPI's validation errors in one line: ``where: what; where: what``."""
    parts = []
    for problem in error.errors():
        where = ".".join(
            str(part) for part in problem.get("loc", ()) if part not in ("body", "query", "path")
        )
        message = str(problem.get("msg", "invalid"))
        parts.append(f"{where}: {message}" if where else message)
    return "; ".join(parts) or "invalid request"


def report_of(error: Exception) -> ErrorReport:
    """The report of any error the route knows; others are not errors of the request (500)."""
    if isinstance(error, ServiceError):
        return ErrorReport(error.status, error.message, error.field, error.headers)
    if isinstance(error, RequestValidationError):
        return ErrorReport(400, validation_message(error), validation=True)
    if isinstance(error, IntegrityError):
        # Two requests created the same object at once: the loser may simply retry.
        return ErrorReport(409, "a concurrent change conflicted with this one: try again")
    assert isinstance(error, HTTPException)
    return ErrorReport(error.status_code, str(error.detail), headers=dict(error.headers or {}))


def install_error_route(app: FastAPI) -> ErrorRoutes:
    """The one error route of ``app``: every known error, rendered by the face of its path."""
    routes = ErrorRoutes()
    app.state.errors = routes

    async def handle(request: Request, error: Exception) -> Response:
        return routes.render(request, report_of(error))

    for kind in (ServiceError, RequestValidationError, IntegrityError, HTTPException):
        app.add_exception_handler(kind, handle)
    return routes
