"""An exam as an INGInious course, for INGInious clients: ``/api/v0/courses/{Exam.slug}``.

The routes of :mod:`.routes_courses`, :mod:`.routes_submissions` and :mod:`.routes_registration`
hand a course id that names an exam (and no course: a course of the same slug wins) to the
functions here; the rules are :mod:`verdict.exams.student`'s, the same as the Jutge face's.

* The course is listed, and readable, only by the exam's students and its course's staff (404 for
  anybody else). ``require_password`` is true unless the exam is ``open``; ``is_registered`` is
  true once the student entered (always for an ``open`` exam, and for staff).
* Registering (``POST .../register`` with ``password``) enters the exam: 201 the first time, 200
  after; a wrong password is 403 "wrong exam password". Unregistering is refused (403).
* Its tasks are the exam's problems: task id = the problem id (``P12345``), name = caption and
  title, ``deadline`` = the student's end. Students see them from the real start on (403 with the
  reason before); ``grade`` is the weighted mean of the best grades (weights of the exam).
* A task takes one ``code`` sub-problem with its ``code/language`` field, as the tasks of Jutge
  problems do (a file upload in ``code`` is taken too); the submission is the exam's
  (:func:`verdict.exams.student.submit_to_exam`): 403 with the reason outside the window, 400 for a
  compiler the exam does not allow. Staff are not students and cannot submit.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from verdict.accounts.models import User
from verdict.courses.submission_rules import Answer, Upload
from verdict.courses.subproblems import ID_RE
from verdict.errors import InvalidInput, NotFound, PermissionDenied
from verdict.exams import access, student
from verdict.exams.models import Exam, ExamStudent, Protection
from verdict.exams.window import ExamWindow
from verdict.faces.inginious.lookup import parse_id
from verdict.faces.inginious.results import submission_result
from verdict.faces.inginious.views import DATE_FORMAT, submission_status
from verdict.grading.queue import Queue
from verdict.judge.verdicts import Verdict
from verdict.submissions.models import Submission, SubmissionStatus

CODE = "code"  # the one sub-problem of a task, as Jutge problems' tasks name it
CODE_LANGUAGE = f"{CODE}/language"
LEAVE = "an exam cannot be left: ask its staff"


def exam_course(session: Session, courseid: str) -> Exam | None:
    """The exam whose slug is ``courseid``, if no course has that slug."""
    if not ID_RE.match(courseid):
        return None
    return student.exam_by_slug(session, courseid)


class ExamAccess:
    """What a user is to an exam seen as a course."""

    def __init__(self, session: Session, exam: Exam, user: User) -> None:
        self.staff = access.is_exam_staff(session, exam, user)
        self.student: ExamStudent | None = access.student_of(session, exam, user)
        if not self.staff and self.student is None:
            raise NotFound("Course not found")
        self.registered = self.staff or (self.student is not None and student.has_entered(exam, self.student))


def _access(session: Session, exam: Exam, user: User, now: datetime) -> tuple[ExamAccess, ExamWindow | None]:
    """The access, and the student's window (None for staff, who see the exam whatever the time)."""
    access = ExamAccess(session, exam, user)
    if access.student is None:
        return access, None
    return access, student.window_for(exam, access.student, now)


def _working(session: Session, exam: Exam, user: User, now: datetime) -> ExamWindow | None:
    """The window of a user who may see the tasks (None for staff): registered, and (students)
    from the start on."""
    access, window = _access(session, exam, user, now)
    if not access.registered:
        raise PermissionDenied("You are not registered to this course: register with the exam password")
    if access.staff:
        return None
    if window is not None and not window.started:
        raise PermissionDenied(window.reason)
    return window


# --------------------------------------------------------------------------- courses


def course_document(session: Session, exam: Exam, user: User, now: datetime) -> dict[str, Any]:
    access, window = _access(session, exam, user, now)
    view: dict[str, Any] = {
        "name": exam.title or exam.name,
        "require_password": exam.protection != Protection.OPEN,
        "is_registered": access.registered,
    }
    if access.registered and (window is None or access.staff or window.started):
        tasks = student.exam_problems(session, exam)
        view["tasks"] = {item.problem_id: _task_name(item) for item in tasks}
        view["grade"] = _grade(tasks, _best_grades(session, exam, user))
    return view


def listed(session: Session, user: User, now: datetime) -> dict[str, dict[str, Any]]:
    """The exams the user sees as courses (their students', their staff's), by slug."""
    return {
        str(exam.slug): course_document(session, exam, user, now)
        for exam in student.exams_for(session, user)
        if exam_course(session, str(exam.slug)) is not None
    }


def _task_name(item: student.ExamProblemView) -> str:
    return f"{item.caption}: {item.title}" if item.caption else item.title


def _best_grades(session: Session, exam: Exam, user: User) -> dict[str, tuple[float, bool, bool]]:
    """problem id -> (best grade, accepted, attempted) of the user's graded exam submissions."""
    best: dict[str, tuple[float, bool, bool]] = {}
    for submission in student.exam_submissions_of(session, exam, user):
        if (
            submission.status not in (SubmissionStatus.DONE, SubmissionStatus.ERROR)
            or not submission.problem_id
        ):
            continue
        grade, accepted, _ = best.get(submission.problem_id, (0.0, False, True))
        best[submission.problem_id] = (
            max(grade, float(submission.grade or 0.0)),
            accepted or submission.verdict == Verdict.AC,
            True,
        )
    return best


