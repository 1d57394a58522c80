"""The teachers' pages through HTTP (TestClient, SQLite and PostgreSQL): courses, lists and
enrolment through the Jutge services; a real upload import and its report; a problem's staff page;
the students' submissions graded for real, filtered and rejudged; statistics as SVG; and who may
see what (students 403 everywhere, tutors only their courses)."""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.faces.html.helpers import csrf, log_in, post_form
from tests.support.inginious import grade_all
from tests.support.jutge import PE_IC, make_tgz
from tests.support.paths import DEMO_PACKAGES
from tests.support.users import MakeUser
from verdict.accounts.models import User
from verdict.courses.models import Course, MemberRole
from verdict.grading.queue import NullQueue
from verdict.grading.service import NewSubmission, create_submission
from verdict.platform import Platform
from verdict.problems.models import Problem
from verdict.submissions.models import Submission, SubmissionStatus

pytestmark = pytest.mark.e2e

WRONG = '#include <iostream>\nint main() { std::cout << "Bye" << std::endl; }\n'
RIGHT = (PE_IC / "solution.cc").read_text()
APLUSB = DEMO_PACKAGES / "aplusb"


@pytest.fixture
def grading_queue() -> NullQueue:
    """No background graders: the tests grade in their own thread (``grade_all``)."""
    return NullQueue()


@pytest.fixture
def people(make_user: MakeUser) -> dict[str, User]:
    return {
        "teacher": make_user("teacher", role="instructor"),
        "other": make_user("other", role="instructor"),
        "sam": make_user("sam"),
        "tina": make_user("tina"),
    }


@pytest.fixture
def browser(app: FastAPI) -> Iterator[TestClient]:
    """A second browser (its own cookies)."""
    with TestClient(app) as second:
        yield second


def upload(client: TestClient, archive: Path) -> object:
    token = csrf(client, "/teach/import")
    return client.post(
        "/teach/import",
        data={"csrf": token},
        files={"file": (archive.name, archive.read_bytes(), "application/gzip")},
        follow_redirects=False,
    )


def imported_id(text: str) -> str:
    found = re.search(r'href="/teach/problems/(P\d{5})"', text)
    assert found, text
    return found.group(1)


def course_named(session: Session, name: str) -> Course:
    session.rollback()  # a new snapshot: see what the pages committed
    course = session.scalar(sa.select(Course).where(Course.name == name))
    assert course is not None
    return course


def import_pe_ic(client: TestClient, tmp_path: Path) -> str:
    """The teacher imports pe_ic.pbm by upload (compiled and run for real); its problem id."""
    answer = upload(client, make_tgz(tmp_path / "pe_ic.pbm.tgz", PE_IC))
    assert answer.status_code == 200, answer.text  # type: ignore[attr-defined]
    return imported_id(answer.text)  # type: ignore[attr-defined]


def bare_problem(session: Session, owner: User) -> str:
    """A problem row without a package, for the pages that only list it (an import costs seconds)."""
    session.add(
        Problem(
            id="P10001",
            owner_id=owner.id,
            package_id="bare",
            format="jutge",
            titles={"en": "Bare"},
            languages=["en"],
        )
    )
    session.commit()
    return "P10001"


def set_up_course(client: TestClient, problem: str) -> None:
    """The teacher lists ``problem`` and makes course ``prog1`` enrolling sam (student) and tina
    (tutor)."""
    made = post_form(
        client,
        "/teach/lists/new",
        {"name": "basics", "title": "Basics", "items": f"!Start\n{problem}\n"},
        page="/teach/lists/new",
    )
    assert made.status_code == 303, made.text
    made = post_form(
        client,
        "/teach/courses/new",
        {"name": "prog1", "title": "Programming 1", "lists": "basics"},
        page="/teach/courses/new",
    )
    assert made.status_code == 303, made.text
    course_page = made.headers["location"]
    for email, role in (("sam@example.org", "student"), ("tina@example.org", "tutor")):
        enrolled = post_form(
            client, course_page + "/members", {"emails": email, "role": role}, page=course_page
        )
        assert enrolled.status_code == 303, enrolled.text


def submit(
    session: Session, platform: Platform, user: User, course: Course, problem: str, source: str
) -> int:
    submission = create_submission(
        session,
        NewSubmission(
            user_id=user.id, problem_id=problem, language="G++17", source=source, course_id=course.id
        ),
    )
    session.commit()
    return submission.id


# --------------------------------------------------------------------------- permissions


TEACHER_GETS = ["/teach", "/teach/courses/new", "/teach/lists/new", "/teach/import", "/teach/submissions"]


