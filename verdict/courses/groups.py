"""INGInious groups: students of a course who submit together to its group tasks.

INGInious keeps a course's groups in its database; its course administration downloads them as
``groups.yaml`` and takes the same file back as an upload (which replaces every group of the
course). The file is a list of groups::

    - description: Group 1
      size: 2
      students: [alice, bob]
      tutors: [tutor]
      audiences: []

An import reads that file from the course directory (or the list under ``groups:`` in an older
course.yaml) with :func:`read_groups` and :func:`replace_groups`, as INGInious's upload does:

* a group's students are usernames of accounts (unknown ones are reported and left out); a student
  in two groups ends up in the last one (INGInious moves them); a group given more students than its
  ``size`` keeps none of them (INGInious refuses them all), and the report says so;
* ``tutors`` are kept when they are staff of the course (INGInious drops the others);
* ``audiences`` (INGInious's other grouping) are not imported: reported.

A task with ``Task.group_submission`` is submitted by groups (:func:`group_of`, and
:mod:`verdict.courses.submission_rules`): a submission is made for the submitter's group as it is
then (:class:`~verdict.courses.models.SubmissionStudent` rows), each of its students sees it among
their own (:func:`visible_to`) and gets its grade, and the submission limit counts the group's
submissions. A student in no group cannot submit to a group task (:data:`NO_GROUP`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from verdict.accounts.models import User
from verdict.courses.access import STAFF_ROLES
from verdict.courses.models import Course, CourseGroup, CourseGroupStudent, CourseMember, SubmissionStudent
from verdict.submissions.models import Submission

GROUPS_FILE = "groups.yaml"  # the name INGInious's course administration downloads them under
NO_GROUP = "Please register in a group"  # INGInious's task page, for a group task and no group
GROUP_LIMIT = "Your group has reached the submission limit"  # INGInious: "Your group have reached ..."


class GroupsError(ValueError):
    """The groups file cannot be read (the message says why)."""


@dataclass(frozen=True)
class GroupSpec:
    """One group as the file gives it (usernames, not checked against accounts yet)."""

    description: str
    size: int
    students: list[str] = field(default_factory=list)
    tutors: list[str] = field(default_factory=list)


def read_groups(data: Any, where: str, warnings: list[str]) -> list[GroupSpec]:
    """The groups of an INGInious groups file (already parsed YAML); GroupsError when malformed."""
    if data is None:
        return []
    if not isinstance(data, list):
        raise GroupsError(f"{where}: expected a list of groups (description, size, students, tutors)")
    specs = []
    for number, entry in enumerate(data, start=1):
        if not isinstance(entry, Mapping):
            raise GroupsError(f"{where}: group {number}: expected a mapping")
        description = str(entry.get("description") or f"Group {number}").strip()
        students = _names(entry.get("students"), f"{where}: group {description!r}: students")
        size = entry.get("size", max(len(students), 1))
        if not isinstance(size, int) or isinstance(size, bool) or size < 0:
            raise GroupsError(f"{where}: group {description!r}: size must be a whole number >= 0")
        if entry.get("audiences"):
            warnings.append(f"{where}: group {description!r}: audiences are not imported")
        tutors = _names(entry.get("tutors"), f"{where}: group {description!r}: tutors")
        specs.append(GroupSpec(description, size, students, tutors))
    return specs


def _names(value: Any, where: str) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(name, str | int) for name in value):
        raise GroupsError(f"{where}: expected a list of usernames")
    return [str(name).strip() for name in value if str(name).strip()]


def replace_groups(session: Session, course: Course, specs: list[GroupSpec], warnings: list[str]) -> None:
    """The course's groups become ``specs`` (INGInious's upload replaces them all); flushes."""
    session.execute(sa.delete(CourseGroup).where(CourseGroup.course_id == course.id))
    session.flush()
    names = {name for spec in specs for name in (*spec.students, *spec.tutors)}
    users = {
        user.username: user
        for user in (session.scalars(sa.select(User).where(User.username.in_(names))) if names else [])
    }
    roles = _roles(session, course)
    placed: dict[str, CourseGroup] = {}
    for position, spec in enumerate(specs):
        group = CourseGroup(
            course_id=course.id,
            position=position,
            description=spec.description,
            size=spec.size,
            tutors=_tutors(spec, users, roles, course, warnings),
        )
        session.add(group)
        session.flush()
        if len(spec.students) > spec.size:
            warnings.append(
                f"group {spec.description!r}: {len(spec.students)} students for a size of {spec.size}: "
                f"none of them added ({', '.join(spec.students)})"
            )
            continue
        for username in spec.students:
            _add_student(session, group, username, users, roles, placed, warnings)
    session.flush()


def _roles(session: Session, course: Course) -> dict[int, str]:
    rows = session.execute(
        sa.select(CourseMember.user_id, CourseMember.role).where(
            CourseMember.course_id == course.id, CourseMember.user_id.is_not(None)
        )
    )
    return {user_id: str(role) for user_id, role in rows if user_id is not None}


def _tutors(
    spec: GroupSpec, users: Mapping[str, User], roles: Mapping[int, str], course: Course, warnings: list[str]
) -> list[str]:
    kept = []
    for username in spec.tutors:
        user = users.get(username)
        if user is not None and (user.id == course.owner_id or roles.get(user.id) in STAFF_ROLES):
            kept.append(username)
        else:
            warnings.append(
                f"group {spec.description!r}: tutor {username!r} is not staff of the course: left out"
            )
    return kept


def _add_student(
    session: Session,
    group: CourseGroup,
    username: str,
    users: Mapping[str, User],
    roles: Mapping[int, str],
    placed: dict[str, CourseGroup],
    warnings: list[str],
) -> None:
    where = f"group {group.description!r}"
    user = users.get(username)
    if user is None:
        warnings.append(f"{where}: student {username!r} has no account here: left out")
        return
    if user.id == group_owner(session, group) or roles.get(user.id) in STAFF_ROLES:
        warnings.append(f"{where}: {username!r} is staff of the course, not a student: left out")
        return
    earlier = placed.get(username)
    if earlier is not None:
        warnings.append(f"{where}: student {username!r} was in group {earlier.description!r}: moved here")
        session.execute(
            sa.delete(CourseGroupStudent).where(
                CourseGroupStudent.course_id == group.course_id, CourseGroupStudent.user_id == user.id
            )
        )
    elif user.id not in roles:
        warnings.append(f"{where}: student {username!r} is not registered to the course yet")
    placed[username] = group
    session.add(
        CourseGroupStudent(
            group_id=group.id, user_id=user.id, course_id=group.course_id, position=len(placed)
        )
    )
    session.flush()


def group_owner(session: Session, group: CourseGroup) -> int | None:
    return session.scalar(sa.select(Course.owner_id).where(Course.id == group.course_id))


def group_of(session: Session, course_id: int, user: User) -> CourseGroup | None:
    """The user's group in the course, if any."""
    return session.scalar(
        sa.select(CourseGroup)
        .join(CourseGroupStudent, CourseGroupStudent.group_id == CourseGroup.id)
        .where(CourseGroupStudent.course_id == course_id, CourseGroupStudent.user_id == user.id)
    )


