"""Registering to an INGInious course through the API (``POST /api/v0/courses/{courseid}/register``
and ``.../unregister``), over HTTP on SQLite and PostgreSQL: a student who is not registered is
refused a submission, registers (with the course's password when it has one), then submits and
is graded; closed registration, wrong passwords, guessing, bad bodies and the OpenAPI entry."""

from __future__ import annotations

import threading
from datetime import timedelta
from typing import Any

import pytest
import sqlalchemy as sa
import yaml
from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy.orm import Session

from tests.support.inginious import Demo, grade_all
from tests.support.users import PASSWORD, MakeUser, basic
from verdict import db
from verdict.accounts import service as accounts
from verdict.accounts.models import LoginAttempt, User
from verdict.accounts.passwords import hash_password
from verdict.courses.models import Course, CourseMember, MemberRole, Registration
from verdict.courses.registration import TooManyAttempts, register_student
from verdict.errors import PermissionDenied
from verdict.faces.jutge.yaml_io import load_document
from verdict.platform import Platform

API = "/api/v0"
DEMO = f"{API}/courses/demo"
REGISTER = f"{DEMO}/register"
SECRET = "sesame-42"


def post(client: TestClient, path: str, user: Any, data: Any = None, **kwargs: Any) -> Response:
    return client.post(path, headers={**basic(user), **kwargs.pop("headers", {})}, data=data, **kwargs)


def error(response: Response, status: int) -> str:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    assert list(body) == ["error"] and isinstance(body["error"], str)
    return str(body["error"])


def registered(response: Response, status: int) -> None:
    assert (response.status_code, response.json()) == (status, {"status": "success", "is_registered": True})


def quiz_answers(client: TestClient, user: User) -> dict[str, Any]:
    """The right answers to the demo's quiz, in the choice order this user is shown."""
    task = client.get(f"{DEMO}/tasks/quiz", headers=basic(user)).json()["quiz"]

    def index(problem: str, *texts: str) -> list[str]:
        choices = task["problems"][problem]["choices"]
        return [key for key, text in choices.items() if text in texts]

    return {
        "single": index("single", "``stdio.h``")[0],
        "several": index("several", "``int``", "``long``"),
        "exit": "0",
    }


def submit_quiz(client: TestClient, user: User) -> Response:
    return post(client, f"{DEMO}/tasks/quiz/submissions", user, {"single": "0", "exit": "0"})


def submit_and_grade(client: TestClient, platform: Platform, user: User) -> dict[str, Any]:
    response = post(client, f"{DEMO}/tasks/quiz/submissions", user, quiz_answers(client, user))
    assert response.status_code == 200, response.text
    submission_id = response.json()["submissionid"]
    assert grade_all(platform) == [int(submission_id)]
    [done] = client.get(f"{DEMO}/tasks/quiz/submissions/{submission_id}", headers=basic(user)).json()
    return dict(done)


def membership(session: Session, demo: Demo, user: User) -> CourseMember | None:
    session.commit()  # a new transaction: see what the requests committed
    session.expire_all()
    return session.scalar(
        sa.select(CourseMember).where(
            CourseMember.course_id == demo.course.id, CourseMember.user_id == user.id
        )
    )


def with_password(session: Session, demo: Demo) -> None:
    demo.course.registration = Registration.PASSWORD
    demo.course.registration_password_hash = hash_password(SECRET)
    session.commit()


# --------------------------------------------------------------------------- open registration


@pytest.mark.e2e
def test_register_then_submit(client: TestClient, session: Session, platform: Platform, demo: Demo) -> None:
    carol = demo.carol
    assert error(submit_quiz(client, carol), 403) == "You are not registered to this course"
    course = client.get(f"{API}/courses/demo", headers=basic(carol)).json()["demo"]
    assert (course["is_registered"], course["require_password"]) == (False, False)

    registered(post(client, REGISTER, carol), 201)  # an empty body: no password needed
    member = membership(session, demo, carol)
    assert member is not None and member.role == MemberRole.STUDENT and member.accepted
    registered(post(client, REGISTER, carol), 200)  # again: nothing changes
    assert client.get(f"{API}/courses/demo", headers=basic(carol)).json()["demo"]["is_registered"]

    done = submit_and_grade(client, platform, carol)
    assert (done["status"], done["result"], done["grade"]) == ("done", "success", 100.0)


@pytest.mark.e2e
def test_staff_and_registered_students_need_nothing(client: TestClient, session: Session, demo: Demo) -> None:
    registered(post(client, REGISTER, demo.alice), 200)
    registered(post(client, REGISTER, demo.teacher), 200)
    assert membership(session, demo, demo.teacher) is None  # the owner needs no membership
    # A student the teacher enrolled (Jutge services, CLI) is invited: registering accepts.
    demo.course.registration = Registration.CLOSED
    session.add(CourseMember(course_id=demo.course.id, user_id=demo.carol.id, email=demo.carol.email))
    session.commit()
    registered(post(client, REGISTER, demo.carol), 200)
    member = membership(session, demo, demo.carol)
    assert member is not None and member.accepted