def _grade(tasks: Sequence[student.ExamProblemView], best: Mapping[str, tuple[float, bool, bool]]) -> float:
    total = sum(item.weight for item in tasks if item.weight > 0)
    if total <= 0:
        return 0.0
    earned = sum(
        item.weight * best.get(item.problem_id, (0.0, False, False))[0] for item in tasks if item.weight > 0
    )
    return round(earned / total, 2)


# --------------------------------------------------------------------------- tasks


def _task_view(
    item: student.ExamProblemView, window: ExamWindow | None, best: tuple[float, bool, bool]
) -> dict[str, Any]:
    grade, accepted, attempted = best
    end = window.ends_at if window is not None else None
    return {
        "name": _task_name(item),
        "authors": [],
        "contact_url": "",
        "deadline": end.strftime(DATE_FORMAT) if end else "",
        "status": "succeeded" if accepted else "failed" if attempted else "notattempted",
        "grade": grade,
        "context": "",
        "problems": {CODE: {"type": "code", "name": item.title, "language": ""}},
        "weight": item.weight,
        "caption": item.caption,
        "icon": item.icon,
    }


def tasks_document(session: Session, exam: Exam, user: User, now: datetime) -> dict[str, Any]:
    window = _working(session, exam, user, now)
    best = _best_grades(session, exam, user)
    return {
        item.problem_id: _task_view(item, window, best.get(item.problem_id, (0.0, False, False)))
        for item in student.exam_problems(session, exam)
    }


def _exam_task(session: Session, exam: Exam, taskid: str) -> student.ExamProblemView:
    for item in student.exam_problems(session, exam):
        if item.problem_id == taskid:
            return item
    raise NotFound("Task not found")


def task_document(session: Session, exam: Exam, taskid: str, user: User, now: datetime) -> dict[str, Any]:
    window = _working(session, exam, user, now)
    item = _exam_task(session, exam, taskid)
    best = _best_grades(session, exam, user).get(item.problem_id, (0.0, False, False))
    return {item.problem_id: _task_view(item, window, best)}


# --------------------------------------------------------------------------- submissions


def submission_view(submission: Submission) -> dict[str, Any]:
    status = submission_status(submission)
    view: dict[str, Any] = {
        "id": str(submission.id),
        "submitted_on": submission.created_at.strftime(DATE_FORMAT),
        "status": status,
        "grade": float(submission.grade or 0.0) if status == "done" else 0.0,
        "input": {CODE: submission.source or "", CODE_LANGUAGE: submission.language or ""},
    }
    if status == "done":
        view["result"] = submission_result(submission)
        view["feedback"] = submission.feedback or ""
        view["problems_feedback"] = {}
    return view


def submissions_document(session: Session, exam: Exam, taskid: str, user: User, now: datetime) -> list[Any]:
    _working(session, exam, user, now)
    item = _exam_task(session, exam, taskid)
    found = student.exam_submissions_of(session, exam, user, item.problem_id)
    return [submission_view(s) for s in reversed(found)]  # newest first, as INGInious lists


def submission_document(
    session: Session, exam: Exam, taskid: str, submissionid: str, user: User, now: datetime
) -> list[Any]:
    _working(session, exam, user, now)
    item = _exam_task(session, exam, taskid)
    number = parse_id(submissionid)
    submission = session.get(Submission, number) if number is not None else None
    if (
        submission is None
        or submission.exam_id != exam.id
        or submission.user_id != user.id
        or submission.problem_id != item.problem_id
    ):
        raise NotFound("Submission not found")
    return [submission_view(submission)]


def submit(
    session: Session,
    queue: Queue,
    exam: Exam,
    taskid: str,
    user: User,
    fields: Mapping[str, Sequence[Answer]],
    now: datetime,
) -> int:
    """The exam submission of a task's ``code`` and ``code/language`` fields."""
    access = ExamAccess(session, exam, user)
    if access.student is None:
        raise PermissionDenied("course staff are not students of the exam: they cannot submit")
    _exam_task(session, exam, taskid)
    answer = student.ExamAnswer(problem=taskid, compiler=_text(fields, CODE_LANGUAGE), source=_code(fields))
    return student.submit_to_exam(session, queue, exam, user, answer, now=now)


def _single(fields: Mapping[str, Sequence[Answer]], key: str) -> Answer | None:
    values = list(fields.get(key, ()))
    if len(values) > 1:
        raise InvalidInput(f"problem {key!r} takes one value, got {len(values)}")
    return values[0] if values else None


def _text(fields: Mapping[str, Sequence[Answer]], key: str, *, required: bool = True) -> str:
    value = _single(fields, key)
    if isinstance(value, Upload):
        raise InvalidInput(f"{key!r} takes text, not a file upload")
    if value is None and required:
        raise InvalidInput(f"missing input for problem {key!r}")
    return value or ""


def _code(fields: Mapping[str, Sequence[Answer]]) -> str:
    value = _single(fields, CODE)
    if isinstance(value, Upload):
        try:
            return value.data.decode("utf-8")
        except UnicodeDecodeError:
            raise InvalidInput(f"problem {CODE!r}: the file is not UTF-8 text") from None
    if value is None or not value.strip():
        raise InvalidInput(f"problem {CODE!r}: the answer is empty, and it is required")
    return value


# --------------------------------------------------------------------------- registration


def register(session: Session, exam: Exam, user: User, password: str | None, now: datetime) -> bool:
    """Enter the exam; True when this was the first entry (201)."""
    access = ExamAccess(session, exam, user)
    if access.student is None:
        return False  # staff need no registration
    first = access.student.entered_at is None
    student.enter_exam(session, exam, user, password, now=now)
    return first


def unregister(session: Session, exam: Exam, user: User) -> None:
    ExamAccess(session, exam, user)  # 404 for strangers
    raise PermissionDenied(LEAVE)
