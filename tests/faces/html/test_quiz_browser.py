"""A student answers a Jutge quiz in Chromium (Playwright; the skip rules of
:mod:`tests.faces.html.test_browser`): the fixtures' quiz package without its open question (which
would wait for a teacher), imported through /services into a course. Blanks typed and chosen, the
ordering given position by position, the pairs chosen, the choices ticked, by keyboard and mouse;
100% arrives live (server-sent events, graded by the server's grader thread); axe-core finds no
serious violation on the form or on the result; desktop and phone screenshots."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.faces.html.test_accessibility import Audit
from tests.faces.html.test_browser import Console, browser, screenshot, shots
from tests.faces.html.test_quiz_pages import quiz_course
from tests.faces.test_jutge_quiz_e2e import QUIZ
from tests.support.servers import serve_platform
from tests.support.users import MakeUser
from verdict.accounts.models import User
from verdict.judge.packages.jutge_quiz import load_quiz
from verdict.judge.quiz_model import Quiz
from verdict.judge.sandbox import check_available
from verdict.platform import Platform

pytestmark = [pytest.mark.e2e, pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)]
__all__ = ["browser", "shots"]  # fixtures shared with test_browser

GRADED_MS = 60_000


@pytest.fixture
def closed_quiz(tmp_path: Path) -> Path:
    """The fixtures' quiz without its open question (its score given to the last one): graded
    wholly by the server."""
    package = shutil.copytree(QUIZ, tmp_path / "closed" / "quiz.pbm")
    listed = yaml.safe_load((package / "quiz.yml").read_text())
    dropped = next(q for q in listed["questions"] if q["file"] == "open-ended")
    listed["questions"] = [q for q in listed["questions"] if q is not dropped]
    listed["questions"][-1]["score"] += dropped["score"]  # the scores must add up to 100
    (package / "quiz.yml").write_text(yaml.safe_dump(listed))
    return package


@pytest.fixture
def task(
    client: TestClient,
    session: Session,
    instructor: User,
    make_user: MakeUser,
    tmp_path: Path,
    closed_quiz: Path,
) -> str:
    reason = check_available()
    if reason:
        pytest.skip(f"sandbox unavailable: {reason}")
    make_user("alice"), make_user("bob")
    return quiz_course(client, session, instructor, tmp_path, closed_quiz)


@pytest.fixture
def server(platform: Platform, task: str) -> Iterator[str]:
    """The application with one grader thread, as ``verdict serve`` runs them."""
    with serve_platform(platform) as url:
        yield url


def answer(page: Any, quiz: Quiz) -> None:
    """Right answers to every question, from the quiz's own data and the numbers shown."""
    questions = {item.file: item.question for item in quiz.questions}
    fill_in = questions["fill-in"].blanks
    context = page.locator(".fill-in").inner_text()
    a, b = map(int, re.findall(r"sum\(\[(\d+), (\d+)\]\)", context)[0])
    page.get_by_label("Blank 1", exact=True).fill(fill_in["XXXX"].correct)
    page.get_by_label("Blank 2", exact=True).select_option(fill_in["YYYY"].correct)
    page.get_by_label("Blank 3", exact=True).focus()
    page.keyboard.type(str(a + b))

    single = page.locator("fieldset", has_text="Single choice question")
    x, y = map(int, re.findall(r"(\d+) \+ (\d+)", single.locator(".statement").inner_text())[0])
    single.get_by_label(str(x + y), exact=True).check()
    for index, choice in enumerate(questions["multiple-choice"].choices):
        if choice.correct:
            page.locator(f"#choice-multiple-choice-{index}").focus()
            page.keyboard.press("Space")

    for position, item in enumerate(questions["ordering"].items, start=1):
        page.get_by_label(f"Position {position}", exact=True).select_option(label=item)
    matching = questions["matchings"]
    for left, right in zip(matching.left, matching.right, strict=True):
        page.get_by_label(left, exact=True).select_option(label=right)


def test_a_student_answers_a_jutge_quiz_and_sees_full_marks_arrive(
    browser: Any, server: str, task: str, closed_quiz: Path, shots: Path
) -> None:
    audit = Audit(browser, server, shots)
    page = audit.page
    console = Console(page)
    audit.log_in("alice")
    audit.visit(task, "task-jutge-quiz")
    screenshot(page, shots, "jutge-quiz")
    assert (
        page.locator("fieldset", has_text="Single choice question")
        .locator("img")
        .evaluate("image => image.complete && image.naturalWidth > 0")
    )  # the question's figure, from the page's route

    answer(page, load_quiz(closed_quiz))
    screenshot(page, shots, "jutge-quiz-answered")
    page.get_by_role("button", name="Submit").click()
    page.wait_for_url(lambda url: f"{task}?load=" in url)
    page.evaluate("window.notReloaded = true")
    page.locator("#result dd .badge.ok").wait_for(timeout=GRADED_MS)
    assert page.evaluate("window.notReloaded") is True  # arrived live
    result = page.locator("#result")
    assert result.get_by_text("100%").first.is_visible()
    assert result.get_by_text("Fortran → C → C++").first.is_visible()  # the answers, as texts
    screenshot(page, shots, "jutge-quiz-result")
    audit.check("task-jutge-quiz-result")
    assert console.problems == []
    audit.close()
