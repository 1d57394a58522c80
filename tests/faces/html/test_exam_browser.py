"""A student takes an exam in a real browser (Debian's Chromium driven by Playwright, against
uvicorn on 127.0.0.1): the password, the countdown (``static/exam.js`` under the
Content-Security-Policy), a submission graded while the page polls, then the end of the window.

The server's clock is a :class:`ManualClock` the test moves: past the end, the page's next poll
of the window finds the exam over and loads the page again, which says so and has no form left;
a submission posted anyway is refused by the server with the reason. No sleeping for deadlines.

Skipped as ``test_browser.py`` is: without Chromium, Playwright or the fetched front-end assets.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.orm import Session

from tests.faces.html.test_browser import CHROMIUM, DESKTOP, Console, screenshot
from tests.support.clock import ManualClock
from tests.support.exam_mode import AC_PY, SAMECODE, ExamSetup, exam_clock, make_exam, make_problems
from tests.support.servers import uvicorn_thread
from tests.support.users import PASSWORD, MakeUser
from verdict.faces.html import assets
from verdict.grading.queue import NullQueue
from verdict.platform import Platform
from verdict.web.app import create_app

pytestmark = [pytest.mark.e2e, pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)]

sync_api = pytest.importorskip("playwright.sync_api", reason="Playwright for Python is not installed")

URL = "/exams/teacher/final"


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if shutil.which(CHROMIUM) is None:
        pytest.skip(f"no Chromium at {CHROMIUM} (Debian's chromium package; `./dev test` installs it)")
    if not assets.up_to_date():
        pytest.skip("front-end assets not fetched: run ./dev (python -m verdict.faces.html.assets)")
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True)
        yield chromium
        chromium.close()


@pytest.fixture
def clock() -> ManualClock:
    return exam_clock()


@pytest.fixture
def grading_queue() -> NullQueue:
    return NullQueue()  # the test grades in its own thread


@pytest.fixture
def setup(session: Session, platform: Platform, tmp_path: Path, make_user: MakeUser) -> ExamSetup:
    make_problems(session, platform, tmp_path)
    return make_exam(session, make_user)


@pytest.fixture
def server(platform: Platform, setup: ExamSetup) -> Iterator[str]:
    with uvicorn_thread(create_app(platform=platform)) as port:
        yield f"http://127.0.0.1:{port}"


@pytest.fixture
def shots(tmp_path: Path) -> Path:
    folder = Path(os.environ.get("VERDICT_SCREENSHOTS") or tmp_path / "screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def test_a_student_takes_an_exam_until_its_end(
    browser: Any,
    server: str,
    setup: ExamSetup,
    session: Session,
    platform: Platform,
    clock: ManualClock,
    shots: Path,
) -> None:
    setup.start(session, clock.now)
    context = browser.new_context(viewport=DESKTOP, locale="en-US")
    page = context.new_page()
    console = Console(page)

    page.goto(f"{server}/login?next={URL}")
    page.get_by_label("Username or email").fill("alice")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(server + URL)

    # The password prompt, by keyboard (autofocus), then the exam.
    assert page.evaluate("document.activeElement.id") == "exam-password"
    page.keyboard.type(SAMECODE)
    page.keyboard.press("Enter")
    page.wait_for_url(server + URL)
    countdown = page.locator(".countdown")
    assert countdown.inner_text() == "1:00:00"
    sync_api.expect(countdown).to_have_text("0:59:59")  # exam.js counts down
    screenshot(page, shots, "exam-running")

    # Submit to P1 through its form; the list polls until the verdict.
    page.get_by_label("Compiler").first.select_option("Python3")
    page.get_by_label("Program").first.fill(AC_PY)
    # The code editor (static/editor.js) highlights it as the compiler chosen: Python.
    page.locator(".exam-problems .CodeMirror .cm-builtin", has_text="print").first.wait_for()
    page.get_by_role("button", name="Submit P1").click()
    page.wait_for_url(server + URL + "#submissions")
    submissions = page.locator("#submissions")
    assert "waiting" in submissions.inner_text()
    assert platform.grading_engine().grade_next() is not None
    submissions.get_by_text("accepted").wait_for(timeout=15_000)

    # The server's clock passes the end: the page's next poll finds the exam over and reloads.
    clock.advance(minutes=61)
    page.locator(".exam-page[data-page-state='ended']").wait_for(timeout=15_000)  # the page anew
    assert page.get_by_text("The exam has ended: submissions are closed.").is_visible()
    assert page.locator("form[action$='/submit']").count() == 0
    assert page.get_by_text("Submissions are closed.", exact=True).is_visible()
    screenshot(page, shots, "exam-ended")

    # A submission posted anyway is refused by the server, with the reason.
    token = page.locator("input[name=csrf]").first.input_value()
    refused = context.request.post(
        server + URL + "/submit",
        multipart={"csrf": token, "problem": "P1", "compiler": "Python3", "source": AC_PY},
    )
    assert refused.status == 403
    assert "submission refused: the exam ended at" in refused.text()
    assert console.problems == []
    context.close()


def test_staff_start_print_the_passwords_and_project_the_ranking(
    browser: Any, server: str, setup: ExamSetup, session: Session, shots: Path
) -> None:
    setup.exam.contest = True
    session.commit()
    context = browser.new_context(viewport=DESKTOP, locale="en-US")
    page = context.new_page()
    console = Console(page)
    page.goto(f"{server}/login?next={URL}")
    page.get_by_label("Username or email").fill("teacher")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(server + URL)

    page.get_by_role("button", name="Start the exam now").click()
    page.wait_for_url(server + URL)
    assert page.get_by_role("button", name="Start the exam now").count() == 0
    assert page.get_by_role("heading", name="Live ranking").is_visible()
    page.get_by_label(f"Extra minutes for {setup.alice.email}").fill("10")
    page.get_by_label(f"Extra minutes for {setup.alice.email}").press("Enter")
    page.wait_for_url(server + URL + "#students")
    assert page.get_by_label(f"Extra minutes for {setup.alice.email}").input_value() == "10"
    screenshot(page, shots, "exam-staff")

    page.get_by_role("link", name="Passwords sheet").click()
    page.wait_for_url(server + URL + "/passwords")
    code = page.locator("td.code").first.inner_text()
    assert len(code) >= 6
    screenshot(page, shots, "exam-passwords")
    page.emulate_media(media="print")  # the printed sheet: codes only, no navigation or buttons
    assert not page.locator("header.top").is_visible()
    assert not page.get_by_role("button", name="Regenerate the passwords").is_visible()
    assert page.locator("td.code").first.is_visible()
    page.emulate_media(media="screen")

    page.goto(server + URL + "/projector")
    assert page.locator("body.projector h1").inner_text() == "Final exam"
    assert "@example.org" not in page.content()
    screenshot(page, shots, "exam-projector")
    assert console.problems == []
    context.close()
