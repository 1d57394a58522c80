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

Every error under ``/services`` reaches :func:`render_error` through the web layer's one error
route (:mod:`verdict.web.errors`), whatever raised it: a service, authentication, request
validation, a body over its cap, an unknown address.
"""

from __future__ import annotations

from typing import Any

from fastapi import Request
from starlette.responses import Response

from verdict.faces.jutge.yaml_io import JSON_MEDIA_TYPE, YAML_MEDIA_TYPE, dump_json, dump_yaml
from verdict.web.errors import ErrorReport

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


def render_error(request: Request, report: ErrorReport) -> Response:
    """Every error of the face, as a Jutge error document."""
    return error_response(
        request, report.status, report.message, field=report.field, headers=report.headers or None
    )
