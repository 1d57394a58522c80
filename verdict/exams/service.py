"""Jutge exams for staff (``/services/exams``): creation, look-up, listing, deletion, codes,
start, and the per-student extra time and early close.

An exam is identified by its owner (who created it) and name (Jutge ``owner:name``); it belongs
to a course the owner owns, and its students are students of that course. Staff of an exam are
its owner and the course's staff (owner, administrators, tutors and INGInious course admins,
:func:`verdict.courses.access.is_staff`). Students entering and submitting (the exam window) and
results are other modules'; this one only stores what they read: ``started_at``, the codes
(:mod:`verdict.exams.codes`), ``extra_minutes`` and ``closed_at``.

Every use case owns its unit of work: it takes the write lock (on SQLite) before its first read,
locks the exam row (on PostgreSQL) when it changes it, and commits. Refusals raise
:mod:`verdict.errors` exceptions naming the offending field.

Times: ``start`` is written and read as ``YYYY-MM-DD HH:MM`` in ``Settings.timezone`` (default
UTC) and stored in UTC.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.orm import Session

from verdict import db
from verdict.accounts.models import User
from verdict.courses.access import STAFF_ROLES, owns
from verdict.courses.lists import ProblemAccess
from verdict.courses.models import Course, CourseMember, MemberRole
from verdict.courses.names import MAX_TITLE, check_count, check_name, check_text
from verdict.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from verdict.exams import codes
from verdict.exams.access import check_exam_staff, exam_ident, find_exam, parse_exam_ident
from verdict.exams.models import Exam, ExamProblem, ExamStudent, Protection
from verdict.judge.errors import UnknownLanguage
from verdict.judge.languages import get_language
from verdict.problems.models import Problem
from verdict.problems.store import PROBLEM_REF_RE, parse_problem_ref
from verdict.settings import Settings
from verdict.submissions.models import Submission

MAX_EXAM_PROBLEMS = 200
MAX_EXAM_STUDENTS = 2_000  # as many as a course may have (courses.service.MAX_MEMBERS)
MAX_COMPILERS = 200
MAX_RUNNING_MINUTES = 7 * 24 * 60  # a week: far above any exam, short of absurd
MAX_EXTRA_MINUTES = 7 * 24 * 60
MAX_PLACE = 300
MAX_CAPTION = 100  # column sizes of exam_problems
MAX_ICON = 200
MAX_WEIGHT = 1_000_000.0
MAX_SLUG = 150
START_RE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})[ T](\d{1,2}):(\d{2})(?::(\d{2}))?$")


@dataclass
class ProblemSpec:
    problem: str
    caption: str = ""
    icon: str = ""
    weight: float = 1.0


@dataclass
class StudentSpec:
    email: str
    invited: bool = False


@dataclass
class ExamSpec:
    """An exam as staff describe it (the Jutge exam document)."""

    name: str
    title: str
    start: str  # YYYY-MM-DD HH:MM in Settings.timezone
    running_time: int  # minutes
    course: str  # the owner's course name, or owner:name
    place: str = ""
    description: str = ""
    protection: str = Protection.OPEN.value
    compilers: list[str] = field(default_factory=list)
    contest: bool = False
    problems: list[ProblemSpec] = field(default_factory=list)
    students: list[StudentSpec] = field(default_factory=list)


@dataclass
class Passwords:
    """The codes of an exam: ``by_email`` for every student (empty texts when ``open``), and
    ``shared`` the one code of a ``samecode`` exam."""

    exam: Exam
    by_email: dict[str, str]
    shared: str | None


# --------------------------------------------------------------------------- units of work


def _write(session: Session) -> None:
    """Start the use case's unit of work (after authentication may have read already)."""
    if session.in_transaction():
        session.commit()
    db.begin_write(session)


def _read(session: Session) -> None:
    """Start a read-only use case on a fresh snapshot."""
    if session.in_transaction():
        session.commit()


# --------------------------------------------------------------------------- times


