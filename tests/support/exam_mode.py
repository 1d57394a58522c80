"""Helpers for the exam-mode tests (tests/faces/test_exam_mode.py, test_inginious_exam.py): an
exam made directly with the ORM (the staff services are another module's), real problems from
the fixture packages, and a clock the tests move."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy.orm import Session

from tests.support.clock import ManualClock
from tests.support.jutge import make_problem
from tests.support.paths import FIXTURES
from tests.support.users import MakeUser
from verdict.accounts.models import User
from verdict.accounts.passwords import hash_password
from verdict.courses.models import Course, CourseMember, MemberRole
from verdict.exams.models import Exam, ExamProblem, ExamStudent, Protection
from verdict.platform import Platform

T0 = datetime(2026, 6, 22, 12, 0, tzinfo=UTC)  # the exam's expected start, in every test
SAMECODE = "CLOUCREA"  # the reference's style: 8 capital letters
CODES = {"alice": "SLAHOUMI", "bob": "BRAVOBOB"}  # random: one per student
AC_PY = (FIXTURES / "programs" / "pe_ic" / "ac.py").read_text()  # accepted by pe_ic.pbm
PROBLEMS = ("P68688", "P57548")  # made from pe_ic.pbm, captions P1 and P2
OUTSIDE = "P56118"  # a problem that exists, not in the exam


@functools.cache
def hashed(code: str) -> str:
    return hash_password(code)


def exam_clock() -> ManualClock:
    return ManualClock(T0 - timedelta(minutes=10))


@dataclass
class ExamSetup:
    exam: Exam
    teacher: User
    tutor: User
    alice: User  # students of the exam
    bob: User
    carol: User  # a student of the course, not of the exam

    def start(self, session: Session, at: datetime) -> None:
        """What ``actions/start`` does (another module's service): the real start."""
        self.exam.started_at = at
        session.commit()

    def student(self, session: Session, user: User) -> ExamStudent:
        for row in self.exam.students:
            session.refresh(row)
            if row.email == user.email:
                return row
        raise AssertionError(user.username)


def make_problems(session: Session, platform: Platform, tmp: Path) -> None:
    for problem_id in (*PROBLEMS, OUTSIDE):
        make_problem(session, platform.settings, tmp, problem_id)


def make_exam(
    session: Session,
    make_user: MakeUser,
    *,
    protection: Protection = Protection.SAMECODE,
    compilers: list[str] | None = None,
    running_time: int = 60,
    slug: str = "final-exam",
) -> ExamSetup:
    """An exam of two problems (P1, P2) for alice and bob (bob listed by email only), in a course
    of teacher's with tutor as staff; not started (its expected start is :data:`T0`)."""
    teacher = make_user("teacher", role="instructor")
    tutor, alice, bob, carol = (make_user(name) for name in ("tutor", "alice", "bob", "carol"))
    course = Course(owner_id=teacher.id, name="prog1", slug="prog1", title="Programming 1")
    session.add(course)
    session.flush()
    session.add(CourseMember(course_id=course.id, user_id=tutor.id, email=tutor.email, role=MemberRole.TUTOR))
    for user in (alice, bob, carol):
        session.add(
            CourseMember(course_id=course.id, user_id=user.id, email=user.email, role=MemberRole.STUDENT)
        )
    exam = Exam(
        owner_id=teacher.id,
        name="final",
        slug=slug,
        title="Final exam",
        course_id=course.id,
        start=T0,
        running_time=running_time,
        protection=protection,
        password_hash=hashed(SAMECODE) if protection == Protection.SAMECODE else None,
        compilers=compilers or [],
    )
    exam.problems = [
        ExamProblem(
            position=index,
            problem_id=problem_id,
            caption=f"P{index + 1}",
            icon="balloons/Pink",
            weight=2 - index,
        )
        for index, problem_id in enumerate(PROBLEMS)
    ]
    random = protection == Protection.RANDOM
    exam.students = [
        ExamStudent(
            email=alice.email, user_id=alice.id, password_hash=hashed(CODES["alice"]) if random else None
        ),
        # bob is listed by email only (lower-cased, as stored): entering links his account.
        ExamStudent(email=bob.email, user_id=None, password_hash=hashed(CODES["bob"]) if random else None),
    ]
    session.add(exam)
    session.commit()
    return ExamSetup(exam, teacher, tutor, alice, bob, carol)


def code_of(setup: ExamSetup, user: User) -> str:
    """The right code for ``user`` under the exam's protection ("" when open)."""
    if setup.exam.protection == Protection.SAMECODE:
        return SAMECODE
    if setup.exam.protection == Protection.RANDOM:
        return CODES[user.username]
    return ""
