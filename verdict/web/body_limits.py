"""Request bodies are counted as they arrive, against a cap per endpoint and one for the server.

:class:`BodyLimitMiddleware` wraps ``receive``: nothing reads a body (``request.body()``, the
form parser, a face's own stream) without every chunk passing through the count first, so a body
over its cap costs at most the cap in memory or on disk, whoever reads it and however.

* A ``Content-Length`` over the cap is answered 413 before the application runs at all.
* A chunked body (or one that lies about its length) is cut the moment the count passes the cap:
  the reader gets :class:`BodyTooLarge`, and whatever the application then answers (a face that
  turns a broken body into 400, a login that turns it into 403), the client gets the 413.
* The 413 is a document in the face's own format, rendered by the application's one error route
  (:mod:`verdict.web.errors`).

Caps are declared per method and path template by the faces when they are installed
(:meth:`BodyLimits.cap`); any other request may carry at most ``Settings.max_body_bytes``, and no
request more than ``Settings.max_request_bytes`` whatever its endpoint declared.

The multipart parser is the second line: :func:`read_form` caps every part as it arrives (before
it is written to a spooled file), and keeps parts in memory up to :data:`MEMORY_SPOOL_BYTES`
so that a submission's files never touch ``/tmp``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from starlette.datastructures import FormData, Headers
from starlette.formparsers import FormParser, MultiPartException, MultiPartParser
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import compile_path
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from verdict.errors import TooLarge
from verdict.settings import Settings
from verdict.web.errors import ErrorReport, ErrorRoutes

CapOf = Callable[[Settings], int]
"""A cap is read from the settings at each request (so that changing a setting changes it)."""
Explain = Callable[[Settings, int], str]


def _explain(_settings: Settings, limit: int) -> str:
    return f"the request body is larger than the {limit} bytes allowed here"


class BodyTooLarge(TooLarge):
    """The body passed its cap while being read. Raised from ``receive``."""

    @property
    def headers(self) -> dict[str, str]:
        return {"connection": "close"}  # the unread rest of the body is not worth waiting for


@dataclass(frozen=True)
class _Cap:
    methods: frozenset[str]
    path: re.Pattern[str]
    limit: CapOf
    explain: Explain


@dataclass
class BodyLimits:
    """The caps of one application (kept on ``app.state.body_limits``)."""

    settings: Settings
    errors: ErrorRoutes
    caps: list[_Cap] = field(default_factory=list)

    def cap(
        self, methods: str | tuple[str, ...], path: str, limit: CapOf, explain: Explain = _explain
    ) -> None:
        """At most ``limit`` bytes for ``methods`` at ``path`` (a route template, ``{id}`` and all);
        ``explain`` words the 413 (say which setting the client hit, not the framing slack)."""
        names = (methods,) if isinstance(methods, str) else methods
        regex = compile_path(path)[0]
        self.caps.append(_Cap(frozenset(name.upper() for name in names), regex, limit, explain))

    def limit_for(self, method: str, path: str) -> tuple[int, str]:
        """The cap of a request, and the message of its 413."""
        settings = self.settings
        ceiling = settings.max_request_bytes
        for cap in self.caps:
            if method in cap.methods and cap.path.match(path):
                limit = cap.limit(settings)
                if limit > ceiling:
                    return ceiling, _explain(settings, ceiling)
                return limit, cap.explain(settings, limit)
        limit = min(settings.max_body_bytes, ceiling)
        return limit, _explain(settings, limit)

    def error_response(self, scope: Scope, status: int, message: str) -> Response:
        return self.errors.render(Request(scope), ErrorReport(status, message))


class BodyLimitMiddleware:
    """Counts every request body against :meth:`BodyLimits.limit_for` (see the module docstring)."""

    def __init__(self, app: ASGIApp, limits: BodyLimits) -> None:
        self.app = app
        self.limits = limits

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit, message = self.limits.limit_for(scope["method"], scope["path"])
        declared = Headers(scope=scope).get("content-length")
        if declared is not None and not (declared.isascii() and declared.isdigit()):
            await self._answer(scope, receive, send, 400, "malformed Content-Length header")
            return
        if declared is not None and int(declared) > limit:
            await self._answer(scope, receive, send, 413, message)
            return
        await _CountedRequest(self, limit, message, scope, receive, send).run()

    async def _answer(self, scope: Scope, receive: Receive, send: Send, status: int, message: str) -> None:
        response = self.limits.error_response(scope, status, message)
        response.headers["connection"] = "close"  # the unread body is not worth waiting for
        await response(scope, receive, send)


class _CountedRequest:
    """One request through the middleware: counts ``receive``, and replaces the application's
    answer by the 413 once the cap was passed."""

    def __init__(
        self,
        middleware: BodyLimitMiddleware,
        limit: int,
        message: str,
        scope: Scope,
        receive: Receive,
        send: Send,
    ) -> None:
        self.middleware, self.limit, self.message = middleware, limit, message
        self.scope, self.receive, self.send = scope, receive, send
        self.received = 0
        self.exceeded = False
        self.started = False  # a response start went out (ours or the application's)
        self.replaced = False  # the application's answer is being swallowed: ours went out

    async def run(self) -> None:
        try:
            await self.middleware.app(self.scope, self.counted_receive, self.checked_send)
        except Exception:
            if not self.exceeded or self.started:
                raise
            await self._send_413()

    async def counted_receive(self) -> Message:
        if self.exceeded:
            raise BodyTooLarge(self.message)
        message = await self.receive()
        if message["type"] == "http.request":
            self.received += len(message.get("body", b""))
            if self.received > self.limit:
                self.exceeded = True
                raise BodyTooLarge(self.message)
        return message

    async def checked_send(self, message: Message) -> None:
        if self.replaced:
            return
        if message["type"] == "http.response.start" and self.exceeded and message["status"] != 413:
            # The application made something of the cut body (400, 403 ...): the truth is 413.
            await self._send_413()
            return
        if message["type"] == "http.response.start":
            self.started = True
        await self.send(message)

    async def _send_413(self) -> None:
        self.started = self.replaced = True
        await self.middleware._answer(self.scope, self.receive, self.send, 413, self.message)


# --------------------------------------------------------------------------- forms


MEMORY_SPOOL_BYTES = 8 * 1024 * 1024
"""A part stays in memory up to this (a submission's files never touch the disk); a bigger one,
which only a package upload may be, goes to a temporary file, still capped as it arrives."""


class PartTooLarge(MultiPartException):
    """One part of a multipart form is over its cap (answered 413)."""


class _CappedMultiPartParser(MultiPartParser):
    """Starlette's parser, with every part (files included) refused past ``max_part_size`` as
    it arrives, before a byte is written to its spooled file, which stays in memory up to
    :data:`MEMORY_SPOOL_BYTES`."""

    def __init__(self, request: Request, *, max_files: int, max_fields: int, max_part_size: int) -> None:
        super().__init__(
            request.headers,
            request.stream(),
            max_files=max_files,
            max_fields=max_fields,
            max_part_size=max_part_size,
        )
        self.spool_max_size = min(max_part_size, MEMORY_SPOOL_BYTES)
        self._part_size = 0

    def on_part_begin(self) -> None:
        super().on_part_begin()
        self._part_size = 0

    def on_part_data(self, data: bytes, start: int, end: int) -> None:
        self._part_size += end - start
        if self._part_size > self.max_part_size:
            raise PartTooLarge(f"a part is larger than the {self.max_part_size} bytes allowed")
        super().on_part_data(data, start, end)


async def read_form(request: Request, *, max_files: int, max_fields: int, max_part_size: int) -> FormData:
    """The multipart or urlencoded form of ``request``, every part at most ``max_part_size``
    bytes; :class:`MultiPartException` when malformed or over a cap (:class:`BodyTooLarge`
    when the whole body is over its cap)."""
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type == "multipart/form-data":
        parser = _CappedMultiPartParser(
            request, max_files=max_files, max_fields=max_fields, max_part_size=max_part_size
        )
        return await parser.parse()
    if content_type == "application/x-www-form-urlencoded":
        form_parser = FormParser(
            request.headers, request.stream(), max_fields=max_fields, max_part_size=max_part_size
        )
        return await form_parser.parse()
    return FormData()


__all__ = ["BodyLimitMiddleware", "BodyLimits", "BodyTooLarge", "PartTooLarge", "read_form"]
