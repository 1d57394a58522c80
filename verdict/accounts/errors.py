"""Account errors. Services raise them; the web layer's one error route renders them in the
face's format, with the status and headers each carries."""

from __future__ import annotations

from verdict.errors import InvalidInput, ServiceError, TooManyRequests

REALM = "verdict"


class AccountError(InvalidInput):
    """Invalid account data: a bad username or email, a taken name, a weak password ..."""


class AuthError(ServiceError):
    """Authentication failed or is missing: 401 with a Basic challenge, unless said otherwise."""

    status = 401

    def __init__(self, message: str = "authentication required") -> None:
        super().__init__(message)

    @property
    def headers(self) -> dict[str, str]:
        return {"WWW-Authenticate": f'Basic realm="{REALM}", charset="UTF-8"'}


class InvalidCredentials(AuthError):
    """Wrong login or password, or an unknown, revoked or malformed token."""

    def __init__(self, message: str = "invalid credentials") -> None:
        super().__init__(message)


class LoginRateLimited(TooManyRequests, AuthError):
    """Too many failed logins recently for this username or address (429, no Basic challenge)."""
