"""What the teachers' pages show, read through the same services and permission checks as the
APIs (:mod:`verdict.courses.access`, :mod:`verdict.problems.service`).

Who is staff where:

* A **teacher page** is for instructors, administrators, and users who are staff (course admin or
  tutor) of some course; anybody else gets 403 (:func:`check_teacher`).
* A **course** is shown to its staff (:func:`verdict.courses.access.is_staff`); changing it, its
  lists and its members is for its owner and administrators, as ``PUT /services/courses`` decides.
* A **problem's staff page** is for its owner, administrators, and the staff of a course whose
  lists hold it (tutors see the problems they tutor); rejudging a whole problem is for its owner
  and administrators (it touches submissions of every course).
* A **submission** is shown to administrators, to the owner of its problem, and to the staff of
  its course: a tutor sees only their courses' submissions.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from verdict.accounts.models import User
from verdict.courses.access import STAFF_ROLES, is_staff, owns
from verdict.courses.lists import Item
from verdict.courses.models import Course, CourseList, CourseMember, ListItem, ListItemKind, ProblemList
from verdict.db import begin_write
from verdict.errors import InvalidInput, NotFound, PermissionDenied
from verdict.judge.packages import load_package
from verdict.judge.problem import Problem as Package
from verdict.judge.time_limits import Timing
from verdict.problems.models import Problem
from verdict.problems.store import fetch_package, get_blob_data, parse_problem_ref
from verdict.settings import Settings
from verdict.submissions.models import Submission

PAGE_SIZE = 50
MAX_SHOWN_BYTES = 64 * 1024  # a test's input or output, or a program, shown on a page


def start_writing(session: Session) -> None:
    """Begin the write of a page that read first (the user): on SQLite, the write lock up front."""
    if session.in_transaction():
        session.commit()
    begin_write(session)


# --------------------------------------------------------------------------- who may


def staff_course_ids(session: Session, user: User) -> list[int]:
    """The courses ``user`` is staff of (all of them for administrators)."""
    if user.is_admin:
        return list(session.scalars(sa.select(Course.id)))
    tutored = sa.select(CourseMember.course_id).where(
        CourseMember.user_id == user.id, CourseMember.role.in_(STAFF_ROLES)
    )
    return list(
        session.scalars(
            sa.select(Course.id).where(sa.or_(Course.owner_id == user.id, Course.id.in_(tutored)))
        )
    )


def check_teacher(session: Session, user: User) -> None:
    """403 for users who teach nothing: the teacher pages are not theirs."""
    if user.is_instructor or user.is_admin or staff_course_ids(session, user):
        return
    raise PermissionDenied("these pages are for teachers")


def staff_courses(session: Session, user: User) -> list[Course]:
    ids = staff_course_ids(session, user)
    if not ids:
        return []
    return list(session.scalars(sa.select(Course).where(Course.id.in_(ids)).order_by(Course.slug)))


def course_for_staff(session: Session, user: User, course_id: int | None) -> Course:
    course = session.get(Course, course_id) if course_id is not None else None
    if course is None:
        raise NotFound("no such course")
    if not is_staff(session, course, user):
        raise PermissionDenied("you are not staff of this course")
    return course


def owned_lists(session: Session, user: User) -> list[ProblemList]:
    return list(
        session.scalars(
            sa.select(ProblemList).where(ProblemList.owner_id == user.id).order_by(ProblemList.name)
        )
    )


def list_for_owner(session: Session, user: User, list_id: int | None) -> ProblemList:
    plist = session.get(ProblemList, list_id) if list_id is not None else None
    if plist is None:
        raise NotFound("no such list")
    if not owns(user, plist):
        raise PermissionDenied("this list belongs to another user")
    return plist


def courses_with_problem(session: Session, problem_id: str) -> list[int]:
    """The courses whose lists hold ``problem_id`` (or one of its language variants)."""
    variant = ListItem.value.like(problem_id + "\\_%", escape="\\")
    rows = session.scalars(
        sa.select(CourseList.course_id)
        .join(ListItem, ListItem.list_id == CourseList.list_id)
        .where(ListItem.kind == ListItemKind.PROBLEM, sa.or_(ListItem.value == problem_id, variant))
    )
    return list(dict.fromkeys(rows))


def problem_for_staff(session: Session, user: User, ref: str) -> Problem:
    problem = session.get(Problem, parse_problem_ref(ref)[0])
    if problem is None:
        raise NotFound(f"no problem {ref}")
    if may_change_problem(user, problem):
        return problem
    if set(courses_with_problem(session, problem.id)) & set(staff_course_ids(session, user)):
        return problem
    raise PermissionDenied(f"problem {problem.id} belongs to another user")


def may_change_problem(user: User, problem: Problem) -> bool:
    """Owner rights over a problem (update, rejudge it all): as ``/services/problems`` decides."""
    return user.is_admin or (problem.owner_id is not None and problem.owner_id == user.id)


def visible_problems(session: Session, user: User) -> list[Problem]:
    """The problems ``user`` owns, then those of the lists of the courses they are staff of."""
    owned = list(session.scalars(sa.select(Problem).where(Problem.owner_id == user.id).order_by(Problem.id)))
    ids = staff_course_ids(session, user)
    refs: Iterable[str] = (
        session.scalars(
            sa.select(ListItem.value)
            .join(CourseList, CourseList.list_id == ListItem.list_id)
            .where(CourseList.course_id.in_(ids), ListItem.kind == ListItemKind.PROBLEM)
        )
        if ids
        else []
    )
    taught = {parse_problem_ref(ref)[0] for ref in refs} - {p.id for p in owned}
    others = (
        list(session.scalars(sa.select(Problem).where(Problem.id.in_(taught)).order_by(Problem.id)))
        if taught
        else []
    )
    return owned + others


def submission_scope(session: Session, user: User) -> sa.ColumnElement[bool]:
    """The submissions ``user`` may read as staff (see the module's docstring)."""
    if user.is_admin:
        return sa.true()
    owned = sa.select(Problem.id).where(Problem.owner_id == user.id)
    return sa.or_(Submission.course_id.in_(staff_course_ids(session, user)), Submission.problem_id.in_(owned))


def submission_for_staff(session: Session, user: User, submission_id: int | None) -> Submission:
    found = (
        session.scalar(
            sa.select(Submission).where(Submission.id == submission_id, submission_scope(session, user))
        )
        if submission_id is not None
        else None
    )
    if found is None:
        raise NotFound("no such submission among those you may read")
    return found


# --------------------------------------------------------------------------- submissions


@dataclass(frozen=True)
class Filters:
    problem: str = ""
    student: str = ""  # username or email
    verdict: str = ""
    course: int | None = None
    page: int = 1


@dataclass(frozen=True)
class SubmissionRow:
    submission: Submission
    username: str


@dataclass(frozen=True)
class SubmissionPage:
    rows: list[SubmissionRow]
    total: int
    page: int
    pages: int


def find_submissions(session: Session, user: User, filters: Filters) -> SubmissionPage:
    """The submissions ``user`` may read that match ``filters``, newest first, a page at a time."""
    query = (
        sa.select(Submission, User.username)
        .join(User, User.id == Submission.user_id)
        .where(submission_scope(session, user))
    )
    if filters.problem:
        query = query.where(Submission.problem_id == parse_problem_ref(filters.problem.strip())[0])
    if filters.student:
        who = filters.student.strip().lower()
        query = query.where(sa.or_(sa.func.lower(User.username) == who, User.email == who))
    if filters.verdict:
        query = query.where(Submission.verdict == filters.verdict)
    if filters.course is not None:
        query = query.where(Submission.course_id == filters.course)
    total = session.scalar(sa.select(sa.func.count()).select_from(query.subquery())) or 0
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(max(1, filters.page), pages)
    rows = session.execute(
        query.order_by(Submission.id.desc()).limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE)
    ).all()
    return SubmissionPage([SubmissionRow(s, name) for s, name in rows], total, page, pages)


