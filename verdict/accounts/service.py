"""Account services: users, passwords, login (with a failed-login rate limit) and API tokens.

Functions take a SQLAlchemy session and flush; committing is the caller's unit of work. One
exception to keep in mind: :func:`authenticate` and :func:`authenticate_token` own their units of
work and commit (no transaction is held open during the password hash, failed attempts are recorded
even when it raises, and a token's last use is kept whatever the request then does).
"""

from __future__ import annotations

import hashlib
import math
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from verdict.accounts.errors import AccountError, InvalidCredentials, LoginRateLimited
from verdict.accounts.models import ApiToken, LoginAttempt, Role, User
from verdict.accounts.passwords import hash_password, needs_rehash, verify_password
from verdict.courses.models import CourseMember
from verdict.db import begin_write, utcnow
from verdict.exams.models import ExamStudent

USERNAME_RE = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.\-]{0,63}$")  # no ":" (Jutge "owner:name")
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+$")
MIN_PASSWORD_LENGTH = 8
MAX_PASSWORD_LENGTH = 1024  # argon2 handles any length; this only bounds the work per request
TOKEN_PREFIX = "vdt_"  # recognisable in logs and by secret scanners
TOKEN_TOUCH_INTERVAL = timedelta(minutes=1)  # last_used_at granularity: avoid a write per request


