"""The INGInious REST API v0 through HTTP (TestClient, SQLite and PostgreSQL): every endpoint, the
exact shapes of the reference, every error code, YAML output, and what a student never sees."""

from __future__ import annotations

import json
import re
import threading
from typing import Any

import pytest
import sqlalchemy as sa
import yaml
from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy.orm import Session, sessionmaker

from tests.support.inginious import ANSWERS, APLUSB, Demo, grade_all, other_course, walk
from tests.support.users import basic
from verdict.accounts import service as accounts
from verdict.accounts.passwords import hash_password
from verdict.courses.models import Registration, Task
from verdict.courses.task_view import ChoiceOrder
from verdict.grading.graders import Graders
from verdict.grading.queue import NullQueue
from verdict.platform import Platform
from verdict.problems.store import import_package
from verdict.settings import Settings
from verdict.submissions.models import Submission, SubmissionStatus

pytestmark = pytest.mark.e2e

API = "/api/v0"
DEMO = f"{API}/courses/demo"
DATE = re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$")
TEST_SECRET_KEY = "test-secret-key-3f9a1c7e5b2d8046aa91"  # tests/conftest.py's settings
QUIZ_RIGHT = {"single": "1", "several": ["0", "1"], "exit": "0"}


def get(client: TestClient, path: str, user: Any, **headers: str) -> Response:
    return client.get(path, headers={**basic(user), **headers})


def post(
    client: TestClient, path: str, user: Any, data: dict[str, Any] | None = None, **kwargs: Any
) -> Response:
    return client.post(path, headers=basic(user), data=data, **kwargs)


def error(response: Response, status: int) -> str:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    assert list(body) == ["error"] and isinstance(body["error"], str) and body["error"]
    return str(body["error"])


def submit(client: TestClient, user: Any, task: str, data: dict[str, Any], **kwargs: Any) -> str:
    response = post(client, f"{DEMO}/tasks/{task}/submissions", user, data, **kwargs)
    assert response.status_code == 200, response.text
    body = response.json()
    assert list(body) == ["submissionid"] and body["submissionid"].isdigit()
    return str(body["submissionid"])


# --------------------------------------------------------------------------- authentication


def test_auth_methods(client: TestClient) -> None:
    response = client.get(f"{API}/auth_methods")
    assert response.status_code == 200
    assert response.json() == [
        {
            "id": "db",
            "name": "Verdict account",
            "input": [
                {"id": "login", "name": "Login", "type": "text"},
                {"id": "password", "name": "Password", "type": "password"},
            ],
        }
    ]


def test_authentication_status(client: TestClient, demo: Demo) -> None:
    assert client.get(f"{API}/authentication").json() == {"authenticated": False}
    wrong = client.get(f"{API}/authentication", headers=basic("alice", "wrong password"))
    assert (wrong.status_code, wrong.json()) == (200, {"authenticated": False})
    assert get(client, f"{API}/authentication", demo.alice).json() == {
        "authenticated": True,
        "username": "alice",
    }


@pytest.mark.parametrize("as_json", [False, True])
def test_login_sets_a_session_cookie(client: TestClient, demo: Demo, as_json: bool) -> None:
    credentials = {"login": "alice", "password": "correct horse battery"}
    response = (
        client.post(f"{API}/authentication", json=credentials)
        if as_json
        else client.post(f"{API}/authentication", data=credentials)
    )
    assert (response.status_code, response.json()) == (200, {"status": "success"})
    assert "verdict_session=" in response.headers["set-cookie"]
    assert "httponly" in response.headers["set-cookie"].lower()
    # The client keeps the cookie: later requests are authenticated by it alone.
    assert client.get(f"{API}/authentication").json() == {"authenticated": True, "username": "alice"}
    assert client.get(f"{API}/courses").status_code == 200


def test_login_by_email(client: TestClient, demo: Demo) -> None:
    response = client.post(
        f"{API}/authentication", data={"login": "alice@example.org", "password": "correct horse battery"}
    )
    assert response.json() == {"status": "success"}


@pytest.mark.parametrize(
    "body",
    [{"login": "alice", "password": "wrong"}, {"login": "nobody", "password": "x"}, {"login": "alice"}, {}],
)
def test_failed_login(client: TestClient, demo: Demo, body: dict[str, str]) -> None:
    response = client.post(f"{API}/authentication", data=body)
    assert (response.status_code, response.json()) == (403, {"status": "error"})
    assert "set-cookie" not in response.headers
    assert client.get(f"{API}/authentication").json() == {"authenticated": False}


