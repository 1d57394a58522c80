"""HEAD and OPTIONS on every resource, as RFC 9110 asks of a general-purpose server.

* ``HEAD`` is ``GET`` without the body (section 9.3.2): the application sees a GET, the client
  gets its status and headers (``Content-Length`` included) and no body.
* ``OPTIONS`` on a resource answers 204 with ``Allow``: the methods its routes take, plus HEAD
  where there is GET, plus OPTIONS (section 9.3.7). A path no route knows goes on to the
  application, which answers 404 in the face's own format.

Routes that declare OPTIONS themselves (the Jutge face's catch-all for unknown addresses) are
left to answer it, and do not count in another resource's ``Allow``.
"""

from __future__ import annotations

from fastapi.routing import iter_route_contexts
from starlette.responses import Response
from starlette.routing import BaseRoute, compile_path
from starlette.types import ASGIApp, Message, Receive, Scope, Send


class HeadAndOptionsMiddleware:
    def __init__(self, app: ASGIApp, routes: list[BaseRoute]) -> None:
        self.app = app
        self.routes = routes  # the application's own list: routes added later are seen too

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in ("HEAD", "OPTIONS"):
            await self.app(scope, receive, send)
        elif scope["method"] == "HEAD":
            await self._head(scope, receive, send)
        else:
            await self._options(scope, receive, send)

    async def _head(self, scope: Scope, receive: Receive, send: Send) -> None:
        async def headers_only(message: Message) -> None:
            if message["type"] == "http.response.body":
                if message.get("more_body", False):
                    return  # the end of the body is sent once, empty
                message = {"type": "http.response.body", "body": b"", "more_body": False}
            await send(message)

        # A copy of the scope: the server must still know the request was a HEAD.
        await self.app({**scope, "method": "GET"}, receive, headers_only)

    async def _options(self, scope: Scope, receive: Receive, send: Send) -> None:
        allowed = self.allowed_methods(scope)
        if not allowed:
            await self.app(scope, receive, send)
            return
        await Response(status_code=204, headers={"Allow": ", ".join(sorted(allowed))})(scope, receive, send)

    def allowed_methods(self, scope: Scope) -> set[str]:
        """The methods of the routes whose path matches (empty when none but a catch-all does)."""
        path: str = scope["path"]
        allowed: set[str] = set()
        # FastAPI keeps included routers nested: iter_route_contexts flattens them, as for OpenAPI.
        for route in iter_route_contexts(self.routes):
            methods, template = route.methods or {"GET"}, route.path_format
            if template is None or "OPTIONS" in methods:  # a catch-all answers for itself
                continue
            if compile_path(template)[0].match(path):
                allowed |= methods
        if not allowed:
            return allowed
        if "GET" in allowed:
            allowed.add("HEAD")
        return allowed | {"OPTIONS"}
