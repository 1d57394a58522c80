"""/services/lists through HTTP on both backends: the reference's list document (headers read as
YAML tags, a commented-out item), its answers, problem id validation and every error status."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.support.jutge import as_user, doc, error_of, put, reference
from tests.support.users import MakeUser
from verdict.faces.jutge.yaml_io import load_document
from verdict.models import User

pytestmark = pytest.mark.e2e

EXPECTED_LIST = {
    "name": "Demo",
    "title": "Demo list",
    "description": "This is just a demo list.",
    "annotation": "",
    "public": 1,
    "official": 1,
    "items": ["P68688", "!This is a header", "P57548", "P56118", "!The next problem will be ignored", None],
}


def list_doc(name: str = "l", items: str = "[]", **fields: object) -> str:
    lines = [f"name: {name}", "title: A list", f"items: {items}"]
    return "\n".join(lines + [f"{key}: {value}" for key, value in fields.items()]) + "\n"


@pytest.mark.parametrize("fmt", ["yaml", "json"])
def test_reference_list_document_round_trips(
    client: TestClient, jutge: User, problems: list[str], fmt: str
) -> None:
    params = {"format": "json"} if fmt == "json" else {}
    response = put(client, "/services/lists", reference("list.yml"), jutge, **params)
    assert response.status_code == 201, response.text
    assert doc(response) == EXPECTED_LIST
    for query in ("", "?format=json"):
        assert doc(client.get(f"/services/lists/Jutge:Demo{query}", headers=as_user(jutge))) == EXPECTED_LIST
    text = client.get("/services/lists/Jutge:Demo", headers=as_user(jutge)).text
    assert "- '!This is a header'\n" in text  # quoted: a plain !This would be a tag again
    assert "- null\n" in text  # the commented-out item, kept in its place
    assert put(client, "/services/lists", text, jutge).status_code == 200
    assert doc(client.get("/services/lists/Jutge:Demo", headers=as_user(jutge))) == EXPECTED_LIST


def test_reference_lists_answer_is_replayed(
    client: TestClient, session: Session, jutge: User, make_user: MakeUser
) -> None:
    instructor = make_user("Instructor", role="instructor")
    other = make_user("OtherInstructor", role="instructor")
    put(client, "/services/lists", "name: demo\ntitle: A demo list with some problems\n", jutge)
    put(client, "/services/lists", "name: all\ntitle: A demo list with all problems\n", jutge)
    put(client, "/services/lists", "name: list1\ntitle: List 1\n", instructor)
    put(client, "/services/lists", "name: list2\ntitle: List 2\n", instructor)
    put(client, "/services/lists", "name: list3\ntitle: Not in the course\n", instructor)
    put(client, "/services/lists", "name: otherlist1\ntitle: My list 1\npublic: 1\n", other)
    put(client, "/services/lists", "name: otherlist2\ntitle: My list 2\npublic: 1\n", other)
    # Jutge is a student of two courses: one of his own, one of Instructor's.
    course = "name: {}\ntitle: t\nlists: [{}]\nstudents: [jutge@jutge.org]\n"
    assert put(client, "/services/courses", course.format("mine", "demo, all"), jutge).status_code == 201
    assert (
        put(client, "/services/courses", course.format("theirs", "list1, list2"), instructor).status_code
        == 201
    )
    expected = load_document(reference("lists_get.yml"))
    for query in ("", "?format=json"):
        assert doc(client.get(f"/services/lists{query}", headers=as_user(jutge))) == expected
    assert doc(client.get("/services/lists", headers=as_user(make_user("nobody")))) == {
        "own": {},
        "enrolled": {},
        "public": expected["public"],
    }


def test_items(client: TestClient, instructor: User, problems: list[str]) -> None:
    items = """
  - P68688_en          # a statement language variant
  - !
  - '! spaced header'
  - !Capçalera amb accents    # not a valid tag: read as a header all the same
  - ~
  - P57548
  - !Part 1: loops
