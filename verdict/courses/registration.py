"""Joining and leaving a course as a student.

The ways in, each kept where its face asks:

* :func:`register` (INGInious): open registration, or with the course's password. It creates the
  membership when there is none, links an invitation made by email before the account existed,
  and accepts it. Staff need no membership. A course with a registration window (INGInious
  ``registration: "START/END"``) takes registrations only within it
  (:func:`check_registration_window`: 403 saying when it opens, or when it closed).
* :func:`register_student` / :func:`unregister_student`: the same as use cases that own their
  unit of work (``POST /api/v0/courses/{courseid}/register`` and ``.../unregister``).
* :func:`accept_invitation` (Jutge ``POST .../accept``): says yes to an invitation the teacher
  made (by naming the student's email); it never creates a membership and takes no password.

Working in a course (submitting to one of its tasks) accepts the invitation too
(:func:`accept_enrolment`, issue 10, M3).

:func:`register_student` is the use case behind ``POST /api/v0/courses/{courseid}/register``: it
owns its unit of work, and guesses of a course's password are slowed down as logins are
(:class:`~verdict.accounts.service.RateLimits`: five free, then a doubling wait up to five
minutes), per student and course. The failures are kept in the login attempts table under a key
with capitals (``Registration:<course id>:<user id>``), which no typed login can produce (login
keys are lower-cased), and without an address, so that they never slow down anybody's login.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from verdict import db
from verdict.accounts.errors import LoginRateLimited
from verdict.accounts.models import LoginAttempt, User
from verdict.accounts.passwords import verify_password
from verdict.accounts.service import DEFAULT_RATE_LIMITS, RateLimits, check_rate_limit
from verdict.courses.access import Access, course_access
from verdict.courses.models import Course, CourseMember, MemberRole, Registration
from verdict.courses.windows import DISPLAY_FORMAT
from verdict.errors import PermissionDenied, ServiceError, TooManyRequests

CLOSED = "Registration to this course is closed"
OPENS = "Registration to this course opens on {when} (UTC)"
CLOSED_ON = "Registration to this course closed on {when} (UTC)"
NOT_ACCESSIBLE = "This course is not accessible now"
WRONG_PASSWORD = "Invalid registration password"
NO_UNREGISTER = "This course does not allow unregistering"


class TooManyAttempts(TooManyRequests):
    """Too many wrong registration passwords lately: 429, with when to try again."""


@dataclass(frozen=True)
class Registered:
    """The outcome of a registration that succeeded."""

    created: bool  # a new membership; False when already registered (or staff, who need none)


def register(
    session: Session,
    course: Course,
    user: User,
    password: str | None = None,
    now: datetime | None = None,
    *,
    password_checked: bool = False,
) -> CourseMember | None:
    """Register ``user`` as a student of ``course`` (open registration, or with its password).

    Returns the membership (None for staff, who need none). Raises PermissionDenied. Flushes; the
    caller commits. ``password_checked``: the caller verified the password already (outside the
    transaction, as :func:`register_student` does).
    """
    return _join(session, course, user, password, now, password_checked)[0]


def _join(
    session: Session,
    course: Course,
    user: User,
    password: str | None,
    now: datetime | None,
    password_checked: bool,
) -> tuple[CourseMember | None, bool]:
    """:func:`register`'s work: the membership, and whether this call made the user a member (what
    a concurrent registration may have done between a caller's check and this write)."""
    access = course_access(session, course, user, now)
    if access.staff:
        return None, False
    existing = session.scalar(
        sa.select(CourseMember).where(
            CourseMember.course_id == course.id,
            sa.or_(CourseMember.user_id == user.id, CourseMember.email == user.email),
        )
    )
    if existing is not None and existing.user_id == user.id:
        existing.accepted_at = existing.accepted_at or now or db.utcnow()  # registering says yes
        session.flush()
        return existing, False
    if not access.can_register:
        raise PermissionDenied(CLOSED)
    check_registration_window(course, now or db.utcnow())
    if (
        course.registration == Registration.PASSWORD
        and not password_checked
        and not verify_password(course.registration_password_hash, password or "")
    ):
        raise PermissionDenied(WRONG_PASSWORD)
    if existing is not None:  # invited by email before the account existed
        existing.user_id = user.id
        member = existing
    else:
        member = CourseMember(course_id=course.id, user_id=user.id, email=user.email, role=MemberRole.STUDENT)
        session.add(member)
    member.accepted_at = member.accepted_at or now or db.utcnow()
    session.flush()
    return member, True


