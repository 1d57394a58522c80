"""Browser sessions as signed cookies (no server-side session table).

The cookie is ``<user id>.<expiry unix time>.<signature>`` where the signature is an HMAC-SHA256,
keyed by a key derived from ``settings.secret_key``, over the user id, the expiry *and the user's
current password hash*. So:

* nobody can forge or extend a cookie without the secret key;
* a cookie stops working when it expires, when the password changes (the hash changes), or when
  the secret key is rotated (which logs everybody out);
* the password hash itself never leaves the server (it is only an input of the HMAC).

Why not a ``sessions`` table: it would cost a database write per login and a lookup per request,
and the one thing it adds, logging out one browser remotely, is covered by changing the password.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from datetime import datetime, timedelta

from sqlalchemy.orm import Session
from starlette.responses import Response

from verdict.accounts.models import User
from verdict.db import utcnow
from verdict.settings import Settings

SESSION_COOKIE = "verdict_session"
SESSION_MAX_AGE = timedelta(days=14)
MAX_USER_ID = 2**63 - 1  # a database integer column; bigger ids cannot exist
MAX_EXPIRY = 2**40  # seconds since 1970: year 36812, far past any cookie we sign


def make_session_cookie(
    settings: Settings, user: User, *, now: datetime | None = None, max_age: timedelta = SESSION_MAX_AGE
) -> str:
    expires = int(((now or utcnow()) + max_age).timestamp())
    return f"{user.id}.{expires}.{_signature(settings, user, expires)}"


def read_session_cookie(
    session: Session, settings: Settings, value: str, *, now: datetime | None = None
) -> User | None:
    """The user of a valid, unexpired cookie; None for anything else (never raises)."""
    parts = value.split(".")
    if len(parts) != 3 or not parts[2].isascii():  # compare_digest refuses non-ASCII text
        return None
    user_id, expires, signature = _number(parts[0], MAX_USER_ID), _number(parts[1], MAX_EXPIRY), parts[2]
    if user_id is None or expires is None or expires <= (now or utcnow()).timestamp():
        return None
    user = session.get(User, user_id)
    if user is None or not hmac.compare_digest(signature, _signature(settings, user, expires)):
        return None
    return user


def _number(text: str, largest: int) -> int | None:
    """``text`` as a number in ASCII digits up to ``largest``, else None: ``"²".isdigit()`` is
    True but ``int("²")`` fails, and 5,000 digits pass Python's int-string limit."""
    if not text.isascii() or not text.isdigit() or len(text) > len(str(largest)):
        return None
    number = int(text)
    return number if number <= largest else None


def set_session_cookie(
    response: Response,
    settings: Settings,
    user: User,
    *,
    secure: bool = False,
    max_age: timedelta = SESSION_MAX_AGE,
) -> None:
    """Log ``user`` in on this response. Pass ``secure=True`` when served over HTTPS."""
    response.set_cookie(
        SESSION_COOKIE,
        make_session_cookie(settings, user, max_age=max_age),
        max_age=int(max_age.total_seconds()),
        httponly=True,  # not readable by page scripts
        samesite="lax",  # not sent on cross-site POSTs
        secure=secure,
        path="/",
    )


def clear_session_cookie(response: Response) -> None:
    response.delete_cookie(SESSION_COOKIE, path="/")


def _signature(settings: Settings, user: User, expires: int) -> str:
    payload = f"{user.id}.{expires}.{user.password_hash or ''}".encode()
    digest = hmac.new(_session_key(settings), payload, hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def _session_key(settings: Settings) -> bytes:
    # Derived, so that the secret key can sign other things later without the signatures being
    # interchangeable.
    return hmac.new(settings.secret_key.encode(), b"verdict.session-cookie", hashlib.sha256).digest()
