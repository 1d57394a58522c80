"""YAML in and out of the Jutge face: the reference's quirks, safety, JSON, typed fields."""

from __future__ import annotations

import datetime

import pytest

from tests.support.jutge import REFERENCE, reference
from verdict.errors import InvalidInput
from verdict.faces.jutge.common import Document
from verdict.faces.jutge.yaml_io import dump_json, dump_yaml, load_document

pytestmark = pytest.mark.unit


def test_every_reference_example_parses() -> None:
    names = sorted(path.name for path in REFERENCE.glob("*.yml"))
    assert names == [
        "course.yml",
        "course_problems_get.yml",
        "courses_get.yml",
        "exam.yml",
        "exams_get.yml",
        "list.yml",
        "lists_get.yml",
        "problem.yml",
        "problems_get.yml",
    ]
    for name in names:
        assert isinstance(load_document(reference(name)), dict), name


def test_headers_and_commented_items_of_the_reference_list() -> None:
    data = load_document(reference("list.yml"))
    assert data["items"] == [
        "P68688",
        "!This is a header",  # YAML reads the tag !This and the text "is a header"
        "P57548",
        "P56118",
        "!The next problem will be ignored",
        None,  # "- #P83390" is a comment
    ]
    assert data["annotation"] is None  # "annotation: #A private annotation."
    assert data["public"] == 1 and data["official"] == 1


def test_reference_comments_are_not_values() -> None:
    course = load_document(reference("course.yml"))
    assert course["name"] == "Demo"
    assert course["title"] == "Demo course"
    assert course["students"] == ["student1@asdf.com", "student2@asdf.com", "student3@asdf.com"]
    answer = load_document(reference("courses_get.yml"))
    assert answer["own"] == {"Jutge:demo": "Demo course with some problems", "Jutge:P1": "Programació 1"}
    # The reference writes "-ca" without a space: YAML reads the text "-ca", not a list.
    assert load_document(reference("problems_get.yml"))["P54321"] == "-ca"


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("- !Header", "!Header"),
        ("- !", "!"),
        ("- '!quoted header'", "!quoted header"),
        ("- !Unicode capçalera", "!Unicode capçalera"),
        ("- !!python/object/apply:os.system ['echo pwned']", ["echo pwned"]),
        ("- !!python/object:os.system x", "!!python/object:os.system x"),
        ("- !<tag:example.com,2024:x> y", "!<tag:example.com,2024:x> y"),
        ("- !!binary aGVsbG8=", b"hello"),  # a standard tag keeps its meaning
    ],
)
def test_unknown_tags_are_text_and_nothing_runs(text: str, value: object) -> None:
    assert load_document(text) == [value]


def test_headers_yaml_cannot_read_as_tags() -> None:
    text = "items:\n  - !Introducció   # a comment\n  - !This is a header\n  - '!quoted'\n  - P12345\n"
    assert load_document(text) == {"items": ["!Introducció", "!This is a header", "!quoted", "P12345"]}
    with pytest.raises(InvalidInput, match="line 2"):  # a real error is reported as it was
        load_document("items:\n  - !Introducció\n  - [unclosed\n")


def test_json_is_accepted_including_tabs() -> None:
    assert load_document(b'{\n\t"name": "Demo",\n\t"public": 1\n}') == {"name": "Demo", "public": 1}
    assert load_document('{"items": ["!h", null]}') == {"items": ["!h", None]}


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"name: [unclosed", "not a valid YAML document"),
        (b"a: 1\n---\nb: 2\n", "another document"),
        (b"\xff\xfe bad", "not UTF-8"),
        (b"a: b\x00", "NUL"),
        # libyaml's composer recurses in C: this used to crash the whole process.
        (b"[" * 100_000 + b"]" * 100_000, "nested deeper than"),
        (b"a:\n" + b"".join(b" " * i + b"- \n" for i in range(1, 200)), "nested deeper than"),
    ],
)
def test_malformed_documents(data: bytes, message: str) -> None:
    with pytest.raises(InvalidInput, match=message):
        load_document(data)