def test_students_get_403_on_every_teacher_page(
    client: TestClient, browser: TestClient, people: dict[str, User], session: Session, tmp_path: Path
) -> None:
    log_in(client, "teacher")
    problem = bare_problem(session, people["teacher"])
    set_up_course(client, problem)
    course = course_named(session, "prog1")
    submission = submit(session, client.app.state.platform, people["sam"], course, problem, WRONG)  # type: ignore[attr-defined]
    log_in(browser, "sam")
    pages = [
        *TEACHER_GETS,
        f"/teach/courses/{course.id}",
        f"/teach/courses/{course.id}/edit",
        f"/teach/courses/{course.id}/stats",
        f"/teach/problems/{problem}",
        f"/teach/problems/{problem}/test?name=1&which=input",
        f"/teach/submissions/{submission}",
        f"/teach/submissions/{submission}/status",
    ]
    for path in pages:
        answer = browser.get(path)
        assert answer.status_code == 403, path
        assert "text/html" in answer.headers["content-type"]
    token = csrf(browser, "/")
    for path in [
        f"/teach/courses/{course.id}/members",
        f"/teach/problems/{problem}/rejudge",
        f"/teach/submissions/{submission}/rejudge",
        "/teach/lists/new",
    ]:
        assert browser.post(path, data={"csrf": token, "emails": "x@y.z"}).status_code == 403, path
    assert 'href="/teach"' not in browser.get("/").text  # no navigation link either
    session.rollback()
    assert session.get(Submission, submission).status == SubmissionStatus.WAITING  # type: ignore[union-attr]


def test_anonymous_is_sent_to_log_in(client: TestClient) -> None:
    answer = client.get("/teach", follow_redirects=False)
    assert answer.status_code == 303 and answer.headers["location"] == "/login?next=/teach"


def test_forms_without_a_csrf_token_are_refused(
    client: TestClient, people: dict[str, User], session: Session
) -> None:
    log_in(client, "teacher")
    answer = client.post("/teach/courses/new", data={"name": "x", "title": "X"})
    assert answer.status_code == 403
    assert session.scalar(sa.select(sa.func.count()).select_from(Course)) == 0


def test_a_tutor_sees_only_their_courses(
    client: TestClient, browser: TestClient, people: dict[str, User], session: Session, tmp_path: Path
) -> None:
    log_in(client, "teacher")
    problem = bare_problem(session, people["teacher"])
    set_up_course(client, problem)
    course = course_named(session, "prog1")
    mine = submit(session, client.app.state.platform, people["sam"], course, problem, WRONG)  # type: ignore[attr-defined]
    # Another teacher's course, with its own submission, that tina does not tutor.
    log_in(browser, "other")
    made = post_form(
        browser, "/teach/courses/new", {"name": "algo", "title": "Algorithms"}, page="/teach/courses/new"
    )
    assert made.status_code == 303
    other_course = course_named(session, "algo")
    theirs = create_submission(
        session,
        NewSubmission(
            user_id=people["sam"].id,
            problem_id=problem,
            language="G++17",
            source=WRONG,
            course_id=other_course.id,
        ),
    ).id
    session.commit()
    browser.cookies.clear()
    log_in(browser, "tina")
    home = browser.get("/teach")
    assert home.status_code == 200 and "Programming 1" in home.text and "Algorithms" not in home.text
    assert browser.get(f"/teach/courses/{course.id}").status_code == 200
    assert browser.get(f"/teach/courses/{other_course.id}").status_code == 403
    # Tutors are staff, not owners: no editing, no enrolling (as PUT /services/courses decides).
    assert browser.get(f"/teach/courses/{course.id}/edit").status_code == 403
    token = csrf(browser, f"/teach/courses/{course.id}")
    refused = browser.post(
        f"/teach/courses/{course.id}/members", data={"csrf": token, "emails": "x@example.org"}
    )
    assert refused.status_code == 403
    listed = browser.get("/teach/submissions")
    assert f'href="/teach/submissions/{mine}"' in listed.text
    assert f'href="/teach/submissions/{theirs}"' not in listed.text
    assert browser.get(f"/teach/submissions/{theirs}").status_code == 404
    # Rejudging a whole problem touches every course: its owner's only.
    token = csrf(browser, f"/teach/problems/{problem}")
    assert browser.post(f"/teach/problems/{problem}/rejudge", data={"csrf": token}).status_code == 403


# --------------------------------------------------------------------------- courses and lists


