"""The ASGI application: a :class:`~verdict.platform.Platform` behind FastAPI, with the faces
mounted, the body caps counted, HEAD and OPTIONS answered and one error route for all."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from verdict.faces import html, inginious, jutge
from verdict.platform import Platform, bootstrap
from verdict.settings import Settings
from verdict.web.body_limits import BodyLimitMiddleware, BodyLimits
from verdict.web.errors import install_error_route
from verdict.web.http_methods import HeadAndOptionsMiddleware


def create_app(settings: Settings | None = None, *, platform: Platform | None = None) -> FastAPI:
    """The application. A platform passed in is closed by whoever made it."""
    owns_platform = platform is None
    platform = platform or bootstrap(settings)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        # Nothing heavy at start-up: migrations are `verdict db upgrade`, graders are workers.
        yield
        if owns_platform:
            platform.close()

    app = FastAPI(title="Verdict", version="0.1.0", lifespan=lifespan)
    app.state.platform = platform
    errors = install_error_route(app)
    # Every body is counted as it arrives; the faces declare their endpoints' caps on install.
    app.state.body_limits = BodyLimits(platform.settings, errors)
    app.add_middleware(BodyLimitMiddleware, limits=app.state.body_limits)
    app.add_middleware(HeadAndOptionsMiddleware, routes=app.router.routes)  # outermost
    inginious.install(app)
    jutge.install(app)
    html.install(app)  # last: its error pages are the catch-all
    return app