def test_dump_is_block_style_unicode_in_order() -> None:
    data = {"name": "P1", "title": "Programació 1", "items": ["P12345", "!Header", None], "own": {}}
    text = dump_yaml(data)
    assert text == ("---\nname: P1\ntitle: Programació 1\nitems:\n- P12345\n- '!Header'\n- null\nown: {}\n")
    assert load_document(text) == data
    assert load_document(dump_json(data)) == data
    assert "Programació" in dump_json(data)
    long_title = "x " * 200
    assert len(dump_yaml({"title": long_title}).splitlines()) == 2  # never folded


def test_document_fields() -> None:
    document = Document(
        {
            "name": 2024,
            "title": "T",
            "when": datetime.date(2024, 1, 2),
            "annotation": None,
            "yes": True,
            "float": 1.5,
            "public": 1,
            "off": False,
            "two": 2,
            "text01": "1",
            "students": ["a@b.c", None, "d@e.f"],
            "scalar": "x",
            "nested": [["a"]],
        }
    )
    assert document.text("name") == "2024"
    assert document.text("when") == "2024-01-02"
    assert document.text("annotation") == ""
    assert document.text("missing", default="d") == "d"
    assert document.flag("public") is True
    assert document.flag("off") is False
    assert document.flag("missing") is False
    assert document.strings("students") == ["a@b.c", "d@e.f"]
    assert document.strings("missing") == []
    for call, field in [
        (lambda: document.text("missing", required=True), "missing"),
        (lambda: document.text("annotation", required=True), "annotation"),
        (lambda: document.text("yes"), "yes"),
        (lambda: document.text("float"), "float"),
        (lambda: document.text("students"), "students"),
        (lambda: document.flag("two"), "two"),
        (lambda: document.flag("text01"), "text01"),
        (lambda: document.strings("scalar"), "scalar"),
        (lambda: document.strings("nested"), "nested[0]"),
    ]:
        with pytest.raises(InvalidInput) as caught:
            call()
        assert caught.value.field == field
        assert field in caught.value.message
    with pytest.raises(InvalidInput, match="mapping"):
        Document(["not", "a", "mapping"])


def test_auth_errors_are_jutge_documents_only_under_services() -> None:
    from fastapi import FastAPI
    from fastapi.testclient import TestClient

    from verdict.accounts.errors import AuthError
    from verdict.faces.jutge.errors import PREFIX, render_error
    from verdict.web.errors import install_error_route

    app = FastAPI()
    install_error_route(app).render_under(PREFIX, render_error)

    @app.get("/services/plain")
    @app.get("/other")
    def refuse() -> None:
        raise AuthError("who are you?")

    client = TestClient(app)
    response = client.get("/services/plain?format=json")
    assert response.status_code == 401 and response.headers["www-authenticate"].startswith("Basic")
    assert response.json() == {"error": {"status": 401, "message": "who are you?"}}
    assert load_document(client.get("/services/plain").content) == {
        "error": {"status": 401, "message": "who are you?"}
    }
    response = client.get("/other")
    assert response.status_code == 401 and response.json() == {"error": "who are you?"}
    assert response.headers["www-authenticate"].startswith("Basic")


def test_the_services_are_in_the_openapi_document(tmp_path: object) -> None:
    from fastapi.testclient import TestClient

    from verdict.settings import Settings
    from verdict.web.app import create_app

    app = create_app(Settings(data_dir=f"{tmp_path}/var", database_url=f"sqlite:///{tmp_path}/x.sqlite3"))
    paths = TestClient(app).get("/openapi.json").json()["paths"]
    assert {"/services/courses", "/services/lists/{ident}", "/services/problems/add-upload"} <= set(paths)
    assert "application/yaml" in paths["/services/courses"]["put"]["requestBody"]["content"]
    assert not any(path.endswith("{rest}") for path in paths)
