"""Helpers for the INGInious face tests (and the security tests that reuse them): the demo course
(tests/fixtures/inginious/demo) imported for a teacher, students, and in-process grading."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from tests.support.paths import APLUSB, FIXTURES
from tests.support.users import MakeUser
from verdict.accounts.models import User
from verdict.courses.inginious_import import CourseReport, import_inginious_course
from verdict.courses.models import Course, CourseMember, MemberRole, Registration, Task
from verdict.platform import Platform

# The same files as verdict/demo/inginious-course, but the folder's name is the course id the
# importer gives it ("demo"), which these tests expect; the demo imports its own as "inginious-demo".
DEMO = FIXTURES / "inginious" / "demo"
ANSWERS = (  # strings only the grader may know: never in what a student receives
    "Well done, stdio it is",
    "Not that one",
    "stdlib.h has malloc",
    "standard input and output",
    "floating point type",
    "Paris",
    '"valid"',
    "valid:",
    '"answer"',
    "answer:",
)


def demo_copy(tmp: Path, *, with_aplusb: bool = False, lean: bool = False) -> Path:
    """A copy of the demo course; ``with_aplusb`` puts the Kattis A+B package next to the aplusb
    task (whose code part is then graded by the judge). ``lean`` keeps one of its bundled
    submissions, the accepted C one that measures the time limit: the import then runs one
    reference instead of nine (about 5 s less per test), for tests of what comes after import."""
    target = tmp / "demo"
    shutil.copytree(DEMO, target)
    if with_aplusb:
        shutil.copytree(APLUSB, target / "aplusb" / "aplusb", ignore=_lean_submissions if lean else None)
    return target


def _lean_submissions(folder: str, names: list[str]) -> list[str]:
    """shutil.copytree's ignore: under submissions/, everything but accepted/sum.c."""
    path = Path(folder)
    if path.name == "submissions":
        return [name for name in names if name != "accepted"]
    if path.parent.name == "submissions":
        return [name for name in names if name != "sum.c"]
    return []


@dataclass
class Demo:
    course: Course
    report: CourseReport
    teacher: User  # owner
    tutor: User
    alice: User  # registered student
    bob: User  # registered student
    carol: User  # not registered

    def task(self, session: Session, slug: str) -> Task:
        task = session.scalar(sa.select(Task).where(Task.course_id == self.course.id, Task.slug == slug))
        assert task is not None, slug
        return task


def make_demo(session: Session, platform: Platform, make_user: MakeUser, path: Path = DEMO) -> Demo:
    teacher = make_user("teacher", role="instructor")
    tutor = make_user("tutor")
    alice, bob, carol = make_user("alice"), make_user("bob"), make_user("carol")
    report = import_inginious_course(session, path, settings=platform.settings, owner=teacher)
    session.commit()
    course = session.scalar(sa.select(Course).where(Course.slug == "demo"))
    assert course is not None
    for student in (alice, bob):
        session.add(
            CourseMember(
                course_id=course.id, user_id=student.id, email=student.email, role=MemberRole.STUDENT
            )
        )
    session.commit()
    return Demo(course, report, teacher, tutor, alice, bob, carol)


def other_course(
    session: Session, owner: User, slug: str, registration: Registration, password_hash: str | None = None
) -> Course:
    course = Course(
        owner_id=owner.id,
        name=slug,
        slug=slug,
        title=slug.title(),
        registration=registration,
        registration_password_hash=password_hash,
    )
    session.add(course)
    session.commit()
    return course


def grade_all(platform: Platform) -> list[int]:
    """Grade every waiting submission in this thread (quiz tasks need no sandbox)."""
    engine = platform.grading_engine()
    graded = []
    while (submission_id := engine.grade_next()) is not None:
        graded.append(submission_id)
    return graded


def walk(value: Any) -> list[Any]:
    """Every key and value of a nested document."""
    found: list[Any] = []
    if isinstance(value, dict):
        for key, item in value.items():
            found.append(key)
            found += walk(item)
    elif isinstance(value, list):
        for item in value:
            found += walk(item)
    else:
        found.append(value)
    return found
