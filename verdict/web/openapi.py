"""OpenAPI fragments the faces share: a route's documented request body (``openapi_extra``) for
endpoints that read their body themselves (documents, forms, uploads) instead of a pydantic model."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any


def request_body(
    schemas: Mapping[str, Mapping[str, Any]], *, description: str | None = None
) -> dict[str, Any]:
    """A required request body: media type → JSON schema of the body in that type."""
    body: dict[str, Any] = {"required": True}
    if description:
        body["description"] = description
    body["content"] = {media_type: {"schema": dict(schema)} for media_type, schema in schemas.items()}
    return {"requestBody": body}


def form_fields(properties: Mapping[str, Any], required: Iterable[str] = ()) -> dict[str, Any]:
    """The schema of a form (or JSON object) with these fields."""
    schema: dict[str, Any] = {"type": "object", "properties": dict(properties)}
    if required:
        schema["required"] = list(required)
    return schema