def test_failed_logins_are_rate_limited(client: TestClient, demo: Demo) -> None:
    for _ in range(5):
        client.post(f"{API}/authentication", data={"login": "alice", "password": "wrong"})
    response = client.post(
        f"{API}/authentication", data={"login": "alice", "password": "correct horse battery"}
    )
    assert (response.status_code, response.json()) == (403, {"status": "error"})


AUTHENTICATED = [
    ("GET", f"{API}/courses"),
    ("GET", DEMO),
    ("GET", f"{DEMO}/tasks"),
    ("GET", f"{DEMO}/tasks/quiz"),
    ("GET", f"{DEMO}/tasks/quiz/submissions"),
    ("GET", f"{DEMO}/tasks/quiz/submissions/1"),
    ("POST", f"{DEMO}/tasks/quiz/submissions"),
]


@pytest.mark.parametrize(("method", "path"), AUTHENTICATED)
def test_authentication_required(client: TestClient, demo: Demo, method: str, path: str) -> None:
    response = client.request(method, path, data={"single": "1"} if method == "POST" else None)
    assert error(response, 401) == "authentication required"
    assert response.headers["www-authenticate"].startswith("Basic")
    bad = client.request(method, path, headers=basic("alice", "wrong password"))
    assert error(bad, 401) == "invalid username or password"
    as_yaml = client.request(method, path, headers={"Accept": "application/yaml"})
    assert as_yaml.status_code == 401
    assert yaml.safe_load(as_yaml.text) == {"error": "authentication required"}


def test_bearer_token(client: TestClient, session: Session, demo: Demo) -> None:
    token = accounts.create_token(session, demo.alice, "script")
    session.commit()
    response = client.get(f"{API}/courses", headers={"Authorization": f"Bearer {token.secret}"})
    assert response.status_code == 200 and response.json()["demo"]["is_registered"] is True
    assert error(client.get(f"{API}/courses", headers={"Authorization": "Bearer vdt_nope"}), 401)


# --------------------------------------------------------------------------- courses


VISIBLE_TASKS = {
    "quiz": "Quiz about C",
    "sum": "Sum in C",
    "upload": "Upload a program",
    "aplusb": "A plus B",
    "scripted": "Scripted task",
    "closed": "Closed task",
    "limited": "Limited task",
}


def test_courses_of_a_registered_student(client: TestClient, session: Session, demo: Demo) -> None:
    other_course(session, demo.teacher, "private", Registration.CLOSED)
    other_course(session, demo.teacher, "secret", Registration.PASSWORD, hash_password("sesame"))
    response = get(client, f"{API}/courses", demo.alice)
    assert response.status_code == 200 and response.headers["content-type"] == "application/json"
    body = response.json()
    assert body == {
        "demo": {
            "name": "Demo course",
            "require_password": False,
            "is_registered": True,
            "tasks": VISIBLE_TASKS,
            "grade": 0.0,
        },
        "secret": {"name": "Secret", "require_password": True, "is_registered": False},
    }
    assert list(body["demo"]["tasks"]) == list(VISIBLE_TASKS)  # in the course's order
    assert get(client, DEMO, demo.alice).json() == {"demo": body["demo"]}


def test_courses_of_an_unregistered_student(client: TestClient, demo: Demo) -> None:
    assert get(client, f"{API}/courses", demo.carol).json() == {
        "demo": {"name": "Demo course", "require_password": False, "is_registered": False}
    }
    assert get(client, DEMO, demo.carol).json() == {
        "demo": {"name": "Demo course", "require_password": False, "is_registered": False}
    }


def test_courses_of_staff(client: TestClient, session: Session, demo: Demo) -> None:
    other_course(session, demo.teacher, "private", Registration.CLOSED)
    body = get(client, f"{API}/courses", demo.teacher).json()
    assert set(body) == {"demo", "private"}
    assert body["private"] == {
        "name": "Private",
        "require_password": False,
        "is_registered": True,
        "tasks": {},
        "grade": 0.0,
    }
    assert set(body["demo"]["tasks"]) == set(VISIBLE_TASKS) | {"future", "hidden"}
    assert get(client, f"{API}/courses", demo.tutor).json()["demo"]["is_registered"] is True