def parse_start(text: str, zone: ZoneInfo) -> datetime:
    """``YYYY-MM-DD HH:MM`` (seconds optional) in ``zone`` -> an aware UTC datetime."""
    match = START_RE.match(text.strip())
    if match is None:
        raise InvalidInput(f"start: {text!r} is not a time of the form YYYY-MM-DD HH:MM", field="start")
    year, month, day, hour, minute = (int(part) for part in match.groups()[:5])
    second = int(match[6] or 0)
    try:
        return datetime(year, month, day, hour, minute, second, tzinfo=zone).astimezone(UTC)
    except (ValueError, OverflowError) as error:  # 2010-02-30; year 1 or 9999 past UTC's range
        raise InvalidInput(f"start: {text!r} is not a valid time ({error})", field="start") from None


def format_start(when: datetime, zone: ZoneInfo) -> str:
    local = when.astimezone(zone)
    return local.strftime("%Y-%m-%d %H:%M:%S" if local.second else "%Y-%m-%d %H:%M")


# --------------------------------------------------------------------------- look-up and access


def _check_exam_owner(session: Session, exam: Exam, user: User) -> None:
    """Deleting is for the exam's owner and whoever owns its course (and administrators)."""
    course = session.get(Course, exam.course_id)
    if exam.owner_id != user.id and not (course is not None and owns(user, course)):
        raise PermissionDenied(f"exam {exam_ident(session, exam)} belongs to another user")


def _staff_exam(session: Session, user: User, ident: str, *, lock: bool = False) -> Exam:
    exam = find_exam(session, *parse_exam_ident(ident, user), lock=lock)
    check_exam_staff(session, exam, user)
    return exam


# --------------------------------------------------------------------------- listing


def visible_exams(session: Session, user: User) -> dict[str, list[tuple[str, str]]]:
    """``own``: exams of courses ``user`` owns; ``tutor``: of courses where they are staff
    (tutor, or INGInious course admin). ``("owner:name", title)`` pairs, sorted."""
    _read(session)
    tutored = sa.select(CourseMember.course_id).where(
        CourseMember.user_id == user.id, CourseMember.role.in_(STAFF_ROLES)
    )
    owned = sa.select(Course.id).where(Course.owner_id == user.id)
    return {
        "own": _exam_titles(session, Exam.course_id.in_(owned)),
        "tutor": _exam_titles(session, Exam.course_id.in_(tutored)),
    }


def _exam_titles(session: Session, condition: sa.ColumnElement[bool]) -> list[tuple[str, str]]:
    rows = session.execute(
        sa.select(User.username, Exam.name, Exam.title).join(User, User.id == Exam.owner_id).where(condition)
    )
    return [(f"{owner}:{name}", title) for owner, name, title in sorted(rows)]


# --------------------------------------------------------------------------- creation


@dataclass
class _Checked:
    """A spec checked against the database, ready to be written."""

    course: Course
    start: datetime
    protection: Protection
    compilers: list[str]
    problem_ids: list[str]
    students: list[tuple[StudentSpec, int | None]]  # with the member's account, if any


def create_exam(session: Session, user: User, spec: ExamSpec, settings: Settings) -> Exam:
    """Create ``user``'s exam ``spec.name`` (409 if it exists) with fresh codes, so that students
    can enter before staff ever fetch them."""
    check_exam_counts(spec)
    fresh = _fresh_codes(spec, settings)  # argon2 before the write lock: ~5 ms a code
    _write(session)
    checked = _check_spec(session, user, spec, settings.zone)
    if session.scalar(sa.select(Exam.id).where(Exam.owner_id == user.id, Exam.name == spec.name)) is not None:
        raise Conflict(
            f"exam {user.username}:{spec.name} exists: PUT /services/exams only creates "
            "(DELETE it first to replace it)",
            field="name",
        )
    exam = Exam(
        owner_id=user.id,
        name=spec.name,
        slug=_free_slug(session, user.username, spec.name),
        title=spec.title,
        place=spec.place,
        description=spec.description,
        course_id=checked.course.id,
        start=checked.start,
        running_time=spec.running_time,
        protection=checked.protection,
        compilers=checked.compilers,
        contest=spec.contest,
    )
    exam.problems = [
        ExamProblem(position=i, problem_id=pid, caption=p.caption, icon=p.icon, weight=p.weight)
        for i, (pid, p) in enumerate(zip(checked.problem_ids, spec.problems, strict=True))
    ]
    exam.students = [
        ExamStudent(email=s.email, user_id=user_id, invited=s.invited) for s, user_id in checked.students
    ]
    _store_codes(exam, fresh)
    session.add(exam)
    session.commit()
    return exam


