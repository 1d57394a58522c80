"""An exam as an INGInious course (``/api/v0/courses/{Exam.slug}``), over HTTP on SQLite and
PostgreSQL with the platform's clock moved by hand: listed for its students and staff only,
entered by registering with the exam password, its tasks the exam's problems from the real start
on, code submissions tied to the exam and refused outside the window with the reason, and a real
accepted verdict from the sandbox."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy.orm import Session

from tests.support.clock import ManualClock
from tests.support.exam_mode import AC_PY, OUTSIDE, ExamSetup, exam_clock, make_exam, make_problems
from tests.support.jutge import fresh
from tests.support.users import MakeUser, basic
from verdict.accounts.models import User
from verdict.exams.models import Protection
from verdict.grading.queue import NullQueue
from verdict.grading.service import PRIORITY_EXAM
from verdict.platform import Platform
from verdict.submissions.models import Submission

pytestmark = pytest.mark.e2e

API = "/api/v0"
COURSE = f"{API}/courses/final-exam"


@pytest.fixture
def clock() -> ManualClock:
    return exam_clock()  # ten minutes before the expected start


@pytest.fixture
def grading_queue() -> NullQueue:
    """No grader threads: a test grades in its own thread when it wants a verdict, and the queue
    counts the wakes."""
    return NullQueue()


@pytest.fixture
def setup(session: Session, platform: Platform, tmp_path: Path, make_user: MakeUser) -> ExamSetup:
    make_problems(session, platform, tmp_path)
    return make_exam(session, make_user)


def get(client: TestClient, path: str, user: User) -> Response:
    return client.get(path, headers=basic(user))


def register(client: TestClient, user: User, password: str | None) -> Response:
    data = {"password": password} if password is not None else None
    return client.post(f"{COURSE}/register", data=data, headers=basic(user))


def submit(client: TestClient, user: User, task: str = "P68688", language: str = "Python3") -> Response:
    form = {"code": AC_PY, "code/language": language}
    return client.post(f"{COURSE}/tasks/{task}/submissions", data=form, headers=basic(user))


def error(response: Response, status: int, *words: str) -> str:
    assert response.status_code == status, response.text
    message = str(response.json()["error"])
    for word in words:
        assert word in message, message
    return message


def submitted(response: Response) -> int:
    assert response.status_code == 200, response.text
    return int(response.json()["submissionid"])


def test_listed_for_its_students_and_staff_only(
    client: TestClient, session: Session, setup: ExamSetup, make_user: MakeUser
) -> None:
    listed = get(client, f"{API}/courses", setup.alice).json()
    assert listed["final-exam"] == {"name": "Final exam", "require_password": True, "is_registered": False}
    staff_view = get(client, COURSE, setup.tutor).json()["final-exam"]
    assert staff_view["is_registered"] is True and list(staff_view["tasks"]) == ["P68688", "P57548"]
    assert "final-exam" in get(client, f"{API}/courses", setup.teacher).json()
    for stranger in (setup.carol, make_user("mallory")):
        assert "final-exam" not in get(client, f"{API}/courses", stranger).json()
        error(get(client, COURSE, stranger), 404, "Course not found")
        error(get(client, f"{COURSE}/tasks", stranger), 404, "Course not found")
        error(register(client, stranger, "CLOUCREA"), 404, "Course not found")
        error(submit(client, stranger), 404, "Course not found")
    setup.exam.protection = Protection.OPEN
    session.commit()
    open_view = get(client, COURSE, setup.alice).json()["final-exam"]
    assert open_view["require_password"] is False and open_view["is_registered"] is True


def test_registering_enters_and_the_window_rules_submissions(
    client: TestClient, session: Session, setup: ExamSetup, clock: ManualClock
) -> None:
    alice = setup.alice
    error(get(client, f"{COURSE}/tasks", alice), 403, "register with the exam password")
    error(register(client, alice, "WRONGONE"), 403, "wrong exam password")
    error(register(client, alice, None), 403, "wrong exam password")
    assert register(client, alice, "CLOUCREA").status_code == 201
    assert register(client, alice, "CLOUCREA").status_code == 200
    error(client.post(f"{COURSE}/unregister", headers=basic(alice)), 403, "cannot be left")
    assert get(client, COURSE, alice).json()["final-exam"]["is_registered"] is True
    error(get(client, f"{COURSE}/tasks", alice), 403, "has not started yet")
    error(submit(client, alice), 403, "has not started yet")

    clock.advance(minutes=10)
    setup.start(session, clock.now)  # 12:00
    tasks = get(client, f"{COURSE}/tasks", alice).json()
    assert list(tasks) == ["P68688", "P57548"]
    first = tasks["P68688"]
    assert first["name"].startswith("P1: ") and first["deadline"] == "2026-06-22 13:00:00"
    assert first["problems"] == {"code": {"type": "code", "name": first["name"][4:], "language": ""}}
    assert (first["status"], first["weight"], first["caption"]) == ("notattempted", 2.0, "P1")
    one = get(client, f"{COURSE}/tasks/P57548", alice).json()
    assert list(one) == ["P57548"]
    error(get(client, f"{COURSE}/tasks/{OUTSIDE}", alice), 404, "Task not found")
    error(submit(client, alice, OUTSIDE), 404, "Task not found")

    submission_id = submitted(submit(client, alice))
    fresh(session)
    row = session.get(Submission, submission_id)
    assert row is not None
    assert (row.exam_id, row.priority, row.problem_id, row.task_id) == (
        setup.exam.id,
        PRIORITY_EXAM,
        "P68688",
        None,
    )
    assert row.created_at == clock.now

    clock.advance(minutes=60)  # 13:00: the end
    error(submit(client, alice), 403, "the exam ended at 2026-06-22 13:00:00 UTC")
    student = setup.student(session, alice)
    student.extra_minutes = 5
    student.closed_at = clock.now
    session.commit()
    error(submit(client, alice), 403, "closed early for you by staff")
    student.closed_at = None
    session.commit()
    submitted(submit(client, alice))
    assert get(client, f"{COURSE}/tasks/P68688", alice).json()["P68688"]["deadline"] == "2026-06-22 13:05:00"
    clock.advance(minutes=5)
    error(submit(client, alice), 403, "the exam ended at 2026-06-22 13:05:00 UTC")
    # Staff see the tasks but are not students.
    error(submit(client, setup.tutor), 403, "cannot submit")


def test_compilers_and_inputs(
    client: TestClient, session: Session, setup: ExamSetup, clock: ManualClock
) -> None:
    setup.exam.compilers = ["G++17"]
    session.commit()
    setup.start(session, clock.now)
    alice = setup.alice
    assert register(client, alice, "CLOUCREA").status_code == 201
    error(submit(client, alice, language="Python3"), 400, "Python3 is not allowed in this exam")
    error(submit(client, alice, language="Cobolish"), 400, "unknown compiler")
    missing = client.post(f"{COURSE}/tasks/P68688/submissions", data={"code": "x"}, headers=basic(alice))
    error(missing, 400, "code/language")
    empty = client.post(
        f"{COURSE}/tasks/P68688/submissions",
        data={"code": " ", "code/language": "G++17"},
        headers=basic(alice),
    )
    error(empty, 400, "empty")
    nul = client.post(
        f"{COURSE}/tasks/P68688/submissions",
        data={"code/language": "G++17"},
        files={"code": ("main.cc", b"int main() {}\x00")},
        headers=basic(alice),
    )
    error(nul, 400, "NUL")


def test_an_accepted_verdict_from_the_sandbox(
    client: TestClient, session: Session, platform: Platform, setup: ExamSetup, clock: ManualClock
) -> None:
    setup.exam.protection = Protection.OPEN  # no registration needed
    session.commit()
    setup.start(session, clock.now)
    alice = setup.alice
    submission_id = submitted(submit(client, alice))
    assert platform.grading_engine().grade_next() == submission_id
    listed: list[dict[str, Any]] = get(client, f"{COURSE}/tasks/P68688/submissions", alice).json()
    assert [s["id"] for s in listed] == [str(submission_id)]
    [done] = get(client, f"{COURSE}/tasks/P68688/submissions/{submission_id}", alice).json()
    assert (done["status"], done["result"], done["grade"]) == ("done", "success", 100.0)
    assert done["input"] == {"code": AC_PY, "code/language": "Python3"}
    assert done["submitted_on"] == "2026-06-22 11:50:00"
    task = get(client, f"{COURSE}/tasks/P68688", alice).json()["P68688"]
    assert (task["status"], task["grade"]) == ("succeeded", 100.0)
    assert get(client, COURSE, alice).json()["final-exam"]["grade"] == round(2 * 100.0 / 3, 2)
    error(
        get(client, f"{COURSE}/tasks/P57548/submissions/{submission_id}", alice), 404, "Submission not found"
    )
    error(
        get(client, f"{COURSE}/tasks/P68688/submissions/{submission_id}", setup.bob),
        404,
        "Submission not found",
    )
    fresh(session)
    assert session.scalar(sa.select(Submission.exam_id)) == setup.exam.id
    clock.advance(minutes=timedelta(hours=2).total_seconds() / 60)
    # After the end the student still reads the exam and her submissions, and cannot submit.
    assert get(client, f"{COURSE}/tasks/P68688/submissions", alice).status_code == 200
    error(submit(client, alice), 403, "ended")
