"""Who may do what in a course or a list: one notion of course staff for both faces.

* **Staff** of a course (:func:`is_staff`): its owner, platform administrators, and the members
  with a staff role (INGInious course ``admins`` and ``tutors``, Jutge ``tutors``). Staff see every
  task, may always submit, read the whole course document and the students' progress.
* **Owner rights** (:func:`owns`): changing or deleting a course or a list, and reading a course's
  private annotation, are for the owner and platform administrators only. Course admins and tutors
  are staff, not owners (issue 10, L2: tutors do not read the annotation).
* **Creating** courses and lists is for instructors and administrators; making them official is for
  administrators (:func:`check_can_create`, :func:`check_official`).

The two faces agree on staff and owner rights. They differ in what other users may do, and both
behaviours are kept, each where its face asks:

* INGInious (:func:`course_access`): any member is *registered*, a student the teacher invited and
  who has not accepted yet too (registering or submitting accepts the invitation). A course is
  shown to its members while it is accessible, and to anybody while it is open to registration.
* Jutge (:func:`check_can_read_course`): the course document is the teacher's. Staff read all of
  it, other instructors a copy without members of a ``public`` course, and anybody else, students
  of the course included, gets 403. ``public`` (other instructors may read and copy the document)
  is not INGInious's registration. A list is readable by the members (any role) of a course using
  it (:func:`check_can_read_list`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from verdict import db
from verdict.accounts.models import Role, User
from verdict.courses.models import Course, CourseList, CourseMember, MemberRole, ProblemList, Registration
from verdict.courses.names import ident_of
from verdict.courses.windows import window_of
from verdict.errors import PermissionDenied

STAFF_ROLES = (MemberRole.ADMIN, MemberRole.TUTOR)


# --------------------------------------------------------------------------- staff


def owns(user: User, obj: Course | ProblemList) -> bool:
    """Owner rights over a course or a list: its owner, and platform administrators."""
    return user.is_admin or obj.owner_id == user.id


def member_role(session: Session, course: Course, user: User) -> MemberRole | None:
    """The user's role among the course's members (one membership per user and course)."""
    return session.scalar(
        sa.select(CourseMember.role).where(
            CourseMember.course_id == course.id, CourseMember.user_id == user.id
        )
    )


def _staff(user: User, course: Course, role: MemberRole | None) -> bool:
    return owns(user, course) or role in STAFF_ROLES


def is_staff(session: Session, course: Course, user: User) -> bool:
    """Owner, platform administrator, or a member with a staff role (course admin or tutor)."""
    return _staff(user, course, member_role(session, course, user))


def check_can_create(user: User, what: str) -> None:
    if not user.is_instructor:
        raise PermissionDenied(f"only instructors and administrators may create {what}")


def check_official(user: User, wanted: bool, current: bool) -> None:
    # Keeping an official flag an administrator set is fine; setting it is for administrators.
    if wanted and not current and not user.is_admin:
        raise PermissionDenied("official: only administrators may make official objects", field="official")


# --------------------------------------------------------------------------- INGInious: registration


@dataclass(frozen=True)
class Access:
    """What a user is to a course (the INGInious face's view of it)."""

    staff: bool  # owner, course admin or tutor, platform admin
    registered: bool  # staff, or a student member
    visible: bool  # the course may be shown to the user
    open: bool  # the course is accessible now (always true for staff)
    can_register: bool  # not registered, and registration is possible now


def registration_possible(course: Course) -> bool:
    return course.registration != Registration.CLOSED or course.official


def course_access(session: Session, course: Course, user: User, now: datetime | None = None) -> Access:
    now = now or db.utcnow()
    role = member_role(session, course, user)
    staff = _staff(user, course, role)
    registered = staff or role is not None
    accessible = window_of(course.accessible).is_open(now)
    can_register = not registered and accessible and registration_possible(course)
    return Access(
        staff=staff,
        registered=registered,
        visible=staff or (accessible and (registered or can_register)),
        open=staff or accessible,
        can_register=can_register,
    )


def courses_for(session: Session, user: User, now: datetime | None = None) -> list[tuple[Course, Access]]:
    """Courses the user may see, by slug: where registered or staff, and those open to registration."""
    now = now or db.utcnow()
    query = sa.select(Course).order_by(Course.slug)
    if user.role != Role.ADMIN:
        member_of = sa.select(CourseMember.course_id).where(CourseMember.user_id == user.id)
        query = query.where(
            sa.or_(
                Course.owner_id == user.id,
                Course.id.in_(member_of),
                Course.registration != Registration.CLOSED,
                Course.official.is_(True),
            )
        )
    found = []
    for course in session.scalars(query):
        access = course_access(session, course, user, now)
        if access.visible:
            found.append((course, access))
    return found


# --------------------------------------------------------------------------- Jutge: documents


def check_can_read_course(session: Session, course: Course, user: User) -> bool:
    """Whether ``user`` may read the course document, and whether they see all of it (staff) or a
    redacted copy (other instructors, public courses only)."""
    if is_staff(session, course, user):
        return True
    if course.public and user.is_instructor:
        return False
    raise PermissionDenied(f"course {ident_of(session, course)} belongs to another user")


def may_read_annotation(user: User, course: Course) -> bool:
    """A course's annotation is the owner's private note: administrators read it too, tutors not."""
    return owns(user, course)


def check_can_see_progress(session: Session, course: Course, user: User) -> None:
    """Staff (the owner, administrators, the course's admins and tutors) see the students' progress."""
    if not is_staff(session, course, user):
        raise PermissionDenied(f"course {ident_of(session, course)} belongs to another user")


def check_can_change_course(session: Session, course: Course, user: User) -> None:
    if not owns(user, course):
        raise PermissionDenied(f"course {ident_of(session, course)} belongs to another user")


def check_can_read_list(session: Session, plist: ProblemList, user: User) -> bool:
    """Whether ``user`` may read the list, and whether all of it (owner, administrators) or
    without the private annotation (public lists, lists of courses the user belongs to)."""
    if owns(user, plist):
        return True
    if plist.public or _in_users_course(session, plist, user):
        return False
    raise PermissionDenied(f"list {ident_of(session, plist)} belongs to another user")


def _in_users_course(session: Session, plist: ProblemList, user: User) -> bool:
    return (
        session.scalar(
            sa.select(CourseList.course_id)
            .join(CourseMember, CourseMember.course_id == CourseList.course_id)
            .where(CourseList.list_id == plist.id, CourseMember.user_id == user.id)
            .limit(1)
        )
        is not None
    )


def check_can_change_list(session: Session, plist: ProblemList, user: User) -> None:
    if not owns(user, plist):
        raise PermissionDenied(f"list {ident_of(session, plist)} belongs to another user")