def register_student(
    session: Session,
    course: Course,
    user: User,
    password: str | None,
    *,
    now: datetime | None = None,
    limits: RateLimits = DEFAULT_RATE_LIMITS,
) -> Registered:
    """Register ``user`` to ``course`` as INGInious's register page does, committed.

    Registering again is a success that changes nothing (a teacher's pending invitation is
    accepted). Raises PermissionDenied (403: registration closed, course not accessible, wrong
    password) or TooManyAttempts (429). Like :func:`verdict.accounts.service.authenticate`, the
    argon2 check runs outside any transaction, then the outcome is written in a short write
    transaction: a wrong password is recorded (and nothing else), a right one registers.
    """
    now = now or db.utcnow()
    access = course_access(session, course, user, now)
    checked = False
    if not access.registered:
        _check_can_register(access)
        check_registration_window(course, now)
        if course.registration == Registration.PASSWORD:
            _check_password(session, course, user, password, now, limits)
            checked = True
    session.commit()  # end the reads: the unit of work takes the write lock first
    db.begin_write(session)
    try:
        # Whether this call made the membership is known only by the write itself: a concurrent
        # request may register between any read of ours and it. Unchecked (registered a moment
        # ago) and unenrolled since: the password is asked for there.
        created = _join(session, course, user, password, now, checked)[1]
        _forget_failures(session, course, user)
        session.commit()
    except ServiceError:
        session.rollback()
        raise
    except sa.exc.IntegrityError:
        # PostgreSQL (no write lock up front): a concurrent request inserted the same membership.
        session.rollback()
        if session.scalar(_own_membership(course, user)) is None:
            raise
        return Registered(created=False)
    return Registered(created=created)


def _check_can_register(access: Access) -> None:
    if not access.open:
        raise PermissionDenied(NOT_ACCESSIBLE)
    if not access.can_register:
        raise PermissionDenied(CLOSED)


def check_registration_window(course: Course, now: datetime) -> None:
    """Refuses (403) a registration outside the course's window (INGInious ``registration:
    "START/END"``), saying when it opens or when it closed."""
    opens, closes = course.registration_opens_at, course.registration_closes_at
    if opens is not None and closes is not None and closes <= opens:  # INGInious: never open
        raise PermissionDenied(CLOSED)
    if opens is not None and now < opens:
        raise PermissionDenied(OPENS.format(when=opens.strftime(DISPLAY_FORMAT)))
    if closes is not None and now >= closes:
        raise PermissionDenied(CLOSED_ON.format(when=closes.strftime(DISPLAY_FORMAT)))


def _own_membership(course: Course, user: User) -> sa.Select[int]:
    return sa.select(CourseMember.id).where(
        CourseMember.course_id == course.id, CourseMember.user_id == user.id
    )


def _attempts_key(course: Course, user: User) -> str:
    return f"Registration:{course.id}:{user.id}"  # capitals: never a (lower-cased) login key


def _check_password(
    session: Session, course: Course, user: User, password: str | None, now: datetime, limits: RateLimits
) -> None:
    key = _attempts_key(course, user)
    try:
        check_rate_limit(session, key, "", now=now, limits=limits)
    except LoginRateLimited as error:
        raise TooManyAttempts(
            f"too many wrong registration passwords: wait {error.retry_after} seconds before trying again",
            error.retry_after,
        ) from None
    stored_hash = course.registration_password_hash
    session.commit()  # nothing is held while argon2 runs
    if verify_password(stored_hash, password or ""):
        return
    db.begin_write(session)
    try:
        session.execute(sa.delete(LoginAttempt).where(LoginAttempt.created_at <= now - limits.window))
        session.add(LoginAttempt(username=key, ip="", created_at=now))
        session.commit()
    except BaseException:
        session.rollback()
        raise
    raise PermissionDenied(WRONG_PASSWORD)


def _forget_failures(session: Session, course: Course, user: User) -> None:
    # Registered: earlier guesses no longer matter (the student knows the password now).
    session.execute(sa.delete(LoginAttempt).where(LoginAttempt.username == _attempts_key(course, user)))


def accept_enrolment(session: Session, course_id: int, user: User, now: datetime | None) -> None:
    """Working in a course accepts the teacher's invitation to it (issue 10, M3)."""
    session.execute(
        sa.update(CourseMember)
        .where(
            CourseMember.course_id == course_id,
            CourseMember.user_id == user.id,
            CourseMember.accepted_at.is_(None),
        )
        .values(accepted_at=now or db.utcnow())
        .execution_options(synchronize_session=False)
    )


def unregister_student(session: Session, course: Course, user: User) -> None:
    """The student leaves ``course`` (where it allows it), committed; not registered is fine.
    Staff are not students: PermissionDenied, as for a course that does not allow it."""
    session.commit()  # end the caller's reads: the unit of work takes the write lock first
    db.begin_write(session)
    try:
        if course_access(session, course, user).staff:
            raise PermissionDenied("Course staff are not students: there is nothing to unregister from")
        unregister(session, course, user)
        session.commit()
    except ServiceError:
        session.rollback()
        raise


def unregister(session: Session, course: Course, user: User) -> None:
    if not course.allow_unregister:
        raise PermissionDenied(NO_UNREGISTER)
    session.execute(
        sa.delete(CourseMember).where(
            CourseMember.course_id == course.id,
            CourseMember.user_id == user.id,
            CourseMember.role == MemberRole.STUDENT,
        )
    )
    session.flush()


def accept_invitation(session: Session, course: Course, user: User, now: datetime | None = None) -> bool:
    """The student says yes to the course's invitation (idempotent). False when there is none."""
    member = session.scalar(
        sa.select(CourseMember).where(
            CourseMember.course_id == course.id,
            sa.or_(CourseMember.user_id == user.id, CourseMember.email == user.email),
            CourseMember.role == MemberRole.STUDENT,
        )
    )
    if member is None:
        return False
    if member.user_id is None:
        member.user_id = user.id
    if member.accepted_at is None:
        member.accepted_at = now or db.utcnow()
    session.flush()
    return True