def test_teacher_creates_and_edits_courses_and_lists(
    client: TestClient, people: dict[str, User], session: Session, tmp_path: Path
) -> None:
    log_in(client, "teacher")
    problem = bare_problem(session, people["teacher"])
    set_up_course(client, problem)
    course = course_named(session, "prog1")
    page = client.get(f"/teach/courses/{course.id}")
    assert "Programming 1" in page.text and problem in page.text and "Start" in page.text
    assert "sam@example.org" in page.text and "tina@example.org" in page.text
    roles = {m.email: m.role for m in course.members}
    assert roles == {"sam@example.org": MemberRole.STUDENT, "tina@example.org": MemberRole.TUTOR}
    # The course has the list's problem as a task (the services' sync ran).
    assert [task.problem_id for task in course.tasks] == [problem]
    edited = post_form(
        client,
        f"/teach/courses/{course.id}/edit",
        {"title": "Programming One", "description": "Loops", "lists": "basics", "public": "1"},
        page=f"/teach/courses/{course.id}/edit",
    )
    assert edited.status_code == 303
    course = course_named(session, "prog1")
    assert (course.title, course.description, course.public) == ("Programming One", "Loops", True)
    # Unenrol the tutor.
    removed = post_form(
        client,
        f"/teach/courses/{course.id}/members/remove",
        {"email": "tina@example.org"},
        page=f"/teach/courses/{course.id}",
    )
    assert removed.status_code == 303
    assert [m.email for m in course_named(session, "prog1").members] == ["sam@example.org"]
    # A list edited: its items as typed, one a line.
    plist_id = re.search(r'href="/teach/lists/(\d+)/edit"', client.get("/teach").text)
    assert plist_id
    form = client.get(f"/teach/lists/{plist_id.group(1)}/edit")
    assert f"!Start\n{problem}" in form.text
    edited = post_form(
        client,
        f"/teach/lists/{plist_id.group(1)}/edit",
        {"title": "Basics 2", "items": f"!Part 1\n{problem}_en\n#{problem}"},
        page="/teach",
    )
    assert edited.status_code == 303
    assert f"!Part 1\n{problem}_en\n#{problem}" in client.get(f"/teach/lists/{plist_id.group(1)}/edit").text


def test_refused_forms_say_why_and_keep_what_was_typed(client: TestClient, people: dict[str, User]) -> None:
    log_in(client, "teacher")
    bad = post_form(
        client, "/teach/courses/new", {"name": "bad name!", "title": "Typed title"}, page="/teach/courses/new"
    )
    assert bad.status_code == 400 and 'role="alert"' in bad.text and "Typed title" in bad.text
    unknown = post_form(
        client,
        "/teach/courses/new",
        {"name": "c", "title": "C", "lists": "nolist"},
        page="/teach/courses/new",
    )
    assert unknown.status_code == 400 and "nolist" in unknown.text
    assert (
        post_form(
            client, "/teach/courses/new", {"name": "c", "title": "C"}, page="/teach/courses/new"
        ).status_code
        == 303
    )
    again = post_form(client, "/teach/courses/new", {"name": "c", "title": "C2"}, page="/teach/courses/new")
    assert again.status_code == 400 and "already have a course" in again.text
    items = post_form(
        client, "/teach/lists/new", {"name": "l", "title": "L", "items": "P99999"}, page="/teach/lists/new"
    )
    assert items.status_code == 400 and "P99999" in items.text
    course = re.search(r'href="/teach/courses/(\d+)"', client.get("/teach").text)
    assert course
    enrol = post_form(
        client,
        f"/teach/courses/{course.group(1)}/members",
        {"emails": "not-an-email", "role": "student"},
        page="/teach",
    )
    assert enrol.status_code == 400 and "not an email address" in enrol.text


# --------------------------------------------------------------------------- imports and problems


def test_import_by_upload_shows_the_report(
    client: TestClient, people: dict[str, User], tmp_path: Path
) -> None:
    log_in(client, "teacher")
    answer = upload(client, make_tgz(tmp_path / "pe_ic.pbm.tgz", PE_IC))
    assert answer.status_code == 200  # type: ignore[attr-defined]
    text = answer.text  # type: ignore[attr-defined]
    assert "Import report" in text and "New problem" in text
    assert "solution.cc" in text and "Bundled submissions" in text
    # Uploading a broken archive: the import's error, as the API words it.
    broken = tmp_path / "broken.tgz"
    broken.write_bytes(b"not a tar at all")
    refused = upload(client, broken)
    assert refused.status_code == 400  # type: ignore[attr-defined]
    assert "invalid package" in refused.text and 'role="alert"' in refused.text  # type: ignore[attr-defined]
    missing = client.post("/teach/import", data={"csrf": csrf(client, "/teach/import")})
    assert missing.status_code == 400 and "Choose a package file" in missing.text


