"""The one error model of the platform: what a service refuses, and the status it stands for.

Services know nothing of HTTP, but every face must turn their refusals into the same status codes,
so each error carries the status it stands for; ``verdict.web.errors`` is the one route that turns
them into responses, each face rendering its own document. Authentication errors
(``verdict.accounts.errors.AuthError``) are service errors too. ``field`` names the offending part
of the input (``"public"``, ``"items[3]"``) when there is one; messages already mention it.
"""

from __future__ import annotations


class ServiceError(Exception):
    """A request the service refuses. Subclasses fix the status."""

    status = 400

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field

    @property
    def headers(self) -> dict[str, str]:
        """HTTP headers the faces send with the error (none unless a subclass says so)."""
        return {}


class TooManyRequests(ServiceError):
    """Too many attempts lately: 429, with when to try again (Retry-After, in seconds)."""

    status = 429

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after

    @property
    def headers(self) -> dict[str, str]:
        return {"Retry-After": str(self.retry_after)}


class InvalidInput(ServiceError):
    """A malformed or invalid document: missing field, wrong type, unknown reference ..."""

    status = 400


class PermissionDenied(ServiceError):
    """The user is known but may not do this."""

    status = 403


class NotFound(ServiceError):
    status = 404


class Conflict(ServiceError):
    """The object exists and the operation only creates (or its state forbids the operation)."""

    status = 409


class TooLarge(ServiceError):
    """An upload or download over its size cap."""

    status = 413


class Unavailable(ServiceError):
    """The server cannot do it at all now: no grader for a task, a broker that is down. 500, as
    the INGInious reference answers a submission no grader can take."""

    status = 500


class Busy(ServiceError):
    """The database is taken by other writers for longer than we wait: try again shortly.

    Raised instead of SQLite's "database is locked" (``verdict.db``), so that a client under
    contention gets 503 with ``Retry-After`` rather than a 500."""

    status = 503

    def __init__(self, message: str = "the server is busy: try again in a moment", *, retry_after: int = 1):
        super().__init__(message)
        self.retry_after = retry_after

    @property
    def headers(self) -> dict[str, str]:
        return {"Retry-After": str(self.retry_after)}
