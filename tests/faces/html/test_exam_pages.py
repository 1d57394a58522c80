"""The exam pages through HTTP (TestClient, SQLite and PostgreSQL), with the platform's clock
moved by hand: the students' password prompt, wrong codes and the guess limit, the window's
states, submitting through the page (a real accepted verdict from the sandbox), refusals shown
with their reason; the staff's start, extra time, close early and reopen, the printable
passwords sheet, the live ranking with its freeze and CSV, and the projector; and what students
and strangers may not open."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy.orm import Session

from tests.faces.html.helpers import csrf, log_in
from tests.support.clock import ManualClock
from tests.support.exam_mode import AC_PY, SAMECODE, ExamSetup, exam_clock, make_exam, make_problems
from tests.support.users import MakeUser
from verdict.accounts.models import User
from verdict.exams.models import Protection
from verdict.grading.queue import NullQueue
from verdict.platform import Platform

pytestmark = pytest.mark.e2e

URL = "/exams/teacher/final"
Browser = Callable[[User], TestClient]


@pytest.fixture
def clock() -> ManualClock:
    return exam_clock()  # ten minutes before the expected start


@pytest.fixture
def grading_queue() -> NullQueue:
    """No grader threads: a test grades in its own thread when it wants a verdict."""
    return NullQueue()


@pytest.fixture
def setup(session: Session, platform: Platform, tmp_path: Path, make_user: MakeUser) -> ExamSetup:
    make_problems(session, platform, tmp_path)
    return make_exam(session, make_user)


@pytest.fixture
def browser(app: FastAPI) -> Iterator[Browser]:
    """A logged-in client per user (each its own cookies)."""
    with ExitStack() as stack:

        def open_as(user: User) -> TestClient:
            client = stack.enter_context(TestClient(app))
            log_in(client, user.username)
            return client

        yield open_as


def form(client: TestClient, path: str, page: str = URL, **data: str) -> Response:
    """Post a form of ``page`` (its CSRF token) to ``path``."""
    return client.post(path, data={"csrf": csrf(client, page), **data}, follow_redirects=False)


def enter(client: TestClient, code: str) -> Response:
    return form(client, f"{URL}/enter", password=code)


def submit(
    client: TestClient, problem: str = "P68688", compiler: str = "Python3", source: str = AC_PY
) -> Response:
    return form(client, f"{URL}/submit", problem=problem, compiler=compiler, source=source)


def start(setup: ExamSetup, browser: Browser) -> TestClient:
    teacher = browser(setup.teacher)
    assert form(teacher, f"{URL}/start").status_code == 303
    return teacher


def text(response: Response) -> str:
    """The page's text without tags or repeated blanks, to look for sentences in it."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.text))


# --------------------------------------------------------------------------- students


def test_my_exams_and_the_password_prompt(setup: ExamSetup, browser: Browser) -> None:
    alice = browser(setup.alice)
    listing = alice.get("/exams")
    assert listing.status_code == 200 and f'href="{URL}"' in listing.text and "Final exam" in listing.text
    assert 'href="/exams"' in alice.get("/").text  # in the navigation
    page = alice.get(URL)
    assert page.status_code == 200
    assert '<label for="exam-password">Exam password</label>' in page.text
    assert 'type="password"' in page.text and 'name="csrf"' in page.text
    assert "P68688" not in page.text  # nothing of the exam before the code
    # The form needs its CSRF token.
    assert alice.post(f"{URL}/enter", data={"password": SAMECODE}).status_code == 403


def test_a_wrong_code_shows_the_reason_then_the_guess_limit(setup: ExamSetup, browser: Browser) -> None:
    alice = browser(setup.alice)
    wrong = enter(alice, "NOTTHIS")
    assert wrong.status_code == 403 and "Wrong exam password." in wrong.text and 'role="alert"' in wrong.text
    statuses = [enter(alice, "NOTTHIS").status_code for _ in range(8)]
    assert 429 in statuses, statuses
    limited = enter(alice, "NOTTHIS")
    assert limited.status_code == 429 and "too many wrong exam passwords" in limited.text
    assert "retry-after" in limited.headers


def test_the_window_states_on_the_page(
    setup: ExamSetup, browser: Browser, clock: ManualClock, session: Session
) -> None:
    alice = browser(setup.alice)
    assert enter(alice, SAMECODE).headers["location"] == URL
    before = alice.get(URL)
    assert "The exam has not started yet." in before.text and 'data-page-state="not_started"' in before.text
    assert "/submit" not in before.text

    start(setup, browser)
    running = alice.get(URL)
    assert 'data-page-state="running"' in running.text and 'data-remaining="3600"' in running.text
    assert "1:00:00" in running.text and 'src="/static/exam.js"' in running.text
    assert running.text.count('action="/exams/teacher/final/submit"') == 2  # a form per problem
    assert "Hola món" in running.text and "Weight: 2" in running.text and "balloons/Pink" in running.text
    clock.advance(minutes=59, seconds=30)
    window = alice.get(f"{URL}/window")
    assert 'data-remaining="30"' in window.text and "0:00:30" in window.text
    assert 'hx-get="/exams/teacher/final/window"' in window.text

    clock.advance(minutes=1)
    ended = alice.get(URL)
    assert 'data-page-state="ended"' in ended.text
    assert "The exam has ended: submissions are closed." in text(ended)
    assert "Submissions are closed." in ended.text and "/submit" not in ended.text
    refused = submit(alice)
    assert refused.status_code == 403
    assert "submission refused: the exam ended at 2026-06-22" in refused.text
    assert 'data-state="ended"' in alice.get(f"{URL}/window").text


