"""Kattis packages made as problemtools' examples are, imported through HTTP (the Jutge face's
upload) and graded as submissions named with Kattis's language ids: the hilo fixture (2023-07
interactive, a C++ validator with its own header) and remember (multi-pass)."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from httpx import Response

from tests.support.jutge import as_user, doc, make_tgz
from tests.support.paths import FIXTURE_PACKAGES
from tests.support.users import MakeUser
from verdict.grading import service
from verdict.grading.service import NewSubmission
from verdict.judge.sandbox import check_available
from verdict.models import Problem, User
from verdict.platform import Platform
from verdict.submissions.models import Submission

pytestmark = pytest.mark.e2e

KATTIS = FIXTURE_PACKAGES / "kattis"


@pytest.fixture(autouse=True)
def _sandbox() -> None:
    if reason := check_available():
        pytest.skip(f"sandbox unavailable: {reason}")


def upload(client: TestClient, archive: Path, user: User) -> Response:
    with open(archive, "rb") as data:
        files = {"file": (archive.name, data, "application/gzip")}
        return client.post("/services/problems/add-upload", files=files, headers=as_user(user))


def graded(platform: Platform, user: User, problem_id: str, language: str, source: Path) -> Submission:
    with platform.session_scope() as session:
        new = NewSubmission(user.id, problem_id, language, source.read_text())
        submission_id = service.create_submission(session, new).id
    assert platform.grading_engine().grade_next() == submission_id
    with platform.sessionmaker() as session:
        row = session.get(Submission, submission_id)
        assert row is not None
        session.expunge(row)
        return row


@pytest.mark.parametrize(
    ("package", "submissions"),
    [
        (
            "hilo",
            [
                ("accepted/bisect.cc", "cpp", "AC"),
                ("wrong_answer/linear.py", "python3", "WA"),
                ("run_time_error/crash_after_correct.cc", "cpp", "RE"),
            ],
        ),
        ("remember", [("accepted/letters.c", "c", "AC"), ("wrong_answer/forgetful.py", "python3", "WA")]),
    ],
)
def test_uploaded_kattis_package_grades_submissions_as_expected(
    client: TestClient,
    platform: Platform,
    jutge: User,
    make_user: MakeUser,
    tmp_path: Path,
    package: str,
    submissions: list[tuple[str, str, str]],
) -> None:
    response = upload(client, make_tgz(tmp_path / f"{package}.tgz", KATTIS / package), jutge)
    assert response.status_code == 201, response.text
    problem_id = doc(response)["problem"]
    with platform.sessionmaker() as session:
        problem = session.get(Problem, problem_id)
        assert problem is not None and (problem.format, problem.package_id) == ("kattis", package)
    student = make_user("solver")
    for name, language, expected in submissions:
        row = graded(platform, student, problem_id, language, KATTIS / package / "submissions" / name)
        assert (row.status, row.verdict) == ("done", expected), (name, row.feedback, row.error_reason)
