"""Account services: users, passwords, login (with a failed-login rate limit) and API tokens.

Functions take a SQLAlchemy session and flush; committing is the caller's unit of work. One
exception to keep in mind: :func:`authenticate` records failed attempts, so commit the session
even when it raises (``verdict.accounts.deps`` does).
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from verdict.accounts.errors import AccountError, InvalidCredentials, LoginRateLimited
from verdict.accounts.models import ApiToken, LoginAttempt, Role, User
from verdict.accounts.passwords import hash_password, needs_rehash, verify_password
from verdict.db import utcnow

USERNAME_RE = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.\-]{0,63}$")  # no ":" (Jutge "owner:name")
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+$")
MIN_PASSWORD_LENGTH = 8
MAX_PASSWORD_LENGTH = 1024  # argon2 handles any length; this only bounds the work per request
TOKEN_PREFIX = "vdt_"  # recognisable in logs and by secret scanners
TOKEN_TOUCH_INTERVAL = timedelta(minutes=1)  # last_used_at granularity: avoid a write per request


@dataclass(frozen=True)
class RateLimits:
    """Failed logins allowed within ``window`` before further attempts are refused.

    Per address the limit is higher than per username: a classroom or exam room often shares one
    NAT address, and one student's typos must not lock out the room.
    """

    per_username: int = 5
    per_ip: int = 30
    window: timedelta = timedelta(minutes=5)


DEFAULT_RATE_LIMITS = RateLimits()


@dataclass(frozen=True)
class NewToken:
    token: ApiToken
    secret: str  # the plaintext, shown once; only its sha256 is stored


# --------------------------------------------------------------------------- users


def create_user(
    session: Session,
    username: str,
    email: str,
    password: str | None,
    *,
    role: Role | str = Role.STUDENT,
    full_name: str = "",
) -> User:
    """Create a user. ``password`` None makes an account that cannot log in with a password.

    Pending course and exam invitations sent to ``email`` are linked to the new account.
    """
    email = _normalise_email(email)
    _check_username(username)
    role = _parse_role(role)
    if session.scalar(sa.select(User.id).where(User.username == username)) is not None:
        raise AccountError(f"username {username!r} is taken")
    if session.scalar(sa.select(User.id).where(User.email == email)) is not None:
        raise AccountError(f"email {email!r} is already registered")
    user = User(username=username, email=email, role=role, full_name=full_name)
    if password is not None:
        user.password_hash = _hash_checked(password)
    session.add(user)
    session.flush()
    _link_invitations(session, user)
    return user


def get_user(session: Session, login: str) -> User | None:
    """The user whose username (exact) or email (any case) is ``login``."""
    if "@" in login:
        return session.scalar(sa.select(User).where(User.email == login.strip().lower()))
    return session.scalar(sa.select(User).where(User.username == login))


def set_password(session: Session, user: User, password: str) -> None:
    """Change the password. Session cookies signed with the old one stop working."""
    user.password_hash = _hash_checked(password)
    session.flush()


def set_role(session: Session, user: User, role: Role | str) -> None:
    user.role = _parse_role(role)
    session.flush()


def _check_username(username: str) -> None:
    if not USERNAME_RE.match(username):
        raise AccountError(
            f"invalid username {username!r}: use 1-64 letters, digits, '_', '-' or '.', "
            "not starting with '-' or '.'"
        )


def _normalise_email(email: str) -> str:
    email = email.strip().lower()
    if not EMAIL_RE.match(email) or len(email) > 254:
        raise AccountError(f"invalid email address {email!r}")
    return email


def _parse_role(role: Role | str) -> Role:
    try:
        return Role(role)
    except ValueError:
        raise AccountError(f"invalid role {role!r}: one of {', '.join(r.value for r in Role)}") from None


def _hash_checked(password: str) -> str:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(f"password too short: at least {MIN_PASSWORD_LENGTH} characters")
    if len(password) > MAX_PASSWORD_LENGTH:
        raise AccountError(f"password too long: at most {MAX_PASSWORD_LENGTH} characters")
    return hash_password(password)


def _link_invitations(session: Session, user: User) -> None:
    # Imported here: accounts must not depend on courses/exams at import time.
    from verdict.courses.models import CourseMember
    from verdict.exams.models import ExamStudent

    for model in (CourseMember, ExamStudent):
        session.execute(
            sa.update(model)
            .where(model.email == user.email, model.user_id.is_(None))
            .values(user_id=user.id)
            .execution_options(synchronize_session=False)
        )


# --------------------------------------------------------------------------- login


def authenticate(
    session: Session,
    login: str,
    password: str,
    *,
    ip: str = "",
    now: datetime | None = None,
    limits: RateLimits = DEFAULT_RATE_LIMITS,
) -> User:
    """The user with this username or email and password.

    Raises :class:`LoginRateLimited` (before even checking the password) after too many recent
    failures for this login or address, and :class:`InvalidCredentials` otherwise.
    """
    now = now or utcnow()
    key = login.strip().lower()[:254]
    check_rate_limit(session, key, ip, now=now, limits=limits)
    user = get_user(session, login)
    # Verify even for an unknown user (against a dummy hash): equal time tells no names.
    matches = verify_password(user.password_hash if user else None, password)
    if user is None or not matches:
        _record_failure(session, key, ip, now, limits)
        raise InvalidCredentials("invalid username or password")
    if user.password_hash and needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    # A success forgives this username's earlier typos (not the address's: an attacker with one
    # valid account must not be able to reset the per-address counter).
    session.execute(sa.delete(LoginAttempt).where(LoginAttempt.username == key))
    session.flush()
    return user


def check_rate_limit(
    session: Session, key: str, ip: str, *, now: datetime, limits: RateLimits = DEFAULT_RATE_LIMITS
) -> None:
    since = now - limits.window
    checks = [(LoginAttempt.username == key, limits.per_username, f"user {key!r}")]
    if ip:
        checks.append((LoginAttempt.ip == ip, limits.per_ip, f"address {ip}"))
    for condition, limit, who in checks:
        times = session.scalars(
            sa.select(LoginAttempt.created_at)
            .where(condition, LoginAttempt.created_at > since)
            .order_by(LoginAttempt.created_at.desc())
            .limit(limit)
        ).all()
        if len(times) >= limit:
            # Blocked until the oldest of the last `limit` failures leaves the window.
            retry_after = max(1, int((times[-1] + limits.window - now).total_seconds()) + 1)
            raise LoginRateLimited(
                f"too many failed logins for {who}; try again in {retry_after} seconds", retry_after
            )


def _record_failure(session: Session, key: str, ip: str, now: datetime, limits: RateLimits) -> None:
    # Old attempts no longer count: drop them here rather than in a periodic job.
    session.execute(sa.delete(LoginAttempt).where(LoginAttempt.created_at <= now - limits.window))
    session.add(LoginAttempt(username=key, ip=ip, created_at=now))
    session.flush()


# --------------------------------------------------------------------------- API tokens


def create_token(session: Session, user: User, name: str = "") -> NewToken:
    """A new bearer token for ``user``. Show ``secret`` once: only its hash is kept."""
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(user=user, name=name[:100], token_hash=hash_token(secret))
    session.add(token)
    session.flush()
    return NewToken(token=token, secret=secret)


def hash_token(secret: str) -> str:
    # A plain sha256 suffices: the secret has 256 random bits, unlike a password.
    return hashlib.sha256(secret.encode()).hexdigest()


def list_tokens(session: Session, user: User) -> list[ApiToken]:
    return list(session.scalars(sa.select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.id)))


def revoke_token(session: Session, user: User, token_id: int, *, now: datetime | None = None) -> ApiToken:
    """Revoke one of ``user``'s tokens (idempotent)."""
    token = session.get(ApiToken, token_id)
    if token is None or token.user_id != user.id:
        raise AccountError(f"user {user.username!r} has no token {token_id}")
    if token.revoked_at is None:
        token.revoked_at = now or utcnow()
        session.flush()
    return token


def authenticate_token(session: Session, secret: str, *, now: datetime | None = None) -> User:
    """The owner of an active token, or :class:`InvalidCredentials`."""
    token = session.scalar(sa.select(ApiToken).where(ApiToken.token_hash == hash_token(secret.strip())))
    if token is None or token.revoked_at is not None:
        raise InvalidCredentials("invalid or revoked token")
    now = now or utcnow()
    if token.last_used_at is None or now - token.last_used_at >= TOKEN_TOUCH_INTERVAL:
        token.last_used_at = now
        session.flush()
    return token.user
