"""The pages in a real browser: Debian's Chromium (``/usr/bin/chromium``, installed by ``./dev
test``) driven by Playwright for Python, against the application served by uvicorn on 127.0.0.1.

A student opens the welcome page, logs in with the keyboard, sees the dashboard, switches to
Catalan and logs out; the browser's console must stay free of errors throughout, which is how a
Content-Security-Policy violation (an inline script or style, an asset from elsewhere) shows.
Screenshots of each page at desktop and phone widths go to ``$VERDICT_SCREENSHOTS`` (default: the
test's temporary folder).

Skipped, with the reason, without Chromium or Playwright, or before ``./dev`` has fetched the
front-end assets (htmx): a page without them would not be the page users get.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.orm import Session

from tests.support.inginious import Demo
from tests.support.servers import uvicorn_thread
from verdict.faces.html import assets
from verdict.judge.verdicts import Verdict
from verdict.platform import Platform
from verdict.submissions.models import Submission, SubmissionStatus
from verdict.web.app import create_app

pytestmark = [pytest.mark.e2e, pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)]

CHROMIUM = os.environ.get("VERDICT_CHROMIUM", "/usr/bin/chromium")
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}

sync_api = pytest.importorskip("playwright.sync_api", reason="Playwright for Python is not installed")


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
def server(platform: Platform, demo: Demo) -> Iterator[str]:
    with uvicorn_thread(create_app(platform=platform)) as port:
        yield f"http://127.0.0.1:{port}"


@pytest.fixture
def shots(tmp_path: Path) -> Path:
    folder = Path(os.environ.get("VERDICT_SCREENSHOTS") or tmp_path / "screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


class Console:
    """What the page reported as wrong: console errors (CSP violations among them), uncaught
    exceptions, and failed requests."""

    def __init__(self, page: Any) -> None:
        self.problems: list[str] = []
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.problems.append(f"page error: {error}"))
        page.on("requestfailed", self._failed)
        page.on("response", self._response)

    def _console(self, message: Any) -> None:
        if message.type in ("error", "warning"):
            self.problems.append(f"console {message.type}: {message.text}")

    def _failed(self, request: Any) -> None:
        # A live view's event stream is aborted by the page itself when the verdict's "done"
        # event closes it or the student moves on: the browser reports that as a failed request,
        # depending on whether the server had ended the stream first. Any other failure counts.
        if request.url.endswith("/events") and request.failure == "net::ERR_ABORTED":
            return
        self.problems.append(f"failed: {request.url} ({request.failure})")

    def _response(self, response: Any) -> None:
        if response.status >= 400:
            self.problems.append(f"{response.status}: {response.url}")


def screenshot(page: Any, folder: Path, name: str) -> None:
    """The page at desktop and phone widths; at the phone's, nothing may overflow sideways."""
    for label, size in (("desktop", DESKTOP), ("phone", PHONE)):
        page.set_viewport_size(size)
        page.screenshot(path=str(folder / f"{name}-{label}.png"), full_page=True)
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{name} overflows by {overflow}px at {label} width"
    page.set_viewport_size(DESKTOP)


def test_log_in_see_dashboard_switch_to_catalan_log_out(
    browser: Any, server: str, demo: Demo, session: Session, shots: Path
) -> None:
    task = demo.course.tasks[0]
    session.add(
        Submission(
            user_id=demo.alice.id,
            task_id=task.id,
            course_id=demo.course.id,
            status=SubmissionStatus.DONE,
            verdict=Verdict.AC,
            grade=100.0,
        )
    )
    session.commit()
    context = browser.new_context(viewport=DESKTOP, locale="en-US")
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=server)
    page = context.new_page()
    console = Console(page)

    page.goto(server + "/")
    assert page.locator("h1").inner_text() == "Welcome to Verdict"
    assert page.evaluate("typeof htmx") == "object"  # served by Verdict, allowed by the CSP
    screenshot(page, shots, "welcome")

    # The keyboard alone: the skip link first, then to the form.
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to content"
    page.get_by_role("link", name="Log in").first.click()
    page.wait_for_url(server + "/login")
    assert page.evaluate("document.activeElement.id") == "login"  # autofocus
    page.keyboard.type("alice")
    page.keyboard.press("Tab")
    page.keyboard.type("correct horse battery")
    screenshot(page, shots, "login")
    page.keyboard.press("Enter")
    page.wait_for_url(server + "/")

    assert page.get_by_role("heading", name="My courses").is_visible()
    assert page.get_by_text(demo.course.title).first.is_visible()
    assert page.locator("progress").count() == 1
    assert page.get_by_role("cell", name="accepted").is_visible()
    screenshot(page, shots, "dashboard")

    page.get_by_role("button", name="Català").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "ca"
    assert page.get_by_role("heading", name="Els meus cursos").is_visible()
    screenshot(page, shots, "dashboard-ca")

    page.get_by_role("link", name="Testimonis de l'API").click()
    page.wait_for_url(server + "/account/tokens")
    page.get_by_label("Nom").fill("portàtil")
    page.get_by_role("button", name="Crea un testimoni").click()
    page.wait_for_load_state()
    secret = page.locator("#new-token").input_value()
    assert secret.startswith("vdt_")
    page.get_by_role("button", name="Copia").click()
    page.get_by_text("Copiat").wait_for()
    assert page.evaluate("navigator.clipboard.readText()") == secret
    screenshot(page, shots, "tokens-ca")

    page.get_by_role("button", name="Surt").click()
    page.wait_for_url(server + "/")
    assert page.locator("h1").inner_text() == "Benvinguts a Verdict"
    assert console.problems == []
    context.close()


def test_the_inginious_plugin_url_logs_in_then_shows_the_submission(
    browser: Any, server: str, demo: Demo, session: Session, shots: Path
) -> None:
    task = demo.course.tasks[0]
    submission = Submission(
        user_id=demo.alice.id,
        task_id=task.id,
        course_id=demo.course.id,
        status=SubmissionStatus.DONE,
        verdict=Verdict.WA,
        grade=25.0,
        feedback="Test 2 failed",
    )
    session.add(submission)
    session.commit()
    context = browser.new_context(viewport=DESKTOP)
    page = context.new_page()
    console = Console(page)
    page.goto(f"{server}/course/demo/{task.slug}?load={submission.id}")
    page.wait_for_url(lambda url: url.startswith(f"{server}/login?next="))
    page.get_by_label("Username or email").fill("alice@example.org")
    page.get_by_label("Password").fill("correct horse battery")
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{server}/course/demo/{task.slug}?load={submission.id}")
    assert page.get_by_role("heading", name=f"Submission {submission.id}").is_visible()
    assert page.get_by_text("Test 2 failed").is_visible()
    screenshot(page, shots, "task-loaded")
    assert [p for p in console.problems if "/login" not in p] == []
    context.close()
