"""Submitting from the pages and watching the result (TestClient, SQLite and PostgreSQL), graded
for real: the demo course with the Kattis A+B package, the in-process queue's grader thread and
the sandbox. The task page (statement as stored, samples, the form), the submission's live view
(server-sent events), the per-test table of visible tests only, the history and the diff, a quiz,
a problem on its own; and what a student never sees: other students' code, hidden tests, the
quiz's answers."""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy.orm import Session

from tests.faces.html.helpers import csrf, log_in
from tests.support.inginious import ANSWERS, APLUSB, Demo, demo_copy, make_demo
from tests.support.users import MakeUser
from verdict.judge.sandbox import check_available
from verdict.platform import Platform
from verdict.submissions.models import Submission, SubmissionStatus

pytestmark = pytest.mark.e2e

ACCEPTED = (APLUSB / "submissions" / "accepted" / "sum.c").read_text()
# Right on the samples, wrong once the numbers overflow a short (a hidden test).
OVERFLOWS = (
    '#include <stdio.h>\nint main(void) { short a, b; scanf("%hd %hd", &a, &b); printf("%d\\n", a + b); }\n'
)
GRADING_SECONDS = 120
LOAD = re.compile(r"\?load=(\d+)#result$")


@pytest.fixture
def sandbox() -> None:
    reason = check_available()
    if reason:
        pytest.skip(f"sandbox unavailable: {reason}")


@pytest.fixture
def demo(sandbox: None, session: Session, platform: Platform, make_user: MakeUser, tmp_path: Path) -> Demo:
    return make_demo(session, platform, make_user, demo_copy(tmp_path, with_aplusb=True, lean=True))


@pytest.fixture
def grader_thread(platform: Platform) -> Iterator[None]:
    """One grader thread on the in-process queue, as ``verdict serve`` runs them."""
    platform.queue.start_workers(1)
    yield
    platform.queue.stop()


def submit(
    client: TestClient, path: str, data: dict[str, str | list[str]], files: dict | None = None
) -> Response:  # type: ignore[type-arg]
    return client.post(
        f"{path}/submit", data={"csrf": csrf(client, path), **data}, files=files or {}, follow_redirects=False
    )


def submitted_id(response: Response) -> int:
    assert response.status_code == 303, response.text
    found = LOAD.search(response.headers["location"])
    assert found, response.headers["location"]
    return int(found.group(1))


def wait_graded(session: Session, submission_id: int) -> Submission:
    deadline = time.monotonic() + GRADING_SECONDS
    while time.monotonic() < deadline:
        session.rollback()  # a new snapshot (SQLite keeps a read transaction's)
        submission = session.get(Submission, submission_id)
        assert submission is not None
        if submission.status in (SubmissionStatus.DONE, SubmissionStatus.ERROR):
            return submission
        time.sleep(0.1)
    raise AssertionError(f"submission {submission_id} not graded in {GRADING_SECONDS} s")


def events(
    client: TestClient, url: str, after_first: Callable[[], None] = lambda: None
) -> list[tuple[str, str]]:
    """The server-sent events of ``url`` until it closes: (event, data) pairs; ``after_first``
    runs once the first event arrived."""
    found: list[tuple[str, str]] = []
    event, data = "", []
    with client.stream("GET", url) as response:
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        for line in response.iter_lines():
            if line.startswith("event: "):
                event = line[7:]
            elif line.startswith("data: "):
                data.append(line[6:])
            elif line == "" and event:
                found.append((event, "\n".join(data)))
                event, data = "", []
                if len(found) == 1:
                    after_first()
    return found


