"""Content negotiation for the INGInious face: JSON by default, YAML when the client prefers it.

The ``Accept`` header is read as RFC 9110 says: each media range has a quality (``q``, default 1);
the quality of a type is that of the most specific range matching it. YAML is answered when a YAML
type (``application/yaml``, ``application/x-yaml``, ``text/yaml``, ``text/x-yaml``) has a higher
quality than JSON, or the same quality from a more specific or an earlier range. Anything else
(no header, ``*/*``, only unrelated types) gets JSON: the API never answers 406. Errors too
(:func:`render_error`).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import yaml
from starlette.requests import Request
from starlette.responses import Response

from verdict.web.errors import ErrorReport

JSON_TYPE = "application/json"
YAML_TYPES = ("application/yaml", "application/x-yaml", "text/yaml", "text/x-yaml")
_YAML_DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


@dataclass(frozen=True)
class _Range:
    type: str
    subtype: str
    q: float
    position: int

    def matches(self, media_type: str) -> int:
        """Specificity of the match (2 exact, 1 type/*, 0 */*), or -1."""
        main, _, sub = media_type.partition("/")
        if self.type == "*" and self.subtype == "*":
            return 0
        if self.type == main and self.subtype == "*":
            return 1
        if self.type == main and self.subtype == sub:
            return 2
        return -1


def _ranges(accept: str) -> list[_Range]:
    ranges = []
    for position, item in enumerate(accept.split(",")):
        media, *params = item.strip().split(";")
        main, slash, sub = media.strip().lower().partition("/")
        if not slash or not main or not sub:
            continue
        q = 1.0
        for param in params:
            name, _, value = param.strip().partition("=")
            if name.strip().lower() == "q":
                try:
                    q = min(max(float(value), 0.0), 1.0)
                except ValueError:
                    q = 0.0
        ranges.append(_Range(main, sub, q, position))
    return ranges


def _quality(ranges: list[_Range], media_type: str) -> tuple[float, int, int]:
    """(q, specificity, -position) of the most specific range matching ``media_type``."""
    best: tuple[int, _Range] | None = None
    for candidate in ranges:
        specificity = candidate.matches(media_type)
        if specificity >= 0 and (best is None or specificity > best[0]):
            best = (specificity, candidate)
    if best is None:
        return (0.0, -1, 0)
    return (best[1].q, best[0], -best[1].position)


def yaml_type(accept: str | None) -> str | None:
    """The YAML media type to answer with, or None for JSON."""
    if not accept:
        return None
    ranges = _ranges(accept)
    json_quality = _quality(ranges, JSON_TYPE)
    best_yaml, best_quality = None, (0.0, -1, 0)
    for media_type in YAML_TYPES:
        quality = _quality(ranges, media_type)
        if quality > best_quality:
            best_yaml, best_quality = media_type, quality
    if best_yaml is None or best_quality[0] <= 0 or best_quality <= json_quality:
        return None
    return best_yaml


def dump_yaml(data: Any) -> str:
    return yaml.dump(data, Dumper=_YAML_DUMPER, allow_unicode=True, sort_keys=False, default_flow_style=False)


def render(
    request: Request, data: Any, status_code: int = 200, headers: Mapping[str, str] | None = None
) -> Response:
    """``data`` as JSON or YAML, as the request's ``Accept`` header prefers."""
    media_type = yaml_type(request.headers.get("accept"))
    if media_type is not None:
        body = dump_yaml(data).encode("utf-8")
        content_type = f"{media_type}; charset=utf-8"
    else:
        body = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        content_type = JSON_TYPE
    response = Response(body, status_code=status_code, headers=headers, media_type=content_type)
    response.headers["vary"] = "Accept"
    return response


def render_error(request: Request, report: ErrorReport) -> Response:
    """Every error of the face: ``{"error": message}`` in the negotiated format."""
    message = f"invalid request: {report.message}" if report.validation else report.message
    return render(request, {"error": message}, report.status, headers=report.headers or None)
