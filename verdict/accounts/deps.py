"""FastAPI dependencies resolving the current user, shared by every face.

Credentials are looked for in this order: ``Authorization: Basic`` (username or email and
password), ``Authorization: Bearer <API token>``, then the signed session cookie. A present but
wrong ``Authorization`` header is an error (never silently anonymous); a stale cookie is ignored.

Failures raise :class:`AuthError` subclasses; each face formats them (its exception handler can
use :func:`unauthorized_response` for the status code and ``WWW-Authenticate`` header).
"""

from __future__ import annotations

import base64
import binascii
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session
from starlette.responses import Response

from verdict.accounts import service
from verdict.accounts.cache import CredentialCache
from verdict.accounts.errors import AuthError, InvalidCredentials, LoginRateLimited
from verdict.accounts.models import User
from verdict.accounts.sessions import SESSION_COOKIE, read_session_cookie
from verdict.app import DbSession, Platform, PlatformDep

__all__ = [
    "AuthError",
    "CurrentUser",
    "OptionalUser",
    "auth_headers",
    "client_ip",
    "current_user",
    "current_user_optional",
    "login_with_password",
    "unauthorized_response",
]

REALM = "verdict"


def current_user_optional(request: Request, session: DbSession, platform: PlatformDep) -> User | None:
    """The authenticated user, or None when the request carries no credentials at all."""
    header = request.headers.get("authorization")
    user: User | None
    if header:
        user = _from_authorization(session, platform, header, client_ip(request))
    else:
        cookie = request.cookies.get(SESSION_COOKIE)
        user = read_session_cookie(session, platform.settings, cookie) if cookie else None
    request.state.user = user
    return user


def current_user(user: Annotated[User | None, Depends(current_user_optional)]) -> User:
    """The authenticated user; :class:`AuthError` (401) when there is none."""
    if user is None:
        raise AuthError("authentication required")
    return user


OptionalUser = Annotated[User | None, Depends(current_user_optional)]
CurrentUser = Annotated[User, Depends(current_user)]


def login_with_password(session: Session, login: str, password: str, ip: str = "") -> User:
    """:func:`service.authenticate`, committed whatever the outcome, so that failed attempts count
    towards the rate limit even though the request then fails."""
    try:
        user = service.authenticate(session, login, password, ip=ip)
    finally:
        session.commit()
    return user


def client_ip(request: Request) -> str:
    # The direct peer only: X-Forwarded-For is client-controlled unless a trusted proxy sets it.
    return request.client.host if request.client else ""


def auth_headers(error: AuthError) -> dict[str, str]:
    """Headers to send with an authentication error."""
    if isinstance(error, LoginRateLimited):
        return {"Retry-After": str(error.retry_after)}
    return {"WWW-Authenticate": f'Basic realm="{REALM}", charset="UTF-8"'}


def unauthorized_response(error: AuthError, response: Response | None = None) -> Response:
    """``response`` (the face's formatted body; empty if None) with the error's status and headers."""
    response = response if response is not None else Response()
    response.status_code = error.status_code
    response.headers.update(auth_headers(error))
    return response


def _from_authorization(session: Session, platform: Platform, header: str, ip: str) -> User:
    scheme, _, credentials = header.strip().partition(" ")
    scheme = scheme.lower()
    if scheme == "basic":
        login, password = _decode_basic(credentials)
        return _basic_login(session, platform.credentials, login, password, ip)
    if scheme == "bearer" and credentials.strip():
        try:
            return service.authenticate_token(session, credentials)
        finally:
            session.commit()  # keeps last_used_at
    raise InvalidCredentials("unsupported Authorization header: use Basic or Bearer")


def _basic_login(session: Session, cache: CredentialCache, login: str, password: str, ip: str) -> User:
    # Basic credentials come with every request: skip argon2 for recently verified ones.
    remembered = cache.get(login, password)
    if remembered is not None:
        user = session.get(User, remembered[0])
        if user is not None and user.password_hash == remembered[1]:
            return user
    user = login_with_password(session, login, password, ip)
    if user.password_hash:
        cache.put(login, password, user.id, user.password_hash)
    return user


def _decode_basic(credentials: str) -> tuple[str, str]:
    try:
        decoded = base64.b64decode(credentials.strip(), validate=True).decode("utf-8")
    except (binascii.Error, ValueError):  # ValueError: non-ASCII text; UnicodeDecodeError is one too
        raise InvalidCredentials("malformed Basic credentials") from None
    login, colon, password = decoded.partition(":")
    if not colon or not login or "\x00" in decoded:  # PostgreSQL refuses NUL in text
        raise InvalidCredentials("malformed Basic credentials")
    return login, password
