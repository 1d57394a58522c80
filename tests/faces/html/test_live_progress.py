"""The live view shows the grading's progress (TestClient, SQLite and PostgreSQL, graded for real):
a program that takes a noticeable time on each of the demo A+B's tests, watched through the
submission's server-sent events: waiting, then "Running test i of N", then the verdict; counts
only, never a hidden test's name."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.faces.html.helpers import log_in
from tests.faces.html.test_submit_pages import events, submit, submitted_id
from tests.support.inginious import Demo, demo_copy, make_demo
from tests.support.users import MakeUser
from verdict.judge.sandbox import check_available
from verdict.platform import Platform

# SQLite only: these pages have no SQL of their own (they call the services, tested on both
# databases), and tests/faces/html/test_crawl.py opens every page and form on PostgreSQL too.
pytestmark = [pytest.mark.e2e, pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)]
SLOW_SUM = (
    "#include <stdio.h>\n#include <unistd.h>\n"
    'int main(void) { long a, b; scanf("%ld %ld", &a, &b); usleep(200000); printf("%ld\\n", a + b); }\n'
)
RUNNING = re.compile(r"Running test (\d+) of (\d+)…")


@pytest.fixture
def demo(session: Session, platform: Platform, make_user: MakeUser, tmp_path: Path) -> Demo:
    if reason := check_available():
        pytest.skip(f"sandbox unavailable: {reason}")
    return make_demo(session, platform, make_user, demo_copy(tmp_path, with_aplusb=True))


def test_the_live_view_shows_which_test_runs_before_the_verdict(
    client: TestClient, demo: Demo, platform: Platform
) -> None:
    log_in(client, "alice")
    submission_id = submitted_id(
        submit(client, "/course/demo/aplusb", {"code": SLOW_SUM, "code/language": "GCC", "question": "0"})
    )
    try:  # the grader starts once the stream said "waiting"
        stream = events(
            client,
            f"/course/demo/aplusb/submissions/{submission_id}/events",
            lambda: platform.queue.start_workers(1),
        )
    finally:
        platform.queue.stop()
    states = [data for name, data in stream if name == "state"]
    assert "Waiting for a grader" in states[0] and "<dt>Grade</dt>" in states[-1]
    running = [found for state in states[:-1] for found in RUNNING.findall(state)]
    numbers = [int(test) for test, _ in running]
    totals = {int(total) for _, total in running}
    assert running and len(totals) == 1, states
    assert numbers == sorted(set(numbers)) and numbers[-1] <= totals.pop(), numbers  # a new test each time
    shown = [state for state in states if RUNNING.search(state)]
    assert all("<progress max=" in state and 'aria-label="Tests finished"' in state for state in shown)
    assert not any("secret" in state for state in states)  # counts only, never a hidden test's name
