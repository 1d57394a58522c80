"""Every main page checked by axe-core in Chromium (Playwright, with the skip rules of
``test_browser.py``), each as the user who sees it: no "serious" or "critical" violation of the
WCAG 2.x A/AA rules and axe's best practices (contrast, labels, landmarks, names...).

axe-core is fetched like the other front-end assets (assets.toml, checked against its sha512) into
``static/vendor/axe-core/``, and injected by the test only (Playwright's ``add_script_tag`` from
Verdict's own address, so the Content-Security-Policy still applies): no page links it. Each page
is also photographed at desktop and phone widths into ``$VERDICT_SCREENSHOTS`` (default: the test's
temporary folder). The violations of all pages are gathered, then reported together.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.orm import Session

from tests.competitions.conftest import owner, store_game
from tests.faces.html.test_browser import CHROMIUM, DESKTOP, PHONE
from tests.support.clock import ManualClock
from tests.support.exam_mode import SAMECODE, ExamSetup, exam_clock, make_exam, make_problems
from tests.support.inginious import Demo, demo_copy, make_demo
from tests.support.jutge import make_problem
from tests.support.servers import uvicorn_thread
from tests.support.users import PASSWORD, MakeUser
from verdict.accounts.models import User
from verdict.courses.rst_feedback import rst_source
from verdict.faces.html import assets
from verdict.grading.queue import NullQueue
from verdict.judge.verdicts import Verdict
from verdict.platform import Platform
from verdict.submissions.models import Submission, SubmissionStatus
from verdict.web.app import create_app

pytestmark = [pytest.mark.e2e, pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)]
__all__ = ["owner"]  # the competitions' fixture, used here

sync_api = pytest.importorskip("playwright.sync_api", reason="Playwright for Python is not installed")

AXE = "/static/vendor/axe-core/axe.min.js"
BLOCKING = ("serious", "critical")
# The rules of WCAG 2.0/2.1/2.2 A and AA, and axe's best practices (landmarks, headings...).
RUN_OPTIONS = {
    "runOnly": {
        "type": "tag",
        "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"],
    },
    "resultTypes": ["violations"],
}


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
    return NullQueue()  # nothing is graded here: results are made as rows


@pytest.fixture
def server(platform: Platform) -> Iterator[str]:
    with uvicorn_thread(create_app(platform=platform)) as port:
        yield f"http://127.0.0.1:{port}"


@pytest.fixture
def shots(tmp_path: Path) -> Path:
    folder = Path(os.environ.get("VERDICT_SCREENSHOTS") or tmp_path / "screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


class Audit:
    """Visits pages in one browser context, runs axe on each and keeps the blocking violations."""

    def __init__(self, browser: Any, server: str, shots: Path) -> None:
        self.server, self.shots = server, shots
        self.context = browser.new_context(viewport=DESKTOP, locale="en-US")
        self.page = self.context.new_page()
        self.found: list[str] = []
        self.seen: list[str] = []

    def log_in(self, login: str) -> None:
        page = self.page
        self.context.clear_cookies()
        page.goto(self.server + "/login")
        page.get_by_label("Username or email").fill(login)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Log in").click()
        page.wait_for_url(self.server + "/")

    def visit(self, path: str, name: str) -> None:
        response = self.page.goto(self.server + path)
        assert response is not None and response.status == 200, (path, response and response.status)
        self.check(name)

    def check(self, name: str) -> None:
        """axe on the page as it is now, at desktop then phone width, with their screenshots."""
        page = self.page
        page.wait_for_load_state("load")
        assert AXE not in page.content(), f"{name} links axe-core: only the tests may load it"
        page.add_script_tag(url=self.server + AXE)
        for label, size in (("desktop", DESKTOP), ("phone", PHONE)):
            page.set_viewport_size(size)
            self.run_axe(f"{name} ({label})")
            page.screenshot(path=str(self.shots / f"a11y-{name}-{label}.png"), full_page=True)
        page.set_viewport_size(DESKTOP)
        self.seen.append(name)

    def run_axe(self, name: str) -> None:
        # A frame first: the page's scripts answer the resize (verdict.js's scroll boxes).
        self.page.evaluate("() => new Promise(done => requestAnimationFrame(() => done()))")
        violations = self.page.evaluate(
            "options => axe.run(document, options).then(r => r.violations)", RUN_OPTIONS
        )
        for violation in violations:
            if violation["impact"] in BLOCKING:
                targets = [" ".join(map(str, node["target"])) for node in violation["nodes"][:5]]
                self.found.append(
                    f"{name}: {violation['impact']} {violation['id']} ({violation['help']}): {targets}"
                )

    def close(self) -> None:
        self.context.close()
        assert self.found == [], "axe found:\n" + "\n".join(self.found)


def add_results(session: Session, demo: Demo) -> tuple[Submission, Submission]:
    """Two graded submissions of alice to the sum task (code, tests' feedback), for the result,
    the history and the diff."""
    task = demo.task(session, "sum")
    rows = []
    for source, verdict, grade in (
        ("int main(void) { return 1; }\n", Verdict.WA, 0.0),
        ('#include <stdio.h>\nint main(void) { puts("3"); }\n', Verdict.AC, 100.0),
    ):
        submission = Submission(
            user_id=demo.alice.id,
            task_id=task.id,
            course_id=demo.course.id,
            status=SubmissionStatus.DONE,
            verdict=verdict,
            grade=grade,
            input={"code": source},
            feedback=rst_source("The **sum** of two numbers: see ``stdio.h``."),
        )
        session.add(submission)
        rows.append(submission)
    session.commit()
    return rows[0], rows[1]


def test_student_teacher_and_admin_pages(
    browser: Any,
    server: str,
    session: Session,
    platform: Platform,
    make_user: MakeUser,
    tmp_path: Path,
    shots: Path,
) -> None:
    demo = make_demo(session, platform, make_user, demo_copy(tmp_path, with_aplusb=True, lean=True))
    make_user("root", role="admin")
    problem = make_problem(session, platform.settings, tmp_path, "P10001", owner=demo.teacher)
    first, second = add_results(session, demo)
    audit = Audit(browser, server, shots)

    audit.visit("/", "welcome")
    audit.visit("/login", "login")
    audit.log_in("alice")
    audit.visit("/", "dashboard")
    audit.visit("/account/tokens", "tokens")
    audit.visit("/account/password", "password")
    audit.visit("/course/demo", "course")
    audit.visit(f"/course/demo/sum?load={second.id}", "task-result")
    audit.visit(f"/course/demo/sum?load={second.id}&compare={first.id}", "task-diff")
    audit.visit("/course/demo/quiz", "task-quiz")
    audit.visit("/course/demo/aplusb", "task-statement")  # a rendered statement, its math by KaTeX

    audit.log_in("teacher")
    audit.visit(f"/problem/{problem.id}", "problem")
    audit.visit("/teach", "teach-index")
    audit.visit(f"/teach/courses/{demo.course.id}", "teach-course")
    audit.visit("/teach/import", "teach-import")
    audit.visit(f"/teach/problems/{problem.id}", "teach-problem")
    audit.visit("/teach/submissions", "teach-submissions")
    audit.visit(f"/teach/courses/{demo.course.id}/stats", "teach-stats")
    audit.visit(f"/teach/courses/{demo.course.id}/edit", "teach-course-edit")
    audit.visit("/teach/courses/new", "teach-course-new")
    audit.visit("/teach/lists/new", "teach-list-new")
    audit.visit(f"/teach/submissions/{second.id}", "teach-submission")

    audit.log_in("root")
    audit.visit("/admin/users", "admin-users")
    audit.visit("/admin/status", "admin-status")
    audit.visit("/admin/users/new", "admin-user-new")
    audit.visit(f"/admin/users/{demo.alice.id}", "admin-user")
    audit.close()


EXAM = "/exams/teacher/final"


def test_exam_pages(
    browser: Any,
    server: str,
    session: Session,
    platform: Platform,
    make_user: MakeUser,
    clock: ManualClock,
    tmp_path: Path,
    shots: Path,
) -> None:
    make_problems(session, platform, tmp_path)
    setup: ExamSetup = make_exam(session, make_user)
    setup.start(session, clock.now)
    audit = Audit(browser, server, shots)

    audit.log_in("alice")
    audit.visit("/exams", "exams")
    audit.visit(EXAM, "exam-password")
    audit.page.get_by_label("Password", exact=False).first.fill(SAMECODE)
    with audit.page.expect_navigation():
        audit.page.keyboard.press("Enter")
    audit.page.locator(".countdown").wait_for()
    audit.check("exam-student")

    audit.log_in("teacher")
    audit.visit(EXAM, "exam-staff")
    audit.visit(EXAM + "/passwords", "exam-passwords")
    audit.visit(EXAM + "/projector", "exam-projector")
    audit.close()


def test_competition_pages(browser: Any, server: str, session: Session, owner: User, shots: Path) -> None:
    store_game(session)
    audit = Audit(browser, server, shots)
    audit.log_in("Teacher")
    audit.visit("/competitions/new", "competition-form")
    page = audit.page
    page.get_by_label("Name").fill("cup")
    page.get_by_label("Title").fill("The Cup")
    page.get_by_label("Description").fill("Orchard for everyone")
    page.get_by_label("Game problem").fill("G00001_en")
    page.get_by_role("button", name="Save").click()
    page.wait_for_url(server + "/competitions/Teacher/cup?done=created")
    audit.check("competition")
    audit.visit("/competitions", "competitions")
    audit.visit("/competitions/Teacher/cup/edit", "competition-edit")
    audit.close()
