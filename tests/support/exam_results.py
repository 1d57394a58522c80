"""Exams built with the ORM for the results and ranking tests (tests/exams/test_results.py,
tests/faces/test_exam_ranking.py): a course, problems without packages (the results read only
stored verdicts), students, and graded submissions at chosen minutes of the exam."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from sqlalchemy.orm import Session

from tests.support.users import MakeUser
from verdict.accounts.models import User
from verdict.courses.models import Course, CourseMember, MemberRole
from verdict.exams.models import Exam, ExamProblem, ExamStudent
from verdict.judge.verdicts import Verdict
from verdict.problems.models import Problem
from verdict.submissions.models import Submission, SubmissionStatus

EXPECTED_START = datetime(2026, 6, 1, 10, 0, tzinfo=UTC)
REAL_START = EXPECTED_START + timedelta(minutes=3)  # started late: times count from here


@dataclass
class ExamSetup:
    exam: Exam
    owner: User
    course: Course
    users: dict[str, User] = field(default_factory=dict)

    @property
    def ident(self) -> str:
        return f"{self.owner.username}:{self.exam.name}"


def make_problems(session: Session, ids: list[str]) -> None:
    for problem_id in ids:
        if session.get(Problem, problem_id) is None:
            session.add(Problem(id=problem_id, package_id=problem_id.lower(), format="jutge"))
    session.flush()


def make_exam(
    session: Session,
    make_user: MakeUser,
    *,
    name: str = "final",
    contest: bool = True,
    problems: list[tuple[str, str, float]],
    students: list[tuple[str, bool]],
    running_time: int = 120,
    freeze_minutes: int = 0,
    started_at: datetime | None = REAL_START,
    owner: User | None = None,
) -> ExamSetup:
    """An exam of a course of ``owner`` (an instructor made here by default) with ``problems``
    (id, caption, weight) and ``students`` (username, invited), each enrolled in the course."""
    owner = owner or make_user("teacher", role="instructor", full_name="The Teacher")
    course = Course(owner_id=owner.id, name=f"{name}-course", slug=f"{owner.username}-{name}-course")
    session.add(course)
    make_problems(session, [problem_id for problem_id, _, _ in problems])
    session.flush()
    exam = Exam(
        owner_id=owner.id,
        name=name,
        title=f"The {name} exam",
        course_id=course.id,
        start=EXPECTED_START,
        running_time=running_time,
        contest=contest,
        started_at=started_at,
        freeze_minutes=freeze_minutes,
    )
    session.add(exam)
    for position, (problem_id, caption, weight) in enumerate(problems):
        exam.problems.append(
            ExamProblem(position=position, problem_id=problem_id, caption=caption, icon="", weight=weight)
        )
    setup = ExamSetup(exam, owner, course)
    for username, invited in students:
        user = make_user(username, full_name=username.title())
        setup.users[username] = user
        session.add(CourseMember(course_id=course.id, user_id=user.id, email=user.email))
        exam.students.append(ExamStudent(email=user.email, user_id=user.id, invited=invited))
    session.commit()
    return setup


def add_tutor(session: Session, setup: ExamSetup, user: User) -> None:
    session.add(
        CourseMember(course_id=setup.course.id, user_id=user.id, email=user.email, role=MemberRole.TUTOR)
    )
    session.commit()


def submit(
    session: Session,
    setup: ExamSetup,
    username: str,
    problem_id: str,
    minute: int,
    verdict: Verdict | str | None,
    *,
    second: int = 10,
    grade: float | None = None,
    status: SubmissionStatus = SubmissionStatus.DONE,
) -> Submission:
    """A submission of the exam made ``minute:second`` after its real start, stored graded."""
    verdict = Verdict(verdict) if verdict is not None else None
    if grade is None and verdict is not None:
        grade = 100.0 if verdict == Verdict.AC else 0.0
    started = setup.exam.started_at or setup.exam.start
    submission = Submission(
        user_id=setup.users[username].id,
        problem_id=problem_id,
        exam_id=setup.exam.id,
        language="G++17",
        source="int main() {}",
        status=status,
        verdict=verdict,
        score=grade,
        grade=grade,
        created_at=started + timedelta(minutes=minute, seconds=second),
        graded_at=started + timedelta(minutes=minute, seconds=second + 5) if verdict is not None else None,
    )
    session.add(submission)
    session.commit()
    return submission


# --------------------------------------------------------------------------- the scripted contest

CONTEST_PROBLEMS = [("P10001", "A", 1.0), ("P10002", "B", 1.0), ("P10003", "C", 1.0)]
CONTEST_STUDENTS = [
    (name, name == "frank") for name in ("alice", "bob", "carol", "dave", "erin", "frank", "gina")
]
A, B, C = (problem_id for problem_id, _, _ in CONTEST_PROBLEMS)
# (student, problem, minute, second, verdict): minutes from the real start; 120 minutes, the last
# 30 frozen (from minute 90 on).
CONTEST_SCRIPT: list[tuple[str, str, int, int, str | None]] = [
    ("alice", A, 10, 10, "WA"),
    ("alice", A, 15, 10, "AC"),
    ("alice", B, 20, 10, "CE"),  # not a try
    ("alice", B, 40, 10, "AC"),
    ("bob", A, 20, 10, "AC"),
    ("bob", B, 55, 10, "AC"),
    ("bob", C, 95, 10, "WA"),  # frozen
    ("carol", A, 5, 10, "TLE"),
    ("carol", A, 8, 10, "WA"),
    ("carol", A, 30, 10, "AC"),
    ("carol", A, 35, 10, "WA"),  # after the AC: not a try
    ("carol", B, 100, 10, "WA"),  # frozen
    ("carol", B, 105, 10, "AC"),  # frozen
    ("dave", C, 50, 10, "AC"),
    ("erin", C, 50, 40, "AC"),  # the same minute as dave: an exact tie
    ("frank", A, 5, 10, "AC"),  # invited: shown first, not ranked
    ("frank", B, 6, 10, "AC"),
    ("frank", C, 7, 10, "AC"),
    ("gina", A, 20, 10, "IE"),  # the judge's fault: not a try
    ("gina", A, 21, 10, None),  # not graded yet: ignored
]


def scripted_contest(session: Session, make_user: MakeUser, owner: User | None = None) -> ExamSetup:
    setup = make_exam(
        session,
        make_user,
        name="contest",
        problems=CONTEST_PROBLEMS,
        students=CONTEST_STUDENTS,
        freeze_minutes=30,
        owner=owner,
    )
    for username, problem_id, minute, second, verdict in CONTEST_SCRIPT:
        status = SubmissionStatus.WAITING if verdict is None else SubmissionStatus.DONE
        if verdict == "IE":
            status = SubmissionStatus.ERROR
        submit(session, setup, username, problem_id, minute, verdict, second=second, status=status)
    return setup


# Hand-computed: (rank, username, solved, penalty, time of the last AC,
#                 per problem (attempts, minute of the first AC, solved, pending))
NO = (0, None, 0, 0)
CONTEST_STAFF_TABLE = [
    (None, "frank", 3, 18, 7, [(1, 5, 1, 0), (1, 6, 1, 0), (1, 7, 1, 0)]),
    (1, "alice", 2, 15 + 20 + 40, 40, [(2, 15, 1, 0), (1, 40, 1, 0), NO]),
    (2, "bob", 2, 20 + 55, 55, [(1, 20, 1, 0), (1, 55, 1, 0), (1, None, 0, 0)]),  # alice's last AC is earlier
    (3, "carol", 2, 30 + 40 + 105 + 20, 105, [(3, 30, 1, 0), (2, 105, 1, 0), NO]),
    (4, "dave", 1, 50, 50, [NO, NO, (1, 50, 1, 0)]),
    (4, "erin", 1, 50, 50, [NO, NO, (1, 50, 1, 0)]),
    (6, "gina", 0, 0, None, [NO, NO, NO]),
]
# What students see while frozen: bob's and carol's last tries pending, carol down to 5th.
CONTEST_FROZEN_TABLE = [
    (None, "frank", 3, 18, 7, [(1, 5, 1, 0), (1, 6, 1, 0), (1, 7, 1, 0)]),
    (1, "alice", 2, 75, 40, [(2, 15, 1, 0), (1, 40, 1, 0), NO]),
    (2, "bob", 2, 75, 55, [(1, 20, 1, 0), (1, 55, 1, 0), (0, None, 0, 1)]),
    (3, "dave", 1, 50, 50, [NO, NO, (1, 50, 1, 0)]),
    (3, "erin", 1, 50, 50, [NO, NO, (1, 50, 1, 0)]),
    (5, "carol", 1, 70, 30, [(3, 30, 1, 0), (0, None, 0, 2), NO]),
    (6, "gina", 0, 0, None, [NO, NO, NO]),
]


# --------------------------------------------------------------------------- the scored exam

SCORED_PROBLEMS = [("P20001", "Easy", 2.0), ("P20002", "Scored", 3.0), ("P20003", "Hard", 1.0)]
SCORED_STUDENTS = [("ana", False), ("ben", False), ("cleo", False), ("dan", False)]
E, S, H = (problem_id for problem_id, _, _ in SCORED_PROBLEMS)
# (student, problem, minute, verdict, grade 0-100)
SCORED_SCRIPT: list[tuple[str, str, int, str, float | None]] = [
    ("ana", E, 5, "WA", None),
    ("ana", E, 12, "AC", None),
    ("ana", S, 20, "SC", 40.0),  # 0.4 x 3
    ("ana", S, 30, "SC", 80.0),  # 0.8 x 3: the last improvement
    ("ana", S, 35, "SC", 60.0),  # worse: nothing changes
    ("ana", H, 40, "CE", None),
    ("ben", E, 50, "AC", None),
    ("ben", S, 60, "AC", None),
    ("cleo", S, 10, "SC", 80.0),
    ("cleo", E, 20, "AC", None),
    ("dan", H, 15, "PE", None),
    ("dan", H, 16, "WA", None),
]


def scored_exam(session: Session, make_user: MakeUser) -> ExamSetup:
    setup = make_exam(
        session, make_user, name="midterm", contest=False, problems=SCORED_PROBLEMS, students=SCORED_STUDENTS
    )
    for username, problem_id, minute, verdict, grade in SCORED_SCRIPT:
        submit(session, setup, username, problem_id, minute, verdict, grade=grade)
    return setup


# (rank, username, points, last improvement, per problem (points, verdict, attempts, time))
NONE = (0.0, None, 0, None)
SCORED_TABLE = [
    (1, "ben", 5.0, 60, [(2.0, "AC", 1, 50), (3.0, "AC", 1, 60), NONE]),
    (2, "cleo", 4.4, 20, [(2.0, "AC", 1, 20), (2.4, "SC", 1, 10), NONE]),  # ana's points, earlier
    (3, "ana", 4.4, 30, [(2.0, "AC", 2, 12), (2.4, "SC", 3, 30), (0.0, "CE", 0, None)]),
    (4, "dan", 0.0, None, [NONE, NONE, (0.0, "PE", 2, None)]),  # PE: the least severe failure
]