def check_exam_counts(spec: ExamSpec) -> None:
    check_count(spec.problems, "problems", MAX_EXAM_PROBLEMS)
    check_count(spec.students, "students", MAX_EXAM_STUDENTS)
    check_count(spec.compilers, "compilers", MAX_COMPILERS)


def _check_spec(session: Session, user: User, spec: ExamSpec, zone: ZoneInfo) -> _Checked:
    check_name(spec.name)
    check_text(spec.title, "title", MAX_TITLE)
    check_text(spec.place, "place", MAX_PLACE)
    start = parse_start(spec.start, zone)
    if not 0 < spec.running_time <= MAX_RUNNING_MINUTES:
        raise InvalidInput(
            f"running_time: {spec.running_time} minutes: must be from 1 to {MAX_RUNNING_MINUTES}",
            field="running_time",
        )
    protection = _protection(spec.protection)
    course = _owned_course(session, user, spec.course)
    return _Checked(
        course=course,
        start=start,
        protection=protection,
        compilers=_compilers(spec.compilers),
        problem_ids=_problems(session, user, spec.problems),
        students=_students(session, course, spec),
    )


def _protection(text: str) -> Protection:
    try:
        return Protection(text.strip().lower())
    except ValueError:
        options = ", ".join(p.value for p in Protection)
        raise InvalidInput(f"protection: {text!r} is not one of {options}", field="protection") from None


def _owned_course(session: Session, user: User, ref: str) -> Course:
    """The exam's course: ``name`` (the user's) or ``owner:name``, which the user must own."""
    owner, colon, name = ref.partition(":")
    if not colon:
        owner, name = user.username, ref
    course = session.scalar(
        sa.select(Course)
        .join(User, User.id == Course.owner_id)
        .where(User.username == owner, Course.name == name)
    )
    if course is None:
        raise InvalidInput(f"course: no course {owner}:{name}", field="course")
    if not owns(user, course):
        raise PermissionDenied(f"course: {owner}:{name} belongs to another user", field="course")
    return course


def _compilers(names: Sequence[str]) -> list[str]:
    """Compiler ids as the judge names them: aliases (``C``, ``c++``, Kattis ids) resolve to the
    compiler they stand for, so that the exam stores only ids the judge knows."""
    found: list[str] = []
    for index, name in enumerate(names):
        where = f"compilers[{index}]"
        try:
            language_id = get_language(name.strip()).id
        except UnknownLanguage:
            raise InvalidInput(
                f"{where}: unknown compiler {name!r} (ids as `verdict languages` lists them: GCC, G++17 ...)",
                field=where,
            ) from None
        if language_id not in found:
            found.append(language_id)
    return found