@dataclass(frozen=True)
class RateLimits:
    """Back-off after failed logins: it slows guessing down but never locks out a right password.

    After ``free_*`` failures within ``window`` (per login as typed, and per address), each further
    attempt must wait ``base_delay * 2**(failures - free)`` after the latest failure, at most
    ``max_delay_*``. An attempt made after the wait is checked as usual, so the right password then
    succeeds; an attempt refused for coming too early is not counted (an impatient user does not
    make it worse). Per address the free allowance is large and the cap short: a classroom shares
    one NAT address, and one student's typos (or a fuzzer) must not keep the room out.
    """

    free_per_login: int = 5  # typos are free; the sixth attempt in a row waits a second
    free_per_ip: int = 30
    base_delay: timedelta = timedelta(seconds=1)
    max_delay_per_login: timedelta = timedelta(minutes=5)
    max_delay_per_ip: timedelta = timedelta(seconds=30)
    window: timedelta = timedelta(hours=1)

    def delay(self, failures: int, *, per_ip: bool) -> timedelta:
        free = self.free_per_ip if per_ip else self.free_per_login
        cap = self.max_delay_per_ip if per_ip else self.max_delay_per_login
        if failures < free:
            return timedelta(0)
        # 2**k overflows nothing below the cap: stop doubling once the cap is reached.
        doublings = min(failures - free, 40)
        delay: timedelta = self.base_delay * (2**doublings)
        return min(cap, delay)


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
    # Teachers enrol students by email before they have an account: the new account takes them up.
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

    Raises :class:`LoginRateLimited` (before even checking the password) while the back-off after
    recent failures for this login or address runs, and :class:`InvalidCredentials` otherwise.

    This function owns its unit of work, and commits: it ends the caller's transaction (committing
    what is pending) before the argon2 verification, so that no snapshot or lock is held during
    its 0.1-0.3 s, then records the outcome in a short write transaction that takes the write lock
    first (``db.begin_write``). A read transaction that became a writer after the hash failed at
    once with "database is locked" whenever another writer committed meanwhile (issue 10, H3).
    """
    now = now or utcnow()
    key = login_key(login)
    check_rate_limit(session, key, ip, now=now, limits=limits)
    user = get_user(session, login)
    stored_hash = user.password_hash if user else None
    earlier_failures = _failures(session, LoginAttempt.username == key, now - limits.window) > 0
    session.commit()  # end the reads: nothing is held while argon2 runs
    # Verify even for an unknown user (against a dummy hash): equal time tells no names.
    matches = verify_password(stored_hash, password)
    if user is None or not matches:
        _write(session, lambda: _record_failure(session, key, ip, now, limits))
        raise InvalidCredentials("invalid username or password")
    new_hash = hash_password(password) if stored_hash and needs_rehash(stored_hash) else None
    if new_hash is not None or earlier_failures:
        _write(session, lambda: _after_success(session, user, key, stored_hash, new_hash))
    return user


def login_key(login: str) -> str:
    """How a login is counted by the rate limit: as typed, case-blind."""
    return login.strip().lower()[:254]


def _write(session: Session, work: Callable[[], None]) -> None:
    """``work`` in its own short write transaction, committed; rolled back if it raises (so that a
    caller's ``finally: session.commit()`` does not hide the error)."""
    try:
        begin_write(session)
        work()
        session.commit()
    except BaseException:
        session.rollback()
        raise


def _after_success(
    session: Session, user: User, key: str, verified_hash: str | None, new_hash: str | None
) -> None:
    # The hash was computed before the lock; keep it only if nobody changed the password since.
    if new_hash is not None and user.password_hash == verified_hash:
        user.password_hash = new_hash
    # A success forgives this login's earlier typos (not the address's: an attacker with one
    # valid account must not be able to reset the per-address counter).
    session.execute(sa.delete(LoginAttempt).where(LoginAttempt.username == key))
    session.flush()


def check_rate_limit(
    session: Session, key: str, ip: str, *, now: datetime, limits: RateLimits = DEFAULT_RATE_LIMITS
) -> None:
    """Raise :class:`LoginRateLimited` while the back-off for ``key`` or ``ip`` runs."""
    since = now - limits.window
    checks = [(LoginAttempt.username == key, False, f"user {key!r}")]
    if ip:
        checks.append((LoginAttempt.ip == ip, True, f"address {ip}"))
    for condition, per_ip, who in checks:
        failures, latest = session.execute(
            sa.select(sa.func.count(), sa.func.max(LoginAttempt.created_at)).where(
                condition, LoginAttempt.created_at > since
            )
        ).one()
        if latest is None:
            continue
        latest = latest.replace(tzinfo=UTC) if latest.tzinfo is None else latest  # SQLite's max()
        wait = latest + limits.delay(failures, per_ip=per_ip) - now
        if wait > timedelta(0):
            retry_after = max(1, math.ceil(wait.total_seconds()))
            raise LoginRateLimited(
                f"too many failed logins for {who}: wait {retry_after} seconds before trying again",
                retry_after,
            )


def _failures(session: Session, condition: sa.ColumnElement[bool], since: datetime) -> int:
    return session.scalar(sa.select(sa.func.count()).where(condition, LoginAttempt.created_at > since)) or 0


def _record_failure(session: Session, key: str, ip: str, now: datetime, limits: RateLimits) -> None:
    # Old attempts no longer count: drop them here rather than in a periodic job.
    session.execute(sa.delete(LoginAttempt).where(LoginAttempt.created_at <= now - limits.window))
    session.add(LoginAttempt(username=key, ip=ip, created_at=now))
    session.flush()


def lift_login_limits(session: Session, *, login: str | None = None, ip: str | None = None) -> int:
    """An administrator's remedy: forget the failed logins of ``login`` (username or email as
    typed, any case) and/or from address ``ip``, so the back-off stops at once. Returns how many
    failures were forgotten. Also forgets the other spelling of the account (email / username)."""
    conditions: list[sa.ColumnElement[bool]] = []
    if login:
        keys = {login_key(login)}
        user = session.scalar(
            sa.select(User).where(
                sa.or_(sa.func.lower(User.username) == login_key(login), User.email == login_key(login))
            )
        )
        if user is not None:
            keys |= {login_key(user.username), login_key(user.email)}
        conditions.append(LoginAttempt.username.in_(keys))
    if ip:
        conditions.append(LoginAttempt.ip == ip.strip())
    if not conditions:
        raise AccountError("say whose login limit to lift: a login, an address, or both")
    result = session.execute(sa.delete(LoginAttempt).where(sa.or_(*conditions)))
    session.flush()
    return int(getattr(result, "rowcount", 0) or 0)


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
    """The owner of an active token, or :class:`InvalidCredentials`.

    Like :func:`authenticate`, it owns its unit of work: a token's ``last_used_at`` (touched at
    most every ``TOKEN_TOUCH_INTERVAL``) is written and committed in a short transaction of its own,
    whatever the request then does."""
    token = session.scalar(sa.select(ApiToken).where(ApiToken.token_hash == hash_token(secret.strip())))
    if token is None or token.revoked_at is not None:
        raise InvalidCredentials("invalid or revoked token")
    user = token.user
    now = now or utcnow()
    if token.last_used_at is None or now - token.last_used_at >= TOKEN_TOUCH_INTERVAL:
        session.commit()  # end the reads: the touch takes the write lock first
        _write(session, lambda: _touch(session, token, now))
    return user


def _touch(session: Session, token: ApiToken, now: datetime) -> None:
    token.last_used_at = now
    session.flush()