@pytest.mark.e2e
def test_the_teacher_still_enrols_and_unenrols_through_the_jutge_services(
    client: TestClient, session: Session, platform: Platform, demo: Demo
) -> None:
    """A registered student is one of the course's students in the teacher's Jutge document:
    the teacher unenrols them by leaving them out, and enrols them again by naming them."""
    carol = demo.carol
    registered(post(client, REGISTER, carol), 201)
    document = load_document(
        client.get("/services/courses/teacher:demo", headers=basic(demo.teacher)).content
    )
    assert carol.email in document["students"]

    def put_students(students: list[str]) -> None:
        body = yaml.safe_dump({**document, "students": students})
        response = client.put("/services/courses", content=body, headers=basic(demo.teacher))
        assert response.status_code == 200, response.text

    put_students([email for email in document["students"] if email != carol.email])
    assert membership(session, demo, carol) is None
    assert error(submit_quiz(client, carol), 403) == "You are not registered to this course"
    put_students(document["students"])  # named again: invited, and working in the course accepts
    member = membership(session, demo, carol)
    assert member is not None and not member.accepted
    done = submit_and_grade(client, platform, carol)
    accepted = membership(session, demo, carol)
    assert done["result"] == "success" and accepted is not None and accepted.accepted


# --------------------------------------------------------------------------- password


@pytest.mark.e2e
def test_password_course(client: TestClient, session: Session, platform: Platform, demo: Demo) -> None:
    with_password(session, demo)
    carol = demo.carol
    assert client.get(f"{API}/courses/demo", headers=basic(carol)).json()["demo"]["require_password"]
    assert error(submit_quiz(client, carol), 403) == "You are not registered to this course"

    assert error(post(client, REGISTER, carol), 403) == "Invalid registration password"
    assert (
        error(post(client, REGISTER, carol, {"password": "sesame"}), 403) == "Invalid registration password"
    )
    assert membership(session, demo, carol) is None
    assert error(submit_quiz(client, carol), 403) == "You are not registered to this course"

    # INGInious's own field name, in a multipart form like its register page's.
    registered(post(client, REGISTER, carol, {"register_password": SECRET}, files={"x": (None, "")}), 201)
    assert membership(session, demo, carol) is not None
    done = submit_and_grade(client, platform, carol)
    assert (done["result"], done["grade"]) == ("success", 100.0)

    # Registered already (bob): the password is not asked again.
    registered(post(client, REGISTER, demo.bob, {"password": "whatever"}), 200)


@pytest.mark.e2e
def test_password_as_json(client: TestClient, session: Session, demo: Demo) -> None:
    with_password(session, demo)
    carol = demo.carol
    assert error(post(client, REGISTER, carol, json={"password": "nope"}), 403)
    assert "password" in error(post(client, REGISTER, carol, json={"password": 42}), 400)
    registered(
        client.post(REGISTER, headers=basic(carol), json={"courseid": "demo", "password": SECRET}), 201
    )


@pytest.mark.e2e
def test_guessing_is_slowed_down(client: TestClient, session: Session, demo: Demo) -> None:
    """Five wrong passwords are free; then each guess must wait (429, Retry-After), as logins do."""
    with_password(session, demo)
    statuses = []
    for _ in range(10):
        response = post(client, REGISTER, demo.carol, {"password": "guess"})
        statuses.append(response.status_code)
        if response.status_code == 429:
            assert int(response.headers["retry-after"]) >= 1
            assert "too many wrong registration passwords" in response.json()["error"]
            break
    assert statuses[:5] == [403] * 5 and statuses[-1] == 429, statuses
    assert membership(session, demo, demo.carol) is None
    # Nobody else is slowed down: carol's logins, and other students' registrations.
    login = client.post(f"{API}/authentication", data={"login": "carol", "password": PASSWORD})
    assert login.json() == {"status": "success"}
    registered(post(client, REGISTER, demo.alice), 200)


@pytest.mark.integration
def test_guessing_waits_then_the_right_password_works(
    session: Session, demo: Demo, make_user: MakeUser
) -> None:
    with_password(session, demo)
    dave = make_user("dave")
    start = db.utcnow()
    for _ in range(5):
        with pytest.raises(PermissionDenied, match="Invalid registration password"):
            register_student(session, demo.course, dave, "guess", now=start)
    with pytest.raises(TooManyAttempts) as refused:  # even the right password waits
        register_student(session, demo.course, dave, SECRET, now=start)
    assert refused.value.status == 429 and refused.value.headers == {"Retry-After": "1"}
    with pytest.raises(PermissionDenied):  # another student's guesses count apart
        register_student(session, demo.course, demo.carol, "guess", now=start)
    assert register_student(session, demo.course, dave, SECRET, now=start + timedelta(seconds=2)).created
    # Registered: the guesses are forgotten; none was ever counted against a login.
    assert session.scalar(sa.select(sa.func.count()).select_from(LoginAttempt)) == 1  # carol's
    assert accounts.authenticate(session, "dave", PASSWORD).id == dave.id


