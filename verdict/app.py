"""The one factory: :func:`bootstrap` wires the platform (settings, database, later the queue) and
:func:`create_app` puts it behind FastAPI. The CLI, the workers and the tests call the same two.

Nothing here is a module-level global: every request finds its :class:`Platform` on
``request.app.state.platform``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass, field
from typing import Annotated, Any

from fastapi import Depends, FastAPI, Request
from fastapi.responses import JSONResponse, Response
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from verdict import db
from verdict.accounts.cache import CredentialCache
from verdict.body_limits import BodyLimitMiddleware, BodyLimits
from verdict.datadir import prepare_data_dir
from verdict.http_methods import HeadAndOptionsMiddleware
from verdict.settings import Settings


@dataclass
class Platform:
    """Everything a request, a worker or a command needs, built once by :func:`bootstrap`.

    ``extensions`` is where later services (the grading queue, ...) hang themselves, so that adding
    one does not change every caller's signature.
    """

    settings: Settings
    engine: Engine
    sessionmaker: sessionmaker[Session]
    credentials: CredentialCache = field(default_factory=CredentialCache)  # see accounts.cache
    extensions: dict[str, Any] = field(default_factory=dict)

    @contextmanager
    def session_scope(self) -> Iterator[Session]:
        """A unit of work: commit on success, roll back on error."""
        with db.session_scope(self.sessionmaker) as session:
            yield session

    def close(self) -> None:
        self.engine.dispose()


def bootstrap(
    settings: Settings | None = None, *, engine: Engine | None = None, migrate: bool = False
) -> Platform:
    """Build the platform. Pass ``engine`` to share one (tests); ``migrate`` upgrades the schema
    first (handy for the embedded SQLite default)."""
    # Private data directory and SQLite file, and the secret key checked or kept there (C1).
    settings = prepare_data_dir(settings or Settings())
    engine = engine or db.create_engine(settings.sqlalchemy_url)
    if migrate:
        db.upgrade(engine)
    platform = Platform(settings=settings, engine=engine, sessionmaker=db.make_sessionmaker(engine))
    # Every process that grades (server, worker, CLI) must grade INGInious tasks the same way.
    from verdict.courses.tasks import register_grader

    register_grader(platform)
    return platform


def create_app(settings: Settings | None = None, *, platform: Platform | None = None) -> FastAPI:
    """The ASGI application. Faces (``/api/v0``, ``/services``) are mounted here as they appear."""
    owns_platform = platform is None  # a platform passed in is closed by whoever made it
    platform = platform or bootstrap(settings)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        # Nothing heavy at start-up: migrations are `verdict db upgrade`, graders are workers.
        yield
        if owns_platform:
            platform.close()

    app = FastAPI(title="Verdict", version="0.1.0", lifespan=lifespan)
    app.state.platform = platform
    # Every body is counted as it arrives; the faces declare their endpoints' caps on install.
    app.state.body_limits = BodyLimits(platform.settings)
    app.add_middleware(BodyLimitMiddleware, limits=app.state.body_limits)
    app.add_middleware(HeadAndOptionsMiddleware, routes=app.router.routes)  # outermost
    app.add_exception_handler(_auth_error_class(), _default_auth_error_handler)
    from verdict.faces.inginious import install as install_inginious

    install_inginious(app)
    from verdict.faces.jutge import install as install_jutge

    install_jutge(app)
    return app


def _auth_error_class() -> type[Exception]:
    from verdict.accounts.deps import AuthError

    return AuthError


async def _default_auth_error_handler(_request: Request, error: Exception) -> Response:
    # Faces replace this with their own error format (YAML for Jutge, JSON for INGInious).
    from verdict.accounts.deps import AuthError, unauthorized_response

    assert isinstance(error, AuthError)
    return unauthorized_response(error, JSONResponse({"error": error.message}))


# --------------------------------------------------------------------------- request dependencies


def body_limits(app: FastAPI) -> BodyLimits:
    """The body caps of ``app``, for a face to declare its endpoints' (see verdict.body_limits)."""
    limits: BodyLimits = app.state.body_limits
    return limits


def get_platform(request: Request) -> Platform:
    platform: Platform = request.app.state.platform
    return platform


def get_db(platform: Annotated[Platform, Depends(get_platform)]) -> Iterator[Session]:
    """A session for the request. Endpoints commit explicitly (so that jobs are enqueued only after
    the commit); whatever is left uncommitted is rolled back when the request ends."""
    with platform.sessionmaker() as session:
        yield session


PlatformDep = Annotated[Platform, Depends(get_platform)]
DbSession = Annotated[Session, Depends(get_db)]
