"""A Jutge graphic problem end to end, through a real uvicorn server with a grader thread and the
real sandbox: the package uploaded through the Jutge face (/services/problems/add-upload), put in
a list and a course, then submissions through the INGInious face, polled until graded: each of
the fixture's programs gets its verdict, and a wrong drawing's feedback shows the difference
image of the samples (never of the hidden test)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.support.jutge import make_tgz
from tests.support.paths import PROGRAMS, good_package
from tests.support.servers import uvicorn_thread
from tests.support.users import PASSWORD, MakeUser, basic
from verdict.faces.jutge.yaml_io import load_document
from verdict.judge.sandbox import check_available
from verdict.platform import Platform
from verdict.web.app import create_app

pytestmark = pytest.mark.e2e

PACKAGE = good_package("graphic.pbm")
POLL_SECONDS = 180
EXPECTED = {  # program -> (result, grade)
    PACKAGE / "solution.py": ("success", 100.0),
    PROGRAMS / "graphic" / "ac_import_turtle.py": ("success", 100.0),
    PROGRAMS / "graphic" / "ac_near_black.py": ("success", 100.0),
    PROGRAMS / "graphic" / "wa_triangle.py": ("failed", 0.0),
    PROGRAMS / "graphic" / "wa_no_image.py": ("failed", 0.0),
    PROGRAMS / "graphic" / "re_crash.py": ("crash", 0.0),  # INGInious names a run-time error so
}


@pytest.fixture
def server(platform: Platform) -> Iterator[str]:
    reason = check_available()
    if reason:
        pytest.skip(f"sandbox unavailable: {reason}")
    platform.queue.start_workers(1)
    try:
        with uvicorn_thread(create_app(platform=platform)) as port:
            yield f"http://127.0.0.1:{port}"
    finally:
        platform.queue.stop()


def import_course(http: httpx.Client, tmp_path: Path, teacher: str) -> tuple[str, str]:
    """The package uploaded, listed and put in a course for alice: (course id, task id)."""
    archive = make_tgz(tmp_path / "graphic.tgz", PACKAGE)
    with archive.open("rb") as data:
        files = {"file": ("graphic.tgz", data, "application/gzip")}
        uploaded = http.post("/services/problems/add-upload", files=files, headers=basic(teacher))
    assert uploaded.status_code == 201, uploaded.text
    problem = str(load_document(uploaded.content)["problem"])
    drawings = f"name: drawings\ntitle: Drawings\nitems: [{problem}]\n"
    listed = http.put("/services/lists", content=drawings, headers=basic(teacher))
    assert listed.status_code == 201, listed.text
    course = "name: art\ntitle: Art\nlists: [drawings]\nstudents: [alice@example.org]\n"
    made = http.put("/services/courses", content=course, headers=basic(teacher))
    assert made.status_code == 201, made.text
    return f"{teacher}-art", problem


def submit_and_wait(http: httpx.Client, course: str, task: str, source: str) -> dict[str, Any]:
    base = f"/api/v0/courses/{course}/tasks/{task}/submissions"
    sent = http.post(base, data={"code": source, "code/language": "Python3"})
    assert sent.status_code == 200, sent.text
    submission_id = sent.json()["submissionid"]
    deadline = time.monotonic() + POLL_SECONDS
    while time.monotonic() < deadline:
        [submission] = http.get(f"{base}/{submission_id}").json()
        if submission["status"] != "waiting":
            return dict(submission)
        time.sleep(0.2)
    raise AssertionError(f"submission {submission_id} not graded in {POLL_SECONDS} s")


def test_import_a_graphic_problem_and_submit_drawings(
    server: str, make_user: MakeUser, tmp_path: Path
) -> None:
    make_user("teacher", role="instructor", email="teacher@example.org")
    make_user("alice", email="alice@example.org")
    with httpx.Client(base_url=server, timeout=60) as http:
        course, task = import_course(http, tmp_path, "teacher")
        login = http.post("/api/v0/authentication", data={"login": "alice", "password": PASSWORD})
        assert login.json() == {"status": "success"}
        assert task in http.get(f"/api/v0/courses/{course}/tasks").json()
        results = {
            program.name: submit_and_wait(http, course, task, program.read_text()) for program in EXPECTED
        }
    for program, (result, grade) in EXPECTED.items():
        got = results[program.name]
        assert (got["status"], got["result"], got["grade"]) == ("done", result, grade), (program.name, got)

    wrong = results["wa_triangle.py"]["problems_feedback"]["code"]
    assert "<b>Wrong answer</b>" in wrong
    assert "sample-1: WA" in wrong and "of the pixels differ from the expected image" in wrong
    # One difference image per sample, none for the hidden test (it would show its expected image).
    assert wrong.count('<img alt="difference with the expected image" src="data:image/png;base64,') == 2
    assert "hidden test 3: WA" in wrong
    missing = results["wa_no_image.py"]["problems_feedback"]["code"]
    assert "no image: the program did not write output.png" in missing and "<img" not in missing
    assert "<b>Run-time error</b>" in results["re_crash.py"]["problems_feedback"]["code"]