def test_unknown_or_invisible_course_is_404(client: TestClient, session: Session, demo: Demo) -> None:
    other_course(session, demo.teacher, "private", Registration.CLOSED)
    assert error(get(client, f"{API}/courses/nope", demo.alice), 404) == "Course not found"
    assert error(get(client, f"{API}/courses/private", demo.carol), 404) == "Course not found"
    assert error(get(client, f"{API}/courses/bad:id", demo.alice), 404) == "Course not found"
    demo.course.accessible = False
    session.commit()
    assert error(get(client, DEMO, demo.alice), 404)
    assert get(client, DEMO, demo.teacher).status_code == 200


# --------------------------------------------------------------------------- tasks


def quiz_view(username: str, status: str = "notattempted", grade: float = 0.0) -> dict[str, Any]:
    order = ChoiceOrder(TEST_SECRET_KEY, username)

    def choices(pid: str, texts: list[str], problem: dict[str, Any]) -> dict[str, str]:
        numbered = order.numbered(Task(slug="quiz"), pid, problem)
        return {str(number): texts[index] for number, index in numbered.items()}

    single = {"choices": [{"valid": False}, {"valid": True}, {"valid": False}], "multiple": False}
    several = {
        "choices": [{"valid": True}, {"valid": True}, {"valid": False}, {"valid": False}],
        "multiple": True,
    }
    return {
        "name": "Quiz about C",
        "authors": ["Ada Lovelace", "Alan Turing"],
        "contact_url": f"mailto:teacher@example.org?subject=demo/quiz ({username})",
        "deadline": "",
        "status": status,
        "grade": grade,
        "context": "A few questions about **C**.",
        "problems": {
            "single": {
                "type": "multiple_choice",
                "name": "One answer",
                "header": "Which header declares ``printf``?",
                "multiple": False,
                "choices": choices("single", ["``stdlib.h``", "``stdio.h``", "``string.h``"], single),
            },
            "several": {
                "type": "multiple_choice",
                "name": "Several answers",
                "header": "Which are integer types?",
                "multiple": True,
                "choices": choices("several", ["``int``", "``long``", "``double``", "``float``"], several),
            },
            "exit": {
                "type": "match",
                "name": "Exit status",
                "header": "What does ``main`` return on success?",
            },
        },
    }


def test_tasks_of_a_course(client: TestClient, demo: Demo) -> None:
    response = get(client, f"{DEMO}/tasks", demo.alice)
    assert response.status_code == 200
    body = response.json()
    assert list(body) == list(VISIBLE_TASKS)
    assert body["quiz"] == quiz_view("alice")
    assert body["sum"] == {
        "name": "Sum in C",
        "authors": ["Grace Hopper"],
        "contact_url": "",
        "deadline": "",
        "status": "notattempted",
        "grade": 0.0,
        "context": "Read two integers and print their sum.",
        "problems": {
            "code": {
                "type": "code",
                "name": "Your program",
                "header": "Write the whole program.",
                "language": "c",
                "default": "#include <stdio.h>\nint main(void) { return 0; }\n",
            }
        },
    }
    assert body["upload"]["problems"]["program"] == {
        "type": "file",
        "name": "Your file",
        "header": "A ``.c`` file of at most 10 kB.",
        "allowed_exts": [".c"],
        "max_size": 10000,
    }
    assert body["closed"]["deadline"] == "2000-05-01 12:00:00"  # the soft deadline
    assert body["limited"]["deadline"] == "2000-06-01 00:00:00"
    assert set(body["scripted"]["problems"]) == {"code", "line", "why"}  # graded by its run script
    assert len(body["scripted"]["problems"]["why"]["choices"]) == 2  # limit: 2
    single = get(client, f"{DEMO}/tasks/quiz", demo.alice)
    assert single.json() == {"quiz": quiz_view("alice")}


def test_choices_are_shuffled_per_student(client: TestClient, demo: Demo) -> None:
    for user in (demo.alice, demo.bob):
        body = get(client, f"{DEMO}/tasks/quiz", user).json()
        assert body == {"quiz": quiz_view(user.username)}


