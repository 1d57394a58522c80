"""/services/exams for staff through HTTP on both backends: the reference's exam document
replayed verbatim, every refusal with its status and field, codes per protection mode, start,
deletion, listings, and the per-student extensions (extra time, close, reopen) on a clock the
tests move."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from tests.support.clock import ManualClock
from tests.support.jutge import as_user, doc, error_of, fresh, put, reference
from tests.support.users import MakeUser
from verdict.exams.codes import code_matches
from verdict.exams.models import Exam, ExamStudent, Protection
from verdict.faces.jutge.yaml_io import load_document
from verdict.grading.queue import NullQueue
from verdict.models import Problem, Submission, SubmissionStatus, User
from verdict.platform import bootstrap
from verdict.settings import Settings
from verdict.web.app import create_app

pytestmark = pytest.mark.e2e

REFERENCE_PROBLEMS = [
    "P15243",
    "P16100",
    "P19724",
    "P31675",
    "P31111",
    "P34755",
    "P37500",
    "P41641",
    "P17438",
]
STUDENTS = ["student1@asdf.com", "student2@asdf.com", "student3@asdf.com"]
NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)

ICONS = [
    "balloons/Pink",
    "numbers/2",
    "balloons/BlueViolet",
    "pokemon/abra",
    "summer/beach-ball",
    "candies/candy-corn",
    "essential/app",
    "letters-arial/G",
    "basic/bird",
]
EXPECTED_EXAM = {
    "name": "demo_exam1",
    "title": "First Demo Exam1",
    "place": "School",
    "description": "This is the first demo exam",
    "start": "2010-06-22 12:00",
    "running_time": 120,
    "course": "demo",
    "protection": "open",
    "compilers": ["GCC", "BEEF"],
    "contest": 1,
    "problems": [
        {"problem": pid, "caption": f"P{i + 1}", "icon": ICONS[i], "weight": 2 if i == 0 else 1}
        for i, pid in enumerate(REFERENCE_PROBLEMS)
    ],
    "students": [
        {"email": "student1@asdf.com", "invited": 1},
        {"email": "student2@asdf.com", "invited": 0},
        {"email": "student3@asdf.com", "invited": 0},
    ],
}


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(NOW)


def catalogue_problems(session: Session, ids: list[str]) -> list[str]:
    """Catalogue problems as rows of the store, without packages: the staff services only ask
    whether a problem exists and who may use it (importing packages grades their golden
    solutions in the sandbox, which nothing here needs)."""
    for problem_id in ids:
        session.add(Problem(id=problem_id, package_id=problem_id, format="jutge", titles={"en": problem_id}))
    session.commit()
    return ids


@pytest.fixture
def two_problems(session: Session) -> list[str]:
    return catalogue_problems(session, ["P15243", "P16100"])


def put_course(
    client: TestClient, owner: User, name: str = "demo", students: list[str] = STUDENTS, **more: str
) -> None:
    body = f"name: {name}\ntitle: Course {name}\nstudents: [{', '.join(students)}]\n"
    body += "".join(f"{key}: {value}\n" for key, value in more.items())
    response = put(client, "/services/courses", body, owner)
    assert response.status_code in (200, 201), response.text


def exam_doc(name: str = "e1", *, course: str = "demo", **fields: Any) -> str:
    values: dict[str, Any] = {
        "name": name,
        "title": f"Exam {name}",
        "start": "2026-03-02 10:00",
        "running_time": 90,
        "course": course,
        "problems": "[P15243, P16100]",
        "students": f"[{', '.join(STUDENTS)}]",
    }
    values.update(fields)
    return "".join(f"{key}: {value}\n" for key, value in values.items() if value is not None)


def put_exam(client: TestClient, user: User, body: str, status: int = 201) -> dict[str, Any]:
    response = put(client, "/services/exams", body, user)
    assert response.status_code == status, response.text
    return dict(doc(response))


def without_extras(document: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in document.items() if key not in ("slug", "started_at")}


# --------------------------------------------------------------------------- the reference's document


def test_reference_exam_document_replayed(client: TestClient, session: Session, jutge: User) -> None:
    catalogue_problems(session, REFERENCE_PROBLEMS)
    put_course(client, jutge)
    created = put(client, "/services/exams", reference("exam.yml"), jutge)
    assert created.status_code == 201, created.text
    answer = doc(created)
    assert without_extras(answer) == EXPECTED_EXAM
    assert answer["slug"] == "exam.Jutge.demo_exam1"
    assert answer["started_at"] is None
    for query in ("", "?format=json"):
        got = client.get(f"/services/exams/Jutge:demo_exam1{query}", headers=as_user(jutge))
        assert got.status_code == 200
        assert doc(got) == answer
    fresh(session)
    exam = session.scalar(sa.select(Exam).where(Exam.name == "demo_exam1"))
    assert exam is not None
    assert exam.start == datetime(2010, 6, 22, 12, 0, tzinfo=UTC)  # Settings.timezone: UTC by default
    assert exam.protection == Protection.OPEN and exam.contest
    # The answer, sent again under another name, makes an equal exam (GET's format is PUT's).
    copy = load_document(client.get("/services/exams/Jutge:demo_exam1", headers=as_user(jutge)).content)
    copy["name"] = "demo_exam2"
    again = put_exam(client, jutge, json.dumps(copy))  # JSON is YAML
    assert without_extras(again) == {**EXPECTED_EXAM, "name": "demo_exam2"}
    assert again["slug"] == "exam.Jutge.demo_exam2"


def test_put_only_creates(client: TestClient, instructor: User, two_problems: list[str]) -> None:
    put_course(client, instructor)
    put_exam(client, instructor, exam_doc())
    error = error_of(put(client, "/services/exams", exam_doc(title="Changed"), instructor), 409)
    assert "Instructor:e1 exists" in error["message"] and "only creates" in error["message"]
    got = doc(client.get("/services/exams/e1", headers=as_user(instructor)))  # a bare name: the user's own
    assert got["title"] == "Exam e1"


def test_slugs_are_unique_among_exams_and_courses(
    client: TestClient, session: Session, make_user: MakeUser, two_problems: list[str]
) -> None:
    first = make_user("a.b", role="instructor")
    second = make_user("a", role="instructor")
    put_course(client, first, students=[])
    put_course(client, second, students=[])
    # exam.a.b.x (user "a.b", exam "x") and exam.a.b.x (user "a", exam "b.x") would clash.
    assert put_exam(client, first, exam_doc("x", students="[]"))["slug"] == "exam.a.b.x"
    assert put_exam(client, second, exam_doc("b.x", students="[]"))["slug"] == "exam.a.b.x-2"


# --------------------------------------------------------------------------- refusals


def test_a_course_not_owned_is_forbidden_and_an_unknown_one_a_bad_request(
    client: TestClient, instructor: User, make_user: MakeUser, two_problems: list[str]
) -> None:
    other = make_user("Other", role="instructor")
    put_course(client, other)
    error = error_of(put(client, "/services/exams", exam_doc(course="Other:demo"), instructor), 403)
    assert error["field"] == "course" and "Other:demo" in error["message"]
    error = error_of(put(client, "/services/exams", exam_doc(course="demo"), instructor), 400)
    assert error["field"] == "course" and "Instructor:demo" in error["message"]
    # owner:name of one's own course is accepted (and read back as the bare name).
    put_course(client, instructor)
    assert put_exam(client, instructor, exam_doc(course="Instructor:demo"))["course"] == "demo"


def test_unknown_problems_are_refused_naming_the_field(
    client: TestClient, instructor: User, two_problems: list[str]
) -> None:
    put_course(client, instructor)
    for problems, field, shown in [
        ("[P15243, P99999]", "problems[1].problem", "P99999"),
        ("[{problem: P15243}, {caption: no id}]", "problems[1].problem", "missing"),
        ("[P15243, nonsense id]", "problems[1].problem", "not a problem id"),
        ("[P15243, P15243]", "problems[1].problem", "already problems[0]"),
        ("[P15243_en]", "problems[0].problem", "problem id (P15243)"),
        ("[{problem: P15243, weight: heavy}]", "problems[0].weight", "number"),
        ("[{problem: P15243, weight: -1}]", "problems[0].weight", "from 0"),
        ("[[P15243]]", "problems[0]", "mapping"),
        ("P15243", "problems", "list"),
    ]:
        error = error_of(put(client, "/services/exams", exam_doc(problems=problems), instructor), 400)
        assert error["field"] == field, (problems, error)
        assert shown in error["message"], (problems, error)


def test_unknown_compilers_are_refused_and_aliases_resolved(
    client: TestClient, instructor: User, two_problems: list[str]
) -> None:
    put_course(client, instructor)
    error = error_of(
        put(client, "/services/exams", exam_doc(compilers="[GCC, NoSuchCompiler]"), instructor), 400
    )
    assert error["field"] == "compilers[1]" and "NoSuchCompiler" in error["message"]
    created = put_exam(client, instructor, exam_doc(compilers="[gcc, C, G++17, Python3]"))
    assert created["compilers"] == ["GCC", "G++17", "Python3"]


def test_students_must_be_students_of_the_course(
    client: TestClient, instructor: User, make_user: MakeUser, two_problems: list[str]
) -> None:
    put_course(client, instructor, tutors="[tutor@asdf.com]")
    for students, field, email in [
        ("[student1@asdf.com, stranger@asdf.com]", "students[1].email", "stranger@asdf.com"),
        ("[tutor@asdf.com]", "students[0].email", "tutor@asdf.com"),
        ("[student1@asdf.com, STUDENT1@asdf.com]", "students[1].email", "already students[0]"),
        ("[{invited: 1}]", "students[0].email", "missing"),
        ("[{email: student1@asdf.com, invited: maybe}]", "students[0].invited", "0 or 1"),
    ]:
        error = error_of(put(client, "/services/exams", exam_doc(students=students), instructor), 400)
        assert error["field"] == field, (students, error)
        assert email in error["message"], (students, error)
    # Invited students (no account, or not accepted yet) are students of the course too.
    created = put_exam(client, instructor, exam_doc(students="[{email: Student2@asdf.com, invited: 1}]"))
    assert created["students"] == [{"email": "student2@asdf.com", "invited": 1}]


@pytest.mark.parametrize(
    ("fields", "field", "shown"),
    [
        ({"start": "2026-03-02"}, "start", "YYYY-MM-DD HH:MM"),
        ({"start": "'2026-02-30 10:00'"}, "start", "not a valid time"),
        ({"start": "tomorrow at noon"}, "start", "tomorrow"),
        ({"start": None}, "start", "missing"),
        ({"running_time": 0}, "running_time", "from 1"),
        ({"running_time": -5}, "running_time", "from 1"),
        ({"running_time": "two hours"}, "running_time", "whole number"),
        ({"running_time": 1.5}, "running_time", "whole number"),
        ({"running_time": 100000}, "running_time", "from 1"),
        ({"running_time": None}, "running_time", "missing"),
        ({"protection": "secret"}, "protection", "open, samecode, random"),
        ({"contest": 2}, "contest", "0 or 1"),
        ({"name": "bad name"}, "name", "not a valid name"),
        ({"name": None}, "name", "missing"),
        ({"title": None}, "title", "missing"),
        ({"course": None}, "course", "missing"),
        ({"compilers": "GCC"}, "compilers", "list"),
    ],
)
def test_bad_fields_are_refused_naming_them(
    client: TestClient,
    instructor: User,
    two_problems: list[str],
    fields: dict[str, Any],
    field: str,
    shown: str,
) -> None:
    put_course(client, instructor)
    error = error_of(put(client, "/services/exams", exam_doc(**fields), instructor), 400)
    assert error["field"] == field, error
    assert shown in error["message"], error


def test_students_may_not_create_exams_nor_read_them(
    client: TestClient, instructor: User, make_user: MakeUser, two_problems: list[str]
) -> None:
    student = make_user("student1", email="student1@asdf.com")
    put_course(client, instructor)
    put_exam(client, instructor, exam_doc())
    error_of(put(client, "/services/exams", exam_doc(course="Instructor:demo"), student), 403)
    for path in ("", "/passwords", "/students", "/students/student1@asdf.com"):
        error_of(client.get(f"/services/exams/Instructor:e1{path}", headers=as_user(student)), 403)
    for path in (
        "/actions/start",
        "/passwords/actions/regenerate",
        "/students/student1@asdf.com/actions/close",
    ):
        error_of(client.put(f"/services/exams/Instructor:e1{path}", headers=as_user(student)), 403)
    error_of(client.delete("/services/exams/Instructor:e1", headers=as_user(student)), 403)
    error_of(client.get("/services/exams/Instructor:nope", headers=as_user(instructor)), 404)
    error_of(
        client.get("/services/exams/Instructor:%00", headers=as_user(instructor)), 400
    )  # not a 500 on PG
    error_of(client.get("/services/exams/Instructor:e1"), 401)


# --------------------------------------------------------------------------- codes


def passwords(client: TestClient, user: User, exam: str = "Instructor:e1") -> dict[str, Any]:
    response = client.get(f"/services/exams/{exam}/passwords", headers=as_user(user))
    assert response.status_code == 200, response.text
    return dict(doc(response))


def stored(session: Session, name: str = "e1") -> Exam:
    fresh(session)
    exam = session.scalar(sa.select(Exam).where(Exam.name == name))
    assert exam is not None
    return exam


def student_row(exam: Exam, email: str) -> ExamStudent:
    return next(s for s in exam.students if s.email == email)


def test_open_exams_have_empty_passwords(
    client: TestClient, instructor: User, two_problems: list[str]
) -> None:
    put_course(client, instructor)
    put_exam(client, instructor, exam_doc(protection="open"))
    assert passwords(client, instructor) == {
        "name": "e1",
        "title": "Exam e1",
        "course": "demo",
        "passwords": dict.fromkeys(STUDENTS, ""),
    }
    error = error_of(
        client.put("/services/exams/e1/passwords/actions/regenerate", headers=as_user(instructor)), 409
    )
    assert "open" in error["message"]


def test_samecode_exams_share_one_code(
    client: TestClient, session: Session, instructor: User, two_problems: list[str]
) -> None:
    put_course(client, instructor)
    put_exam(client, instructor, exam_doc(protection="samecode"))
    answer = passwords(client, instructor)
    code = answer["code"]
    assert len(code) == 8 and code.isalpha() and code.isupper()
    assert answer["passwords"] == dict.fromkeys(STUDENTS, code)
    assert passwords(client, instructor) == answer  # read back, not made anew
    exam = stored(session)
    assert exam.password and code not in exam.password  # sealed, not plain
    assert code_matches(exam, student_row(exam, STUDENTS[0]), code)
    assert not code_matches(exam, student_row(exam, STUDENTS[0]), "AAAAAAAA")
    regenerated = client.put("/services/exams/e1/passwords/actions/regenerate", headers=as_user(instructor))
    assert regenerated.status_code == 200, regenerated.text
    new = doc(regenerated)["code"]
    assert new != code and passwords(client, instructor)["code"] == new
    exam = stored(session)
    assert code_matches(exam, None, new) and not code_matches(exam, None, code)


def test_random_exams_give_each_student_a_code(
    client: TestClient, session: Session, instructor: User, make_user: MakeUser, two_problems: list[str]
) -> None:
    tutor = make_user("tutor", email="tutor@asdf.com")
    put_course(client, instructor, tutors="[tutor@asdf.com]")
    put_exam(client, instructor, exam_doc(protection="random"))
    answer = passwords(client, tutor)  # tutors read them too, and the exam
    assert doc(client.get("/services/exams/Instructor:e1", headers=as_user(tutor)))["protection"] == "random"
    assert "code" not in answer
    codes = answer["passwords"]
    assert list(codes) == STUDENTS
    assert len(set(codes.values())) == 3 and all(len(c) == 8 and c.isupper() for c in codes.values())
    exam = stored(session)
    first, second = student_row(exam, STUDENTS[0]), student_row(exam, STUDENTS[1])
    assert code_matches(exam, first, codes[STUDENTS[0]])
    assert not code_matches(exam, first, codes[STUDENTS[1]])  # another student's code
    assert not code_matches(exam, second, codes[STUDENTS[0]])
    again = doc(
        client.put("/services/exams/Instructor:e1/passwords/actions/regenerate", headers=as_user(tutor))
    )
    assert set(again["passwords"].values()).isdisjoint(codes.values())
    exam = stored(session)
    assert code_matches(exam, student_row(exam, STUDENTS[0]), again["passwords"][STUDENTS[0]])
    assert not code_matches(exam, student_row(exam, STUDENTS[0]), codes[STUDENTS[0]])


def test_codes_that_do_not_open_are_made_anew(
    client: TestClient, session: Session, instructor: User, two_problems: list[str]
) -> None:
    """Codes cleared by migration 0005, or sealed under a former secret key, are replaced."""
    put_course(client, instructor)
    put_exam(client, instructor, exam_doc(protection="random"))
    before = passwords(client, instructor)["passwords"]
    exam = stored(session)
    student_row(exam, STUDENTS[1]).password = None
    session.commit()
    after = passwords(client, instructor)["passwords"]
    assert after[STUDENTS[0]] == before[STUDENTS[0]] and after[STUDENTS[2]] == before[STUDENTS[2]]
    assert after[STUDENTS[1]] and after[STUDENTS[1]] != before[STUDENTS[1]]
    exam = stored(session)
    assert code_matches(exam, student_row(exam, STUDENTS[1]), after[STUDENTS[1]])


# --------------------------------------------------------------------------- start, delete, list


def test_start_once_at_the_platforms_time(
    client: TestClient,
    session: Session,
    instructor: User,
    make_user: MakeUser,
    clock: ManualClock,
    two_problems: list[str],
) -> None:
    make_user("tutor", email="tutor@asdf.com")
    put_course(client, instructor, tutors="[tutor@asdf.com]")
    put_exam(client, instructor, exam_doc())
    clock.advance(minutes=3)
    started = client.put("/services/exams/Instructor:e1/actions/start", headers=as_user("tutor"))
    assert started.status_code == 200, started.text
    assert doc(started) == {"started": "Instructor:e1", "started_at": "2026-03-02 09:03:00"}
    assert stored(session).started_at == datetime(2026, 3, 2, 9, 3, tzinfo=UTC)
    clock.advance(minutes=1)
    error = error_of(client.put("/services/exams/e1/actions/start", headers=as_user(instructor)), 409)
    assert "started already" in error["message"]
    assert stored(session).started_at == datetime(2026, 3, 2, 9, 3, tzinfo=UTC)
    assert (
        doc(client.get("/services/exams/e1", headers=as_user(instructor)))["started_at"]
        == "2026-03-02 09:03:00"
    )


def test_delete_is_refused_once_there_are_submissions_unless_forced(
    client: TestClient, session: Session, instructor: User, make_user: MakeUser, two_problems: list[str]
) -> None:
    student = make_user("student1", email="student1@asdf.com")
    put_course(client, instructor)
    put_exam(client, instructor, exam_doc("empty"))
    deleted = client.delete("/services/exams/empty", headers=as_user(instructor))
    assert deleted.status_code == 200 and doc(deleted) == {"deleted": "Instructor:empty"}
    put_exam(client, instructor, exam_doc())
    exam = stored(session)
    session.add(
        Submission(
            user_id=student.id,
            problem_id="P15243",
            course_id=exam.course_id,
            exam_id=exam.id,
            status=SubmissionStatus.DONE,
            verdict="AC",
            language="GCC",
        )
    )
    session.commit()
    error = error_of(client.delete("/services/exams/Instructor:e1", headers=as_user(instructor)), 409)
    assert "1 submission" in error["message"] and "force=1" in error["message"]
    error_of(client.delete("/services/exams/e1?force=perhaps", headers=as_user(instructor)), 400)
    forced = client.delete("/services/exams/e1?force=1", headers=as_user(instructor))
    assert forced.status_code == 200, forced.text
    fresh(session)
    assert session.scalar(sa.select(sa.func.count()).select_from(Exam)) == 0
    kept = session.scalar(sa.select(Submission))
    assert kept is not None and kept.exam_id is None  # the submission stays, untied
    error_of(client.get("/services/exams/e1", headers=as_user(instructor)), 404)


def test_reference_exams_answer_is_replayed(
    client: TestClient, jutge: User, instructor: User, make_user: MakeUser, two_problems: list[str]
) -> None:
    # Jutge owns demo (and tutors it, as the reference's answer has it) and tutors Instructor's.
    put_course(client, jutge, tutors=f"[{jutge.email}]")
    put_course(client, instructor, tutors=f"[{jutge.email}]")
    put_exam(client, jutge, exam_doc("demo_exam", title="First Demo Exam"))
    put_exam(client, instructor, exam_doc("first_exam", title="First Exam"))
    expected = load_document(reference("exams_get.yml"))
    for query in ("", "?format=json"):
        response = client.get(f"/services/exams{query}", headers=as_user(jutge))
        assert response.status_code == 200
        assert doc(response) == expected
    assert doc(client.get("/services/exams", headers=as_user(instructor))) == {
        "own": {"Instructor:first_exam": "First Exam"},
        "tutor": {},
    }
    nobody = make_user("nobody")
    assert doc(client.get("/services/exams", headers=as_user(nobody))) == {"own": {}, "tutor": {}}


# --------------------------------------------------------------------------- per student


def test_extra_time_close_and_reopen(
    client: TestClient, session: Session, instructor: User, clock: ManualClock, two_problems: list[str]
) -> None:
    put_course(client, instructor)
    put_exam(client, instructor, exam_doc())
    base = "/services/exams/Instructor:e1/students/student2@asdf.com"
    headers = as_user(instructor)
    response = client.put(f"{base}/extra-time", content=b"minutes: 15\n", headers=headers)
    assert response.status_code == 200, response.text
    assert doc(response) == {
        "email": "student2@asdf.com",
        "invited": 0,
        "extra_minutes": 15,
        "closed_at": None,
        "entered_at": None,
    }
    clock.advance(minutes=40)
    closed = client.put(f"{base}/actions/close", headers=headers)
    assert closed.status_code == 200 and doc(closed)["closed_at"] == "2026-03-02 09:40:00"
    assert stored(session).students[1].closed_at == datetime(2026, 3, 2, 9, 40, tzinfo=UTC)
    assert "closed already" in error_of(client.put(f"{base}/actions/close", headers=headers), 409)["message"]
    reopened = client.put(f"{base}/actions/reopen", headers=headers)
    assert reopened.status_code == 200 and doc(reopened)["closed_at"] is None
    assert "not closed" in error_of(client.put(f"{base}/actions/reopen", headers=headers), 409)["message"]
    listed = doc(client.get("/services/exams/e1/students", headers=headers))
    assert [(s["email"], s["extra_minutes"]) for s in listed] == [
        (e, 15 if e == STUDENTS[1] else 0) for e in STUDENTS
    ]
    assert doc(client.get(f"{base}", headers=headers))["extra_minutes"] == 15
    # Refusals: a bad document, an unknown student.
    for body, field in [
        (b"minutes: -1\n", "minutes"),
        (b"minutes: soon\n", "minutes"),
        (b"hours: 1\n", "minutes"),
    ]:
        assert (
            error_of(client.put(f"{base}/extra-time", content=body, headers=headers), 400)["field"] == field
        )
    unknown = "/services/exams/e1/students/nobody@asdf.com"
    error_of(client.put(f"{unknown}/actions/close", headers=headers), 404)
    error_of(client.put(f"{unknown}/extra-time", content=b"minutes: 5\n", headers=headers), 404)


# --------------------------------------------------------------------------- time zone


def test_start_is_in_the_servers_time_zone(
    settings: Settings,
    db_url: str,
    engine: Engine,
    clock: ManualClock,
    session: Session,
    instructor: User,
    two_problems: list[str],
) -> None:
    """VERDICT_TIMEZONE=Europe/Madrid: starts are written and read in Madrid time, stored in UTC."""
    madrid = settings.model_copy(update={"database_url": db_url, "timezone": "Europe/Madrid"})
    platform = bootstrap(madrid, engine=engine, queue=NullQueue(), clock=clock)
    with TestClient(create_app(platform=platform)) as client:
        put_course(client, instructor)
        created = put_exam(client, instructor, exam_doc(start="2026-07-01 10:00"))
        assert created["start"] == "2026-07-01 10:00"
        assert stored(session).start == datetime(2026, 7, 1, 8, 0, tzinfo=UTC)  # CEST is UTC+2
        started = doc(client.put("/services/exams/e1/actions/start", headers=as_user(instructor)))
        assert started["started_at"] == "2026-03-02 10:00:00"  # 09:00 UTC in CET


def test_the_exam_services_are_documented(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    exam = "/services/exams/{ident}"
    expected = {
        "/services/exams": {"get", "put"},
        exam: {"get", "delete"},
        f"{exam}/passwords": {"get"},
        f"{exam}/passwords/actions/regenerate": {"put"},
        f"{exam}/actions/start": {"put"},
        f"{exam}/students": {"get"},
        f"{exam}/students/{{email}}": {"get"},
        f"{exam}/students/{{email}}/extra-time": {"put"},
        f"{exam}/students/{{email}}/actions/close": {"put"},
        f"{exam}/students/{{email}}/actions/reopen": {"put"},
    }
    for path, methods in expected.items():
        assert methods <= set(paths[path]), path
        assert all(paths[path][method]["summary"] for method in methods), path
    assert "application/yaml" in paths["/services/exams"]["put"]["requestBody"]["content"]
    assert "minutes" in paths[f"{exam}/students/{{email}}/extra-time"]["put"]["requestBody"]["description"]
    assert "new codes" in paths[f"{exam}/passwords/actions/regenerate"]["put"]["summary"]
    assert "force=1" in paths[exam]["delete"]["summary"]