def test_import_refuses_more_than_the_package_cap(
    client: TestClient, people: dict[str, User], platform: Platform, tmp_path: Path
) -> None:
    log_in(client, "teacher")
    limit = platform.settings.max_package_bytes
    big = tmp_path / "big.tgz"
    big.write_bytes(b"\0" * (limit + 1))
    assert upload(client, big).status_code == 413  # type: ignore[attr-defined]


def test_import_is_for_instructors(browser: TestClient, people: dict[str, User]) -> None:
    log_in(browser, "sam")
    assert browser.get("/teach/import").status_code == 403


def test_problem_staff_page_shows_tests_limits_golden_and_checks(
    client: TestClient, browser: TestClient, people: dict[str, User], tmp_path: Path
) -> None:
    log_in(client, "teacher")
    problem = import_pe_ic(client, tmp_path)
    page = client.get(f"/teach/problems/{problem}")
    assert page.status_code == 200
    text = page.text
    assert "sample-1" in text and "secret" in text and "sample" in text
    assert "Memory limit" in text and "MB" in text and "fast " in text and "slow " in text
    assert "Hello " in text and "solution.cc" in text  # the golden solution's code
    assert "Rejudge every submission" in text
    size = (PE_IC / "sample-1.inp").stat().st_size
    assert f"{size} B" in text
    content = client.get(f"/teach/problems/{problem}/test", params={"name": "sample-1", "which": "input"})
    assert content.status_code == 200
    assert (PE_IC / "sample-1.inp").read_text().strip() in content.text
    assert client.get(f"/teach/problems/{problem}/test", params={"name": "nope"}).status_code == 404
    assert (
        client.get(f"/teach/problems/{problem}/test", params={"name": "sample-1", "which": "x"}).status_code
        == 400
    )
    assert client.get("/teach/problems/P00000").status_code == 404
    # Another instructor's problem, in none of their courses: not theirs to see; a tutor of a
    # course listing it sees it.
    log_in(browser, "other")
    assert browser.get(f"/teach/problems/{problem}").status_code == 403
    set_up_course(client, problem)
    browser.cookies.clear()
    log_in(browser, "tina")
    tutor_view = browser.get(f"/teach/problems/{problem}")
    assert tutor_view.status_code == 200 and "Rejudge every submission" not in tutor_view.text


# --------------------------------------------------------------------------- submissions, rejudge, stats


def test_submissions_filtered_paginated_rejudged_and_plotted(
    client: TestClient, people: dict[str, User], session: Session, platform: Platform, tmp_path: Path
) -> None:
    log_in(client, "teacher")
    problem = import_pe_ic(client, tmp_path)
    set_up_course(client, problem)
    course = course_named(session, "prog1")
    # sam accepts the invitation (a student the teacher names is invited until then).
    sam_member = next(m for m in course.members if m.email == "sam@example.org")
    sam_member.accepted_at = sam_member.created_at
    session.commit()
    wrong = submit(session, platform, people["sam"], course, problem, WRONG)
    right = submit(session, platform, people["sam"], course, problem, RIGHT)
    assert set(grade_all(platform)) == {wrong, right}
    listed = client.get("/teach/submissions")
    assert "2 submissions" in listed.text
    only_wa = client.get("/teach/submissions", params={"verdict": "WA"})
    assert f'href="/teach/submissions/{wrong}"' in only_wa.text
    assert f'href="/teach/submissions/{right}"' not in only_wa.text
    by_student = client.get("/teach/submissions", params={"student": "SAM@example.org", "problem": problem})
    assert "2 submissions" in by_student.text
    assert "0 submissions" in client.get("/teach/submissions", params={"student": "tina"}).text
    shown = client.get(f"/teach/submissions/{wrong}")
    assert "Bye" in shown.text and "wrong answer" in shown.text
    # Rejudge one submission: waiting again, the queue woken.
    queue = platform.queue
    assert isinstance(queue, NullQueue)
    again = post_form(client, f"/teach/submissions/{wrong}/rejudge", {}, page=f"/teach/submissions/{wrong}")
    assert again.status_code == 303 and queue.wakes == 1
    session.rollback()
    assert session.get(Submission, wrong).status == SubmissionStatus.WAITING  # type: ignore[union-attr]
    waiting = client.get(f"/teach/submissions/{wrong}/status")
    assert "waiting" in waiting.text and 'hx-trigger="every 2s"' in waiting.text
    assert "<html" not in waiting.text  # a fragment for htmx
    assert set(grade_all(platform)) == {wrong}
    # The whole problem.
    everything = post_form(
        client, f"/teach/problems/{problem}/rejudge", {}, page=f"/teach/problems/{problem}"
    )
    assert everything.status_code == 303
    assert "2 submissions queued for rejudging" in client.get(everything.headers["location"]).text
    assert set(grade_all(platform)) == {wrong, right}
    session.rollback()
    assert session.get(Submission, right).verdict == "AC"  # type: ignore[union-attr]
    graded = client.get(f"/teach/submissions/{right}/status")
    assert "accepted" in graded.text and "hx-trigger" not in graded.text  # done: no more polling
    # Statistics: one student, solved the one problem; two verdicts.
    stats = client.get(f"/teach/courses/{course.id}/stats")
    assert stats.status_code == 200
    assert stats.text.count("<svg") == 4 and "<script" not in stats.text.split("</head>")[1]
    assert f"{problem}: 100%" in stats.text and "sam: 1" in stats.text
    assert f"{problem}: AC 1" in stats.text and f"{problem}: WA 1" in stats.text