def test_an_open_exam_has_no_prompt(
    session: Session,
    platform: Platform,
    tmp_path: Path,
    make_user: MakeUser,
    browser: Browser,
    clock: ManualClock,
) -> None:
    make_problems(session, platform, tmp_path)
    setup = make_exam(session, make_user, protection=Protection.OPEN)
    setup.start(session, clock.now)
    page = browser(setup.bob).get(URL)
    assert page.status_code == 200 and "exam-password" not in page.text
    assert 'data-page-state="running"' in page.text


def test_submit_through_the_page_is_graded(
    setup: ExamSetup, browser: Browser, platform: Platform, session: Session
) -> None:
    alice = browser(setup.alice)
    enter(alice, SAMECODE)
    start(setup, browser)
    upload = alice.post(
        f"{URL}/submit",
        data={"csrf": csrf(alice, URL), "problem": "P68688", "compiler": "Python3"},
        files={"file": ("ac.py", AC_PY.encode())},
        follow_redirects=False,
    )
    assert upload.status_code == 303 and upload.headers["location"] == URL + "#submissions"
    waiting = alice.get(f"{URL}/submissions")
    assert "waiting" in waiting.text and 'hx-trigger="every 3s"' in waiting.text  # polls while waiting

    engine = platform.grading_engine()  # the real judge, in the real sandbox
    assert engine.grade_next() is not None
    done = alice.get(f"{URL}/submissions")
    assert "accepted" in done.text and "hx-trigger" not in done.text and "P1" in done.text
    assert "accepted" in alice.get(URL).text

    # Refusals show the use case's reason on the page, with its status.
    bad = submit(alice, problem="P99999")
    assert bad.status_code == 400 and "is not a problem of this exam" in bad.text
    empty = submit(alice, source="   ")
    assert empty.status_code == 400 and "the program is empty" in empty.text


def test_only_the_exams_compilers_are_offered(
    session: Session,
    platform: Platform,
    tmp_path: Path,
    make_user: MakeUser,
    browser: Browser,
    clock: ManualClock,
) -> None:
    make_problems(session, platform, tmp_path)
    setup = make_exam(session, make_user, protection=Protection.OPEN, compilers=["Python3"])
    setup.start(session, clock.now)
    alice = browser(setup.alice)
    page = alice.get(URL)
    assert re.findall(r'<option value="([^"]+)"', page.text) == ["Python3", "Python3"]
    refused = submit(alice, compiler="G++17")
    assert refused.status_code == 400 and "is not allowed in this exam" in refused.text


def test_students_see_only_their_own_and_never_staff_pages(
    setup: ExamSetup, browser: Browser, clock: ManualClock
) -> None:
    start(setup, browser)
    alice, bob = browser(setup.alice), browser(setup.bob)
    enter(alice, SAMECODE)
    enter(bob, SAMECODE)
    assert submit(bob, source="print('Hello nobody!')\n").status_code == 303
    mine = alice.get(f"{URL}/submissions")
    assert "No submissions yet." in mine.text
    for path in ("/passwords", "/ranking", "/ranking.csv", "/projector", "/projector/board"):
        response = alice.get(URL + path)
        assert response.status_code == 403, path
        assert "This page is for the exam&#39;s staff." in response.text
        assert SAMECODE not in response.text
    for path in ("/start", "/passwords/regenerate", "/freeze", "/unfreeze", "/students/close"):
        assert form(alice, URL + path, email=setup.bob.email, minutes="5").status_code == 403, path
    carol = browser(setup.carol)
    refused = carol.get(URL)
    assert refused.status_code == 403 and "You are not a student of this exam." in refused.text
    assert carol.get(f"{URL}/submissions").status_code == 403
    assert "Final exam" not in carol.get("/exams").text
    assert browser(setup.alice).get("/exams/teacher/nothing").status_code == 404
    anonymous = TestClient(alice.app).get(URL, follow_redirects=False)
    assert anonymous.status_code == 303 and anonymous.headers["location"].startswith("/login")


# --------------------------------------------------------------------------- staff


