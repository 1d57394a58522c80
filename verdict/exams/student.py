"""Exam mode for students: entering an exam with its code, seeing its problems, submitting to
them within the window, and reading one's own exam submissions. Both faces (Jutge
``/services/exams/owner:name/...`` and an exam as an INGInious course) call these use cases and
do nothing else.

Rules, in the order a request meets them:

* **Who**: only the exam's students (an ``ExamStudent`` matched by account, or by the lower-cased
  email the teacher listed, linked to the account on entry). Anybody else: 403.
* **Entering** takes the code of the exam's protection: none (``open``), the exam's code
  (``samecode``, checked against ``Exam.password_hash``), or the student's own (``random``,
  ``ExamStudent.password_hash``). A wrong code is 403 "wrong exam password"; guesses are slowed
  down as logins are (429 after five wrong codes). The first entry is recorded (``entered_at``).
  An ``open`` exam needs no entry: submitting enters it.
* **Viewing** the problems: from the real start on (403 with the reason before).
* **Submitting**: entered, the window open (:mod:`verdict.exams.window`: 403 with the reason:
  not started, ended at ..., closed early by staff), the problem one of the exam's (400 naming
  ``problem``), the compiler one the exam allows, or any available one when it names none (400
  naming ``compiler``: the input is wrong, the student is not refused as such). The submission is
  tied to the exam (``exam_id``), graded before practice (``PRIORITY_EXAM``), and dated by the
  platform's clock, the same that timed the window.

Practice submissions outside the exam are not restricted while an exam runs: Verdict's API is
stateless (no browser session to lock into an exam mode), and a student's account is not the
only way to a practice problem; what counts for the exam is tied to it by ``exam_id``.
"""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from verdict import db
from verdict.accounts.errors import LoginRateLimited
from verdict.accounts.models import LoginAttempt, User
from verdict.accounts.service import DEFAULT_RATE_LIMITS, RateLimits, check_rate_limit
from verdict.courses.access import STAFF_ROLES
from verdict.courses.models import Course, CourseMember
from verdict.errors import InvalidInput, PermissionDenied, ServiceError, TooManyRequests
from verdict.exams.access import exam_ident, student_of
from verdict.exams.codes import code_matches
from verdict.exams.models import Exam, ExamProblem, ExamStudent, Protection
from verdict.exams.window import ExamWindow, exam_window
from verdict.grading.queue import Queue
from verdict.grading.service import PRIORITY_EXAM, NewSubmission, create_submission
from verdict.judge.errors import UnknownLanguage
from verdict.judge.languages import Language, availability, get_language
from verdict.problems.models import Problem
from verdict.problems.store import parse_problem_ref
from verdict.submissions.models import Submission
from verdict.submissions.service import wake_for

WRONG_PASSWORD = "wrong exam password"
MAX_SOURCE_CHARS = 1_000_000  # a program, not a data set (the faces cap the body too)


def exam_by_slug(session: Session, slug: str) -> Exam | None:
    """The exam seen as the INGInious course ``slug``; a course of that slug wins (never both)."""
    if session.scalar(sa.select(Course.id).where(Course.slug == slug)) is not None:
        return None
    return session.scalar(sa.select(Exam).where(Exam.slug == slug))


def require_student(session: Session, exam: Exam, user: User) -> ExamStudent:
    student = student_of(session, exam, user)
    if student is None:
        raise PermissionDenied(f"you are not a student of exam {exam_ident(session, exam)}")
    return student


def window_for(exam: Exam, student: ExamStudent, now: datetime) -> ExamWindow:
    return exam_window(
        started_at=exam.started_at,
        running_time=exam.running_time,
        now=now,
        extra_minutes=student.extra_minutes,
        closed_at=student.closed_at,
    )


# --------------------------------------------------------------------------- entering


def _attempts_key(exam: Exam, user: User) -> str:
    return f"Exam:{exam.id}:{user.id}"  # capitals: never a (lower-cased) login key


def _check_code(
    session: Session,
    exam: Exam,
    student: ExamStudent,
    user: User,
    code: str | None,
    now: datetime,
    limits: RateLimits,
) -> None:
    """The code, or PermissionDenied; a wrong one is recorded, and too many wait (429)."""
    if exam.protection == Protection.OPEN:
        return
    key = _attempts_key(exam, user)
    try:
        check_rate_limit(session, key, "", now=now, limits=limits)
    except LoginRateLimited as error:
        raise TooManyRequests(
            f"too many wrong exam passwords: wait {error.retry_after} seconds before trying again",
            error.retry_after,
        ) from None
    session.commit()  # nothing is held while argon2 runs
    if code_matches(exam, student, code or ""):
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


