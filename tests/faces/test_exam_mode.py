"""Exam mode through the Jutge face (``/services/exams/owner:name/enter``, ``problems``,
``submissions``), over HTTP on SQLite and PostgreSQL, with the platform's clock moved by hand:
the window (before the start, running, after the end, extra time, closed early, reopened), the
codes of each protection, allowed compilers, problems outside the exam, strangers, and a real
accepted verdict from the sandbox."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy.orm import Session

from tests.support.clock import ManualClock
from tests.support.exam_mode import (
    AC_PY,
    OUTSIDE,
    PROBLEMS,
    T0,
    ExamSetup,
    code_of,
    exam_clock,
    make_exam,
    make_problems,
)
from tests.support.jutge import doc, error_of, fresh
from tests.support.users import MakeUser, basic
from verdict.accounts.models import User
from verdict.exams.models import Protection
from verdict.grading.queue import NullQueue
from verdict.grading.service import PRIORITY_EXAM
from verdict.platform import Platform
from verdict.submissions.models import Submission, SubmissionStatus

pytestmark = pytest.mark.e2e

EXAM = "/services/exams/teacher:final"


@pytest.fixture
def clock() -> ManualClock:
    return exam_clock()  # ten minutes before the expected start


@pytest.fixture
def grading_queue() -> NullQueue:
    """No grader threads: a test grades in its own thread when it wants a verdict, and the queue
    counts the wakes."""
    return NullQueue()


@pytest.fixture
def setup(session: Session, platform: Platform, tmp_path: Path, make_user: MakeUser) -> ExamSetup:
    make_problems(session, platform, tmp_path)
    return make_exam(session, make_user)


def enter(client: TestClient, user: User | str, password: str | None, **params: str) -> Response:
    body = "" if password is None else f"password: {password}\n"
    return client.post(f"{EXAM}/enter", content=body, headers=basic(user), params=params or None)


def submit(
    client: TestClient, user: User | str, problem: str = "P1", compiler: str = "Python3", source: str = AC_PY
) -> Response:
    form = {"problem": problem, "compiler": compiler, "source": source}
    return client.post(f"{EXAM}/submissions", data=form, headers=basic(user))


def submission_id(response: Response) -> int:
    assert response.status_code == 201, response.text
    return int(doc(response)["submission"])


def refused(response: Response, status: int, *words: str) -> dict[str, Any]:
    error = error_of(response, status)
    for word in words:
        assert word in error["message"], error
    return error


def test_the_window_is_timed_by_the_server_clock(
    client: TestClient, session: Session, setup: ExamSetup, clock: ManualClock
) -> None:
    alice = setup.alice
    entered = enter(client, alice, "CLOUCREA")
    assert entered.status_code == 200, entered.text
    view = doc(entered)
    assert view == {
        "exam": "teacher:final",
        "title": "Final exam",
        "state": "not_started",
        "reason": "the exam has not started yet",
        "started_at": None,
        "ends_at": None,
        "problems": [],
    }
    # Before actions/start the exam has not begun, even past its expected start.
    clock.set(T0 + timedelta(minutes=5))
    refused(client.get(f"{EXAM}/problems", headers=basic(alice)), 403, "has not started yet")
    refused(submit(client, alice), 403, "submission refused", "has not started yet")

    setup.start(session, clock.now)  # the real start: running time counts from here
    problems = doc(client.get(f"{EXAM}/problems", headers=basic(alice)))
    assert problems["state"] == "running"
    assert problems["started_at"] == "2026-06-22 12:05:00" and problems["ends_at"] == "2026-06-22 13:05:00"
    assert [(p["problem"], p["caption"], p["icon"], p["weight"]) for p in problems["problems"]] == [
        ("P68688", "P1", "balloons/Pink", 2.0),
        ("P57548", "P2", "balloons/Pink", 1.0),
    ]
    assert all(p["title"] for p in problems["problems"])
    first = submission_id(submit(client, alice))

    clock.advance(minutes=60)  # 13:05: the end (excluded)
    refused(submit(client, alice), 403, "the exam ended at 2026-06-22 13:05:00 UTC")

    student = setup.student(session, alice)
    student.extra_minutes = 15  # staff give alice extra time
    session.commit()
    second = submission_id(submit(client, alice, "P2"))

    student.closed_at = clock.now  # staff close the exam early for her
    session.commit()
    refused(submit(client, alice), 403, "closed early for you by staff at 2026-06-22 13:05:00 UTC")
    student.closed_at = None  # and reopen it
    session.commit()
    third = submission_id(submit(client, alice))

    clock.advance(minutes=15)  # 13:20: past her extra time too
    refused(submit(client, alice), 403, "the exam ended at 2026-06-22 13:20:00 UTC")
    # Another student without extra time ended at 13:05.
    assert enter(client, setup.bob, "CLOUCREA").status_code == 200
    refused(submit(client, setup.bob), 403, "ended at 2026-06-22 13:05:00 UTC")

    mine = doc(client.get(f"{EXAM}/submissions", headers=basic(alice)))
    assert [s["submission"] for s in mine] == [first, second, third]
    assert [s["problem"] for s in mine] == ["P68688", "P57548", "P68688"]
    assert mine[0]["submitted_at"] == "2026-06-22 12:05:00"  # the server's clock dates it
    assert {s["status"] for s in mine} == {"waiting"} and {s["verdict"] for s in mine} == {None}


@pytest.mark.parametrize("protection", list(Protection))
def test_the_code_of_each_protection(
    client: TestClient, session: Session, platform: Platform, tmp_path: Path, make_user: MakeUser,
    protection: Protection,
) -> None:  # fmt: skip
    make_problems(session, platform, tmp_path)
    setup = make_exam(session, make_user, protection=protection)
    alice, bob = setup.alice, setup.bob
    if protection == Protection.OPEN:
        assert enter(client, alice, None).status_code == 200  # no code at all
        assert enter(client, bob, "ANYTHING").status_code == 200  # a code is ignored
    else:
        refused(enter(client, alice, "WRONGONE"), 403, "wrong exam password")
        refused(enter(client, alice, None), 403, "wrong exam password")
        if protection == Protection.RANDOM:  # bob's code is not alice's
            refused(enter(client, alice, code_of(setup, bob)), 403, "wrong exam password")
        fresh(session)
        assert setup.student(session, alice).entered_at is None
        refused(client.get(f"{EXAM}/problems", headers=basic(alice)), 403, "with its password first")
        assert enter(client, alice, code_of(setup, alice)).status_code == 200
        # JSON and a form field work too; codes are read without surrounding blanks.
        as_json = client.post(
            f"{EXAM}/enter", json={"password": f" {code_of(setup, bob)} "}, headers=basic(bob)
        )
        assert as_json.status_code == 200, as_json.text
        as_form = client.post(f"{EXAM}/enter", data={"password": code_of(setup, bob)}, headers=basic(bob))
        assert as_form.status_code == 200, as_form.text
        refused(
            client.post(f"{EXAM}/enter", data={"password": "NOPE"}, headers=basic(bob)),
            403,
            "wrong exam password",
        )
    fresh(session)
    assert setup.student(session, alice).entered_at == T0 - timedelta(minutes=10)
    bob_row = setup.student(session, bob)
    assert bob_row.user_id == bob.id  # listed by email: entering linked his account
    assert bob_row.entered_at is not None


def test_a_samecode_exam_is_entered_before_submitting_an_open_one_needs_no_entry(
    client: TestClient, session: Session, platform: Platform, tmp_path: Path, make_user: MakeUser,
    clock: ManualClock,
) -> None:  # fmt: skip
    make_problems(session, platform, tmp_path)
    setup = make_exam(session, make_user)
    setup.start(session, clock.now)
    refused(submit(client, setup.alice), 403, "enter exam teacher:final with its password first")
    setup.exam.protection = Protection.OPEN
    session.commit()
    submission_id(submit(client, setup.alice))
    fresh(session)
    assert setup.student(session, setup.alice).entered_at == clock.now  # submitting entered it


def test_guessing_codes_is_slowed_down(client: TestClient, setup: ExamSetup, clock: ManualClock) -> None:
    for _ in range(5):
        refused(enter(client, setup.alice, "GUESSING"), 403, "wrong exam password")
    response = enter(client, setup.alice, "CLOUCREA")
    refused(response, 429, "too many wrong exam passwords")
    assert response.headers["Retry-After"]
    clock.advance(minutes=10)  # the wait is over: the right code works
    assert enter(client, setup.alice, "CLOUCREA").status_code == 200


def test_compilers_problems_and_strangers(
    client: TestClient, session: Session, setup: ExamSetup, clock: ManualClock, make_user: MakeUser
) -> None:
    setup.exam.compilers = ["G++17", "python3"]  # an alias names its compiler
    session.commit()
    setup.start(session, clock.now)
    alice = setup.alice
    assert enter(client, alice, "CLOUCREA").status_code == 200
    error = refused(submit(client, alice, compiler="GCC"), 400, "GCC is not allowed in this exam")
    assert error["field"] == "compiler" and "G++17, Python3" in error["message"]
    refused(submit(client, alice, compiler="NoSuchCompiler"), 400, "unknown compiler")
    error = refused(submit(client, alice, problem=OUTSIDE), 400, f"{OUTSIDE!r} is not a problem of this exam")
    assert error["field"] == "problem" and "P1 (P68688)" in error["message"]
    refused(submit(client, alice, problem="P99999"), 400, "not a problem of this exam")
    refused(submit(client, alice, source="  \n"), 400, "send the program")
    missing = client.post(f"{EXAM}/submissions", data={"problem": "P1"}, headers=basic(alice))
    assert refused(missing, 400, "compiler")["field"] == "compiler"
    # By caption, by id and by a statement language of the id.
    for problem in ("P1", "p2", "P68688", "P57548_en"):
        submission_id(submit(client, alice, problem=problem))
    fresh(session)
    variants = session.scalars(sa.select(Submission.variant).order_by(Submission.id)).all()
    assert variants == [None, None, None, "en"]

    # Strangers: a student of the course not in the exam, the course's tutor, an unknown exam.
    for user in (setup.carol, setup.tutor, make_user("mallory")):
        refused(enter(client, user, "CLOUCREA"), 403, "not a student of exam teacher:final")
        refused(client.get(f"{EXAM}/problems", headers=basic(user)), 403, "not a student")
        refused(submit(client, user), 403, "not a student")
        refused(client.get(f"{EXAM}/submissions", headers=basic(user)), 403, "not a student")
    refused(client.get("/services/exams/teacher:nothing/problems", headers=basic(alice)), 404, "no exam")
    # bob, listed by email, links his account on entry: his row is not whoever has that email later.
    assert enter(client, setup.bob, "CLOUCREA").status_code == 200
    fresh(session)  # end the test's read snapshot before writing (SQLite)
    setup.bob.email = "bob.new@example.org"
    session.commit()
    refused(enter(client, make_user("eve", email="bob@example.org"), "CLOUCREA"), 403, "not a student")
    assert enter(client, setup.bob, "CLOUCREA").status_code == 200
    assert client.get(f"{EXAM}/problems").status_code == 401


def test_an_exam_submission_is_tied_to_the_exam_and_graded_first(
    client: TestClient, session: Session, platform: Platform, setup: ExamSetup, clock: ManualClock
) -> None:
    setup.start(session, clock.now)
    alice = setup.alice
    assert enter(client, alice, "CLOUCREA", format="json").json()["state"] == "running"
    upload = client.post(
        f"{EXAM}/submissions",
        data={"problem": "P1", "compiler": "Python3"},
        files={"file": ("ac.py", AC_PY.encode())},
        headers=basic(alice),
    )
    accepted = submission_id(upload)
    wrong = submission_id(submit(client, alice, "P2", source="print('Hello nobody!')\n"))
    fresh(session)
    rows = session.scalars(sa.select(Submission).order_by(Submission.id)).all()
    assert [(s.exam_id, s.priority, s.user_id, s.language) for s in rows] == [
        (setup.exam.id, PRIORITY_EXAM, alice.id, "Python3"),
        (setup.exam.id, PRIORITY_EXAM, alice.id, "Python3"),
    ]
    assert rows[0].source == AC_PY and rows[0].created_at == clock.now
    assert isinstance(platform.queue, NullQueue) and platform.queue.wakes == 2  # woken after each commit

    engine = platform.grading_engine()  # the real judge, in the real sandbox
    assert engine.grade_next() == accepted
    assert engine.grade_next() == wrong
    mine = {s["submission"]: s for s in doc(client.get(f"{EXAM}/submissions", headers=basic(alice)))}
    assert (mine[accepted]["status"], mine[accepted]["verdict"]) == ("done", "AC")
    assert (mine[wrong]["status"], mine[wrong]["verdict"]) == ("done", "WA")
    fresh(session)
    assert session.get(Submission, accepted).status == SubmissionStatus.DONE  # type: ignore[union-attr]
    assert PROBLEMS[0] == "P68688"


def test_bodies_are_capped(client: TestClient, platform: Platform, setup: ExamSetup) -> None:
    settings = platform.settings
    big = b"password: " + b"A" * settings.max_document_bytes
    refused(client.post(f"{EXAM}/enter", content=big, headers=basic(setup.alice)), 413, "bytes allowed")
    source = "#" * (settings.max_upload_bytes + 10)
    refused(submit(client, setup.alice, source=source), 413, "bytes allowed")
    refused(client.post(f"{EXAM}/enter", content=b"- a list", headers=basic(setup.alice)), 400, "mapping")