def test_staff_start_extra_time_close_and_reopen(
    setup: ExamSetup, browser: Browser, clock: ManualClock
) -> None:
    alice = browser(setup.alice)
    enter(alice, SAMECODE)
    tutor = browser(setup.tutor)  # the course's tutor is staff too
    page = tutor.get(URL)
    assert "Start the exam now" in page.text and setup.alice.email in page.text
    assert form(tutor, f"{URL}/start").status_code == 303
    again = form(tutor, f"{URL}/start")
    assert again.status_code == 409 and "started already" in again.text

    assert form(tutor, f"{URL}/students/extra", email=setup.alice.email, minutes="15").status_code == 303
    assert 'data-remaining="4500"' in alice.get(URL).text  # 60 + 15 minutes
    bad = form(tutor, f"{URL}/students/extra", email=setup.alice.email, minutes="soon")
    assert bad.status_code == 400 and "whole number" in bad.text

    assert form(tutor, f"{URL}/students/close", email=setup.alice.email).status_code == 303
    closed = alice.get(URL)
    assert "Staff closed the exam for you" in closed.text and "/submit" not in closed.text
    assert submit(alice).status_code == 403
    assert "Reopen" in tutor.get(URL).text
    assert form(tutor, f"{URL}/students/reopen", email=setup.alice.email).status_code == 303
    assert 'data-page-state="running"' in alice.get(URL).text
    missing = form(tutor, f"{URL}/students/close", email="nobody@example.org")
    assert missing.status_code == 404


def test_the_printable_passwords_sheet(
    session: Session, platform: Platform, tmp_path: Path, make_user: MakeUser, browser: Browser
) -> None:
    make_problems(session, platform, tmp_path)
    setup = make_exam(session, make_user, protection=Protection.RANDOM)
    teacher = browser(setup.teacher)
    sheet = teacher.get(f"{URL}/passwords")
    assert sheet.status_code == 200 and 'href="/static/exam.css"' in sheet.text
    rows = re.findall(r'<tr><td>([^<]+)(?:<br>.*?)?</td><td class="code">([A-Z0-9]+)</td></tr>', sheet.text)
    assert [email for email, _ in rows] == sorted([setup.alice.email, setup.bob.email])
    codes = dict(rows)
    assert len(set(codes.values())) == 2
    css = teacher.get("/static/exam.css").text
    assert "@media print" in css and ".password-sheet td.code" in css

    # The code on the sheet opens the exam.
    alice = browser(setup.alice)
    assert enter(alice, codes[setup.alice.email]).status_code == 303

    assert form(teacher, f"{URL}/passwords/regenerate", page=f"{URL}/passwords").status_code == 303
    new = dict(
        re.findall(
            r'<tr><td>([^<]+)(?:<br>.*?)?</td><td class="code">([A-Z0-9]+)</td></tr>',
            teacher.get(f"{URL}/passwords").text,
        )
    )
    assert new[setup.bob.email] != codes[setup.bob.email]
    bob = browser(setup.bob)
    assert enter(bob, codes[setup.bob.email]).status_code == 403
    assert enter(bob, new[setup.bob.email]).status_code == 303


def test_ranking_freeze_csv_and_projector(
    setup: ExamSetup, browser: Browser, platform: Platform, session: Session, clock: ManualClock
) -> None:
    setup.exam.contest = True
    session.commit()
    teacher = start(setup, browser)
    alice = browser(setup.alice)
    enter(alice, SAMECODE)
    clock.advance(minutes=7)
    submit(alice)
    assert platform.grading_engine().grade_next() is not None

    board = teacher.get(f"{URL}/ranking")
    assert board.status_code == 200 and 'hx-trigger="every 5s"' in board.text
    assert "✔ 7′" in board.text and setup.alice.email in board.text and "not frozen" in board.text
    csv = teacher.get(f"{URL}/ranking.csv")
    assert csv.headers["content-type"].startswith("text/csv") and setup.alice.email in csv.text

    assert form(teacher, f"{URL}/freeze", minutes="30").status_code == 303
    clock.advance(minutes=40)  # 47 minutes in: the last 30 are hidden from students
    bob = browser(setup.bob)
    enter(bob, SAMECODE)
    submit(bob)
    assert platform.grading_engine().grade_next() is not None
    staff_board = teacher.get(f"{URL}/ranking")
    assert "frozen" in staff_board.text and "Students do not see the last 30 minutes." in staff_board.text

    projector = teacher.get(f"{URL}/projector")
    assert projector.status_code == 200 and 'class="projector"' in projector.text
    assert 'hx-get="/exams/teacher/final/projector/board"' in projector.text
    assert "@example.org" not in projector.text  # no emails on the wall
    assert "✔ 7′" in projector.text and "? 1" in projector.text  # bob's AC is pending for students
    assert "0:13:00" in projector.text

    assert form(teacher, f"{URL}/unfreeze").status_code == 303
    assert "? 1" not in teacher.get(f"{URL}/projector/board").text
    assert form(teacher, f"{URL}/unfreeze").status_code == 303  # again: the first time is kept
    bad = form(teacher, f"{URL}/freeze", minutes="500")
    assert bad.status_code == 400 and "running time" in bad.text


def test_exam_pages_are_translated(setup: ExamSetup, browser: Browser) -> None:
    alice = browser(setup.alice)
    alice.cookies.set("verdict_lang", "ca")
    assert "Contrasenya de l'examen" in alice.get(URL).text
    alice.cookies.set("verdict_lang", "es")
    assert "Contraseña del examen" in alice.get(URL).text
