"""The web interface's defences, the same on every page: CSRF tokens, security headers, safe
redirects.

**CSRF.** Each browser gets a random id in the ``verdict_csrf`` cookie (HttpOnly, SameSite=Lax).
Every form carries a token that is an HMAC, keyed by a key derived from ``Settings.secret_key``,
over that id *and the session cookie*: another site can neither read the token nor compute it, a
token stops working when the user logs in or out (the session cookie changes), and the server
keeps no state. A POST whose token does not match is refused (403) before anything is done.

**Headers.** HTML answers carry a Content-Security-Policy that allows scripts, styles and
connections from Verdict only and no inline script (the pages' JavaScript lives in static files),
and forbid framing (clickjacking) and content-type sniffing.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

from verdict.settings import Settings

CSRF_COOKIE = "verdict_csrf"
CSRF_FIELD = "csrf"

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",  # htmx requests and server-sent events
        "form-action 'self'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
    ]
)

SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
}


def new_browser_id() -> str:
    return secrets.token_urlsafe(24)


def csrf_token(settings: Settings, browser_id: str, session_cookie: str | None) -> str:
    payload = f"{browser_id}|{session_cookie or ''}".encode()
    digest = hmac.new(_csrf_key(settings), payload, hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def csrf_valid(settings: Settings, browser_id: str | None, session_cookie: str | None, token: str) -> bool:
    if not browser_id or not token or not token.isascii():  # compare_digest refuses non-ASCII text
        return False
    return hmac.compare_digest(token, csrf_token(settings, browser_id, session_cookie))


def _csrf_key(settings: Settings) -> bytes:
    # Derived, so that a CSRF token is never a valid signature of anything else (session cookies).
    return hmac.new(settings.secret_key.encode(), b"verdict.csrf-token", hashlib.sha256).digest()


def safe_next(target: str | None, default: str = "/") -> str:
    """``target`` if it is a path of this site, else ``default``: no open redirect
    (``//evil``, ``/\\evil`` and ``https://evil`` all leave the site)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return default
    if any(ord(char) < 0x20 or ord(char) == 0x7F for char in target):  # header injection
        return default
    return target
