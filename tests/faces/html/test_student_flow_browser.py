"""A student in Chromium (Playwright; the skip rules of :mod:`tests.faces.html.test_browser`), graded
for real by the server's grader thread and the sandbox:

* on a problem page (A+B on its own, its statement rendered, its math by KaTeX), submits a wrong
  C++ program, then a right one, and watches both verdicts arrive live (server-sent events, no
  reload), the history following;
* answers the INGInious quiz of the demo course through its form and sees the grade and the
  feedback rendered.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.orm import Session

from tests.faces.html.test_browser import DESKTOP, Console, browser, screenshot, shots
from tests.support.inginious import APLUSB, Demo, demo_copy, make_demo
from tests.support.servers import serve_platform
from tests.support.users import PASSWORD, MakeUser
from verdict.judge.sandbox import check_available
from verdict.platform import Platform

pytestmark = [pytest.mark.e2e, pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)]
__all__ = ["browser", "shots"]  # fixtures shared with test_browser

RIGHT = (APLUSB / "submissions" / "accepted" / "sum.cpp").read_text()
WRONG = (
    "#include <iostream>\nint main() { long long a, b; std::cin >> a >> b; std::cout << a - b << '\\n'; }\n"
)
GRADED_MS = 120_000


@pytest.fixture
def demo(session: Session, platform: Platform, make_user: MakeUser, tmp_path: Path) -> Demo:
    reason = check_available()
    if reason:
        pytest.skip(f"sandbox unavailable: {reason}")
    return make_demo(session, platform, make_user, demo_copy(tmp_path, with_aplusb=True, lean=True))


@pytest.fixture
def server(platform: Platform, demo: Demo) -> Iterator[str]:
    """The application with one grader thread, as ``verdict serve`` runs them."""
    with serve_platform(platform) as url:
        yield url


def log_in(page: Any, server: str) -> None:
    page.goto(server + "/login")
    page.get_by_label("Username or email").fill("alice")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(server + "/")


def submit_and_watch(page: Any, base: str, source: str) -> str:
    """Submit ``source`` in C++ from the page at ``base``; the result page's submission id once
    its verdict arrived live (the page never reloaded)."""
    page.get_by_label("Language", exact=True).and_(page.locator("select")).select_option("G++17")
    page.get_by_label("Your program").fill(source)
    page.get_by_role("button", name="Submit").click()
    page.wait_for_url(lambda url: f"{base}?load=" in url)
    submission_id = str(page.url.split("load=")[1].split("#")[0])
    page.evaluate("window.notReloaded = true")
    page.locator("#result dd .badge").and_(page.locator(".ok, .bad")).wait_for(timeout=GRADED_MS)
    assert page.evaluate("window.notReloaded") is True
    return submission_id


def test_wrong_then_right_on_a_problem_page_then_a_quiz(
    browser: Any, server: str, demo: Demo, session: Session, shots: Path
) -> None:
    problem_id = demo.task(session, "aplusb").problem_id
    context = browser.new_context(viewport=DESKTOP, locale="en-US")
    page = context.new_page()
    console = Console(page)
    log_in(page, server)

    base = f"/problem/{problem_id}"
    page.goto(server + base)
    statement = page.locator("div.statement")
    statement.locator(".katex").first.wait_for()  # math.js rendered the statement's math
    assert "$a$" not in statement.inner_text()
    screenshot(page, shots, "problem")

    wrong = submit_and_watch(page, server + base, WRONG)
    result = page.locator("#result")
    assert result.get_by_text("wrong answer").first.is_visible()
    assert page.locator(f"#history-{wrong}").inner_text() == "wrong answer"
    screenshot(page, shots, "problem-wrong")

    right = submit_and_watch(page, server + base, RIGHT)
    assert right != wrong
    assert result.get_by_text("accepted").first.is_visible()
    assert page.locator(f"#history-{right}").inner_text() == "accepted"
    assert page.locator(f"#history-{wrong}").inner_text() == "wrong answer"
    assert "secret" not in (result.text_content() or "")
    screenshot(page, shots, "problem-right")

    page.goto(server + "/course/demo/quiz")
    assert page.locator("div.context strong").inner_text() == "C"  # the RST context, rendered
    # The question and its choices rendered from RST, as INGInious shows them.
    assert page.get_by_text("Which header declares printf?").is_visible()
    page.get_by_label("stdio.h", exact=True).check()
    page.get_by_label("int", exact=True).check()
    page.get_by_label("long", exact=True).check()
    page.get_by_label("Your answer").fill("0")
    page.get_by_role("button", name="Submit").click()
    page.wait_for_url(lambda url: "/course/demo/quiz?load=" in url)
    page.locator("#result dd .badge.ok").wait_for(timeout=GRADED_MS)
    assert page.locator("#result").get_by_text("100%").first.is_visible()
    screenshot(page, shots, "quiz-result")
    assert console.problems == []
    context.close()