"""
    response = put(client, "/services/lists", list_doc(items=items), instructor)
    assert response.status_code == 201, response.text
    assert doc(response)["items"] == [
        "P68688_en",
        "!",
        "! spaced header",
        "!Capçalera amb accents",
        None,
        "P57548",
        "!Part 1: loops",
    ]
    assert doc(client.get("/services/lists/Instructor:l?format=json", headers=as_user(instructor)))[
        "items"
    ] == [
        "P68688_en",
        "!",
        "! spaced header",
        "!Capçalera amb accents",
        None,
        "P57548",
        "!Part 1: loops",
    ]


@pytest.mark.parametrize(
    ("items", "field", "words"),
    [
        ("[P99999]", "items[0]", "no problem P99999 you may use"),
        ("[P68688, P68688_xx]", "items[1]", "no statement in 'xx'"),
        ("[P68688, '#P83390']", "items[1]", "not a problem id"),
        ("[spaced header]", "items[0]", "a header starts with '!'"),
        ("\n  - {P1: x}", "items[0]", "quote it"),
        ("\n  - !Part 1: [a]", "items[0]", "quote it"),
        ("[12345]", "items[0]", "must be a problem id"),
        ("P68688", "items", "must be a list"),
        ("['!" + "h" * 600 + "']", "items[0]", "longer than 500"),
    ],
)
def test_invalid_items_are_400(
    client: TestClient, instructor: User, problems: list[str], items: str, field: str, words: str
) -> None:
    error = error_of(put(client, "/services/lists", list_doc(items=items), instructor), 400)
    assert error["field"] == field
    assert words in error["message"], error


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ("title: t\n", "name"),
        ("name: l\n", "title"),
        ("name: l\ntitle: t\npublic: 5\n", "public"),
        ("name: l\ntitle: t\nofficial: yes please\n", "official"),
        ("name: 'no spaces'\ntitle: t\n", "name"),
    ],
)
def test_invalid_fields_are_400(client: TestClient, instructor: User, body: str, field: str) -> None:
    assert error_of(put(client, "/services/lists", body, instructor), 400)["field"] == field


def test_permissions(client: TestClient, jutge: User, instructor: User, make_user: MakeUser) -> None:
    student = make_user("student", email="student@x.org")
    error_of(put(client, "/services/lists", list_doc(), student), 403)
    assert (
        error_of(put(client, "/services/lists", list_doc(official=1), instructor), 403)["field"] == "official"
    )
    assert put(client, "/services/lists", list_doc(official=1), jutge).status_code == 201
    put(client, "/services/lists", list_doc("private", annotation="secret"), jutge)
    put(client, "/services/lists", list_doc("shared", annotation="secret", public=1), jutge)
    put(client, "/services/lists", list_doc("taught", annotation="secret"), jutge)
    put(client, "/services/courses", "name: c\ntitle: t\nlists: [taught]\nstudents: [student@x.org]\n", jutge)
    error_of(client.get("/services/lists/Jutge:private", headers=as_user(instructor)), 403)
    error_of(client.delete("/services/lists/Jutge:shared", headers=as_user(instructor)), 403)
    # Public lists, and lists of one's courses, are readable without the private annotation.
    shared = doc(client.get("/services/lists/Jutge:shared", headers=as_user(instructor)))
    assert shared["title"] == "A list" and shared["annotation"] == ""
    taught = doc(client.get("/services/lists/Jutge:taught", headers=as_user(student)))
    assert taught["annotation"] == ""
    assert doc(client.get("/services/lists/Jutge:taught", headers=as_user(jutge)))["annotation"] == "secret"
    error_of(client.get("/services/lists/Jutge:private", headers=as_user(student)), 403)
    # Administrators may touch anybody's list.
    put(client, "/services/lists", list_doc("x"), instructor)
    assert client.delete("/services/lists/Instructor:x", headers=as_user(jutge)).status_code == 200


def test_401_404_and_delete(client: TestClient, instructor: User) -> None:
    response = client.get("/services/lists")
    error_of(response, 401)
    assert response.headers["www-authenticate"].startswith("Basic")
    error_of(client.get("/services/lists/Instructor:l", headers=as_user(instructor)), 404)
    error_of(client.delete("/services/lists/Instructor:l", headers=as_user(instructor)), 404)
    error_of(client.get("/services/lists/nobody:l", headers=as_user(instructor)), 404)
    put(client, "/services/lists", list_doc(), instructor)
    assert doc(client.delete("/services/lists/Instructor:l", headers=as_user(instructor))) == {
        "deleted": "Instructor:l"
    }
    error_of(client.get("/services/lists/Instructor:l", headers=as_user(instructor)), 404)
    error_of(client.put("/services/lists", content=b"- x", headers=as_user(instructor)), 400)
