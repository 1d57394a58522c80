"""A Jutge quiz through HTTP: imported by /services/problems, put in a course list, viewed by two
students through the INGInious face (their own numbers, no answers), answered, graded; the open
question keeps the grade pending until the course's staff grade it."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.support.inginious import grade_all, walk
from tests.support.jutge import as_user, doc, fresh, make_tgz, put
from tests.support.paths import FIXTURE_PACKAGES
from tests.support.users import MakeUser
from verdict.grading.queue import NullQueue
from verdict.judge.sandbox import check_available
from verdict.models import Course, Submission, SubmissionStatus, User
from verdict.platform import Platform

pytestmark = pytest.mark.e2e

QUIZ = FIXTURE_PACKAGES / "jutge" / "quiz.pbm"
JSON = {"Accept": "application/json"}
ORDER = ["Fortran", "C", "C++", "Python", "Java", "Julia"]
CAPITALS = {
    "France": "Paris",
    "Germany": "Berlin",
    "Spain": "Madrid",
    "Italy": "Rome",
    "Andorra": "Andorra la Vella",
}
SECRETS = (
    "You did well",
    "One less than the sum",
    "Sorry...",
    "_script",
    "valid",
    "correct",
    "random.randint",
)


def import_quiz(client: TestClient, instructor: User, tmp_path: Path, package: Path = QUIZ) -> str:
    with open(make_tgz(tmp_path / "quiz.tgz", package), "rb") as data:
        response = client.post(
            "/services/problems/add-upload",
            files={"file": ("quiz.tgz", data, "application/gzip")},
            headers=as_user(instructor),
        )
    assert response.status_code == 201, response.text
    return str(doc(response)["problem"])


def make_course(client: TestClient, session: Session, instructor: User, problem_id: str) -> str:
    listed = put(
        client, "/services/lists", f"name: quizzes\ntitle: Quizzes\nitems: [{problem_id}]\n", instructor
    )
    assert listed.status_code in (200, 201), listed.text
    course_doc = (
        "name: c\ntitle: A course\nlists: [quizzes]\nstudents: [alice@example.org, bob@example.org]\n"
    )
    assert put(client, "/services/courses", course_doc, instructor).status_code in (200, 201)
    fresh(session)
    course = session.scalar(sa.select(Course).where(Course.name == "c"))
    assert course is not None
    return course.slug


def view(client: TestClient, user: User, path: str) -> dict[str, Any]:
    response = client.get(path, headers={**as_user(user), **JSON})
    assert response.status_code == 200, response.text
    task: dict[str, Any] = next(iter(response.json().values()))
    return task["problems"]


def numbers(problems: dict[str, Any]) -> tuple[int, int]:
    found = re.search(r"sum\(\[(\d+), (\d+)\]\)", problems["fill-in"]["context"])
    assert found, problems["fill-in"]["context"]
    return int(found[1]), int(found[2])


def answers(problems: dict[str, Any], total: int) -> dict[str, Any]:
    """Right answers for what this student was shown (the fill-in's sum: ``total``)."""
    single = problems["single-choice"]["choices"]
    a, b = numbers(problems)
    multiple = problems["multiple-choice"]["choices"]
    ordering = problems["ordering"]["items"]
    left, right = problems["matchings"]["left"], problems["matchings"]["right"]
    return {
        "single-choice": next(n for n, text in single.items() if text == f"`{int(single_sum(problems))}`"),
        "multiple-choice": [n for n, text in multiple.items() if "!=" not in text],
        "fill-in/XXXX": "0",
        "fill-in/YYYY": "+",
        "fill-in/ZZZZ": str(total),
        "ordering": [str(ordering.index(item)) for item in ORDER],
        "matchings": [str(right.index(CAPITALS[country])) for country in left],
        "open-ended": f"My numbers were {a} and {b}.",
        "_teacher": "100",  # not a sub-problem: never stored
    }


def single_sum(problems: dict[str, Any]) -> int:
    found = re.search(r"evaluation of `(\d+) \+ (\d+)`", problems["single-choice"]["header"])
    assert found, problems["single-choice"]["header"]
    return int(found[1]) + int(found[2])


def submit(client: TestClient, user: User, path: str, fields: dict[str, Any]) -> int:
    response = client.post(f"{path}/submissions", data=fields, headers={**as_user(user), **JSON})
    assert response.status_code == 200, response.text
    return int(response.json()["submissionid"])


def submission(client: TestClient, user: User, path: str, number: int) -> dict[str, Any]:
    response = client.get(f"{path}/submissions/{number}", headers={**as_user(user), **JSON})
    assert response.status_code == 200, response.text
    found: dict[str, Any] = response.json()[0]
    return found


@pytest.mark.skipif(bool(check_available()), reason=f"sandbox unavailable: {check_available()}")
@pytest.mark.parametrize("grading_queue", [NullQueue()])  # graded here, by grade_all
def test_a_quiz_from_import_to_a_teachers_grade(
    client: TestClient,
    session: Session,
    platform: Platform,
    tmp_path: Path,
    instructor: User,
    make_user: MakeUser,
) -> None:
    alice, bob = make_user("alice"), make_user("bob")
    problem_id = import_quiz(client, instructor, tmp_path)
    slug = make_course(client, session, instructor, problem_id)
    path = f"/api/v0/courses/{slug}/tasks/{problem_id}"

    mine, theirs = view(client, alice, path), view(client, bob, path)
    assert list(mine) == [
        "single-choice",
        "multiple-choice",
        "fill-in",
        "ordering",
        "matchings",
        "open-ended",
    ]
    assert numbers(mine) != numbers(theirs)  # each student their own numbers
    assert view(client, alice, path) == mine  # and always the same ones
    everything = [str(item) for item in walk(mine)]
    assert not [text for text in everything for secret in SECRETS if secret in text]
    assert str(sum(numbers(mine))) not in everything  # the fill-in's answer is not in the view
    assert "$" not in mine["fill-in"]["context"] and "$lucky" not in mine["open-ended"]["placeholder"]
    assert sorted(mine["ordering"]["items"]) == sorted(ORDER)

    figure = f"{path}/figures/plus.svg"
    assert figure in mine["single-choice"]["header"] and "FIG_DIR" not in str(everything)
    image = client.get(figure, headers=as_user(alice))
    assert (image.status_code, image.headers["content-type"]) == (200, "image/svg+xml")
    assert image.content == (QUIZ / "plus.svg").read_bytes()
    assert client.get(f"{path}/figures/quiz.yml", headers=as_user(alice)).status_code == 404

    alice_id = submit(client, alice, path, answers(mine, sum(numbers(mine))))
    bob_id = submit(client, bob, path, answers(theirs, sum(numbers(mine))))  # alice's sum: wrong for bob
    assert sorted(grade_all(platform)) == sorted([alice_id, bob_id])

    pending = submission(client, alice, path, alice_id)
    assert pending["status"] == "waiting" and "wait for a teacher" in pending["feedback"]
    assert "_teacher" not in pending["input"]
    fresh(session)
    stored = session.get(Submission, alice_id)
    assert stored is not None and (stored.status, stored.verdict, stored.grade) == (
        SubmissionStatus.DONE,
        None,
        None,
    )

    grades = f"{path}/submissions/{alice_id}/grades"
    assert client.post(grades, data={"open-ended": "80"}, headers=as_user(alice)).status_code == 403
    assert client.post(grades, data={"ordering": "80"}, headers=as_user(instructor)).status_code == 400
    assert client.post(grades, data={"open-ended": "180"}, headers=as_user(instructor)).status_code == 400
    for number, score in ((alice_id, "80"), (bob_id, "100")):
        answer = client.post(
            f"{path}/submissions/{number}/grades", data={"open-ended": score}, headers=as_user(instructor)
        )
        assert answer.status_code == 200, answer.text
    assert sorted(grade_all(platform)) == sorted([alice_id, bob_id])

    graded = submission(client, alice, path, alice_id)
    assert (graded["status"], graded["result"], graded["grade"]) == ("done", "failed", 98.0)
    assert "Graded by a teacher: 80/100" in graded["problems_feedback"]["open-ended"]
    assert "You did well" in graded["problems_feedback"]["single-choice"]  # hints once answered
    other = submission(client, bob, path, bob_id)
    assert other["grade"] == pytest.approx(80 + 20 * 2 / 3, abs=0.01)  # graded on his own sum
    assert "2 of 3 right" in other["problems_feedback"]["fill-in"]
