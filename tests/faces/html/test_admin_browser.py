"""The administrators' status page in a real browser (Chromium through Playwright, as
``test_browser.py``, with its skip rules): an administrator logs in, opens the status page, and
sees the figures change once submissions arrive and are graded, without reloading: htmx polls
``/admin/status/figures`` under the Content-Security-Policy (a violation would show in the
console). The users page is checked at phone width too."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.orm import Session

from tests.faces.html.test_browser import DESKTOP, Console, browser, screenshot, shots, sync_api
from tests.support.servers import uvicorn_thread
from tests.support.users import MakeUser
from verdict.accounts.models import User
from verdict.db import utcnow
from verdict.judge.verdicts import Verdict
from verdict.platform import Platform
from verdict.submissions.models import Submission, SubmissionStatus
from verdict.web.app import create_app

pytestmark = [pytest.mark.e2e, pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)]
__all__ = ["browser", "shots"]  # the fixtures of test_browser.py, used here

expect = sync_api.expect
POLL_WAIT_MS = 15_000  # the page polls every 5 s


@pytest.fixture
def root(make_user: MakeUser) -> User:
    return make_user("root", role="admin", full_name="Root Admin")


@pytest.fixture
def server(platform: Platform, root: User) -> Iterator[str]:
    with uvicorn_thread(create_app(platform=platform)) as port:
        yield f"http://127.0.0.1:{port}"


def figure(page: Any, name: str) -> str:
    return str(page.locator(f'[data-figure="{name}"]').inner_text()).strip()


def test_the_status_page_follows_the_queue_without_reloading(
    browser: Any, server: str, root: User, session: Session, shots: Path
) -> None:
    context = browser.new_context(viewport=DESKTOP, locale="en-US")
    page = context.new_page()
    console = Console(page)
    page.goto(server + "/login?next=/admin/status")
    page.get_by_label("Username or email").fill("root")
    page.get_by_label("Password").fill("correct horse battery")
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(server + "/admin/status")
    assert page.get_by_role("heading", name="Grading status").is_visible()
    assert figure(page, "waiting") == "0" and figure(page, "graded-1") == "0"
    page.evaluate("window.__notReloaded = true")  # gone if the page were loaded again

    now = utcnow()
    for _ in range(2):
        session.add(Submission(user_id=root.id, status=SubmissionStatus.WAITING, created_at=now))
    session.add(
        Submission(
            user_id=root.id, status=SubmissionStatus.DONE, verdict=Verdict.AC, created_at=now, graded_at=now
        )
    )
    session.commit()

    # htmx's polling brings the new figures (Playwright retries the check until then).
    expect(page.locator('[data-figure="waiting"]')).to_have_text("2", timeout=POLL_WAIT_MS)
    assert figure(page, "graded-1") == "1" and figure(page, "graded-60") == "1"
    assert page.evaluate("window.__notReloaded") is True
    screenshot(page, shots, "admin-status")

    page.get_by_role("link", name="Users").click()
    page.wait_for_url(server + "/admin/users")
    page.get_by_label("Search").first.fill("root")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r".*/admin/users\?q=root"))
    assert page.get_by_role("link", name="root").is_visible()
    screenshot(page, shots, "admin-users")
    page.get_by_role("link", name="root").click()
    screenshot(page, shots, "admin-user")
    assert console.problems == []
    context.close()
