"""The course page through HTTP (TestClient, SQLite and PostgreSQL): the tasks in the course's
order with the student's status and grade, a Jutge course's lists with their headers, the
registration (open, with a password, closed), and the dashboard's links to it."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.faces.html.helpers import csrf, log_in, post_form
from tests.support.inginious import Demo, other_course
from tests.support.users import MakeUser
from verdict.accounts.passwords import hash_password
from verdict.courses.models import (
    Course,
    CourseList,
    CourseMember,
    ListItem,
    ListItemKind,
    MemberRole,
    ProblemList,
    Registration,
)
from verdict.courses.sync import sync_course_tasks
from verdict.judge.verdicts import Verdict
from verdict.problems.models import Problem
from verdict.submissions.models import Submission, SubmissionStatus

# SQLite only: these pages have no SQL of their own (they call the services, tested on both
# databases), and tests/faces/html/test_crawl.py opens every page and form on PostgreSQL too.
pytestmark = [pytest.mark.e2e, pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)]


def graded(session: Session, demo: Demo, slug: str, verdict: Verdict, grade: float) -> None:
    task = demo.task(session, slug)
    session.add(
        Submission(
            user_id=demo.alice.id,
            task_id=task.id,
            course_id=demo.course.id,
            status=SubmissionStatus.DONE,
            verdict=verdict,
            grade=grade,
        )
    )
    session.commit()


def task_rows(html: str) -> list[tuple[str, str]]:
    """(task slug, status label) of each row of the course page, in order."""
    return re.findall(
        r'<a href="/course/[^/"]+/([^"]+)">[^<]*</a></td>\s*<td><span class="badge[^"]*">([^<]+)<', html
    )


def test_dashboard_links_to_the_course(client: TestClient, demo: Demo) -> None:
    log_in(client, "alice")
    assert 'href="/course/demo"' in client.get("/").text


def test_course_page_lists_tasks_in_order_with_status_and_grade(
    client: TestClient, demo: Demo, session: Session
) -> None:
    graded(session, demo, "quiz", Verdict.AC, 100.0)
    graded(session, demo, "sum", Verdict.WA, 0.0)
    log_in(client, "alice")
    page = client.get("/course/demo")
    assert page.status_code == 200, page.text
    rows = task_rows(page.text)
    slugs = [slug for slug, _ in rows]
    assert slugs[0] == "quiz"  # order: 0
    assert {"hidden", "future"}.isdisjoint(slugs)  # not visible to students
    assert "closed" in slugs  # past its deadline: shown, closed
    status = dict(rows)
    assert (status["quiz"], status["sum"], status["closed"]) == ("accepted", "tried", "not tried")
    assert "1 of" in page.text and "Grade" in page.text
    # The page in Catalan.
    catalan = client.get("/course/demo", headers={"Accept-Language": "ca"})
    assert "acceptat" in catalan.text or "Nota" in catalan.text


def test_course_page_needs_a_login_and_hides_unknown_courses(client: TestClient, demo: Demo) -> None:
    anonymous = client.get("/course/demo", follow_redirects=False)
    assert anonymous.status_code == 303 and anonymous.headers["location"].startswith("/login?next=")
    log_in(client, "alice")
    assert client.get("/course/nope").status_code == 404
    assert client.get("/course/bad%20id").status_code == 404


def test_registration_with_a_password(
    client: TestClient, demo: Demo, session: Session, make_user: MakeUser
) -> None:
    other_course(session, demo.teacher, "secret", Registration.PASSWORD, hash_password("sesame"))
    log_in(client, "carol")
    page = client.get("/course/secret")
    assert page.status_code == 200
    assert 'action="/course/secret/register"' in page.text and 'name="password"' in page.text
    # Without the form's token: refused before anything is done.
    refused = client.post("/course/secret/register", data={"password": "sesame"}, follow_redirects=False)
    assert refused.status_code == 403
    wrong = post_form(client, "/course/secret/register", {"password": "nope"}, page="/course/secret")
    assert wrong.status_code == 303 and wrong.headers["location"] == "/course/secret?error=password"
    assert "Wrong registration password." in client.get(wrong.headers["location"]).text
    right = post_form(client, "/course/secret/register", {"password": "sesame"}, page="/course/secret")
    assert right.status_code == 303 and right.headers["location"] == "/course/secret"
    registered = client.get("/course/secret")
    assert 'action="/course/secret/register"' not in registered.text and "No tasks yet." in registered.text
    assert 'href="/course/secret"' in client.get("/").text


def test_open_registration_and_closed_courses(client: TestClient, demo: Demo, session: Session) -> None:
    other_course(session, demo.teacher, "open", Registration.OPEN)
    other_course(session, demo.teacher, "shut", Registration.CLOSED)
    log_in(client, "carol")
    assert 'href="/course/open"' in client.get("/").text  # open to registration, on the dashboard
    page = client.get("/course/open")
    assert 'name="password"' not in page.text
    assert post_form(client, "/course/open/register", {}, page="/course/open").status_code == 303
    assert "Registration" not in client.get("/course/open").text
    assert client.get("/course/shut").status_code == 404  # not open to carol: as unknown
    assert post_form(client, "/course/shut/register", {}, page="/").status_code == 404
    # A task page of a course one is not registered to.
    assert client.get("/course/demo/quiz").status_code == 403


def test_jutge_course_shows_its_lists_with_headers(
    client: TestClient, demo: Demo, session: Session, make_user: MakeUser
) -> None:
    for number, title in (("P10001", "Hello"), ("P10002", "Sums")):
        session.add(
            Problem(id=number, package_id=number, format="jutge", titles={"en": title}, languages=["en"])
        )
    plist = ProblemList(owner_id=demo.teacher.id, name="basics", title="The basics")
    plist.items = [
        ListItem(position=0, kind=ListItemKind.HEADER, value="First steps"),
        ListItem(position=1, kind=ListItemKind.PROBLEM, value="P10001"),
        ListItem(position=2, kind=ListItemKind.IGNORED, value="P10002"),
        ListItem(position=3, kind=ListItemKind.HEADER, value="Loops"),
        ListItem(position=4, kind=ListItemKind.PROBLEM, value="P10002"),
    ]
    course = Course(owner_id=demo.teacher.id, name="teacher:jutge", slug="jutge-course", title="Jutge course")
    session.add_all([plist, course])
    session.flush()
    session.add(CourseList(course_id=course.id, position=0, list_id=plist.id))
    session.add(
        CourseMember(
            course_id=course.id, user_id=demo.alice.id, email=demo.alice.email, role=MemberRole.STUDENT
        )
    )
    session.flush()
    session.refresh(course, ["course_lists", "tasks"])
    sync_course_tasks(session, course)
    session.commit()
    log_in(client, "alice")
    page = client.get("/course/jutge-course")
    assert page.status_code == 200, page.text
    text = page.text
    assert "The basics" in text
    assert text.index("First steps") < text.index("Hello") < text.index("Loops") < text.index("Sums")
    assert [slug for slug, _ in task_rows(text)] == ["P10001", "P10002"]
    assert 'href="/course/jutge-course/P10001"' in text


def test_registration_form_needs_its_token(client: TestClient, demo: Demo, session: Session) -> None:
    other_course(session, demo.teacher, "open", Registration.OPEN)
    log_in(client, "carol")
    token = csrf(client, "/course/open")
    assert client.post("/course/open/register", data={"csrf": token + "x"}).status_code == 403
