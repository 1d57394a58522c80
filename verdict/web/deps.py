"""The request dependencies every face uses: the platform, a database session, the user.

They live here, not beside the app factory, so that a face imports them and never the app.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Annotated

from fastapi import Depends, FastAPI, Request
from sqlalchemy.orm import Session

from verdict.accounts.credentials import Credentials, resolve_user
from verdict.accounts.errors import AuthError
from verdict.accounts.models import User
from verdict.accounts.sessions import SESSION_COOKIE
from verdict.platform import Platform
from verdict.web.body_limits import BodyLimits
from verdict.web.errors import ErrorRoutes


def get_platform(request: Request) -> Platform:
    platform: Platform = request.app.state.platform
    return platform


PlatformDep = Annotated[Platform, Depends(get_platform)]


def get_db(platform: PlatformDep) -> Iterator[Session]:
    """A session for the request. Use cases commit their own unit of work (so that jobs are
    enqueued only after the commit); whatever is left uncommitted is rolled back at the end."""
    with platform.sessionmaker() as session:
        yield session


DbSession = Annotated[Session, Depends(get_db)]


def get_now(platform: PlatformDep) -> datetime:
    """This request's time, from the platform's clock: a client's clock counts for nothing."""
    return platform.clock()


Now = Annotated[datetime, Depends(get_now)]


def client_ip(request: Request) -> str:
    # The direct peer only: X-Forwarded-For is client-controlled unless a trusted proxy sets it.
    return request.client.host if request.client else ""


def credentials_of(request: Request) -> Credentials:
    return Credentials(
        authorization=request.headers.get("authorization"),
        cookie=request.cookies.get(SESSION_COOKIE),
        ip=client_ip(request),
    )


def current_user_optional(request: Request, session: DbSession, platform: PlatformDep) -> User | None:
    """The authenticated user, or None when the request carries no credentials at all."""
    user = resolve_user(session, platform.settings, platform.credentials, credentials_of(request))
    request.state.user = user
    return user


OptionalUser = Annotated[User | None, Depends(current_user_optional)]


def current_user(user: OptionalUser) -> User:
    """The authenticated user; :class:`AuthError` (401) when there is none."""
    if user is None:
        raise AuthError("authentication required")
    return user


CurrentUser = Annotated[User, Depends(current_user)]


def body_limits(app: FastAPI) -> BodyLimits:
    """The body caps of ``app``, for a face to declare its endpoints' (see verdict.web.body_limits)."""
    limits: BodyLimits = app.state.body_limits
    return limits


def error_routes(app: FastAPI) -> ErrorRoutes:
    """The error route of ``app``, for a face to render its errors (see verdict.web.errors)."""
    routes: ErrorRoutes = app.state.errors
    return routes