# --------------------------------------------------------------------------- refusals


@pytest.mark.e2e
def test_closed_registration(client: TestClient, session: Session, demo: Demo) -> None:
    demo.course.registration = Registration.CLOSED
    session.commit()
    assert error(post(client, REGISTER, demo.carol), 403) == "Registration to this course is closed"
    assert membership(session, demo, demo.carol) is None
    demo.course.registration = Registration.OPEN
    demo.course.accessible = "/2000-01-01"  # over
    session.commit()
    assert error(post(client, REGISTER, demo.carol), 403) == "This course is not accessible now"
    assert membership(session, demo, demo.carol) is None


@pytest.mark.e2e
def test_unknown_course_anonymous_and_bad_bodies(client: TestClient, demo: Demo) -> None:
    assert error(post(client, f"{API}/courses/nope/register", demo.carol), 404) == "Course not found"
    assert error(client.post(REGISTER, data={"password": "x"}), 401)
    assert "not the course" in error(post(client, REGISTER, demo.carol, {"courseid": "other"}), 400)
    bad_json = client.post(
        REGISTER, headers={**basic(demo.carol), "content-type": "application/json"}, content=b"{nope"
    )
    assert "malformed" in error(bad_json, 400)
    listed = client.post(REGISTER, headers=basic(demo.carol), json=["password"])
    assert error(listed, 400) == "the JSON body must be an object"
    big = post(client, REGISTER, demo.carol, {"password": "x" * 10_000})
    assert big.status_code == 413, big.text
    yaml_answer = post(client, REGISTER, demo.carol, headers={"Accept": "application/yaml"})
    assert yaml_answer.headers["content-type"].startswith("application/yaml")
    assert yaml.safe_load(yaml_answer.text) == {"status": "success", "is_registered": True}


# --------------------------------------------------------------------------- unregistering


@pytest.mark.e2e
def test_unregister(client: TestClient, session: Session, demo: Demo) -> None:
    unregister = f"{DEMO}/unregister"
    registered(post(client, REGISTER, demo.carol), 201)
    answer = post(client, unregister, demo.carol)
    assert (answer.status_code, answer.json()) == (200, {"status": "success", "is_registered": False})
    assert membership(session, demo, demo.carol) is None
    assert error(submit_quiz(client, demo.carol), 403) == "You are not registered to this course"
    assert post(client, unregister, demo.carol).status_code == 200  # not registered: fine
    assert "staff" in error(post(client, unregister, demo.teacher), 403)
    assert error(post(client, f"{API}/courses/nope/unregister", demo.carol), 404) == "Course not found"
    demo.course.allow_unregister = False
    session.commit()
    assert error(post(client, unregister, demo.alice), 403) == "This course does not allow unregistering"
    assert membership(session, demo, demo.alice) is not None


# --------------------------------------------------------------------------- OpenAPI


@pytest.mark.e2e
def test_openapi_lists_registration(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    register = paths[f"{API}/courses/{{courseid}}/register"]["post"]
    assert register["tags"] == ["INGInious REST API v0"] and register["summary"] == "Register to a course"
    assert {"200", "201", "400", "401", "403", "404", "429"} <= set(register["responses"])
    body = register["requestBody"]["content"]["application/x-www-form-urlencoded"]["schema"]
    assert {"password", "register_password", "courseid"} <= set(body["properties"])
    unregister = paths[f"{API}/courses/{{courseid}}/unregister"]["post"]
    assert unregister["summary"] and {"200", "403", "404"} <= set(unregister["responses"])


@pytest.mark.integration
def test_concurrent_registrations_make_one_membership(platform: Platform, demo: Demo) -> None:
    outcomes: list[bool] = []
    failures: list[BaseException] = []
    start = threading.Barrier(4)

    def register_once() -> None:
        with platform.sessionmaker() as session:
            course = session.get(Course, demo.course.id)
            carol = session.get(User, demo.carol.id)
            assert course is not None and carol is not None
            start.wait()
            try:
                outcomes.append(register_student(session, course, carol, None).created)
            except BaseException as error:  # reported below
                failures.append(error)

    threads = [threading.Thread(target=register_once) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not failures and sorted(outcomes) == [False, False, False, True]
    with platform.sessionmaker() as session:
        count = sa.select(sa.func.count()).where(
            CourseMember.course_id == demo.course.id, CourseMember.user_id == demo.carol.id
        )
        assert session.scalar(count) == 1