def test_a_student_never_sees_answers(client: TestClient, demo: Demo) -> None:
    for accept in ("application/json", "application/yaml"):
        for path in (f"{DEMO}/tasks", f"{DEMO}/tasks/quiz", f"{DEMO}/tasks/limited", f"{DEMO}/tasks/sum"):
            text = get(client, path, demo.alice, Accept=accept).text
            for secret in ANSWERS:
                assert secret not in text, (path, secret)
    document = get(client, f"{DEMO}/tasks", demo.alice).json()
    keys = walk(document)
    assert "answer" not in keys and "valid" not in keys and "feedback" not in keys
    assert "success_message" not in keys and "error_message" not in keys
    # Hidden test data of the code tasks is nowhere (tests are never part of a task).
    text = json.dumps(document)
    assert "10 20" not in text and "-5 5" not in text and "7 8" not in text


def test_tasks_need_registration(client: TestClient, session: Session, demo: Demo) -> None:
    assert error(get(client, f"{DEMO}/tasks", demo.carol), 403) == "You are not registered to this course"
    assert error(get(client, f"{DEMO}/tasks/quiz", demo.carol), 403)
    assert error(get(client, f"{DEMO}/tasks/quiz/submissions", demo.carol), 403)
    assert error(get(client, f"{API}/courses/nope/tasks", demo.alice), 404) == "Course not found"
    demo.course.accessible = "/2000-01-01"
    session.commit()
    assert error(get(client, f"{DEMO}/tasks", demo.alice), 403) == "This course is not accessible now"


@pytest.mark.parametrize("task", ["nope", "future", "hidden", "bad%20id"])
def test_unknown_or_invisible_task_is_404(client: TestClient, demo: Demo, task: str) -> None:
    assert error(get(client, f"{DEMO}/tasks/{task}", demo.alice), 404) == "Task not found"
    assert error(get(client, f"{DEMO}/tasks/{task}/submissions", demo.alice), 404) == "Task not found"
    # Posting to a task one may not see: INGInious finds the task, then refuses (403).
    status = 404 if task in ("nope", "bad%20id") else 403
    message = error(post(client, f"{DEMO}/tasks/{task}/submissions", demo.alice, {"reply": "yes"}), status)
    assert message == ("Task not found" if status == 404 else "You are not allowed to submit for this task")


def test_staff_see_every_task(client: TestClient, demo: Demo) -> None:
    body = get(client, f"{DEMO}/tasks", demo.teacher).json()
    assert list(body) == [
        "quiz",
        "sum",
        "upload",
        "aplusb",
        "scripted",
        "closed",
        "future",
        "hidden",
        "limited",
    ]
    assert body["future"]["deadline"] == ""
    assert get(client, f"{DEMO}/tasks/hidden", demo.tutor).status_code == 200


# --------------------------------------------------------------------------- submissions


def test_submit_a_quiz_and_follow_it(client: TestClient, platform: Platform, demo: Demo) -> None:
    submission_id = submit(client, demo.alice, "quiz", QUIZ_RIGHT)
    waiting = get(client, f"{DEMO}/tasks/quiz/submissions", demo.alice).json()
    assert len(waiting) == 1
    assert DATE.match(waiting[0].pop("submitted_on"))
    assert waiting == [
        {
            "id": submission_id,
            "status": "waiting",
            "grade": 0.0,
            "input": {"single": 1, "several": [0, 1], "exit": "0"},
        }
    ]
    assert grade_all(platform) == [int(submission_id)]
    [done] = get(client, f"{DEMO}/tasks/quiz/submissions/{submission_id}", demo.alice).json()
    assert list(done) == [
        "id",
        "submitted_on",
        "status",
        "grade",
        "input",
        "result",
        "feedback",
        "problems_feedback",
    ]
    del done["submitted_on"]
    assert done == {
        "id": submission_id,
        "status": "done",
        "grade": 100.0,
        "input": {"single": 1, "several": [0, 1], "exit": "0"},
        "result": "success",
        "feedback": "<p><b>All answers are correct</b>: 3 of 3 part(s) correct, grade 100/100.</p>",
        "problems_feedback": {
            "single": "<p>Well done, stdio it is.</p>\n<p>Right, standard input and output.</p>",
            "several": "",
            "exit": "<p>Correct answer</p>",
        },
    }
    assert get(client, f"{DEMO}/tasks/quiz", demo.alice).json() == {
        "quiz": quiz_view("alice", "succeeded", 100.0)
    }
    assert get(client, DEMO, demo.alice).json()["demo"]["grade"] == round(200 / 7, 2)


