"""Who reads an exam's results and what they see; the freeze and the unfreeze.

* **Staff** of an exam (:func:`is_exam_staff`): its owner, the staff of its course (owner, course
  admins and tutors: ``verdict.courses.access.is_staff``) and platform administrators. They see
  every row, every verdict (no freeze), the students' emails, and may export the CSV, freeze and
  unfreeze.
* **Students** of the exam (an ``ExamStudent`` with their account or their email) see the
  students' view: the freeze applies. In a contest the ranking is a scoreboard: every row, with
  usernames and names but no emails. In other exams the marks are private: a student sees only
  their own row, without a rank.
* Anybody else gets 403 (the exam's existence is no secret: its owner:name is in the URL).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from sqlalchemy.orm import Session

from verdict.accounts.models import User
from verdict.errors import Conflict, InvalidInput, PermissionDenied
from verdict.exams.access import check_exam_staff, is_exam_staff, student_of
from verdict.exams.models import Exam
from verdict.exams.results import Results, StudentResult, View, exam_results


def ranking_for(session: Session, exam: Exam, user: User, now: datetime) -> Results:
    """The results ``user`` may see (see the module docstring); 403 for strangers."""
    if is_exam_staff(session, exam, user):
        return exam_results(session, exam, view=View.STAFF, now=now)
    student = student_of(session, exam, user)
    if student is None:
        raise PermissionDenied("only the exam's students and staff may read its ranking")
    results = exam_results(session, exam, view=View.STUDENTS, now=now)
    if not exam.contest:
        own = [_unranked(row) for row in results.rows if row.student.email == student.email]
        results.rows = own
    return results


def _unranked(row: StudentResult) -> StudentResult:
    return replace(row, rank=None)


def freeze(session: Session, exam: Exam, user: User, minutes: object) -> Exam:
    """Hides the last ``minutes`` before the end from the students' view (again, if it had been
    unfrozen); 0 removes the freeze. The caller commits."""
    check_exam_staff(session, exam, user, "freeze the ranking")
    if minutes is None:
        raise InvalidInput(
            "minutes: missing required field (minutes: N freezes the last N minutes)", field="minutes"
        )
    if isinstance(minutes, bool) or not isinstance(minutes, int):
        raise InvalidInput("minutes: must be a whole number of minutes", field="minutes")
    if not 0 <= minutes <= exam.running_time:
        raise InvalidInput(
            f"minutes: must be between 0 and the running time ({exam.running_time}), not {minutes}",
            field="minutes",
        )
    exam.freeze_minutes = minutes
    exam.unfrozen_at = None
    session.flush()
    return exam


def unfreeze(session: Session, exam: Exam, user: User, now: datetime) -> Exam:
    """Shows students everything. Unfreezing twice keeps the first time; an exam without a
    freeze is refused (409), so that a mistyped exam name is noticed."""
    check_exam_staff(session, exam, user, "unfreeze the ranking")
    if exam.freeze_minutes <= 0:
        raise Conflict(f"the exam {exam.name} has no freeze: nothing to unfreeze")
    if exam.unfrozen_at is None:
        exam.unfrozen_at = now
        session.flush()
    return exam