def test_submissions_are_paginated(
    client: TestClient, people: dict[str, User], session: Session, platform: Platform, tmp_path: Path
) -> None:
    log_in(client, "teacher")
    problem = bare_problem(session, people["teacher"])
    set_up_course(client, problem)
    course = course_named(session, "prog1")
    for _ in range(51):
        session.add(Submission(user_id=people["sam"].id, problem_id=problem, course_id=course.id, source="x"))
    session.commit()
    first = client.get("/teach/submissions")
    assert "51 submissions" in first.text and "Page 1 of 2" in first.text and 'rel="next"' in first.text
    second = client.get("/teach/submissions", params={"page": "2"})
    assert "Page 2 of 2" in second.text and second.text.count('href="/teach/submissions/') == 1
    assert client.get("/teach/submissions", params={"page": "99999999999999999999"}).status_code == 200


def test_a_kattis_zip_reports_every_bundled_verdict(
    client: TestClient, people: dict[str, User], tmp_path: Path
) -> None:
    """aplusb as a .zip: the report and the staff page list each bundled submission with the
    verdict it was expected to get and the one it got; its tests are Kattis paths (sample/1)."""
    log_in(client, "teacher")
    archive = tmp_path / "aplusb.zip"
    with zipfile.ZipFile(archive, "w") as zipped:
        for path in sorted(APLUSB.rglob("*")):
            if path.is_file():
                zipped.write(path, Path("aplusb") / path.relative_to(APLUSB))
    answer = upload(client, archive)
    assert answer.status_code == 200, answer.text  # type: ignore[attr-defined]
    report = answer.text  # type: ignore[attr-defined]
    assert "kattis" in report
    for file, verdict in (("wrong_answer/diff.py", "WA"), ("time_limit_exceeded/loop.c", "TLE")):
        row = re.search(
            rf"<code>[^<]*{re.escape(file)}</code></td>\s*<td>[^<]*</td>\s*<td>([^<]*)</td>\s*<td>([^<]*)</td>",
            report,
        )
        assert row, file
        assert row.groups() == (verdict, verdict)
    problem = imported_id(report)
    page = client.get(f"/teach/problems/{problem}")
    assert page.status_code == 200 and "sample/1" in page.text and "compile_error/broken.c" in page.text
    shown = client.get(f"/teach/problems/{problem}/test", params={"name": "sample/1", "which": "output"})
    assert (APLUSB / "data" / "sample" / "1.ans").read_text().strip() in shown.text


def test_an_administrator_manages_another_teachers_course(
    client: TestClient, browser: TestClient, people: dict[str, User], make_user: MakeUser, session: Session
) -> None:
    """Owner rights are the owner's and the administrators' (as the Jutge services decide): an
    administrator's edits keep the course, and its lists, the owner's."""
    make_user("root", role="admin")
    log_in(client, "teacher")
    set_up_course(client, bare_problem(session, people["teacher"]))
    course = course_named(session, "prog1")
    log_in(browser, "root")
    assert "Programming 1" in browser.get("/teach").text
    edited = post_form(
        browser,
        f"/teach/courses/{course.id}/edit",
        {"title": "Renamed by root", "lists": "basics"},
        page=f"/teach/courses/{course.id}/edit",
    )
    assert edited.status_code == 303
    enrolled = post_form(
        browser,
        f"/teach/courses/{course.id}/members",
        {"emails": "new@example.org"},
        page=f"/teach/courses/{course.id}",
    )
    assert enrolled.status_code == 303
    course = course_named(session, "prog1")
    assert course.title == "Renamed by root" and course.owner_id == people["teacher"].id
    assert "new@example.org" in {m.email for m in course.members}