def test_wrong_answers(client: TestClient, platform: Platform, demo: Demo) -> None:
    submission_id = submit(client, demo.bob, "quiz", {"single": "0", "several": "2", "exit": "1"})
    grade_all(platform)
    [done] = get(client, f"{DEMO}/tasks/quiz/submissions/{submission_id}", demo.bob).json()
    assert (done["status"], done["grade"], done["result"]) == ("done", 0.0, "failed")
    assert done["problems_feedback"] == {
        "single": "<p>Not that one.</p>\n<p>stdlib.h has malloc and exit.</p>",
        "several": "<p>Wrong answer. Make sure to select all the valid possibilities</p>\n"
        "<p>double is a floating point type.</p>",
        "exit": "<p>Invalid answer</p>",
    }
    assert get(client, f"{DEMO}/tasks/quiz", demo.bob).json()["quiz"]["status"] == "failed"
    # Partly right: 1 of 3.
    second = submit(client, demo.bob, "quiz", {"single": "1", "several": "2", "exit": "2"})
    grade_all(platform)
    [partial] = get(client, f"{DEMO}/tasks/quiz/submissions/{second}", demo.bob).json()
    assert (partial["grade"], partial["result"]) == (33.33, "failed")
    listed = get(client, f"{DEMO}/tasks/quiz/submissions", demo.bob).json()
    assert [s["id"] for s in listed] == [second, submission_id]  # newest first
    assert get(client, f"{DEMO}/tasks/quiz", demo.bob).json()["quiz"]["grade"] == 33.33  # best


def test_another_students_submission_is_404(client: TestClient, platform: Platform, demo: Demo) -> None:
    mine = submit(client, demo.alice, "quiz", QUIZ_RIGHT)
    grade_all(platform)
    assert (
        error(get(client, f"{DEMO}/tasks/quiz/submissions/{mine}", demo.bob), 404) == "Submission not found"
    )
    assert get(client, f"{DEMO}/tasks/quiz/submissions", demo.bob).json() == []
    # Not even staff read others' submissions here: the API lists the connected user's own.
    assert error(get(client, f"{DEMO}/tasks/quiz/submissions/{mine}", demo.teacher), 404)
    assert error(get(client, f"{DEMO}/tasks/sum/submissions/{mine}", demo.alice), 404)  # wrong task
    assert error(get(client, f"{DEMO}/tasks/quiz/submissions/abc", demo.alice), 404)
    assert error(get(client, f"{DEMO}/tasks/quiz/submissions/999999", demo.alice), 404)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"several": "0", "exit": "0"}, "missing input for problem 'single'"),
        ({"single": "9", "exit": "0"}, "'9' is not a choice index shown"),
        ({"single": ["0", "1"], "exit": "0"}, "takes one value"),
        ({"single": "1"}, "missing input for problem 'exit'"),
    ],
)
def test_bad_input_is_400(client: TestClient, demo: Demo, data: dict[str, Any], message: str) -> None:
    assert message in error(post(client, f"{DEMO}/tasks/quiz/submissions", demo.alice, data), 400)


def test_bad_program_input_is_400(client: TestClient, demo: Demo) -> None:
    assert "is to be answered in GCC" in error(
        post(client, f"{DEMO}/tasks/sum/submissions", demo.alice, {"code": "x", "code/language": "python"}),
        400,
    )
    assert "allowed extensions" in error(
        post(
            client, f"{DEMO}/tasks/upload/submissions", demo.alice, files={"program": ("sum.py", b"print(1)")}
        ),
        400,
    )
    assert "larger than 10000 bytes" in error(
        post(
            client, f"{DEMO}/tasks/upload/submissions", demo.alice, files={"program": ("big.c", b"x" * 10001)}
        ),
        400,
    )
    assert "takes a file upload" in error(
        post(client, f"{DEMO}/tasks/upload/submissions", demo.alice, {"program": "int main"}), 400
    )
    assert "malformed JSON" in error(
        client.post(
            f"{DEMO}/tasks/quiz/submissions",
            headers={**basic(demo.alice), "Content-Type": "application/json"},
            content=b"{nope",
        ),
        400,
    )