def enter_exam(
    session: Session,
    exam: Exam,
    user: User,
    code: str | None,
    *,
    now: datetime,
    limits: RateLimits = DEFAULT_RATE_LIMITS,
) -> ExamStudent:
    """The student enters the exam with its code (committed); entering again is fine.

    Raises PermissionDenied (not a student, wrong code) or TooManyRequests (429)."""
    student = require_student(session, exam, user)
    _check_code(session, exam, student, user, code, now, limits)
    if session.in_transaction():
        session.commit()
    db.begin_write(session)
    try:
        student = require_student(session, exam, user)
        _record_entry(student, user, now)
        session.execute(sa.delete(LoginAttempt).where(LoginAttempt.username == _attempts_key(exam, user)))
        session.commit()
    except ServiceError:
        session.rollback()
        raise
    return student


def _record_entry(student: ExamStudent, user: User, now: datetime) -> None:
    if student.user_id is None:  # listed by email before the account was known
        student.user_id = user.id
    if student.entered_at is None:
        student.entered_at = now


def has_entered(exam: Exam, student: ExamStudent) -> bool:
    """An open exam needs no entry; the others need the code once."""
    return exam.protection == Protection.OPEN or student.entered_at is not None


def _check_entered(session: Session, exam: Exam, student: ExamStudent) -> None:
    if not has_entered(exam, student):
        raise PermissionDenied(
            f"enter exam {exam_ident(session, exam)} with its password first (POST .../enter)"
        )


# --------------------------------------------------------------------------- viewing


@dataclass(frozen=True)
class ExamProblemView:
    problem_id: str
    caption: str
    icon: str
    weight: float
    title: str


@dataclass(frozen=True)
class StudentExam:
    """What a student sees of an exam: its window and (once started) its problems."""

    exam: Exam
    ident: str
    student: ExamStudent
    window: ExamWindow
    problems: list[ExamProblemView]


def exam_problems(session: Session, exam: Exam) -> list[ExamProblemView]:
    """The exam's problems in order, with caption, icon, weight and title."""
    rows = session.execute(
        sa.select(ExamProblem, Problem)
        .join(Problem, Problem.id == ExamProblem.problem_id)
        .where(ExamProblem.exam_id == exam.id)
        .order_by(ExamProblem.position)
    ).all()
    return [
        ExamProblemView(item.problem_id, item.caption, item.icon, float(item.weight), problem.title())
        for item, problem in rows
    ]


def entered_view(session: Session, exam: Exam, student: ExamStudent, now: datetime) -> StudentExam:
    """The student's view (problems empty before the start)."""
    window = window_for(exam, student, now)
    problems = exam_problems(session, exam) if window.started else []
    return StudentExam(exam, exam_ident(session, exam), student, window, problems)


def student_view(session: Session, exam: Exam, user: User, now: datetime) -> StudentExam:
    """The exam's problems for an entered student, from the real start on (403 before)."""
    student = require_student(session, exam, user)
    _check_entered(session, exam, student)
    view = entered_view(session, exam, student, now)
    if not view.window.started:
        raise PermissionDenied(view.window.reason)
    return view


# --------------------------------------------------------------------------- submitting


@dataclass(frozen=True)
class ExamAnswer:
    """A program for one of the exam's problems, as a face decoded it."""

    problem: str  # a problem id (P12345, or P12345_en for one statement language) or a caption
    compiler: str
    source: str


def find_exam_problem(session: Session, exam: Exam, ref: str) -> tuple[ExamProblem, str | None]:
    """The exam's problem named by id (with an optional language variant) or by caption."""
    ref = ref.strip()
    items = list(session.scalars(sa.select(ExamProblem).where(ExamProblem.exam_id == exam.id)))
    base, variant = parse_problem_ref(ref) if ref else (ref, None)
    for item in items:
        if item.problem_id == base:
            return item, variant
    for item in items:
        if item.caption and item.caption.casefold() == ref.casefold():
            return item, None
    known = ", ".join(
        f"{item.caption} ({item.problem_id})" if item.caption else item.problem_id for item in items
    )
    raise InvalidInput(
        f"problem: {ref[:60]!r} is not a problem of this exam (its problems: {known})", field="problem"
    )


def allowed_language(exam: Exam, compiler: str) -> Language:
    """The compiler, if the exam allows it (any available one when it names none)."""
    name = compiler.strip()
    if not name:
        raise InvalidInput("compiler: missing (a compiler id such as G++17 or Python3)", field="compiler")
    try:
        language = get_language(name)
    except UnknownLanguage:
        raise InvalidInput(f"compiler: unknown compiler {name[:60]!r}", field="compiler") from None
    allowed = _allowed_ids(exam.compilers or [])
    if allowed and language.id not in allowed:
        raise InvalidInput(
            f"compiler: {language.id} is not allowed in this exam (allowed: {', '.join(sorted(allowed))})",
            field="compiler",
        )
    usable, why = availability(language)
    if not usable:
        raise InvalidInput(
            f"compiler: {language.id} is not available on this server ({why})", field="compiler"
        )
    return language


