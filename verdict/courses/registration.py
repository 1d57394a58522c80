"""Joining and leaving a course as a student.

Two ways in, one per face, both kept:

* :func:`register` (INGInious): open registration, or with the course's password. It creates the
  membership when there is none, links an invitation made by email before the account existed,
  and accepts it. Staff need no membership.
* :func:`accept_invitation` (Jutge ``POST .../accept``): says yes to an invitation the teacher
  made (by naming the student's email); it never creates a membership and takes no password.

Working in a course (submitting to one of its tasks) accepts the invitation too
(:func:`accept_enrolment`, issue 10, M3).
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from verdict import db
from verdict.accounts.models import User
from verdict.accounts.passwords import verify_password
from verdict.courses.access import course_access
from verdict.courses.models import Course, CourseMember, MemberRole, Registration
from verdict.errors import PermissionDenied


def register(
    session: Session, course: Course, user: User, password: str | None = None, now: datetime | None = None
) -> CourseMember | None:
    """Register ``user`` as a student of ``course`` (open registration, or with its password).

    Returns the membership (None for staff, who need none). Raises PermissionDenied.
    """
    access = course_access(session, course, user, now)
    if access.staff:
        return None
    existing = session.scalar(
        sa.select(CourseMember).where(
            CourseMember.course_id == course.id,
            sa.or_(CourseMember.user_id == user.id, CourseMember.email == user.email),
        )
    )
    if existing is not None and existing.user_id == user.id:
        existing.accepted_at = existing.accepted_at or now or db.utcnow()  # registering says yes
        session.flush()
        return existing
    if not access.can_register:
        raise PermissionDenied("registration to this course is closed")
    if course.registration == Registration.PASSWORD and not verify_password(
        course.registration_password_hash, password or ""
    ):
        raise PermissionDenied("wrong registration password")
    if existing is not None:  # invited by email before the account existed
        existing.user_id = user.id
        member = existing
    else:
        member = CourseMember(course_id=course.id, user_id=user.id, email=user.email, role=MemberRole.STUDENT)
        session.add(member)
    member.accepted_at = member.accepted_at or now or db.utcnow()
    session.flush()
    return member


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


def unregister(session: Session, course: Course, user: User) -> None:
    if not course.allow_unregister:
        raise PermissionDenied("this course does not allow unregistering")
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