def test_file_and_json_submissions(client: TestClient, session: Session, demo: Demo) -> None:
    source = b"#include <stdio.h>\nint main(void) { return 0; }\n"
    first = submit(client, demo.alice, "upload", None, files={"program": ("sum.c", source)})
    [waiting] = get(client, f"{DEMO}/tasks/upload/submissions", demo.alice).json()
    assert waiting["input"] == {
        "program": {
            "filename": "sum.c",
            "value": "I2luY2x1ZGUgPHN0ZGlvLmg+CmludCBtYWluKHZvaWQpIHsgcmV0dXJuIDA7IH0K",
        },
        "program/language": "GCC",
    }
    stored = session.get(Submission, int(first))
    assert stored is not None and stored.source == source.decode() and stored.language == "GCC"
    print(
        "DBG",
        stored.problem_id,
        stored.problem_version_id,
        demo.task(session, "upload").problem_id,
        stored.input,
    )
    assert stored.problem_id == demo.task(session, "upload").problem_id and stored.problem_version_id
    response = client.post(
        f"{DEMO}/tasks/quiz/submissions",
        headers=basic(demo.bob),
        json={"single": 1, "several": [0, 1], "exit": "0"},
    )
    assert response.status_code == 200
    [quiz] = get(client, f"{DEMO}/tasks/quiz/submissions", demo.bob).json()
    assert quiz["input"] == {"single": 1, "several": [0, 1], "exit": "0"}
    session.commit()  # a new snapshot (SQLite readers keep theirs until the transaction ends)
    submission = session.get(Submission, int(response.json()["submissionid"]))
    assert submission is not None and submission.problem_id is None  # a quiz needs no judge problem


def test_not_allowed_is_403(client: TestClient, platform: Platform, demo: Demo) -> None:
    assert (
        error(post(client, f"{DEMO}/tasks/quiz/submissions", demo.carol, QUIZ_RIGHT), 403)
        == "You are not registered to this course"
    )
    assert "deadline has passed" in error(
        post(client, f"{DEMO}/tasks/closed/submissions", demo.alice, {"reply": "yes"}), 403
    )
    submit(client, demo.alice, "quiz", QUIZ_RIGHT)
    assert "still waiting" in error(
        post(client, f"{DEMO}/tasks/quiz/submissions", demo.alice, QUIZ_RIGHT), 403
    )
    submit(client, demo.alice, "limited", {"reply": "Lyon"})
    grade_all(platform)
    submit(client, demo.alice, "quiz", QUIZ_RIGHT)  # graded: a new one is fine
    assert "submission limit reached" in error(
        post(client, f"{DEMO}/tasks/limited/submissions", demo.alice, {"reply": "Paris"}), 403
    )
    # Bad input to a task one may not submit to: 403 first, as INGInious checks rights first.
    assert error(post(client, f"{DEMO}/tasks/closed/submissions", demo.alice, {}), 403)


def test_staff_are_exempt_from_windows_and_limits(client: TestClient, platform: Platform, demo: Demo) -> None:
    submit(client, demo.tutor, "closed", {"reply": "yes"})
    submit(client, demo.teacher, "hidden", {"reply": "yes"})
    submit(client, demo.tutor, "limited", {"reply": "Paris"})
    grade_all(platform)
    submit(client, demo.tutor, "limited", {"reply": "Paris"})


def test_evaluate_last(client: TestClient, platform: Platform, demo: Demo) -> None:
    submit(client, demo.teacher, "limited", {"reply": "Paris"})
    grade_all(platform)
    submit(client, demo.teacher, "limited", {"reply": "Rome"})
    grade_all(platform)
    view = get(client, f"{DEMO}/tasks/limited", demo.teacher).json()["limited"]
    assert (view["status"], view["grade"]) == ("failed", 0.0)  # the last one counts


def test_no_grader_for_a_program_part_is_500(client: TestClient, session: Session, demo: Demo) -> None:
    session.add(
        Task(
            course_id=demo.course.id,
            slug="untested",
            name="No tests",
            position=20,
            problems={"code": {"type": "code", "name": "Code", "language": "c"}},
        )
    )
    session.commit()
    message = error(post(client, f"{DEMO}/tasks/untested/submissions", demo.alice, {"code": "int main"}), 500)
    assert message.startswith("no grader available")
    assert session.scalar(sa.select(sa.func.count()).select_from(Submission)) == 0