def _problems(session: Session, user: User, problems: Sequence[ProblemSpec]) -> list[str]:
    """The problem ids, each one the user may use (the rule of lists: an unknown problem and
    another instructor's private one get the same answer)."""
    seen: dict[str, int] = {}
    for index, item in enumerate(problems):
        where = f"problems[{index}].problem"
        if not PROBLEM_REF_RE.match(item.problem):
            raise InvalidInput(f"{where}: {item.problem!r} is not a problem id", field=where)
        base, language = parse_problem_ref(item.problem)
        if language is not None:
            raise InvalidInput(
                f"{where}: {item.problem!r} names a statement: an exam takes the problem id ({base})",
                field=where,
            )
        if base in seen:
            raise InvalidInput(f"{where}: {base} is already problems[{seen[base]}]", field=where)
        seen[base] = index
        check_text(item.caption, f"problems[{index}].caption", MAX_CAPTION)
        check_text(item.icon, f"problems[{index}].icon", MAX_ICON)
        if not 0 <= item.weight <= MAX_WEIGHT:
            raise InvalidInput(
                f"problems[{index}].weight: {item.weight} must be from 0 to {MAX_WEIGHT:g}",
                field=f"problems[{index}].weight",
            )
    if not seen:
        return []
    access = ProblemAccess(user, set(), set())
    rows = session.execute(
        sa.select(Problem.id, Problem.owner_id, Problem.password_hash).where(Problem.id.in_(list(seen)))
    )
    usable = {pid for pid, owner, secret in rows if access.allows(pid, owner, secret)}
    for base, index in seen.items():
        if base not in usable:
            where = f"problems[{index}].problem"
            raise InvalidInput(
                f"{where}: no problem {base} you may use (unknown, or another instructor's)", field=where
            )
    return list(seen)


def _students(session: Session, course: Course, spec: ExamSpec) -> list[tuple[StudentSpec, int | None]]:
    """The exam's students, each a student of the course (invited or accepted: an exam is often
    made before every student has said yes to the course), with their account if they have one."""
    members = {
        email: user_id
        for email, user_id in session.execute(
            sa.select(CourseMember.email, CourseMember.user_id).where(
                CourseMember.course_id == course.id, CourseMember.role == MemberRole.STUDENT
            )
        )
    }
    result: list[tuple[StudentSpec, int | None]] = []
    seen: dict[str, int] = {}
    for index, student in enumerate(spec.students):
        where = f"students[{index}].email"
        email = student.email.strip().lower()
        if email in seen:
            raise InvalidInput(f"{where}: {email} is already students[{seen[email]}]", field=where)
        if email not in members:
            raise InvalidInput(f"{where}: {email} is not a student of course {spec.course}", field=where)
        seen[email] = index
        result.append((StudentSpec(email=email, invited=student.invited), members[email]))
    return result


def _free_slug(session: Session, username: str, name: str) -> str:
    """The exam as an INGInious course id: ``exam.<owner>.<name>``, unique among exams and
    courses (a suffix on a clash)."""
    base = re.sub(r"[^A-Za-z0-9_.\-]", "_", f"exam.{username}.{name}")[: MAX_SLUG - 6]
    taken = set(session.scalars(sa.select(Exam.slug).where(Exam.slug.like(f"{base}%"))))
    taken |= set(session.scalars(sa.select(Course.slug).where(Course.slug.like(f"{base}%"))))
    slug, counter = base, 1
    while slug in taken:
        counter += 1
        slug = f"{base}-{counter}"
    return slug


# --------------------------------------------------------------------------- reading back


def get_exam(session: Session, user: User, ident: str) -> Exam:
    """The exam ``ident`` for its staff: 404 if unknown, 403 for anybody else."""
    _read(session)
    return _staff_exam(session, user, ident)


def exam_spec(session: Session, exam: Exam, zone: ZoneInfo) -> ExamSpec:
    """The exam as a specification (what :func:`create_exam` takes)."""
    course = session.get(Course, exam.course_id)
    assert course is not None  # exams go with their course (ON DELETE CASCADE)
    course_owner = session.scalar(sa.select(User.username).where(User.id == course.owner_id))
    course_ref = course.name if course.owner_id == exam.owner_id else f"{course_owner}:{course.name}"
    return ExamSpec(
        name=exam.name,
        title=exam.title,
        place=exam.place,
        description=exam.description,
        start=format_start(exam.start, zone),
        running_time=exam.running_time,
        course=course_ref,
        protection=exam.protection.value,
        compilers=[str(c) for c in exam.compilers],
        contest=exam.contest,
        problems=[ProblemSpec(p.problem_id, p.caption, p.icon, p.weight) for p in exam.problems],
        students=[StudentSpec(s.email, s.invited) for s in sorted(exam.students, key=lambda s: s.id)],
    )