# --------------------------------------------------------------------------- lists and members


def parse_items(text: str) -> list[Item]:
    """A list's items as the form writes them, one a line: ``P12345`` (or ``P12345_en``),
    ``!A header``, ``#P12345`` (kept, not shown); blank lines are skipped."""
    items = []
    for line in text.splitlines():
        value = line.strip()
        if not value:
            continue
        if value.startswith("!"):
            items.append(Item(ListItemKind.HEADER, value[1:].strip()))
        elif value.startswith("#"):
            items.append(Item(ListItemKind.IGNORED, value[1:].strip()))
        else:
            items.append(Item(ListItemKind.PROBLEM, value))
    return items


def items_text(plist: ProblemList) -> str:
    prefix = {ListItemKind.HEADER: "!", ListItemKind.IGNORED: "#", ListItemKind.PROBLEM: ""}
    return "\n".join(prefix[item.kind] + item.value for item in plist.items)


def parse_emails(text: str) -> list[str]:
    """Emails separated by commas, spaces or lines (the service checks each)."""
    return [part for part in text.replace(",", " ").replace(";", " ").split() if part]


def parse_names(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


# --------------------------------------------------------------------------- packages


@dataclass(frozen=True)
class TestInfo:
    __test__ = False  # not a pytest class

    name: str
    kind: str
    group: str
    input_size: int
    answer_size: int


def package_of(session: Session, settings: Settings, problem: Problem) -> Package:
    version = problem.current_version
    if version is None:
        raise NotFound(f"problem {problem.id} has no package")
    return load_package(fetch_package(session, version.blob_hash, settings.data_dir / "packages"))


def tests_of(package: Package) -> list[TestInfo]:
    return [
        TestInfo(t.name, str(t.kind), t.group, _size(t.input_path), _size(t.answer_path))
        for t in package.tests
    ]


def _size(path: Path) -> int:
    return path.stat().st_size if path.is_file() else 0


def test_file(package: Package, name: str, which: str) -> Path:
    test = next((t for t in package.tests if t.name == name), None)
    if test is None:
        raise NotFound(f"no test {name!r}")
    if which not in ("input", "output"):
        raise InvalidInput("which: input or output", field="which")
    return test.input_path if which == "input" else test.answer_path


def shown_text(path: Path | None) -> tuple[str, bool]:
    """The text of ``path`` for a page (at most :data:`MAX_SHOWN_BYTES`), and whether it was cut."""
    if path is None or not path.is_file():
        return "", False
    with path.open("rb") as source:
        data = source.read(MAX_SHOWN_BYTES + 1)
    return data[:MAX_SHOWN_BYTES].decode("utf-8", errors="replace"), len(data) > MAX_SHOWN_BYTES


def submission_code(session: Session, submission: Submission) -> str:
    """The program of ``submission`` as text (kept inline when small, else in a blob)."""
    if submission.source is not None:
        return submission.source[:MAX_SHOWN_BYTES]
    if submission.source_blob_hash:
        data = get_blob_data(session, submission.source_blob_hash)
        return data[:MAX_SHOWN_BYTES].decode("utf-8", errors="replace")
    return ""


def time_limits(meta: dict[str, Any]) -> dict[str, dict[str, float]]:
    """The limit of each Jutge time class, per statement variant, as the import report gives them
    (measured against the golden solution when the package fixes none)."""
    timing = meta.get("timing") or {}
    return {variant or "all": Timing.from_dict(data).summary() for variant, data in timing.items()}