def group_student_ids(session: Session, group: CourseGroup) -> list[int]:
    return list(
        session.scalars(
            sa.select(CourseGroupStudent.user_id)
            .where(CourseGroupStudent.group_id == group.id)
            .order_by(CourseGroupStudent.position)
        )
    )


def visible_to(user_id: int) -> sa.ColumnElement[bool]:
    """Submissions that are the user's: made by them, or made for a group they were in."""
    return sa.or_(
        Submission.user_id == user_id,
        Submission.id.in_(
            sa.select(SubmissionStudent.submission_id).where(SubmissionStudent.user_id == user_id)
        ),
    )


def is_visible_to(session: Session, submission: Submission, user: User) -> bool:
    """Whether the submission is the user's own or one of their group's (see :func:`visible_to`)."""
    if submission.user_id == user.id:
        return True
    return session.get(SubmissionStudent, {"submission_id": submission.id, "user_id": user.id}) is not None


def record_group(session: Session, submission: Submission, student_ids: list[int]) -> None:
    """The students a group submission is for (the submitter among them)."""
    for user_id in dict.fromkeys([submission.user_id, *student_ids]):
        session.add(SubmissionStudent(submission_id=submission.id, user_id=user_id))
    session.flush()


def group_lines(session: Session, course: Course) -> list[str]:
    """The course's groups for a report: "Group 1 (size 2): alice, bob"."""
    lines = []
    for group in session.scalars(
        sa.select(CourseGroup).where(CourseGroup.course_id == course.id).order_by(CourseGroup.position)
    ):
        names = session.scalars(
            sa.select(User.username)
            .join(CourseGroupStudent, CourseGroupStudent.user_id == User.id)
            .where(CourseGroupStudent.group_id == group.id)
            .order_by(CourseGroupStudent.position)
        ).all()
        lines.append(f"{group.description} (size {group.size}): {', '.join(names) or '(empty)'}")
    return lines
