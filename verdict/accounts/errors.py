"""Account errors. Services raise them; each HTTP face turns them into its own error format
(``verdict.accounts.deps.unauthorized_response`` builds the status and headers)."""

from __future__ import annotations


class AccountError(ValueError):
    """Invalid account data: a bad username or email, a taken name, a weak password ..."""


class AuthError(Exception):
    """Authentication failed or is missing. ``status_code`` is 401 unless said otherwise."""

    status_code = 401

    def __init__(self, message: str = "authentication required") -> None:
        super().__init__(message)
        self.message = message


class InvalidCredentials(AuthError):
    """Wrong login or password, or an unknown, revoked or malformed token."""

    def __init__(self, message: str = "invalid credentials") -> None:
        super().__init__(message)


class LoginRateLimited(AuthError):
    """Too many failed logins recently for this username or address."""

    status_code = 429

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after