class DownQueue(NullQueue):
    def wake(self, count: int = 1) -> None:
        raise ConnectionError("broker unreachable")


@pytest.mark.parametrize("grading_queue", [DownQueue()])
def test_a_broker_that_is_down_is_500(client: TestClient, session: Session, demo: Demo) -> None:
    message = error(post(client, f"{DEMO}/tasks/quiz/submissions", demo.alice, QUIZ_RIGHT), 500)
    assert "no grader available (broker unreachable)" in message
    # The submission was committed first: it waits for a grader (the sweeper resumes it).
    [kept] = session.scalars(sa.select(Submission)).all()
    assert kept.status == SubmissionStatus.WAITING and str(kept.id) in message


class WitnessQueue(NullQueue):
    """Records the submissions another connection sees when the queue is woken (a QueueFactory:
    ``bootstrap`` makes it with the platform's sessionmaker)."""

    def __init__(self, _settings: Settings, sessions: sessionmaker[Session], _graders: Graders) -> None:
        super().__init__()
        self.sessionmaker = sessions
        self.seen: list[str] = []

    def wake(self, count: int = 1) -> None:
        with self.sessionmaker() as other:  # another connection sees it only if committed
            self.seen.extend(s.status.value for s in other.scalars(sa.select(Submission)))


@pytest.mark.parametrize("grading_queue", [WitnessQueue])
def test_the_submission_is_committed_before_the_queue_is_woken(
    client: TestClient, platform: Platform, demo: Demo
) -> None:
    submit(client, demo.alice, "quiz", QUIZ_RIGHT)
    assert isinstance(platform.queue, WitnessQueue)
    assert platform.queue.seen == ["waiting"]


# --------------------------------------------------------------------------- YAML


@pytest.mark.parametrize(
    ("accept", "media_type"),
    [
        ("application/yaml", "application/yaml"),
        ("text/yaml", "text/yaml"),
        ("application/x-yaml", "application/x-yaml"),
        ("application/json;q=0.5, application/yaml", "application/yaml"),
        ("application/yaml, application/json", "application/yaml"),
        ("text/*", "text/yaml"),
        ("application/json, application/yaml", None),
        ("application/yaml;q=0.2, */*", None),
        ("*/*", None),
        ("text/html", None),
        ("", None),
    ],
)
def test_content_negotiation(client: TestClient, demo: Demo, accept: str, media_type: str | None) -> None:
    response = get(client, f"{DEMO}/tasks/quiz", demo.alice, Accept=accept)
    assert response.status_code == 200
    assert response.headers["vary"] == "Accept"
    if media_type is None:
        assert response.headers["content-type"] == "application/json"
        assert response.json() == {"quiz": quiz_view("alice")}
    else:
        assert response.headers["content-type"] == f"{media_type}; charset=utf-8"
        document = yaml.safe_load(response.text)
        expected = quiz_view("alice")
        for problem in expected["problems"].values():  # YAML keeps the choice indices as numbers
            if "choices" in problem:
                problem["choices"] = {int(k): v for k, v in problem["choices"].items()}
        assert document == {"quiz": expected}


def test_every_endpoint_speaks_yaml(client: TestClient, platform: Platform, demo: Demo) -> None:
    accept = {"Accept": "application/yaml"}
    assert yaml.safe_load(client.get(f"{API}/auth_methods", headers=accept).text)[0]["id"] == "db"
    assert yaml.safe_load(client.get(f"{API}/authentication", headers=accept).text) == {
        "authenticated": False
    }
    login = client.post(f"{API}/authentication", headers=accept, data={"login": "alice", "password": "x"})
    assert yaml.safe_load(login.text) == {"status": "error"}
    created = client.post(
        f"{DEMO}/tasks/quiz/submissions", headers={**basic(demo.alice), **accept}, data=QUIZ_RIGHT
    )
    submission_id = yaml.safe_load(created.text)["submissionid"]
    grade_all(platform)
    for path in (
        f"{API}/courses",
        DEMO,
        f"{DEMO}/tasks",
        f"{DEMO}/tasks/quiz/submissions",
        f"{DEMO}/tasks/quiz/submissions/{submission_id}",
    ):
        response = get(client, path, demo.alice, **accept)
        assert response.headers["content-type"].startswith("application/yaml")
        as_json = get(client, path, demo.alice).json()
        assert json.loads(json.dumps(yaml.safe_load(response.text))) == as_json, path
    missing = get(client, f"{API}/courses/nope", demo.alice, **accept)
    assert (missing.status_code, yaml.safe_load(missing.text)) == (404, {"error": "Course not found"})


