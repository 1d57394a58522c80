"""Property: a valid course or list document PUT (as YAML or JSON) comes back identical from GET
(as YAML or JSON), on both backends."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.orm import Session

from tests.support.jutge import as_user, doc, make_problem, put
from tests.support.users import MakeUser
from verdict.faces.jutge.yaml_io import dump_json, dump_yaml
from verdict.models import User
from verdict.platform import Platform

pytestmark = pytest.mark.e2e

PROBLEMS = ["P10001", "P10002"]  # statements in ca and en
LISTS = ["l1", "l2", "l3"]

examples = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

# Any Unicode text PostgreSQL and YAML can hold: no NUL, no lone surrogates.
text = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=40)
title = text.filter(lambda value: value.strip())
names = st.from_regex(r"[A-Za-z0-9_][A-Za-z0-9_.\-]{0,15}", fullmatch=True)
flag = st.sampled_from([0, 1])
emails = st.from_regex(r"[a-z0-9._+\-]{1,10}@[a-z0-9\-]{1,8}\.[a-z]{2,4}", fullmatch=True)
problem_refs = st.sampled_from([*PROBLEMS, *(f"{p}_{lang}" for p in PROBLEMS for lang in ("ca", "en"))])
items = st.lists(st.one_of(problem_refs, st.builds(lambda t: "!" + t, text), st.none()), max_size=12)


@st.composite
def list_documents(draw: st.DrawFn) -> dict[str, Any]:
    return {
        "name": draw(st.sampled_from(["a", "b", "Demo"]) | names),
        "title": draw(title),
        "description": draw(text),
        "annotation": draw(text),
        "public": draw(flag),
        "official": draw(flag),
        "items": draw(items),
    }


@st.composite
def course_documents(draw: st.DrawFn) -> dict[str, Any]:
    people = draw(st.lists(emails, unique=True, max_size=10))
    split = draw(st.integers(0, len(people)))
    return {
        "name": draw(st.sampled_from(["a", "b", "Demo"]) | names),
        "title": draw(title),
        "description": draw(text),
        "annotation": draw(text),
        "public": draw(flag),
        "official": draw(flag),
        "lists": draw(
            st.permutations(LISTS).flatmap(lambda order: st.integers(0, 3).map(lambda n: order[:n]))
        ),
        "documents": draw(st.lists(text, max_size=4)),
        "students": people[:split],
        "tutors": people[split:],
    }


@pytest.fixture
def admin(
    session: Session, platform: Platform, tmp_path: Path, make_user: MakeUser, client: TestClient
) -> User:
    user = make_user("admin", role="admin")
    for problem_id in PROBLEMS:
        make_problem(session, platform.settings, tmp_path, problem_id)
    for name in LISTS:
        assert put(client, "/services/lists", f"name: {name}\ntitle: {name}\n", user).status_code == 201
    return user


def _round_trip(
    client: TestClient, user: User, kind: str, document: dict[str, Any], formats: tuple[str, str]
) -> None:
    body = dump_json(document) if formats[0] == "json" else dump_yaml(document)
    response = put(client, f"/services/{kind}", body, user)
    assert response.status_code in (200, 201), response.text
    assert doc(response) == document
    query = "?format=json" if formats[1] == "json" else ""
    got = client.get(f"/services/{kind}/admin:{document['name']}{query}", headers=as_user(user))
    assert got.status_code == 200, got.text
    assert doc(got) == document


formats = st.tuples(st.sampled_from(["yaml", "json"]), st.sampled_from(["yaml", "json"]))


def test_list_documents_round_trip(client: TestClient, admin: User) -> None:
    @examples
    @given(document=list_documents(), formats=formats)
    def check(document: dict[str, Any], formats: tuple[str, str]) -> None:
        _round_trip(client, admin, "lists", document, formats)

    check()


def test_course_documents_round_trip(client: TestClient, admin: User) -> None:
    @examples
    @given(document=course_documents(), formats=formats)
    def check(document: dict[str, Any], formats: tuple[str, str]) -> None:
        _round_trip(client, admin, "courses", document, formats)

    check()