def _allowed_ids(compilers: Sequence[object]) -> set[str]:
    """The exam's compilers as compiler ids (an alias names its language; unknown ones stay)."""
    ids = set()
    for compiler in compilers:
        name = str(compiler)
        with contextlib.suppress(UnknownLanguage):
            name = get_language(name).id
        ids.add(name)
    return ids


def submit_to_exam(
    session: Session, queue: Queue, exam: Exam, user: User, answer: ExamAnswer, *, now: datetime
) -> int:
    """A waiting exam submission; returns its id, committed and queued.

    The checks run in the write transaction on the rows read afresh, so that a close by staff
    committed a moment before is seen. Raises PermissionDenied (403: not a student, not entered,
    the window not open), InvalidInput (400: problem, compiler, source) or Unavailable (500)."""
    if session.in_transaction():
        session.commit()  # end the caller's reads: the unit of work takes the write lock first
    db.begin_write(session)
    try:
        submission = _create_exam_submission(session, exam, user, answer, now)
        submission_id = submission.id
        session.commit()
    except ServiceError:
        session.rollback()
        raise
    wake_for(queue, submission_id)
    return submission_id


def _create_exam_submission(
    session: Session, exam: Exam, user: User, answer: ExamAnswer, now: datetime
) -> Submission:
    session.refresh(exam)
    student = require_student(session, exam, user)
    _check_entered(session, exam, student)
    window = window_for(exam, student, now)
    if not window.open:
        raise PermissionDenied(f"submission refused: {window.reason}")
    item, variant = find_exam_problem(session, exam, answer.problem)
    language = allowed_language(exam, answer.compiler)
    if not answer.source.strip():
        raise InvalidInput("source: the program is empty", field="source")
    if "\x00" in answer.source:  # PostgreSQL refuses NUL in text; no program needs one
        raise InvalidInput("source: the program contains a NUL character", field="source")
    if len(answer.source) > MAX_SOURCE_CHARS:
        raise InvalidInput(f"source: longer than {MAX_SOURCE_CHARS} characters", field="source")
    _record_entry(student, user, now)
    problem = session.get(Problem, item.problem_id)
    submission = create_submission(
        session,
        NewSubmission(
            user_id=user.id,
            problem_id=item.problem_id,
            problem_version_id=problem.current_version_id if problem else None,
            language=language.id,
            source=answer.source,
            exam_id=exam.id,
            priority=PRIORITY_EXAM,
            variant=variant,
        ),
    )
    submission.created_at = now  # the clock that timed the window dates the submission
    session.flush()
    return submission


def own_submissions(session: Session, exam: Exam, user: User) -> list[Submission]:
    """A student's submissions to the exam, oldest first (403 for anybody not its student)."""
    require_student(session, exam, user)
    return exam_submissions_of(session, exam, user)


def exam_submissions_of(
    session: Session, exam: Exam, user: User, problem_id: str | None = None
) -> list[Submission]:
    """The user's submissions to the exam (to one of its problems), oldest first."""
    query = sa.select(Submission).where(Submission.exam_id == exam.id, Submission.user_id == user.id)
    if problem_id is not None:
        query = query.where(Submission.problem_id == problem_id)
    return list(session.scalars(query.order_by(Submission.id)))


def exams_for(session: Session, user: User) -> list[Exam]:
    """The exams a user may see as courses: those they are a student of, and those of courses
    they are staff of (owner, admin or tutor member, platform administrator). Ordered by slug;
    exams without one are not courses."""
    query = sa.select(Exam).where(Exam.slug.is_not(None)).order_by(Exam.slug)
    if not user.is_admin:
        listed = sa.select(ExamStudent.exam_id).where(
            sa.or_(
                ExamStudent.user_id == user.id,
                sa.and_(ExamStudent.user_id.is_(None), ExamStudent.email == user.email.lower()),
            )
        )
        staffed = sa.select(CourseMember.course_id).where(
            CourseMember.user_id == user.id, CourseMember.role.in_(STAFF_ROLES)
        )
        owned = sa.select(Course.id).where(Course.owner_id == user.id)
        query = query.where(
            sa.or_(
                Exam.id.in_(listed),
                Exam.owner_id == user.id,
                Exam.course_id.in_(staffed),
                Exam.course_id.in_(owned),
            )
        )
    return list(session.scalars(query))
