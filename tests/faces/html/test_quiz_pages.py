"""A Jutge quiz answered on the task page (TestClient, SQLite and PostgreSQL): the real quiz package
of the fixtures imported through /services, put in a course; the page shows a field of each kind
(blanks, positions, pairs, choices, open text) in the order the API shows the same student, and
no correct answer; the form posts the fields the API takes, graded by the same use case (whole
and partial grades computed from the quiz's own data); an ordering that is not a permutation is
refused on the page with a message, what was typed kept; the answers come back as texts."""

from __future__ import annotations

import html
import re
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from fastapi import FastAPI
from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy.orm import Session

from tests.faces.html.helpers import csrf, log_in
from tests.faces.test_jutge_quiz_e2e import (
    CAPITALS,
    ORDER,
    QUIZ,
    SECRETS,
    answers,
    import_quiz,
    make_course,
    numbers,
    view,
)
from tests.support.inginious import grade_all
from tests.support.jutge import as_user, fresh
from tests.support.users import MakeUser
from verdict.grading.queue import NullQueue
from verdict.judge.packages.jutge_quiz import load_quiz
from verdict.judge.sandbox import check_available
from verdict.models import Submission, User
from verdict.platform import Platform

# SQLite only: these pages have no SQL of their own (they call the services, tested on both
# databases), and tests/faces/html/test_crawl.py opens every page and form on PostgreSQL too.
pytestmark = [
    pytest.mark.e2e,
    pytest.mark.parametrize("db_url", ["sqlite"], indirect=True),
    pytest.mark.skipif(bool(check_available()), reason=f"sandbox unavailable: {check_available()}"),
    pytest.mark.parametrize("grading_queue", [NullQueue()]),  # graded here, by grade_all
]

LOAD = re.compile(r"\?load=(\d+)#result$")


def quiz_course(
    client: TestClient, session: Session, instructor: User, tmp_path: Path, quiz: Path = QUIZ
) -> str:
    """The quiz imported and put in a course of alice and bob: its task's path under /course."""
    problem_id = import_quiz(client, instructor, tmp_path, quiz)
    return f"/course/{make_course(client, session, instructor, problem_id)}/{problem_id}"


@pytest.fixture
def task(client: TestClient, session: Session, instructor: User, make_user: MakeUser, tmp_path: Path) -> str:
    make_user("alice"), make_user("bob")
    return quiz_course(client, session, instructor, tmp_path)


@pytest.fixture
def pages(app: FastAPI) -> TestClient:
    """A browser's session of its own (the ``client`` fixture speaks to the APIs)."""
    return TestClient(app)


def student(session: Session, login: str) -> User:
    user = session.scalar(sa.select(User).where(User.username == login))
    assert user is not None
    return user


def api_path(task: str) -> str:
    _, _, course, problem = task.split("/")
    return f"/api/v0/courses/{course}/tasks/{problem}"


def selects(page: str, name: str) -> list[list[str]]:
    """The options' texts of each <select name=``name``>, in page order."""
    found = re.findall(rf'<select [^>]*name="{re.escape(name)}"[^>]*>(.*?)</select>', page, re.S)
    return [
        [html.unescape(text) for text in re.findall(r"<option [^>]*>([^<]*)</option>", body)]
        for body in found
    ]


def post(pages: TestClient, task: str, fields: dict[str, Any]) -> Response:
    fields = {key: value for key, value in fields.items() if not key.startswith("_")}
    return pages.post(f"{task}/submit", data={"csrf": csrf(pages, task), **fields}, follow_redirects=False)


def submitted(response: Response) -> int:
    assert response.status_code == 303, response.text
    found = LOAD.search(response.headers["location"])
    assert found, response.headers["location"]
    return int(found.group(1))


def teacher_grades(client: TestClient, instructor: User, task: str, number: int, score: int) -> None:
    response = client.post(
        f"{api_path(task)}/submissions/{number}/grades",
        data={"open-ended": str(score)},
        headers=as_user(instructor),
    )
    assert response.status_code == 200, response.text


def test_the_page_shows_every_kind_of_field_and_no_answer(
    client: TestClient, pages: TestClient, session: Session, task: str
) -> None:
    shown = view(client, student(session, "alice"), api_path(task))
    log_in(pages, "alice")
    response = pages.get(task)
    assert response.status_code == 200, response.text
    page = response.text
    assert 'name="fill-in/XXXX"' in page and 'aria-label="Blank 1"' in page and 'maxlength="5"' in page
    assert selects(page, "fill-in/YYYY") == [["…", "+", "-", "*", "/"]]
    assert 'name="fill-in/ZZZZ"' in page and 'aria-label="Blank 3"' in page and 'placeholder="?"' in page
    assert "XXXX" not in page.replace("fill-in/XXXX", "")  # each placeholder is its field
    a, b = numbers(shown)
    assert f"sum([{a}, {b}])" in html.unescape(re.sub(r"<[^>]+>", "", page))  # the student's numbers
    items = shown["ordering"]["items"]
    assert selects(page, "ordering") == [items] * len(ORDER)
    assert [f"Position {n}" in page for n in range(1, len(ORDER) + 1)] == [True] * len(ORDER)
    assert selects(page, "matchings") == [shown["matchings"]["right"]] * len(CAPITALS)
    labels = re.findall(r'<label for="match-matchings-\d+">([^<]*)</label>', page)
    assert labels == shown["matchings"]["left"]
    assert page.count('name="single-choice" value=') == 5 and 'type="radio"' in page
    assert page.count('name="multiple-choice" value=') == 3 and 'type="checkbox"' in page
    assert '<textarea id="answer-open-ended" name="open-ended"' in page
    assert "cannot be answered on this page" not in page
    assert load_quiz(QUIZ).statement in page  # quiz.yml's statement: the package has no other
    assert "<code>" in page and "`" not in page.split('id="submit-title"')[1].split("</form>")[0]  # Markdown
    # No answer: no hint, no script, no sum, no correct flag; the figure served from the page's route.
    assert not [secret for secret in SECRETS if secret in page], [s for s in SECRETS if s in page]
    assert str(a + b) not in page
    figure = f"{task}/figures/plus.svg"
    assert f'src="{figure}"' in page and "FIG_DIR" not in page
    image = pages.get(figure)
    assert (image.status_code, image.content) == (200, (QUIZ / "plus.svg").read_bytes())
    assert pages.get(f"{task}/figures/quiz.yml").status_code == 404


