"""The teachers' pages in a real browser (Debian's Chromium through Playwright, same skip rules as
``test_browser.py``): a teacher logs in, creates a course, imports a problem by uploading its
package and reads the import report, then rejudges the problem's submissions. The console must
stay free of errors (a CSP violation shows there); screenshots at desktop and phone widths, with
no sideways overflow on the phone."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from tests.faces.html.test_browser import CHROMIUM, DESKTOP, Console, screenshot, sync_api
from tests.support.jutge import PE_IC, make_tgz
from tests.support.servers import uvicorn_thread
from tests.support.users import PASSWORD, MakeUser
from verdict.faces.html import assets
from verdict.grading.queue import NullQueue
from verdict.judge.verdicts import Verdict
from verdict.models import Course
from verdict.platform import Platform
from verdict.submissions.models import Submission, SubmissionStatus
from verdict.web.app import create_app

pytestmark = [pytest.mark.e2e, pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)]


@pytest.fixture(scope="module")
def chromium() -> Iterator[Any]:
    if shutil.which(CHROMIUM) is None:
        pytest.skip(f"no Chromium at {CHROMIUM} (Debian's chromium package; `./dev test` installs it)")
    if not assets.up_to_date():
        pytest.skip("front-end assets not fetched: run ./dev (python -m verdict.faces.html.assets)")
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, headless=True)
        yield launched
        launched.close()


@pytest.fixture
def shots(tmp_path: Path) -> Path:
    folder = Path(os.environ.get("VERDICT_SCREENSHOTS") or tmp_path / "screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture
def grading_queue() -> NullQueue:
    """Rejudged submissions stay waiting: the test checks they were queued, not graded again."""
    return NullQueue()


@pytest.fixture
def server(platform: Platform) -> Iterator[str]:
    with uvicorn_thread(create_app(platform=platform)) as port:
        yield f"http://127.0.0.1:{port}"


def test_teacher_creates_a_course_imports_by_upload_and_rejudges(
    chromium: Any, server: str, make_user: MakeUser, session: Session, shots: Path, tmp_path: Path
) -> None:
    make_user("teacher", role="instructor")
    sam = make_user("sam")
    context = chromium.new_context(viewport=DESKTOP, locale="en-US")
    page = context.new_page()
    console = Console(page)

    page.goto(server + "/login")
    page.get_by_label("Username or email").fill("teacher")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_label("Password").press("Enter")
    page.get_by_role("link", name="Teaching").click()
    assert page.locator("h1").inner_text() == "Teaching"
    screenshot(page, shots, "teach-index")

    page.get_by_role("link", name="New course").click()
    page.get_by_label("Name (letters, digits, - and _)").fill("prog1")
    page.get_by_label("Title").fill("Programming 1")
    page.get_by_role("button", name="Save").click()
    assert page.locator("h1").inner_text() == "Programming 1"
    page.get_by_label("Emails to enrol (separated by spaces, commas or lines)").fill("sam@example.org")
    page.get_by_role("button", name="Enrol").click()
    assert page.get_by_role("cell", name="sam@example.org", exact=True).is_visible()
    screenshot(page, shots, "teach-course")

    page.goto(server + "/teach/import")
    archive = make_tgz(tmp_path / "pe_ic.pbm.tgz", PE_IC)
    page.get_by_label("Package (.pbm.tgz, .tgz, .tar.gz, .zip), at most", exact=False).set_input_files(
        str(archive)
    )
    with page.expect_navigation(timeout=600_000):  # the import compiles and runs the solutions
        page.get_by_role("button", name="Import", exact=True).click()
    assert page.get_by_role("heading", name="Import report").is_visible()
    assert page.get_by_role("cell", name="solution.cc").first.is_visible()
    screenshot(page, shots, "teach-import-report")

    page.get_by_role("link", name="Open its staff page").click()
    problem = page.url.rsplit("/", 1)[1]
    course = session.scalar(sa.select(Course).where(Course.name == "prog1"))
    assert course is not None
    session.add(
        Submission(
            user_id=sam.id,
            problem_id=problem,
            course_id=course.id,
            language="G++17",
            source="int main(){}",
            status=SubmissionStatus.DONE,
            verdict=Verdict.WA,
        )
    )
    session.commit()
    screenshot(page, shots, "teach-problem")
    page.get_by_role("button", name="Rejudge every submission to this problem").click()
    assert page.get_by_text("1 submissions queued for rejudging.").is_visible()
    screenshot(page, shots, "teach-submissions")
    session.rollback()
    submission = session.scalar(sa.select(Submission))
    assert submission is not None and submission.status == SubmissionStatus.WAITING
    # Its page follows the rejudge live (htmx polls the result while it waits).
    page.get_by_role("link", name=str(submission.id), exact=True).click()
    status = page.locator("#submission-status")
    assert "waiting" in status.inner_text()
    submission.status, submission.verdict = SubmissionStatus.DONE, Verdict.AC
    session.commit()
    sync_api.expect(status).to_contain_text("accepted", timeout=15_000)
    page.goto(f"{server}/teach/courses/{course.id}/stats")
    assert page.locator("svg.chart").count() == 4
    screenshot(page, shots, "teach-stats")
    assert console.problems == []
    context.close()
