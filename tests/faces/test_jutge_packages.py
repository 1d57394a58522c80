"""Jutge packages as the toolkit writes them, through HTTP: imported from the import directory
(expected outputs made, the import report in the answer), refused with a setter error or a clear
message when they cannot be graded, then solved by a student through the INGInious face with the
tests of the statement language the task names."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.support.jutge import as_user, doc, error_of, put
from tests.support.paths import FIXTURE_PACKAGES
from tests.support.users import MakeUser
from verdict.models import Submission, User
from verdict.platform import Platform

pytestmark = pytest.mark.e2e

WORDS = FIXTURE_PACKAGES / "jutge" / "words.pbm"
LARGER = FIXTURE_PACKAGES / "jutge" / "larger.pbm"
COUNT_WORDS = "import sys\nprint(len(sys.stdin.read().split()))\n"


@pytest.fixture
def jutge(make_user: MakeUser) -> User:
    return make_user("Jutge", role="instructor", email="jutge@jutge.org")


def place(platform: Platform, user: User, package: Path, relative: str) -> Path:
    target = platform.settings.import_root / user.username / relative
    return Path(shutil.copytree(package, target))


def import_path(client: TestClient, user: User, relative: str) -> Any:
    return put(client, "/services/problems", f"path: {user.username}@jutge.org:{relative}\n", user)


def test_a_per_language_package_imports_as_one_problem_with_its_report(
    client: TestClient, platform: Platform, jutge: User
) -> None:
    place(platform, jutge, WORDS, "problems/words.pbm")
    answer = import_path(client, jutge, "problems/words.pbm")
    assert answer.status_code == 201, answer.text
    body = doc(answer)
    assert body["languages"] == ["ca", "en"] and body["created"]
    report = body["report"]
    assert (report["format"], report["tests"], report["made_outputs"]) == ("jutge", 7, 7)
    assert report["golden"] == ["ca/solution.cc", "en/solution.cc"] and report["warnings"] == []
    assert set(report["time_limits"]) == {"ca", "en"}
    assert set(report["time_limits"]["en"]) == {"fast", "medium", "slow"}
    assert [s["file"] for s in report["solutions"]] == ["ca/solution.cc", "en/solution.cc", "en/solution.py"]
    assert all(s["agrees"] for s in report["solutions"])
    # The language folder alone is refused, and creates nothing.
    refused = error_of(import_path(client, jutge, "problems/words.pbm/en"), 400)
    assert "import words.pbm itself" in refused["message"]


def test_a_golden_solution_that_fails_refuses_the_import_with_a_setter_error(
    client: TestClient, platform: Platform, jutge: User
) -> None:
    package = place(platform, jutge, LARGER, "problems/larger.pbm")
    (package / "test-2.cor").write_text("8\n")  # the golden solution prints 7
    error = error_of(import_path(client, jutge, "problems/larger.pbm"), 400)
    assert "setter error (SE)" in error["message"]
    assert "solution.c" in error["message"] and "WA" in error["message"] and "test-2" in error["message"]
    assert "/work" not in error["message"] and str(platform.settings.import_root) not in error["message"]


def test_a_failing_alternate_is_a_warning_in_the_answer(
    client: TestClient, platform: Platform, jutge: User
) -> None:
    package = place(platform, jutge, LARGER, "problems/larger.pbm")
    (package / "solution.py").write_text("print(0)\n")
    answer = import_path(client, jutge, "problems/larger.pbm")
    assert answer.status_code == 201, answer.text
    warnings = doc(answer)["report"]["warnings"]
    assert any(w.startswith("solution.py: expected AC, got WA") for w in warnings), warnings


def test_unsupported_handlers_are_refused_by_name(
    client: TestClient, platform: Platform, jutge: User
) -> None:
    package = place(platform, jutge, LARGER, "problems/game.pbm")
    (package / "handler.yml").write_text("handler: circuits\n")
    error = error_of(import_path(client, jutge, "problems/game.pbm"), 400)
    assert "cannot grade circuits problems" in error["message"]


def test_a_student_solves_the_english_variant_with_its_own_tests(
    client: TestClient, session: Session, platform: Platform, jutge: User, make_user: MakeUser
) -> None:
    student = make_user("student", email="student@example.org")
    place(platform, jutge, WORDS, "problems/words.pbm")
    problem_id = doc(import_path(client, jutge, "problems/words.pbm"))["problem"]
    listing = f"name: words\ntitle: Words\nitems: [{problem_id}_en, {problem_id}_ca]\n"
    assert put(client, "/services/lists", listing, jutge).status_code in (200, 201)
    course = f"name: c\ntitle: A course\nlists: [words]\nstudents: [{student.email}]\n"
    assert put(client, "/services/courses", course, jutge).status_code in (200, 201)
    assert client.post("/services/courses/Jutge:c/accept", headers=as_user(student)).status_code == 200
    ids = {}
    for variant in ("en", "ca"):
        answer = client.post(
            f"/api/v0/courses/Jutge-c/tasks/{problem_id}_{variant}/submissions",
            data={"code": COUNT_WORDS, "code/language": "Python3"},
            headers=as_user(student),
        )
        assert answer.status_code == 200, answer.text
        ids[variant] = int(answer.json()["submissionid"])
        engine = platform.grading_engine()
        assert engine.grade_next() == ids[variant]
    session.expire_all()
    english, catalan = (session.get(Submission, ids[v]) for v in ("en", "ca"))
    assert english is not None and catalan is not None
    assert (english.variant, catalan.variant) == ("en", "ca")
    assert english.verdict == "AC" and catalan.verdict == "AC", (english.error_reason, english.feedback)
    assert [t.test_name for t in english.tests] == ["sample-1", "test-1", "test-2", "test-3"]
    assert [t.test_name for t in catalan.tests] == ["sample-1", "test-1", "test-2"]