def test_task_page_shows_the_statement_samples_and_form(client: TestClient, demo: Demo) -> None:
    log_in(client, "alice")
    page = client.get("/course/demo/aplusb")
    assert page.status_code == 200, page.text
    text = page.text
    assert "Statement" in text and 'class="statement"' in text
    assert 'href="/course/demo/aplusb?lang=ca"' in text  # the statement's languages
    assert 'enctype="multipart/form-data"' in text and 'name="csrf"' in text
    # The C part is set in C: the only language offered.
    options = re.findall(r'<select id="lang-code" name="code/language">(.*?)</select>', text, re.S)
    assert options and re.findall(r'value="([^"]+)"', options[0]) == ["GCC"]
    assert '<label for="code-code">' in text and 'data-load-into="code-code"' in text
    # The multiple choice: labelled radios, no answer in the page.
    assert re.search(r'<input id="choice-question-\d" name="question" value="\d" type="radio"', text)
    assert "valid" not in text
    # Samples, each downloadable; never a secret test.
    assert 'href="/course/demo/aplusb/samples/1.in?lang=en"' in text
    sample = client.get("/course/demo/aplusb/samples/1.in?lang=en")
    assert sample.status_code == 200 and sample.headers["content-disposition"].startswith("attachment")
    assert sample.text.strip() and sample.text in text
    assert client.get("/course/demo/aplusb/samples/1.out").status_code == 200
    assert client.get("/course/demo/aplusb/samples/9.in").status_code == 404
    assert client.get("/course/demo/aplusb/samples/..%2F..%2Fsecret%2F1.in").status_code == 404
    assert "secret" not in text
    catalan = client.get("/course/demo/aplusb?lang=ca")
    assert 'aria-current="true">ca<' in catalan.text


def test_submit_a_right_program_and_watch_it_live(
    client: TestClient, demo: Demo, session: Session, grader_thread: None
) -> None:
    log_in(client, "alice")
    page = client.get("/course/demo/aplusb").text
    yes = re.search(r'value="(\d)" type="radio">\s*<label for="choice-question-\d">Yes<', page)
    assert yes, page
    submission_id = submitted_id(
        submit(
            client,
            "/course/demo/aplusb",
            {"code": ACCEPTED, "code/language": "GCC", "question": yes.group(1)},
        )
    )
    stream = events(client, f"/course/demo/aplusb/submissions/{submission_id}/events")
    names = [name for name, _ in stream]
    assert names[-1] == "done" and set(names[:-1]) == {"state"}
    last_state = stream[-2][1]
    assert "accepted" in last_state and "100%" in last_state
    assert "sample/1" in last_state and "secret" not in last_state  # visible tests only
    assert f'<span id="history-{submission_id}" hx-swap-oob="true">' in last_state  # and the history
    # The page of the submission: the result, the tests, the code; no live connection any more.
    shown = client.get(f"/course/demo/aplusb?load={submission_id}").text
    assert "accepted" in shown and "<td>sample/2</td>" in shown and "secret" not in shown
    assert "sse-connect" not in shown
    assert "scanf" in shown  # the code
    course = client.get("/course/demo").text
    assert re.search(r'/course/demo/aplusb">A plus B</a></td>\s*<td><span class="badge ok">accepted', course)


def test_live_view_of_a_waiting_submission_then_hidden_tests_stay_hidden(
    client: TestClient, demo: Demo, session: Session, platform: Platform
) -> None:
    log_in(client, "alice")
    submission_id = submitted_id(
        submit(client, "/course/demo/aplusb", {"code": OVERFLOWS, "code/language": "GCC", "question": "0"})
    )
    waiting = client.get(f"/course/demo/aplusb?load={submission_id}").text
    assert f'sse-connect="/course/demo/aplusb/submissions/{submission_id}/events"' in waiting
    assert 'sse-swap="state"' in waiting and "Waiting for a grader" in waiting
    try:  # the grader starts once the stream said "waiting"
        stream = events(
            client,
            f"/course/demo/aplusb/submissions/{submission_id}/events",
            lambda: platform.queue.start_workers(1),
        )
    finally:
        platform.queue.stop()
    states = [data for name, data in stream if name == "state"]
    assert "Waiting for a grader" in states[0]
    assert "50%" in states[-1] and "<td>sample/1</td>" in states[-1]  # the question right, the code not
    graded = wait_graded(session, submission_id)
    assert any(not test.test_name.startswith("sample") for test in graded.tests)  # hidden rows exist
    page = client.get(f"/course/demo/aplusb?load={submission_id}").text
    for test in graded.tests:
        if not test.test_name.startswith("sample"):
            assert f"<td>{test.test_name}</td>" not in page
    assert "1000000000" not in page and "2000000000" not in page
    # Bob sees nothing of it: not the submission, not its events, not its code.
    client.cookies.clear()
    log_in(client, "bob")
    assert client.get(f"/course/demo/aplusb?load={submission_id}").status_code == 404
    assert client.get(f"/course/demo/aplusb/submissions/{submission_id}/events").status_code == 404
    assert "short a, b" not in client.get("/course/demo/aplusb").text


