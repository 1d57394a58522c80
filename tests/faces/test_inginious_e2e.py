"""End to end through a real uvicorn server on 127.0.0.1 with in-process grader threads and the
real sandbox: log in, list courses and tasks, submit C code with a multiple-choice answer, poll
until graded, read grade, result and feedback."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy.orm import Session

from tests.support.inginious import APLUSB, Demo, demo_copy, make_demo
from tests.support.servers import uvicorn_thread
from tests.support.users import PASSWORD, MakeUser
from verdict.judge.sandbox import check_available
from verdict.platform import Platform
from verdict.web.app import create_app

pytestmark = pytest.mark.e2e

ACCEPTED = (APLUSB / "submissions" / "accepted" / "sum.c").read_text()
BROKEN = (APLUSB / "submissions" / "compile_error" / "broken.c").read_text()
# Right on the samples, wrong once the numbers overflow a short (a hidden test).
OVERFLOWS = (
    '#include <stdio.h>\nint main(void) { short a, b; scanf("%hd %hd", &a, &b); printf("%d\\n", a + b); }\n'
)
POLL_SECONDS = 120


@pytest.fixture
def sandbox() -> None:
    reason = check_available()
    if reason:
        pytest.skip(f"sandbox unavailable: {reason}")


@pytest.fixture
def demo(sandbox: None, session: Session, platform: Platform, make_user: MakeUser, tmp_path: Path) -> Demo:
    return make_demo(session, platform, make_user, demo_copy(tmp_path, with_aplusb=True))


@pytest.fixture
def server(platform: Platform, demo: Demo) -> Iterator[str]:
    """The application served by uvicorn in a thread, with one grader thread."""
    queue = platform.queue
    queue.start_workers(1)
    try:
        with uvicorn_thread(create_app(platform=platform)) as port:
            yield f"http://127.0.0.1:{port}"
    finally:
        queue.stop()


def poll(http: httpx.Client, task: str, submission_id: str) -> dict[str, Any]:
    deadline = time.monotonic() + POLL_SECONDS
    while time.monotonic() < deadline:
        response = http.get(f"/api/v0/courses/demo/tasks/{task}/submissions/{submission_id}")
        assert response.status_code == 200, response.text
        [submission] = response.json()
        if submission["status"] != "waiting":
            return dict(submission)
        time.sleep(0.1)
    raise AssertionError(f"submission {submission_id} not graded in {POLL_SECONDS} s")


def submit(http: httpx.Client, task: str, data: dict[str, Any]) -> str:
    response = http.post(f"/api/v0/courses/demo/tasks/{task}/submissions", data=data)
    assert response.status_code == 200, response.text
    return str(response.json()["submissionid"])


def test_log_in_submit_code_and_a_choice_and_read_the_grade(server: str, demo: Demo) -> None:
    with httpx.Client(base_url=server, timeout=30) as http:
        login = http.post("/api/v0/authentication", data={"login": "alice", "password": PASSWORD})
        assert (login.status_code, login.json()) == (200, {"status": "success"})
        assert http.get("/api/v0/authentication").json() == {"authenticated": True, "username": "alice"}

        courses = http.get("/api/v0/courses").json()
        assert courses["demo"]["is_registered"] is True and "aplusb" in courses["demo"]["tasks"]

        tasks = http.get("/api/v0/courses/demo/tasks").json()
        aplusb = tasks["aplusb"]
        assert set(aplusb["problems"]) == {"code", "question"}
        choices = aplusb["problems"]["question"]["choices"]
        assert sorted(choices.values()) == ["No", "Yes"] and "valid" not in str(aplusb)
        yes = next(index for index, text in choices.items() if text == "Yes")
        no = next(index for index, text in choices.items() if text == "No")

        # Right code, right answer.
        first = poll(http, "aplusb", submit(http, "aplusb", {"code": ACCEPTED, "question": yes}))
        assert (first["status"], first["grade"], first["result"]) == ("done", 100.0, "success")
        assert first["input"] == {"code": ACCEPTED, "code/language": "GCC", "question": int(yes)}
        assert "All answers are correct" in first["feedback"]
        assert "<b>Accepted</b>" in first["problems_feedback"]["code"]
        assert "sample/1: AC" in first["problems_feedback"]["code"]  # samples are named
        assert first["problems_feedback"]["question"] == ""
        assert http.get("/api/v0/courses/demo/tasks/aplusb").json()["aplusb"]["status"] == "succeeded"

        # Code failing a hidden test, wrong answer: the hidden test is not revealed.
        second = poll(http, "aplusb", submit(http, "aplusb", {"code": OVERFLOWS, "question": no}))
        assert (second["status"], second["grade"], second["result"]) == ("done", 0.0, "failed")
        code_feedback = second["problems_feedback"]["code"]
        assert "<b>Wrong answer</b>" in code_feedback and "hidden test" in code_feedback
        assert "secret" not in code_feedback and "1000000000" not in code_feedback
        assert "2000000000" not in code_feedback
        assert second["problems_feedback"]["question"] == "<p>Wrong answer</p>"
        # evaluate: last — the newest graded submission is the task's grade.
        view = http.get("/api/v0/courses/demo/tasks/aplusb").json()["aplusb"]
        assert (view["status"], view["grade"]) == ("failed", 0.0)

        # Half right: right code, wrong answer.
        third = poll(http, "aplusb", submit(http, "aplusb", {"code": ACCEPTED, "question": no}))
        assert (third["grade"], third["result"]) == (50.0, "failed")
        assert "1 of 2 part(s) correct" in third["feedback"]

        # A compile error shows the compiler's message.
        broken = poll(http, "sum", submit(http, "sum", {"code": BROKEN}))
        assert (broken["status"], broken["grade"], broken["result"]) == ("done", 0.0, "failed")
        assert "Compile error" in broken["feedback"] and "<pre>" in broken["feedback"]

        # A file upload graded by the judge, and a quiz graded in-process, through the same queue.
        upload = http.post(
            "/api/v0/courses/demo/tasks/upload/submissions", files={"program": ("sum.c", ACCEPTED.encode())}
        )
        assert upload.status_code == 200, upload.text
        uploaded = poll(http, "upload", upload.json()["submissionid"])
        assert (uploaded["grade"], uploaded["result"]) == (100.0, "success")
        quiz = poll(http, "quiz", submit(http, "quiz", {"single": "1", "several": ["0", "1"], "exit": "0"}))
        assert (quiz["grade"], quiz["result"]) == (100.0, "success")

        # Course grade: quiz 100 (weight 2), sum 0, upload 100, aplusb 50 (last), others 0: 350 / 7.
        assert http.get("/api/v0/courses/demo").json()["demo"]["grade"] == 50.0
        # Another student sees none of it.
        other = httpx.get(
            f"{server}/api/v0/courses/demo/tasks/aplusb/submissions", auth=("bob", PASSWORD), timeout=30
        )
        assert other.json() == []
