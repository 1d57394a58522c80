"""Account services: users, argon2 passwords, the failed-login back-off, API tokens."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
import sqlalchemy as sa
from argon2 import PasswordHasher
from sqlalchemy.orm import Session

from tests.support.users import PASSWORD, MakeUser
from verdict import db
from verdict.accounts import service
from verdict.accounts.errors import AccountError, InvalidCredentials, LoginRateLimited
from verdict.accounts.passwords import needs_rehash, verify_password
from verdict.accounts.service import DEFAULT_RATE_LIMITS, RateLimits
from verdict.db import utcnow
from verdict.models import ApiToken, Course, CourseMember, LoginAttempt, Role, User
from verdict.platform import Platform

pytestmark = pytest.mark.integration


@pytest.fixture
def alice(session: Session, make_user: MakeUser) -> User:
    return make_user("alice", password=PASSWORD)


def test_create_user_hashes_with_argon2_and_normalises_email(session: Session) -> None:
    user = service.create_user(session, "bob", "  Bob@Example.ORG ", "s3cret-password", role="instructor")
    session.commit()
    assert user.email == "bob@example.org"
    assert user.role is Role.INSTRUCTOR and user.is_instructor and not user.is_admin
    assert user.password_hash.startswith("$argon2id$")
    assert "s3cret-password" not in user.password_hash
    assert verify_password(user.password_hash, "s3cret-password")
    assert not verify_password(user.password_hash, "s3cret-passwork")


@pytest.mark.parametrize(
    ("username", "email", "password", "role", "message"),
    [
        ("bad:name", "x@example.org", "long enough", "student", "invalid username"),
        (".hidden", "x@example.org", "long enough", "student", "invalid username"),
        ("bob", "not-an-email", "long enough", "student", "invalid email"),
        ("bob", "x@example.org", "short", "student", "password too short"),
        ("bob", "x@example.org", "long enough", "emperor", "invalid role"),
        ("alice", "other@example.org", "long enough", "student", "username 'alice' is taken"),
        ("bob", "ALICE@example.org", "long enough", "student", "already registered"),
    ],
)
def test_create_user_refuses_bad_input(
    session: Session, alice: User, username: str, email: str, password: str, role: str, message: str
) -> None:
    with pytest.raises(AccountError, match=message):
        service.create_user(session, username, email, password, role=role)


def test_create_user_links_course_invitations(session: Session, make_user: MakeUser) -> None:
    teacher = make_user("teacher", role="instructor")
    course = Course(owner_id=teacher.id, name="demo", slug="demo", title="Demo")
    course.members.append(CourseMember(email="newbie@example.org"))
    session.add(course)
    session.commit()
    user = service.create_user(session, "newbie", "Newbie@example.org", "long enough")
    session.commit()
    member = session.scalar(sa.select(CourseMember))
    session.refresh(member)
    assert member.user_id == user.id


def test_authenticate_by_username_or_email(session: Session, alice: User) -> None:
    assert service.authenticate(session, "alice", PASSWORD) is alice
    assert service.authenticate(session, "ALICE@example.org", PASSWORD) is alice


@pytest.mark.parametrize(
    ("login", "password"), [("alice", "wrong password"), ("nobody", PASSWORD), ("alice", "")]
)
def test_authenticate_refuses_wrong_credentials(
    session: Session, alice: User, login: str, password: str
) -> None:
    with pytest.raises(InvalidCredentials, match="invalid username or password"):
        service.authenticate(session, login, password)


def test_user_without_password_cannot_log_in(session: Session, make_user: MakeUser) -> None:
    make_user("sso", password=None)
    with pytest.raises(InvalidCredentials):
        service.authenticate(session, "sso", "")


def test_outdated_hash_is_upgraded_at_login(session: Session, alice: User) -> None:
    weak = PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1)
    alice.password_hash = weak.hash(PASSWORD)
    session.commit()
    assert needs_rehash(alice.password_hash)
    service.authenticate(session, "alice", PASSWORD)
    assert not needs_rehash(alice.password_hash)
    assert verify_password(alice.password_hash, PASSWORD)


def test_set_password(session: Session, alice: User) -> None:
    service.set_password(session, alice, "a brand new one")
    assert service.authenticate(session, "alice", "a brand new one") is alice
    with pytest.raises(InvalidCredentials):
        service.authenticate(session, "alice", PASSWORD)
    with pytest.raises(AccountError, match="too short"):
        service.set_password(session, alice, "tiny")


# --------------------------------------------------------------------------- rate limit


def test_failures_slow_the_account_down_but_the_right_password_wins_after_the_delay(
    session: Session, alice: User
) -> None:
    # The audit (M4): five wrong passwords, then the right one, was refused 429 for five minutes.
    # Now seven wrong ones cost the right one a wait of a few seconds, no more.
    now = utcnow()
    for i in range(7):
        now += DEFAULT_RATE_LIMITS.delay(i, per_ip=False)  # each guess waits out its delay
        with pytest.raises(InvalidCredentials):
            service.authenticate(session, "alice", f"guess {i}", ip=f"10.0.0.{i}", now=now)
    with pytest.raises(LoginRateLimited, match="too many failed logins for user 'alice'") as slowed:
        service.authenticate(session, "alice", PASSWORD, ip="10.0.0.99", now=now)
    assert slowed.value.status == 429
    delay = DEFAULT_RATE_LIMITS.delay(7, per_ip=False)
    assert slowed.value.retry_after == int(delay.total_seconds()) <= 10
    # Refused attempts do not count, and once the delay is over the right password succeeds.
    after = now + delay + timedelta(milliseconds=1)
    assert service.authenticate(session, "alice", PASSWORD, ip="10.0.0.99", now=after) is alice
    assert service.authenticate(session, "alice", PASSWORD, now=after) is alice  # forgiven


def test_the_delay_doubles_and_is_capped(session: Session, alice: User) -> None:
    limits = RateLimits()
    assert [limits.delay(n, per_ip=False).total_seconds() for n in range(4, 9)] == [0, 1, 2, 4, 8]
    assert limits.delay(10_000, per_ip=False) == limits.max_delay_per_login
    assert limits.delay(10_000, per_ip=True) == limits.max_delay_per_ip


def test_a_guesser_who_waits_each_delay_never_locks_out_the_owner(session: Session, alice: User) -> None:
    now = utcnow()
    for _ in range(40):  # far beyond the old lock-out thresholds
        now += DEFAULT_RATE_LIMITS.max_delay_per_login
        with pytest.raises(InvalidCredentials):
            service.authenticate(session, "alice", "guess", ip="198.51.100.7", now=now)
    later = now + DEFAULT_RATE_LIMITS.max_delay_per_login
    assert service.authenticate(session, "alice", PASSWORD, ip="203.0.113.5", now=later) is alice


def test_the_limit_counts_the_email_and_username_spellings_separately_but_case_blind(
    session: Session, alice: User
) -> None:
    now = utcnow()
    for i in range(5):
        now += DEFAULT_RATE_LIMITS.delay(i, per_ip=False)
        with pytest.raises(InvalidCredentials):
            service.authenticate(session, "ALICE", "guess", now=now)
    with pytest.raises(LoginRateLimited):
        service.authenticate(session, "alice", PASSWORD, now=now)
    assert service.authenticate(session, "alice@example.org", PASSWORD, now=now) is alice


def test_a_noisy_address_only_slows_a_room_behind_one_nat(session: Session, make_user: MakeUser) -> None:
    # The audit: 30 failures from one address blocked every login from it for five minutes.
    for name in ("a1", "a2", "a3", "a4"):
        make_user(name)
    now = utcnow()
    for i in range(35):
        now += DEFAULT_RATE_LIMITS.delay(i, per_ip=True)
        with pytest.raises(InvalidCredentials):
            service.authenticate(session, f"fuzz{i}", "guess", ip="192.0.2.1", now=now)
    with pytest.raises(LoginRateLimited, match=r"address 192\.0\.2\.1") as slowed:
        service.authenticate(session, "a4", PASSWORD, ip="192.0.2.1", now=now)
    assert slowed.value.retry_after <= DEFAULT_RATE_LIMITS.max_delay_per_ip.total_seconds()
    after = now + DEFAULT_RATE_LIMITS.max_delay_per_ip
    assert service.authenticate(session, "a4", PASSWORD, ip="192.0.2.1", now=after).username == "a4"
    assert service.authenticate(session, "a3", PASSWORD, ip="192.0.2.2", now=now).username == "a3"


def test_an_administrator_lifts_the_limit(session: Session, alice: User) -> None:
    now = utcnow()
    for i in range(12):
        now += DEFAULT_RATE_LIMITS.delay(i, per_ip=False)
        with pytest.raises(InvalidCredentials):
            service.authenticate(session, "alice@example.org", "guess", ip="192.0.2.9", now=now)
    with pytest.raises(LoginRateLimited):
        service.authenticate(session, "alice@example.org", PASSWORD, ip="192.0.2.9", now=now)
    # Named by the other spelling of the account: both spellings are forgiven.
    assert service.lift_login_limits(session, login="ALICE") == 12
    session.commit()
    assert service.authenticate(session, "alice@example.org", PASSWORD, ip="192.0.2.9", now=now) is alice
    with pytest.raises(AccountError, match="say whose"):
        service.lift_login_limits(session)


def test_success_forgives_the_username_and_old_failures_are_purged(session: Session, alice: User) -> None:
    now = utcnow()
    for i in range(4):
        earlier = now - timedelta(hours=2) + timedelta(seconds=i)
        with pytest.raises(InvalidCredentials):
            service.authenticate(session, "alice", "typo", now=earlier)
    with pytest.raises(InvalidCredentials):  # purges the two-hour-old ones
        service.authenticate(session, "alice", "typo", now=now)
    assert session.scalar(sa.select(sa.func.count()).select_from(LoginAttempt)) == 1
    service.authenticate(session, "alice", PASSWORD, now=now)
    assert session.scalar(sa.select(sa.func.count()).select_from(LoginAttempt)) == 0


# --------------------------------------------------------------------------- contention (H3)


def test_logins_with_writes_survive_a_busy_sqlite_writer(platform: Platform, make_user: MakeUser) -> None:
    """The audit (H3): authenticate read, spent 0.1-0.3 s in argon2, then wrote; when another writer
    had committed meanwhile, SQLite refused the upgrade at once ("database is locked", 500).

    Here every login must write (a failure to record, or earlier failures to forgive) while another
    thread commits small writes without pause."""
    for name in ("w1", "w2", "w3"):
        make_user(name, password=PASSWORD)
    stop = threading.Event()

    def keep_writing() -> None:
        while not stop.is_set():
            with platform.sessionmaker() as writer:
                db.begin_write(writer)
                writer.add(LoginAttempt(username="noise", ip="", created_at=utcnow()))
                writer.commit()
            time.sleep(0.002)

    def login(name: str) -> str:
        with platform.sessionmaker() as session:
            with pytest.raises(InvalidCredentials):
                service.authenticate(session, name, "typo")
            return service.authenticate(session, name, PASSWORD).username

    noise = threading.Thread(target=keep_writing)
    noise.start()
    try:
        with ThreadPoolExecutor(3) as pool:
            names = list(pool.map(login, ["w1", "w2", "w3"] * 2))
    finally:
        stop.set()
        noise.join()
    assert names == ["w1", "w2", "w3"] * 2


# --------------------------------------------------------------------------- tokens


def test_token_is_shown_once_and_stored_hashed(session: Session, alice: User) -> None:
    new = service.create_token(session, alice, "ci")
    session.commit()
    assert new.secret.startswith("vdt_") and len(new.secret) > 40
    stored = session.scalar(sa.select(ApiToken))
    assert stored.token_hash == service.hash_token(new.secret) != new.secret
    assert new.secret not in repr(session.execute(sa.text("SELECT * FROM api_tokens")).all())
    assert service.authenticate_token(session, new.secret) is alice
    assert stored.last_used_at is not None


def test_revoked_or_unknown_tokens_are_refused(session: Session, alice: User, make_user: MakeUser) -> None:
    new = service.create_token(session, alice, "laptop")
    with pytest.raises(InvalidCredentials):
        service.authenticate_token(session, new.secret + "x")
    bob = make_user("bob")
    with pytest.raises(AccountError, match="no token"):
        service.revoke_token(session, bob, new.token.id)
    service.revoke_token(session, alice, new.token.id)
    service.revoke_token(session, alice, new.token.id)  # idempotent
    with pytest.raises(InvalidCredentials, match="revoked"):
        service.authenticate_token(session, new.secret)
    assert [t.active for t in service.list_tokens(session, alice)] == [False]


def test_last_used_is_not_rewritten_on_every_request(session: Session, alice: User) -> None:
    new = service.create_token(session, alice)
    now = utcnow()
    service.authenticate_token(session, new.secret, now=now)
    service.authenticate_token(session, new.secret, now=now + timedelta(seconds=5))
    assert new.token.last_used_at == now
    service.authenticate_token(session, new.secret, now=now + timedelta(minutes=2))
    assert new.token.last_used_at == now + timedelta(minutes=2)
