"""Errors of the Jutge face, in the answers' own format.

Every failure of a ``/services`` request is a document, YAML unless ``?format=json``::

    ---
    error:
      status: 400
      message: "public: must be 0 or 1, not 2"
      field: public          # only when one part of the input is to blame

Statuses: 400 malformed or invalid input, 401 missing or wrong credentials (with
``WWW-Authenticate: Basic``), 403 not allowed, 404 unknown object or address, 405 wrong method,
409 conflict (an existing object where only creation applies, a concurrent change), 413 an upload
over its cap, 429 too many failed logins (with ``Retry-After``).

The routes of the face use :class:`JutgeRoute`, which formats service errors, authentication
errors and request validation errors itself, so the face does not depend on which global
exception handlers other faces install. :func:`install_auth_error_handler` also formats the
authentication errors raised on ``/services`` paths outside those routes and hands the others to
the handler that was there before.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from sqlalchemy.exc import IntegrityError
from starlette.responses import Response

from verdict.accounts.deps import AuthError, unauthorized_response
from verdict.errors import ServiceError
from verdict.faces.jutge.yaml_io import JSON_MEDIA_TYPE, YAML_MEDIA_TYPE, dump_json, dump_yaml

PREFIX = "/services"


def wants_json(request: Request) -> bool:
    return request.query_params.get("format", "").strip().lower() == "json"


def render(request: Request, data: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    """``data`` as YAML, or as JSON with ``?format=json``."""
    if wants_json(request):
        return Response(dump_json(data), status, headers, media_type=JSON_MEDIA_TYPE)
    return Response(dump_yaml(data), status, headers, media_type=YAML_MEDIA_TYPE)


def error_document(status: int, message: str, field: str | None = None) -> dict[str, Any]:
    error: dict[str, Any] = {"status": status, "message": message}
    if field:
        error["field"] = field
    return {"error": error}


def error_response(
    request: Request,
    status: int,
    message: str,
    *,
    field: str | None = None,
    headers: dict[str, str] | None = None,
) -> Response:
    return render(request, error_document(status, message, field), status, headers)


def auth_error_response(request: Request, error: AuthError) -> Response:
    return unauthorized_response(error, error_response(request, error.status_code, error.message))


class JutgeRoute(APIRoute):
    """A route whose failures are answered as Jutge error documents."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def jutge_handler(request: Request) -> Response:
            try:
                return await handler(request)
            except ServiceError as error:
                return error_response(
                    request, error.status, error.message, field=error.field, headers=error.headers or None
                )
            except AuthError as error:
                return auth_error_response(request, error)
            except RequestValidationError as error:
                return error_response(request, 400, validation_message(error))
            except IntegrityError:
                # Two requests created the same object at once: the loser may simply retry.
                return error_response(request, 409, "a concurrent change conflicted with this one: try again")

        return jutge_handler


def validation_message(error: RequestValidationError) -> str:
    parts = []
    for problem in error.errors():
        where = ".".join(
            str(part) for part in problem.get("loc", ()) if part not in ("body", "query", "path")
        )
        parts.append(
            f"{where}: {problem.get('msg', 'invalid')}" if where else str(problem.get("msg", "invalid"))
        )
    return "; ".join(parts) or "invalid request"


def install_auth_error_handler(app: FastAPI) -> None:
    """Format :class:`AuthError` on ``/services`` paths; defer to the previous handler elsewhere."""
    previous = app.exception_handlers.get(AuthError)

    async def handler(request: Request, error: Exception) -> Response:
        assert isinstance(error, AuthError)
        if request.url.path == PREFIX or request.url.path.startswith(PREFIX + "/") or previous is None:
            return auth_error_response(request, error)
        result = previous(request, error)
        return await result if isinstance(result, Awaitable) else result

    app.add_exception_handler(AuthError, handler)
