"""Who is asking: the user of a request's credentials, with no HTTP framework in sight.

Credentials are looked for in this order: ``Authorization: Basic`` (username or email and
password), ``Authorization: Bearer <API token>``, then the signed session cookie. A present but
wrong ``Authorization`` header is an error (never silently anonymous); a stale cookie is ignored.

Failures raise :class:`AuthError` subclasses. What must outlive a refused request (a failed login
counted by the rate limit, a token's ``last_used_at``) is written by the account services in units
of work of their own, so the caller's session is never committed from here.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass

from sqlalchemy.orm import Session

from verdict.accounts import service
from verdict.accounts.cache import CredentialCache
from verdict.accounts.errors import InvalidCredentials
from verdict.accounts.models import User
from verdict.accounts.sessions import read_session_cookie
from verdict.settings import Settings


@dataclass(frozen=True)
class Credentials:
    """What a request presented: its ``Authorization`` header and session cookie, and its address."""

    authorization: str | None = None
    cookie: str | None = None
    ip: str = ""


def resolve_user(
    session: Session, settings: Settings, cache: CredentialCache, credentials: Credentials
) -> User | None:
    """The authenticated user, or None when the request carries no credentials at all."""
    if credentials.authorization:
        return _from_authorization(session, cache, credentials.authorization, credentials.ip)
    if credentials.cookie:
        return read_session_cookie(session, settings, credentials.cookie)
    return None


def _from_authorization(session: Session, cache: CredentialCache, header: str, ip: str) -> User:
    scheme, _, value = header.strip().partition(" ")
    scheme = scheme.lower()
    if scheme == "basic":
        login, password = _decode_basic(value)
        return _basic_login(session, cache, login, password, ip)
    if scheme == "bearer" and value.strip():
        return service.authenticate_token(session, value)
    raise InvalidCredentials("unsupported Authorization header: use Basic or Bearer")


def _basic_login(session: Session, cache: CredentialCache, login: str, password: str, ip: str) -> User:
    # Basic credentials come with every request: skip argon2 for recently verified ones.
    remembered = cache.get(login, password)
    if remembered is not None:
        user = session.get(User, remembered[0])
        if user is not None and user.password_hash == remembered[1]:
            return user
    user = service.authenticate(session, login, password, ip=ip)
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