# --------------------------------------------------------------------------- deletion


def delete_exam(session: Session, user: User, ident: str, *, force: bool = False) -> str:
    """Delete the exam; refused (409) once submissions were made in it, unless ``force`` (the
    submissions are then kept, no longer tied to an exam). Returns its ``owner:name``."""
    _write(session)
    exam = find_exam(session, *parse_exam_ident(ident, user), lock=True)
    _check_exam_owner(session, exam, user)
    name = exam_ident(session, exam)
    count = session.scalar(
        sa.select(sa.func.count()).select_from(Submission).where(Submission.exam_id == exam.id)
    )
    if count and not force:
        raise Conflict(
            f"exam {name} has {count} submission(s): delete it with ?force=1 to delete it anyway "
            "(the submissions are kept, no longer tied to the exam)"
        )
    session.delete(exam)
    session.commit()
    return name


# --------------------------------------------------------------------------- codes


def _fresh_codes(spec: ExamSpec, settings: Settings) -> list[codes.Code]:
    """As many new codes as the protection asks for (one, or one per student)."""
    protection = spec.protection.strip().lower()
    if protection == Protection.SAMECODE:
        return [codes.make_code(settings.secret_key)]
    if protection == Protection.RANDOM:
        return [codes.make_code(settings.secret_key) for _ in spec.students]
    return []


def _store_codes(exam: Exam, fresh: list[codes.Code]) -> None:
    if exam.protection == Protection.SAMECODE:
        exam.password, exam.password_hash = fresh[0].sealed, fresh[0].hashed
    elif exam.protection == Protection.RANDOM:
        for student, code in zip(exam.students, fresh, strict=True):
            student.password, student.password_hash = code.sealed, code.hashed


def _passwords_of(exam: Exam, settings: Settings) -> Passwords:
    """The codes as staff read them; an empty text where a code is missing or does not open."""
    students = sorted(exam.students, key=lambda s: s.id)
    key = settings.secret_key
    if exam.protection == Protection.OPEN:
        return Passwords(exam, {s.email: "" for s in students}, None)
    if exam.protection == Protection.SAMECODE:
        shared = codes.unseal(key, exam.password) or ""
        return Passwords(exam, {s.email: shared for s in students}, shared)
    return Passwords(exam, {s.email: codes.unseal(key, s.password) or "" for s in students}, None)


def _missing_codes(exam: Exam, settings: Settings) -> int:
    if exam.protection == Protection.SAMECODE:
        return int(codes.unseal(settings.secret_key, exam.password) is None or not exam.password_hash)
    if exam.protection == Protection.RANDOM:
        return sum(
            1
            for s in exam.students
            if codes.unseal(settings.secret_key, s.password) is None or not s.password_hash
        )
    return 0


def exam_passwords(session: Session, user: User, ident: str, settings: Settings) -> Passwords:
    """The codes of the exam, for its staff. Codes that are missing (an exam made before codes
    were sealed) or that no longer open (the secret key changed) are made anew first."""
    exam = get_exam(session, user, ident)
    missing = _missing_codes(exam, settings)
    if not missing:
        return _passwords_of(exam, settings)
    fresh = [codes.make_code(settings.secret_key) for _ in range(missing)]
    _write(session)
    exam = _staff_exam(session, user, ident, lock=True)
    _fill_codes(exam, settings, fresh)
    passwords = _passwords_of(exam, settings)
    session.commit()
    return passwords


def _fill_codes(exam: Exam, settings: Settings, fresh: list[codes.Code]) -> None:
    """Give a new code to whatever lacks a readable one (more may lack one than counted before
    the lock: new codes are then made here)."""
    pool = iter(fresh)

    def take() -> codes.Code:
        return next(pool, None) or codes.make_code(settings.secret_key)

    key = settings.secret_key
    if exam.protection == Protection.SAMECODE and (
        codes.unseal(key, exam.password) is None or not exam.password_hash
    ):
        code = take()
        exam.password, exam.password_hash = code.sealed, code.hashed
    if exam.protection == Protection.RANDOM:
        for student in exam.students:
            if codes.unseal(key, student.password) is None or not student.password_hash:
                code = take()
                student.password, student.password_hash = code.sealed, code.hashed


