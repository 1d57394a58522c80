"""/services/courses through HTTP on both backends: the reference's documents replayed verbatim,
answers in YAML and JSON, every error status, and the tasks the INGInious face shows."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.support.jutge import accept, as_user, doc, error_of, fresh, make_problem, put, reference
from tests.support.users import MakeUser, basic
from verdict.accounts import service as accounts
from verdict.accounts.passwords import hash_password
from verdict.faces.jutge.yaml_io import load_document
from verdict.models import Course, CourseMember, Submission, SubmissionStatus, Task, User
from verdict.platform import Platform

pytestmark = pytest.mark.e2e

LIST_DOC = """
name: {name}
title: {title}
items: [{items}]
"""

EXPECTED_COURSE = {
    "name": "Demo",
    "title": "Demo course",
    "description": "This is just a demo course.",
    "annotation": "",  # "annotation:" with nothing is null, that is, empty
    "public": 1,
    "official": 1,
    "lists": ["Demo"],
    "documents": ["Demo1", "Demo2"],
    "students": ["student1@asdf.com", "student2@asdf.com", "student3@asdf.com"],
    "tutors": ["tutor1@asdf.com", "tutor2@asdf.com"],
}


def put_list(client: TestClient, user: User | str, name: str, items: str, title: str = "A list") -> None:
    response = put(client, "/services/lists", LIST_DOC.format(name=name, title=title, items=items), user)
    assert response.status_code in (200, 201), response.text


def course_doc(name: str = "c", **fields: object) -> str:
    lines = [f"name: {name}", "title: A course"] + [f"{key}: {value}" for key, value in fields.items()]
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------- the reference's documents


@pytest.mark.parametrize("fmt", ["yaml", "json"])
def test_reference_course_document_round_trips(
    client: TestClient, jutge: User, problems: list[str], fmt: str
) -> None:
    params = {"format": "json"} if fmt == "json" else {}
    created = put(client, "/services/lists", reference("list.yml"), jutge, **params)
    assert created.status_code == 201, created.text
    response = put(client, "/services/courses", reference("course.yml"), jutge, **params)
    assert response.status_code == 201, response.text
    assert doc(response) == EXPECTED_COURSE
    # GET gives back the format PUT takes, in either format.
    for query in ("", "?format=json", "?format=yaml"):
        got = client.get(f"/services/courses/Jutge:Demo{query}", headers=as_user(jutge))
        assert got.status_code == 200
        assert doc(got) == EXPECTED_COURSE
    # The YAML answer is itself a valid document to PUT: create-or-replace answers 200.
    again = put(
        client,
        "/services/courses",
        client.get("/services/courses/Jutge:Demo", headers=as_user(jutge)).content,
        jutge,
    )
    assert again.status_code == 200
    assert doc(again) == EXPECTED_COURSE


def test_reference_courses_answer_is_replayed(
    client: TestClient, session: Session, jutge: User, make_user: MakeUser
) -> None:
    other = make_user("OtherInstructor", role="instructor")
    put(client, "/services/courses", "name: demo\ntitle: Demo course with some problems\npublic: 1\n", jutge)
    put(client, "/services/courses", "name: P1\ntitle: Programació 1\npublic: 1\n", jutge)
    put(client, "/services/courses", f"name: other\ntitle: Other course\nstudents: [{jutge.email}]\n", other)
    expected = load_document(reference("courses_get.yml"))
    for query in ("", "?format=json"):
        response = client.get(f"/services/courses{query}", headers=as_user(jutge))
        assert response.status_code == 200
        assert doc(response) == expected
    # Always the three keys; empty mappings when there is nothing.
    nobody = make_user("nobody")
    assert doc(client.get("/services/courses", headers=as_user(nobody))) == {
        "own": {},
        "enrolled": {},
        "public": expected["public"],
    }
    assert "own: {}" in client.get("/services/courses", headers=as_user(nobody)).text


def test_reference_course_problems_answer_is_replayed(
    client: TestClient, session: Session, platform: Platform, tmp_path: Path, jutge: User, make_user: MakeUser
) -> None:
    for problem_id in ("P17433", "P37469"):
        make_problem(session, platform.settings, tmp_path, problem_id)
    put_list(client, jutge, "demo", "P17433, P37469")
    student1 = make_user("student1", email="student1@asdf.com")
    student2 = make_user("student2", email="student2@asdf.com")
    students = "[student1@asdf.com, student2@asdf.com, student3@asdf.com, student4@asdf.com]"
    body = course_doc("demo", title="Demo course with some problems", lists="[demo]", students=students)
    body = body.replace("title: A course\n", "")
    assert put(client, "/services/courses", body, jutge).status_code == 201
    course_id = session.scalar(sa.select(Course.id).where(Course.name == "demo"))
    session.commit()  # end the read: a snapshot older than the server's writes cannot write after them
    for student in (student1, student2):  # enrolment is an invitation until the student accepts
        assert client.post("/services/courses/Jutge:demo/accept", headers=as_user(student)).status_code == 200
    solve_in(session, student1, "P17433", course_id)
    solve_in(session, student1, "P37469", course_id)
    solve_in(session, student2, "P37469", course_id)
    solve_in(session, student2, "P17433", course_id, verdict="WA")  # not solved
    accept(session, student2, "P17433")  # solved elsewhere: not this course's business (M3)
    expected = load_document(reference("course_problems_get.yml"))
    for query in ("", "?format=json"):
        response = client.get(f"/services/courses/Jutge:demo/problems{query}", headers=as_user(jutge))
        assert response.status_code == 200
        assert doc(response) == expected


def solve_in(
    session: Session, user: User, problem_id: str, course_id: int | None, verdict: str = "AC"
) -> None:
    session.add(
        Submission(
            user_id=user.id,
            problem_id=problem_id,
            course_id=course_id,
            status=SubmissionStatus.DONE,
            verdict=verdict,
            language="G++17",
        )
    )
    session.commit()


def test_an_invited_email_enrols_when_its_account_is_created(
    client: TestClient, session: Session, instructor: User
) -> None:
    put(client, "/services/courses", course_doc(students="[New.Student@Example.org]"), instructor)
    progress = doc(client.get("/services/courses/Instructor:c/problems", headers=as_user(instructor)))
    assert progress["problems_solved"] == {}
    assert progress["not_enrolled"] == ["new.student@example.org"]
    accounts.create_user(session, "newbie", "new.student@example.org", "a long password")
    session.commit()
    # Having an account changes nothing the teacher sees (not_enrolled tells no accounts, M3) ...
    progress = doc(client.get("/services/courses/Instructor:c/problems", headers=as_user(instructor)))
    assert progress == {**progress, "problems_solved": {}, "not_enrolled": ["new.student@example.org"]}
    seen = doc(client.get("/services/courses", headers=basic("newbie", "a long password")))
    assert seen["enrolled"] == {"Instructor:c": "A course"}  # the student sees the invitation
    # ... until the student accepts it.
    accepted = client.post(
        "/services/courses/Instructor:c/accept", headers=basic("newbie", "a long password")
    )
    assert doc(accepted) == {"accepted": "Instructor:c"}
    progress = doc(client.get("/services/courses/Instructor:c/problems", headers=as_user(instructor)))
    assert progress["problems_solved"] == {"new.student@example.org": []}
    assert progress["not_enrolled"] == []


def test_replacing_keeps_order_join_dates_and_staff(
    client: TestClient, session: Session, instructor: User, make_user: MakeUser
) -> None:
    make_user("a", email="a@x.org")
    put(
        client, "/services/courses", course_doc(students="[a@x.org, b@x.org]", tutors="[t@x.org]"), instructor
    )
    course = session.scalar(sa.select(Course).where(Course.name == "c"))
    assert course is not None
    joined = {m.email: m.created_at for m in course.members}
    # An INGInious course administrator added by the other face stays.
    session.add(CourseMember(course_id=course.id, email="admin@x.org", role="admin"))
    session.commit()
    response = put(
        client, "/services/courses", course_doc(students="[c@x.org, a@x.org]", tutors="[b@x.org]"), instructor
    )
    assert response.status_code == 200
    assert doc(response)["students"] == ["c@x.org", "a@x.org"]
    assert doc(response)["tutors"] == ["b@x.org"]
    fresh(session)
    members = {
        m.email: m
        for m in session.scalars(sa.select(CourseMember).where(CourseMember.course_id == course.id))
    }
    assert set(members) == {"a@x.org", "b@x.org", "c@x.org", "admin@x.org"}
    assert members["a@x.org"].created_at == joined["a@x.org"]
    assert members["a@x.org"].user_id is not None
    assert members["b@x.org"].role == "tutor"


def test_duplicates_are_merged_and_comments_ignored(client: TestClient, instructor: User) -> None:
    body = course_doc(
        students="\n  - a@x.org\n  - A@X.org\n  - #commented@x.org\n  - b@x.org", documents="[d1, d2]"
    )
    response = put(client, "/services/courses", body, instructor)
    assert response.status_code == 201
    assert doc(response)["students"] == ["a@x.org", "b@x.org"]
    assert doc(response)["documents"] == ["d1", "d2"]


# --------------------------------------------------------------------------- tasks for the INGInious face


def test_course_lists_become_tasks(
    client: TestClient, session: Session, platform: Platform, tmp_path: Path, instructor: User
) -> None:
    make_problem(session, platform.settings, tmp_path, "P11111")
    make_problem(session, platform.settings, tmp_path, "P22222", source="elastic.pbm")
    make_problem(session, platform.settings, tmp_path, "P33333")
    put_list(client, instructor, "one", "P11111_en, '!Part two', P22222")
    put_list(client, instructor, "two", "P33333, P22222, null")
    put(client, "/services/courses", course_doc(lists="[one, two]"), instructor)

    def tasks() -> list[tuple[str, str | None, str, int, object]]:
        fresh(session)
        course = session.scalar(sa.select(Course).where(Course.name == "c"))
        assert course is not None
        rows = session.scalars(sa.select(Task).where(Task.course_id == course.id).order_by(Task.position))
        return [(t.slug, t.problem_id, t.name, t.position, t.accessibility) for t in rows]

    assert tasks() == [
        ("P11111_en", "P11111", "Hello world", 0, True),
        ("P22222", "P22222", "Divisors in any order", 1, True),
        ("P33333", "P33333", "Hola món", 2, True),
    ]
    task = session.scalar(sa.select(Task).where(Task.slug == "P22222"))
    assert task is not None
    assert task.problems == {"code": {"type": "code", "name": "Divisors in any order", "language": ""}}
    # Reordering the course's lists reorders the tasks.
    assert put(client, "/services/courses", course_doc(lists="[two, one]"), instructor).status_code == 200
    assert [row[0] for row in tasks()] == ["P33333", "P22222", "P11111_en"]
    # A problem taken out of the lists is hidden, not deleted (its submissions stay).
    put_list(client, instructor, "two", "P22222")
    assert tasks() == [
        ("P22222", "P22222", "Divisors in any order", 0, True),
        ("P11111_en", "P11111", "Hello world", 1, True),
        ("P33333", "P33333", "Hola món", 2, False),
    ]
    # Deleting a list the course uses hides its problems; putting it back shows them again.
    assert client.delete("/services/lists/Instructor:one", headers=as_user(instructor)).status_code == 200
    assert [(row[0], row[4]) for row in tasks()] == [
        ("P22222", True),
        ("P11111_en", False),
        ("P33333", False),
    ]
    assert doc(client.get("/services/courses/Instructor:c", headers=as_user(instructor)))["lists"] == ["two"]
    put_list(client, instructor, "two", "P33333")
    first = tasks()[0]
    assert (first[0], first[4]) == ("P33333", True)
    # Deleting the course deletes its tasks.
    assert client.delete("/services/courses/Instructor:c", headers=as_user(instructor)).status_code == 200
    fresh(session)
    assert session.scalar(sa.select(sa.func.count()).select_from(Task)) == 0


# --------------------------------------------------------------------------- visibility and permissions


def test_other_instructors_read_public_courses_without_private_parts(
    client: TestClient, jutge: User, instructor: User, make_user: MakeUser
) -> None:
    tutor = make_user("tutor", email="t@x.org")
    body = course_doc("pub", public=1, annotation="secret", students="[s@x.org]", tutors="[t@x.org]")
    put(client, "/services/courses", body, jutge)
    put(client, "/services/courses", course_doc("priv", annotation="secret"), jutge)
    seen = doc(client.get("/services/courses/Jutge:pub", headers=as_user(instructor)))
    assert seen["annotation"] == "" and seen["students"] == [] and seen["tutors"] == []
    assert seen["title"] == "A course" and seen["public"] == 1
    error = error_of(client.get("/services/courses/Jutge:priv", headers=as_user(instructor)), 403)
    assert "Jutge:priv" in error["message"]
    # A tutor of the course reads the members and the students' progress, not the owner's private
    # annotation (issue 10, L2: tutors read it).
    as_tutor = doc(client.get("/services/courses/Jutge:pub", headers=as_user(tutor)))
    assert as_tutor["annotation"] == "" and as_tutor["students"] == ["s@x.org"]
    assert doc(client.get("/services/courses/Jutge:pub", headers=as_user(jutge)))["annotation"] == "secret"
    assert client.get("/services/courses/Jutge:pub/problems", headers=as_user(tutor)).status_code == 200
    error_of(client.get("/services/courses/Jutge:pub/problems", headers=as_user(instructor)), 403)
    # A student reads no course document (not even public ones): the INGInious face shows courses.
    student = make_user("s", email="s@x.org")
    error_of(client.get("/services/courses/Jutge:pub", headers=as_user(student)), 403)


def test_bare_names_are_the_users_own(client: TestClient, instructor: User) -> None:
    put(client, "/services/courses", course_doc("mine"), instructor)
    assert doc(client.get("/services/courses/mine", headers=as_user(instructor)))["name"] == "mine"


def test_bearer_tokens_work_too(client: TestClient, session: Session, instructor: User) -> None:
    token = accounts.create_token(session, instructor, "ci")
    session.commit()
    headers = {"Authorization": f"Bearer {token.secret}"}
    response = client.put("/services/courses", content=course_doc().encode(), headers=headers)
    assert response.status_code == 201
    assert doc(client.get("/services/courses", headers=headers))["own"] == {"Instructor:c": "A course"}


# --------------------------------------------------------------------------- errors


@pytest.mark.parametrize(
    ("body", "field", "words"),
    [
        ("title: no name\n", "name", "missing required field"),
        ("name: x\n", "title", "missing required field"),
        ("name: x\ntitle: ''\n", "title", "must not be empty"),
        ("name: x\ntitle: [a, list]\n", "title", "must be text"),
        ("name: x\ntitle: t\ndescription: {a: 1}\n", "description", "must be text"),
        ("name: x\ntitle: t\npublic: 2\n", "public", "must be 0 or 1"),
        ("name: x\ntitle: t\npublic: '1'\n", "public", "must be 0 or 1"),
        ("name: x\ntitle: t\nofficial: -1\n", "official", "must be 0 or 1"),
        ("name: x\ntitle: t\nstudents: a@x.org\n", "students", "must be a list"),
        ("name: x\ntitle: t\nstudents: [not-an-email]\n", "students[0]", "not an email"),
        ("name: x\ntitle: t\ntutors: [a@x.org, [b@x.org]]\n", "tutors[1]", "must be text"),
        (
            "name: x\ntitle: t\nstudents: [a@x.org]\ntutors: [A@x.org]\n",
            "tutors[0]",
            "both a student and a tutor",
        ),
        ("name: x\ntitle: t\nlists: [nosuchlist]\n", "lists[0]", "no list 'nosuchlist'"),
        ("name: 'a:b'\ntitle: t\n", "name", "not a valid name"),
        ("name: x\ntitle: " + "t" * 301 + "\n", "title", "longer than 300"),
        ('name: x\ntitle: t\nannotation: "a\\0b"\n', "annotation", "NUL"),
    ],
)
def test_invalid_documents_are_400_naming_the_field(
    client: TestClient, instructor: User, body: str, field: str, words: str
) -> None:
    for params in ({}, {"format": "json"}):
        error = error_of(put(client, "/services/courses", body, instructor, **params), 400)
        assert error["field"] == field
        assert field in error["message"] and words in error["message"], error


@pytest.mark.parametrize(
    ("body", "words"),
    [
        ("", "empty document"),
        ("- a\n- list\n", "must be a mapping"),
        ("name: [unclosed\n", "not a valid YAML document"),
        ('{"name": "x" "title": "t"}', "not a valid YAML document"),
    ],
)
def test_malformed_documents_are_400(client: TestClient, instructor: User, body: str, words: str) -> None:
    assert words in error_of(put(client, "/services/courses", body, instructor), 400)["message"]


def test_json_documents_are_accepted(client: TestClient, instructor: User) -> None:
    response = put(
        client, "/services/courses", '{"name": "j", "title": "From JSON", "public": 0}', instructor
    )
    assert response.status_code == 201
    assert doc(response)["title"] == "From JSON"


def test_401_without_valid_credentials(client: TestClient, instructor: User) -> None:
    for headers in (
        {},
        basic("Instructor", "wrong password"),
        basic("nobody", "x"),
        {"Authorization": "Bearer nope"},
    ):
        for query in ("", "?format=json"):
            response = client.get(f"/services/courses{query}", headers=headers)
            error = error_of(response, 401)
            assert response.headers["www-authenticate"].startswith("Basic")
            assert error["message"]
    error_of(client.put("/services/courses", content=course_doc().encode()), 401)
    error_of(client.delete("/services/courses/Instructor:c"), 401)


def test_403_when_not_allowed(client: TestClient, jutge: User, instructor: User, make_user: MakeUser) -> None:
    student = make_user("student")
    error = error_of(put(client, "/services/courses", course_doc(), student), 403)
    assert "instructors" in error["message"]
    error = error_of(put(client, "/services/courses", course_doc(official=1), instructor), 403)
    assert error["field"] == "official"
    # An administrator may make it official; its owner may then keep it so (or drop it).
    put(client, "/services/courses", course_doc(), instructor)
    error_of(put(client, "/services/courses", course_doc(official=1), instructor), 403)
    put(client, "/services/courses", course_doc("o"), instructor)
    response = put(client, "/services/courses", course_doc("made-official", official=1), jutge)
    assert doc(response).get("official") == 1, response.text
    put(client, "/services/courses", course_doc(public=1), jutge)
    other = make_user("other", role="instructor")
    error_of(client.delete("/services/courses/Jutge:c", headers=as_user(other)), 403)
    error_of(client.delete("/services/courses/Instructor:c", headers=as_user(other)), 403)
    # Administrators may read and delete anybody's course.
    assert client.get("/services/courses/Instructor:c", headers=as_user(jutge)).status_code == 200
    assert client.delete("/services/courses/Instructor:c", headers=as_user(jutge)).status_code == 200


def test_official_is_kept_by_its_owner(client: TestClient, session: Session, instructor: User) -> None:
    put(client, "/services/courses", course_doc(), instructor)
    session.execute(sa.update(Course).values(official=True))
    session.commit()
    assert doc(put(client, "/services/courses", course_doc(official=1), instructor))["official"] == 1
    assert doc(put(client, "/services/courses", course_doc(official=0), instructor))["official"] == 0
    error_of(put(client, "/services/courses", course_doc(official=1), instructor), 403)


def test_404_and_405(client: TestClient, instructor: User) -> None:
    headers = as_user(instructor)
    assert (
        "Instructor:nope"
        in error_of(client.get("/services/courses/Instructor:nope", headers=headers), 404)["message"]
    )
    error_of(client.get("/services/courses/ghost:nope", headers=headers), 404)
    error_of(client.get("/services/courses/ghost:nope/problems", headers=headers), 404)
    error_of(client.delete("/services/courses/Instructor:nope", headers=headers), 404)
    error_of(client.get("/services/nothing/here", headers=headers), 404)
    error_of(client.get("/services/nothing?format=json", headers=headers), 404)
    response = client.patch("/services/courses", headers=headers)
    error_of(response, 405)
    assert response.headers["allow"] == "GET, PUT"
    error_of(client.post("/services/courses/Instructor:c", headers=headers), 405)


def test_delete(client: TestClient, instructor: User) -> None:
    put(client, "/services/courses", course_doc(), instructor)
    response = client.delete("/services/courses/Instructor:c", headers=as_user(instructor))
    assert doc(response) == {"deleted": "Instructor:c"}
    error_of(client.get("/services/courses/Instructor:c", headers=as_user(instructor)), 404)
    assert doc(client.get("/services/courses", headers=as_user(instructor)))["own"] == {}


def test_413_for_a_too_large_document(client: TestClient, platform: Platform, instructor: User) -> None:
    platform.settings.max_upload_bytes = 1000
    body = course_doc(description="x" * 2000)
    assert "1000 bytes" in error_of(put(client, "/services/courses", body, instructor), 413)["message"]

    def chunks():  # no Content-Length: counted as it arrives
        yield body.encode()

    response = client.put("/services/courses", content=chunks(), headers=as_user(instructor))
    error_of(response, 413)


# --------------------------------------------------------------------------- issue 10: M3, L2, caps


def test_another_instructors_problem_needs_its_password_and_ids_cannot_be_enumerated(
    client: TestClient, session: Session, platform: Platform, tmp_path: Path, make_user: MakeUser
) -> None:
    # The audit (M3): a list accepted any problem id, the password was never checked, and the
    # "unknown problem id" answer told which ids exist.
    owner = make_user("owner", role="instructor")
    spy = make_user("spy", role="instructor")
    protected = make_problem(session, platform.settings, tmp_path, "P10001", owner=owner)
    protected.password_hash = hash_password("open sesame")
    session.commit()
    make_problem(session, platform.settings, tmp_path, "P10002", owner=owner)  # no password: private
    answers = []
    for problem_id in ("P10001", "P10002", "P99999"):  # protected, private, unknown
        body = f"name: l\ntitle: t\nitems: [{problem_id}]\n"
        answers.append(
            error_of(put(client, "/services/lists", body, spy), 400)["message"].replace(problem_id, "P")
        )
    assert len(set(answers)) == 1, answers
    wrong = "name: l\ntitle: t\nitems: [P10001]\npasswords: {P10001: guess}\n"
    error_of(put(client, "/services/lists", wrong, spy), 400)
    right = "name: l\ntitle: t\nitems: [P10001]\npasswords: {P10001: open sesame}\n"
    assert put(client, "/services/lists", right, spy).status_code == 201
    listed = doc(client.get("/services/lists/spy:l", headers=as_user(spy)))
    assert listed["items"] == ["P10001"] and "passwords" not in listed and "open sesame" not in str(listed)
    # Replacing the list keeps what was accepted without the password again; the owner needs none.
    assert put(client, "/services/lists", "name: l\ntitle: t2\nitems: [P10001]\n", spy).status_code == 200
    assert put(client, "/services/lists", "name: m\ntitle: t\nitems: [P10002]\n", owner).status_code == 201


def test_a_teacher_sees_nothing_of_an_existing_account_until_it_accepts(
    client: TestClient, session: Session, platform: Platform, tmp_path: Path, make_user: MakeUser
) -> None:
    # The audit (M3): enrolling any email showed that student's results, solved anywhere.
    teacher = make_user("teacher", role="instructor")
    victim = make_user("victim", email="victim@example.org")
    make_problem(session, platform.settings, tmp_path, "P20001", owner=teacher)
    accept(session, victim, "P20001")  # solved elsewhere, before and outside the course
    put_list(client, teacher, "l", "P20001")
    put(
        client,
        "/services/courses",
        course_doc(lists="[l]", students="[victim@example.org, ghost@x.org]"),
        teacher,
    )
    progress = doc(client.get("/services/courses/teacher:c/problems", headers=as_user(teacher)))
    # An account and no account look alike: both merely invited.
    assert progress["problems_solved"] == {}
    assert progress["not_enrolled"] == ["victim@example.org", "ghost@x.org"]
    assert client.post("/services/courses/teacher:c/accept", headers=as_user(victim)).status_code == 200
    progress = doc(client.get("/services/courses/teacher:c/problems", headers=as_user(victim and teacher)))
    assert progress["problems_solved"] == {"victim@example.org": []}  # the outside solution stays private
    assert progress["not_enrolled"] == ["ghost@x.org"]
    # Someone not invited learns nothing: the same 404 as an unknown course.
    stranger = make_user("stranger")
    not_invited = error_of(client.post("/services/courses/teacher:c/accept", headers=as_user(stranger)), 404)
    unknown = error_of(client.post("/services/courses/teacher:zz/accept", headers=as_user(stranger)), 404)
    assert not_invited["message"].replace(":c", "") == unknown["message"].replace(":zz", "")


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("/services/lists", "name: l\ntitle: t\nitems: [{items}]\n", "items"),
        ("/services/courses", "name: c\ntitle: t\nstudents: [{emails}]\n", "students"),
        ("/services/courses", "name: c\ntitle: t\ntutors: [{emails}]\n", "tutors"),
        ("/services/courses", "name: c\ntitle: t\ndocuments: [{names}]\n", "documents"),
        ("/services/courses", "name: c\ntitle: t\nlists: [{names}]\n", "lists"),
    ],
)
def test_repeated_fields_have_count_caps(
    client: TestClient, instructor: User, path: str, body: str, field: str
) -> None:
    # The audit: one PUT of 400,000 items (2.8 MB, under the size cap) held the write lock 42 s.
    many = 2_001
    document = body.format(
        items=", ".join("'!h'" for _ in range(many)),
        emails=", ".join(f"s{i}@x.org" for i in range(many)),
        names=", ".join(f"n{i}" for i in range(many)),
    )
    error = error_of(put(client, path, document, instructor), 400)
    assert error.get("field") == field, error
    assert "at most" in error["message"]


def test_a_control_character_in_a_name_is_400(client: TestClient, instructor: User) -> None:
    """PostgreSQL refuses NUL in text: the identifier is refused before any query (never a 500)."""
    for path in ("/services/courses/Instructor:%00", "/services/lists/%00:x", "/services/courses/a%01:b"):
        error_of(client.get(path, headers=as_user(instructor)), 400)