def expected_grade(wrong: dict[str, tuple[int, int]]) -> float:
    """The task's grade when each question in ``wrong`` has (right, total) parts right and every
    other is wholly right (the open one graded 100 by a teacher): the quiz's scores and
    ``partial_answer`` flags weigh them, as the toolkit's player does."""
    quiz = load_quiz(QUIZ)
    total = sum(item.score for item in quiz.questions)
    got = 0.0
    for item in quiz.questions:
        right, count = wrong.get(item.file, (1, 1))
        fraction = 1.0 if right == count else right / count if item.question.partial_answer else 0.0
        got += item.score * fraction
    return 100 * got / total


def test_right_and_partly_wrong_answers_are_graded_as_through_the_api(
    client: TestClient,
    pages: TestClient,
    session: Session,
    platform: Platform,
    instructor: User,
    task: str,
) -> None:
    users = {u.username: u for u in session.scalars(sa.select(User))}
    mine = view(client, users["alice"], api_path(task))
    theirs = view(client, users["bob"], api_path(task))
    log_in(pages, "alice")
    alice_id = submitted(post(pages, task, answers(mine, sum(numbers(mine)))))
    partly = answers(theirs, sum(numbers(theirs)) + 1)  # the third blank wrong
    partly["matchings"][0], partly["matchings"][1] = partly["matchings"][1], partly["matchings"][0]
    partly["ordering"][0], partly["ordering"][1] = partly["ordering"][1], partly["ordering"][0]
    pages.cookies.clear()
    log_in(pages, "bob")
    bob_id = submitted(post(pages, task, partly))
    assert sorted(grade_all(platform)) == sorted([alice_id, bob_id])
    for number in (alice_id, bob_id):
        teacher_grades(client, instructor, task, number, 100)
    assert sorted(grade_all(platform)) == sorted([alice_id, bob_id])
    fresh(session)
    alice_row, bob_row = session.get(Submission, alice_id), session.get(Submission, bob_id)
    assert alice_row is not None and bob_row is not None
    assert alice_row.grade == pytest.approx(expected_grade({}))
    fill_in = len(load_quiz(QUIZ).questions[2].question.blanks)
    wrong = {"fill-in": (fill_in - 1, fill_in), "matchings": (len(CAPITALS) - 2, len(CAPITALS))}
    wrong["ordering"] = (len(ORDER) - 2, len(ORDER))
    assert bob_row.grade == pytest.approx(expected_grade(wrong), abs=0.01)
    assert bob_row.grade is not None and bob_row.grade < 100

    shown = pages.get(f"{task}?load={bob_id}").text
    answered = html.unescape(shown.split('id="result-title"')[1])
    bob_order = [ORDER[1], ORDER[0], *ORDER[2:]]
    assert " → ".join(bob_order) in answered  # the items in the order given, not positions
    right = theirs["matchings"]["right"]
    pairs = [
        f"{left} → {right[int(p)]}"
        for left, p in zip(theirs["matchings"]["left"], partly["matchings"], strict=True)
    ]
    assert "; ".join(pairs) in answered
    assert f"Blank 1: 0; Blank 2: +; Blank 3: {sum(numbers(theirs)) + 1}" in answered
    listed = answered.split("Your answers")[1].split("</dl>")[0]
    assert "[" not in listed and "`" not in listed  # texts, not positions nor Markdown
    assert "<dt>Ordering question</dt>" in listed  # each answer under its question's title


def test_an_ordering_that_is_not_a_permutation_is_refused_on_the_page(
    client: TestClient, pages: TestClient, session: Session, task: str
) -> None:
    shown = view(client, student(session, "alice"), api_path(task))
    fields = answers(shown, 1)
    fields["ordering"] = ["0"] * len(ORDER)
    log_in(pages, "alice")
    response = post(pages, task, fields)
    assert response.status_code == 400, response.text
    assert "Choose each item exactly once in: Ordering question" in html.unescape(response.text)
    assert 'role="alert"' in response.text
    # What was typed and chosen is kept.
    assert re.search(r'name="fill-in/ZZZZ"[^>]*value="1"', response.text)
    chosen = re.findall(r'<select id="order-ordering-\d+" name="ordering">.*?</select>', response.text, re.S)
    assert [re.findall(r'<option value="(\d+)" selected>', body) for body in chosen] == [["0"]] * len(ORDER)
    assert session.scalar(sa.select(sa.func.count()).select_from(Submission)) == 0