# --------------------------------------------------------------------------- OpenAPI


def test_openapi_describes_the_api(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    expected = {
        f"{API}/auth_methods": {"get"},
        f"{API}/authentication": {"get", "post"},
        f"{API}/courses": {"get"},
        f"{API}/courses/{{courseid}}": {"get"},
        f"{API}/courses/{{courseid}}/tasks": {"get"},
        f"{API}/courses/{{courseid}}/tasks/{{taskid}}": {"get"},
        f"{API}/courses/{{courseid}}/tasks/{{taskid}}/submissions": {"get", "post"},
        f"{API}/courses/{{courseid}}/tasks/{{taskid}}/submissions/{{submissionid}}": {"get"},
    }
    for path, methods in expected.items():
        assert set(spec["paths"][path]) == methods, path
        for method in methods:
            operation = spec["paths"][path][method]
            assert operation["summary"] and operation["description"]
            content = operation["responses"]["200"]["content"]
            assert "schema" in content["application/json"] and "application/yaml" in content
    schemas = spec["components"]["schemas"]
    assert {"CourseInfo", "TaskInfo", "SubmissionInfo", "SubmissionCreated", "AuthMethod", "Error"} <= set(
        schemas
    )
    assert set(schemas["TaskInfo"]["properties"]) == {
        "name",
        "authors",
        "contact_url",
        "deadline",
        "status",
        "grade",
        "context",
        "problems",
    }
    post_submission = spec["paths"][f"{API}/courses/{{courseid}}/tasks/{{taskid}}/submissions"]["post"]
    assert {"400", "401", "403", "404", "500"} <= set(post_submission["responses"])
    assert "multipart/form-data" in post_submission["requestBody"]["content"]
    assert (
        "application/x-www-form-urlencoded"
        in spec["paths"][f"{API}/authentication"]["post"]["requestBody"]["content"]
    )


def test_concurrent_submissions_leave_one_waiting(app: Any, session: Session, demo: Demo) -> None:
    """Eight simultaneous POSTs by one student: one is accepted, the others are refused (403)."""

    statuses: list[int] = []
    barrier = threading.Barrier(8, timeout=60)
    with TestClient(app) as client:  # verify the password once: the others hit the credential cache
        assert get(client, f"{API}/authentication", demo.alice).json()["authenticated"] is True

    def one() -> None:
        with TestClient(app) as client:
            barrier.wait()
            statuses.append(
                post(client, f"{DEMO}/tasks/quiz/submissions", demo.alice, QUIZ_RIGHT).status_code
            )

    threads = [threading.Thread(target=one) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(statuses) == [200] + [403] * 7
    session.commit()
    assert session.scalar(sa.select(sa.func.count()).select_from(Submission)) == 1


def test_a_task_of_a_jutge_course(
    client: TestClient, session: Session, platform: Platform, demo: Demo
) -> None:
    """Tasks made from a Jutge course's lists (one ``code`` problem, language left to the student)."""
    problem = import_package(session, APLUSB, settings=platform.settings).problem
    session.add(
        Task(
            course_id=demo.course.id,
            slug=problem.id,
            name="A plus B",
            problem_id=problem.id,
            position=30,
            problems={"code": {"type": "code", "name": "A plus B", "language": ""}},
        )
    )
    session.commit()
    path = f"{DEMO}/tasks/{problem.id}/submissions"
    assert "choose the language with the field 'code/language'" in error(
        post(client, path, demo.alice, {"code": "int main"}), 400
    )
    submission_id = submit(client, demo.alice, problem.id, {"code": "print(1)", "code/language": "python"})
    session.commit()
    submission = session.get(Submission, int(submission_id))
    assert submission is not None
    assert (submission.problem_id, submission.language, submission.source) == (
        problem.id,
        "Python3",
        "print(1)",
    )
    assert submission.problem_version_id == problem.current_version_id