def test_history_and_diff_between_two_submissions(client: TestClient, demo: Demo, session: Session) -> None:
    log_in(client, "alice")
    first = submitted_id(submit(client, "/course/demo/sum", {"code": ACCEPTED, "code/language": "GCC"}))
    session.execute(sa.update(Submission).where(Submission.id == first).values(status=SubmissionStatus.DONE))
    session.commit()  # one waiting submission per task: pretend the first was graded
    second = submitted_id(
        submit(
            client, "/course/demo/sum", {"code": ACCEPTED.replace("a + b", "b + a"), "code/language": "GCC"}
        )
    )
    page = client.get(f"/course/demo/sum?load={second}&compare={first}")
    assert page.status_code == 200, page.text
    assert f"Changes from submission {first} to {second}" in page.text
    assert '<span class="del">-' in page.text and '<span class="add">+' in page.text
    assert f'href="/course/demo/sum?load={first}#result"' in page.text  # the history
    assert client.get(f"/course/demo/sum?load={second}&compare=999999").status_code == 404


def test_a_code_file_upload_and_form_errors(client: TestClient, demo: Demo, session: Session) -> None:
    log_in(client, "alice")
    empty = submit(client, "/course/demo/sum", {"code": "", "code/language": "GCC"})
    assert empty.status_code == 400 and 'role="alert"' in empty.text  # the form again, with why
    wrong = submit(client, "/course/demo/sum", {"code": "int main(){}", "code/language": "Nope"})
    assert wrong.status_code == 400 and "int main(){}" in wrong.text  # what was typed is kept
    no_token = client.post("/course/demo/sum/submit", data={"code": ACCEPTED}, follow_redirects=False)
    assert no_token.status_code == 403
    uploaded = submitted_id(
        submit(
            client,
            "/course/demo/sum",
            {"code": "", "code/language": "GCC"},
            files={"code/file": ("sum.c", ACCEPTED.encode())},
        )
    )
    stored = session.get(Submission, uploaded)
    assert stored is not None and stored.input["code"] == ACCEPTED and stored.language == "GCC"


def test_a_quiz_is_answered_on_the_page(
    client: TestClient, demo: Demo, session: Session, grader_thread: None
) -> None:
    log_in(client, "alice")
    page = client.get("/course/demo/quiz").text
    for answer in ANSWERS:
        assert answer not in page
    assert 'type="checkbox"' in page and 'name="exit" type="text"' in page
    submission_id = submitted_id(
        submit(client, "/course/demo/quiz", {"single": "1", "several": ["0", "1"], "exit": "0"})
    )
    graded = wait_graded(session, submission_id)
    assert graded.grade == 100.0
    shown = client.get(f"/course/demo/quiz?load={submission_id}").text
    assert "accepted" in shown and "100%" in shown
    # The student's own answers under the questions' names; a choice's RST as the text it shows.
    assert "<dt>One answer</dt><dd>stdio.h</dd>" in shown


def test_a_problem_on_its_own(client: TestClient, demo: Demo, session: Session, grader_thread: None) -> None:
    problem_id = demo.task(session, "aplusb").problem_id
    assert problem_id is not None
    log_in(client, "alice")  # a student of a course with a task graded by it
    page = client.get(f"/problem/{problem_id}")
    assert page.status_code == 200, page.text
    assert 'class="statement"' in page.text and f'href="/problem/{problem_id}/samples/1.in' in page.text
    submission_id = submitted_id(
        submit(client, f"/problem/{problem_id}", {"code": ACCEPTED, "code/language": "GCC"})
    )
    graded = wait_graded(session, submission_id)
    assert graded.task_id is None and graded.problem_id == problem_id
    shown = client.get(f"/problem/{problem_id}?load={submission_id}").text
    assert "accepted" in shown and "secret" not in shown
    stream = events(client, f"/problem/{problem_id}/submissions/{submission_id}/events")
    assert [name for name, _ in stream] == ["state", "done"]
    bad = submit(client, f"/problem/{problem_id}", {"code": ACCEPTED, "code/language": "Nope"})
    assert bad.status_code == 400 and "Choose one of the languages offered." in bad.text
    client.cookies.clear()
    log_in(client, "carol")  # in no course with it
    assert client.get(f"/problem/{problem_id}").status_code == 404
    assert client.get("/problem/P99999").status_code == 404
    assert client.get("/problem/nonsense").status_code == 404
