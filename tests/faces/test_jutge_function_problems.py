"""Function problems end to end over HTTP: an instructor uploads a fixture package through
/services/problems/add-upload, puts it in a course's list, a student accepts the course and
submits a function through the INGInious face; a grader thread in the real sandbox puts it
together with the problem's main and grades it."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.support.jutge import as_user, doc, fresh, make_tgz, put
from tests.support.paths import PROGRAMS, good_package
from tests.support.users import MakeUser
from verdict.judge.sandbox import check_available
from verdict.models import Course, User
from verdict.platform import Platform

pytestmark = pytest.mark.e2e

POLL_SECONDS = 180


@pytest.fixture
def graders_running(platform: Platform) -> None:
    reason = check_available()
    if reason:
        pytest.skip(f"sandbox unavailable: {reason}")
    platform.queue.start_workers(1)  # stopped by the platform fixture


def upload_package(client: TestClient, tmp_path: Path, package: str, user: User) -> str:
    archive = make_tgz(tmp_path / f"{package}.tgz", good_package(package))
    with open(archive, "rb") as data:
        files = {"file": (archive.name, data, "application/gzip")}
        response = client.post("/services/problems/add-upload", files=files, headers=as_user(user))
    assert response.status_code == 201, response.text
    return str(doc(response)["problem"])


def course_with(client: TestClient, session: Session, instructor: User, student: User, problem: str) -> str:
    """A course whose one list holds the problem, accepted by the student; returns its slug."""
    listed = put(
        client, "/services/lists", f"name: funcs\ntitle: Functions\nitems: [{problem}]\n", instructor
    )
    assert listed.status_code in (200, 201), listed.text
    course = f"name: funcs\ntitle: Function problems\nlists: [funcs]\nstudents: [{student.email}]\n"
    assert put(client, "/services/courses", course, instructor).status_code in (200, 201)
    accepted = client.post(f"/services/courses/{instructor.username}:funcs/accept", headers=as_user(student))
    assert accepted.status_code == 200, accepted.text
    fresh(session)
    slug = session.scalar(sa.select(Course.slug).where(Course.name == "funcs"))
    assert slug is not None
    return slug


def submit_and_wait(client: TestClient, student: User, path: str, code: str, language: str) -> dict[str, Any]:
    response = client.post(
        f"{path}/submissions", data={"code": code, "code/language": language}, headers=as_user(student)
    )
    assert response.status_code == 200, response.text
    submission_id = response.json()["submissionid"]
    deadline = time.monotonic() + POLL_SECONDS
    while time.monotonic() < deadline:
        got = client.get(f"{path}/submissions/{submission_id}", headers=as_user(student))
        assert got.status_code == 200, got.text
        [submission] = got.json()
        if submission["status"] != "waiting":
            return dict(submission)
        time.sleep(0.2)
    raise AssertionError(f"submission {submission_id} not graded in {POLL_SECONDS} s")


@pytest.mark.parametrize(
    ("package", "language"),
    [("func_py.pbm", "Python3"), ("func_cpp.pbm", "G++17"), ("func_java.pbm", "JDK"), ("func_c.pbm", "GCC")],
)
def test_an_uploaded_function_problem_grades_a_submitted_function(
    client: TestClient,
    session: Session,
    instructor: User,
    make_user: MakeUser,
    tmp_path: Path,
    graders_running: None,
    package: str,
    language: str,
) -> None:
    student = make_user("student")
    problem = upload_package(client, tmp_path, package, instructor)
    slug = course_with(client, session, instructor, student, problem)
    path = f"/api/v0/courses/{slug}/tasks/{problem}"
    golden = next(good_package(package).glob("solution.*")).read_text()
    accepted = submit_and_wait(client, student, path, golden, language)
    assert (accepted["status"], accepted["result"], accepted["grade"]) == ("done", "success", 100.0), accepted


def test_a_compile_error_in_a_function_names_the_students_line(
    client: TestClient,
    session: Session,
    instructor: User,
    make_user: MakeUser,
    tmp_path: Path,
    graders_running: None,
) -> None:
    student = make_user("student")
    problem = upload_package(client, tmp_path, "func_c.pbm", instructor)
    path = f"/api/v0/courses/{course_with(client, session, instructor, student, problem)}/tasks/{problem}"
    broken = (PROGRAMS / "func_c" / "ce_missing_semicolon.c").read_text()
    result = submit_and_wait(client, student, path, broken, "GCC")
    assert (result["status"], result["result"], result["grade"]) == ("done", "failed", 0.0)
    assert "program.c:2:" in result["feedback"] and "jutge_program" not in result["feedback"], result
