"""Finding an exam and deciding who it belongs to: shared by the staff services, the students'
exam mode and the results.

* **Staff** of an exam: its owner, the staff of its course (owner, course admins, tutors) and
  platform administrators (``verdict.courses.access.is_staff``).
* **Students**: an ``ExamStudent`` row, matched by account, or by the email the teacher listed
  while no account is linked to that row (a row linked to another account is theirs).
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from verdict.accounts.models import User
from verdict.courses.access import is_staff
from verdict.courses.models import Course
from verdict.courses.names import parse_ident
from verdict.errors import NotFound, PermissionDenied
from verdict.exams.models import Exam, ExamStudent


def parse_exam_ident(ident: str, user: User | None) -> tuple[str, str]:
    """``owner:name`` (a bare name: the user's own); control characters are refused there."""
    return parse_ident(ident, user)


def find_exam(session: Session, owner: str, name: str, *, lock: bool = False) -> Exam:
    """The exam ``owner:name`` (``lock``: its row locked for update on PostgreSQL); NotFound names it."""
    query = (
        sa.select(Exam).join(User, User.id == Exam.owner_id).where(User.username == owner, Exam.name == name)
    )
    exam = session.scalar(query.with_for_update(of=Exam) if lock else query)
    if exam is None:
        raise NotFound(f"no exam {owner}:{name}")
    return exam


def exam_ident(session: Session, exam: Exam) -> str:
    owner = session.scalar(sa.select(User.username).where(User.id == exam.owner_id))
    return f"{owner}:{exam.name}"


def is_exam_staff(session: Session, exam: Exam, user: User) -> bool:
    if user.is_admin or exam.owner_id == user.id:
        return True
    course = session.get(Course, exam.course_id)
    return course is not None and is_staff(session, course, user)


def check_exam_staff(session: Session, exam: Exam, user: User, what: str | None = None) -> None:
    if not is_exam_staff(session, exam, user):
        if what is None:
            raise PermissionDenied(f"exam {exam_ident(session, exam)} belongs to another user")
        raise PermissionDenied(f"only the exam's owner, its course's tutors and administrators may {what}")


def student_of(session: Session, exam: Exam, user: User) -> ExamStudent | None:
    """The user's place in the exam: by account, else by the email the teacher listed."""
    rows = session.scalars(
        sa.select(ExamStudent)
        .where(
            ExamStudent.exam_id == exam.id,
            sa.or_(
                ExamStudent.user_id == user.id,
                sa.and_(ExamStudent.user_id.is_(None), ExamStudent.email == user.email.lower()),
            ),
        )
        .execution_options(populate_existing=True)  # staff may have changed it: read it afresh
    ).all()
    by_account = [row for row in rows if row.user_id == user.id]
    found = by_account or list(rows)  # one row per exam and email: at most two, the account's first
    return found[0] if found else None
