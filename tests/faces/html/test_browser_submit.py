"""A student in a real browser (Debian's Chromium, Playwright; the same skip rules as
:mod:`tests.faces.html.test_browser`): opens a course from the dashboard, opens a task, writes a
correct A+B program, submits it and watches the verdict arrive live (server-sent events, no reload),
with the server's grader thread and the real sandbox. Screenshots of the course, task and result
pages at desktop and phone widths."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.orm import Session

from tests.faces.html.test_browser import DESKTOP, Console, browser, screenshot, shots
from tests.support.inginious import APLUSB, Demo, demo_copy, make_demo
from tests.support.servers import uvicorn_thread
from tests.support.users import PASSWORD, MakeUser
from verdict.judge.sandbox import check_available
from verdict.platform import Platform
from verdict.web.app import create_app

pytestmark = [pytest.mark.e2e, pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)]

__all__ = ["browser", "shots"]  # fixtures shared with test_browser

ACCEPTED = (APLUSB / "submissions" / "accepted" / "sum.c").read_text()


@pytest.fixture
def demo(session: Session, platform: Platform, make_user: MakeUser, tmp_path: Path) -> Demo:
    reason = check_available()
    if reason:
        pytest.skip(f"sandbox unavailable: {reason}")
    return make_demo(session, platform, make_user, demo_copy(tmp_path, with_aplusb=True, lean=True))


@pytest.fixture
def server(platform: Platform, demo: Demo) -> Iterator[str]:
    """The application, its grader thread started by the test (once the page waits)."""
    try:
        with uvicorn_thread(create_app(platform=platform)) as port:
            yield f"http://127.0.0.1:{port}"
    finally:
        platform.queue.stop()


def test_open_a_course_and_a_task_submit_and_watch_the_verdict_live(
    browser: Any, server: str, demo: Demo, shots: Path, platform: Platform
) -> None:
    context = browser.new_context(viewport=DESKTOP, locale="en-US")
    page = context.new_page()
    console = Console(page)
    page.goto(server + "/login")
    page.get_by_label("Username or email").fill("alice")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(server + "/")

    page.get_by_role("link", name=demo.course.title).first.click()
    page.wait_for_url(server + "/course/demo")
    assert page.get_by_role("link", name="A plus B").is_visible()
    screenshot(page, shots, "course")

    page.get_by_role("link", name="A plus B").click()
    page.wait_for_url(server + "/course/demo/aplusb")
    assert page.get_by_role("heading", name="Statement").is_visible()
    page.get_by_label("Language", exact=True).and_(page.locator("select")).select_option("GCC")
    page.get_by_label("Your program").fill(ACCEPTED)
    page.get_by_label("Yes", exact=True).check()
    screenshot(page, shots, "task")
    page.get_by_role("button", name="Submit").click()
    page.wait_for_url(lambda url: "/course/demo/aplusb?load=" in url)
    page.get_by_text("Waiting for a grader").wait_for()
    assert page.locator("[sse-connect]").count() == 1
    page.evaluate("window.notReloaded = true")
    screenshot(page, shots, "task-waiting")
    platform.queue.start_workers(1)

    # The verdict arrives without a reload: the SSE swap fills the result in.
    page.locator("#result dd .badge.ok").wait_for(timeout=120_000)
    assert page.locator("#result").get_by_text("accepted").first.is_visible()
    assert page.locator("#result table.tests").get_by_role("cell", name="sample/1").is_visible()
    assert page.evaluate("window.notReloaded") is True
    # The same event updated the history's row and the standing (out-of-band swaps).
    submission_id = page.url.split("load=")[1].split("#")[0]
    assert page.locator(f"#history-{submission_id}").inner_text() == "accepted"
    assert page.locator("#standing").get_by_text("accepted").is_visible()
    assert page.evaluate("document.querySelector('#result').textContent").count("secret") == 0
    screenshot(page, shots, "task-result")
    assert console.problems == []
    context.close()