def regenerate_passwords(session: Session, user: User, ident: str, settings: Settings) -> Passwords:
    """New codes for the exam (the old ones stop working at once); 409 for an ``open`` exam."""
    exam = get_exam(session, user, ident)
    if exam.protection == Protection.OPEN:
        raise Conflict(f"exam {exam_ident(session, exam)} is open: it has no codes to regenerate")
    count = 1 if exam.protection == Protection.SAMECODE else len(exam.students)
    fresh = [codes.make_code(settings.secret_key) for _ in range(count)]
    _write(session)
    exam = _staff_exam(session, user, ident, lock=True)
    if exam.protection == Protection.SAMECODE:
        exam.password, exam.password_hash = fresh[0].sealed, fresh[0].hashed
    else:
        pool = iter(fresh)
        for student in exam.students:
            code = next(pool, None) or codes.make_code(settings.secret_key)
            student.password, student.password_hash = code.sealed, code.hashed
    passwords = _passwords_of(exam, settings)
    session.commit()
    return passwords


# --------------------------------------------------------------------------- start, students


def start_exam(session: Session, user: User, ident: str, now: datetime) -> Exam:
    """Start the exam now (the platform's clock): its running time counts from here. Once."""
    _write(session)
    exam = _staff_exam(session, user, ident, lock=True)
    if exam.started_at is not None:
        raise Conflict(
            f"exam {exam_ident(session, exam)} started already, at {exam.started_at:%Y-%m-%d %H:%M:%S} UTC"
        )
    exam.started_at = now
    session.commit()
    return exam


def exam_students(session: Session, user: User, ident: str) -> list[ExamStudent]:
    exam = get_exam(session, user, ident)
    return sorted(exam.students, key=lambda s: s.id)


def _student(session: Session, exam: Exam, email: str) -> ExamStudent:
    wanted = email.strip().lower()
    for student in exam.students:
        if student.email == wanted:
            return student
    raise NotFound(f"no student {wanted} in exam {exam_ident(session, exam)}")


def get_student(session: Session, user: User, ident: str, email: str) -> ExamStudent:
    exam = get_exam(session, user, ident)
    return _student(session, exam, email)


def set_extra_time(session: Session, user: User, ident: str, email: str, minutes: int) -> ExamStudent:
    """The student's extra time becomes ``minutes`` (not added to what they had: 0 takes it away)."""
    if not 0 <= minutes <= MAX_EXTRA_MINUTES:
        raise InvalidInput(f"minutes: {minutes} must be from 0 to {MAX_EXTRA_MINUTES}", field="minutes")
    _write(session)
    exam = _staff_exam(session, user, ident, lock=True)
    student = _student(session, exam, email)
    student.extra_minutes = minutes
    session.commit()
    return student


def close_student(session: Session, user: User, ident: str, email: str, now: datetime) -> ExamStudent:
    """Close the exam early for one student, now; 409 if it is closed for them already."""
    _write(session)
    exam = _staff_exam(session, user, ident, lock=True)
    student = _student(session, exam, email)
    if student.closed_at is not None:
        raise Conflict(f"exam {exam_ident(session, exam)} is closed already for {student.email}")
    student.closed_at = now
    session.commit()
    return student


def reopen_student(session: Session, user: User, ident: str, email: str) -> ExamStudent:
    """Undo an early close (the window is again the exam's, plus extra time); 409 if not closed."""
    _write(session)
    exam = _staff_exam(session, user, ident, lock=True)
    student = _student(session, exam, email)
    if student.closed_at is None:
        raise Conflict(f"exam {exam_ident(session, exam)} is not closed for {student.email}")
    student.closed_at = None
    session.commit()
    return student
