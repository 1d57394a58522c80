"""Issue 10, L1: the crafted inputs that made HTTP 500s, each now a 4xx in the face's own format
(INGInious: ``{"error": ...}`` JSON; Jutge: a YAML error document). Both database backends."""

from __future__ import annotations

import json
from typing import Any

import pytest
import yaml
from fastapi.testclient import TestClient
from httpx import Response

from tests.support.inginious import Demo
from tests.support.users import basic
from verdict.accounts.models import User

pytestmark = pytest.mark.e2e

API = "/api/v0"
SUBMISSIONS = f"{API}/courses/demo/tasks/sum/submissions"
HUGE_INT = "9" * 5000  # over Python's 4,300-digit int-string limit


def inginious_error(response: Response, status: int) -> str:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    assert list(body) == ["error"] and body["error"]
    return str(body["error"])


def jutge_error(response: Response, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/yaml")
    error = yaml.safe_load(response.text)["error"]
    assert error["status"] == status and error["message"]
    return dict(error)


def put_list(client: TestClient, user: User, body: str | bytes) -> Response:
    return client.put("/services/lists", content=body, headers=basic(user))


# --------------------------------------------------------------------------- Jutge documents


@pytest.mark.parametrize(
    "document",
    [
        f"name: l\ntitle: t\ndescription: {HUGE_INT}\n",
        f"name: l\ntitle: t\nitems:\n  - {HUGE_INT}\n",
        f'{{"name": "l", "title": "t", "public": {HUGE_INT}}}',  # JSON, then its YAML reading
    ],
    ids=["yaml-field", "yaml-item", "json"],
)
def test_an_integer_over_4300_digits_in_a_jutge_document_is_400(
    client: TestClient, instructor: User, document: str
) -> None:
    assert "cannot be read" in jutge_error(put_list(client, instructor, document), 400)["message"]


@pytest.mark.parametrize("date", ["2024-99-99", "2024-02-30 10:00:00"])
def test_an_impossible_yaml_date_is_400(client: TestClient, instructor: User, date: str) -> None:
    assert (
        "cannot be read"
        in jutge_error(put_list(client, instructor, f"name: l\ntitle: {date}\n"), 400)["message"]
    )


def test_a_lone_surrogate_in_a_jutge_json_document_is_400(client: TestClient, instructor: User) -> None:
    body = b'{"name": "l", "title": "\\ud800"}'
    assert jutge_error(put_list(client, instructor, body), 400)["field"] == "title"


# --------------------------------------------------------------------------- cookies and credentials


@pytest.mark.parametrize(
    "cookie",
    [
        b"verdict_session=\xb2.\xb2.x",  # '\xb2' is '²': str.isdigit() says yes, int() says no
        f"verdict_session={2**70}.9999999999.x".encode(),  # a user id no column holds
        f"verdict_session=1.{HUGE_INT}.x".encode(),  # an expiry over the int-string limit
        b"verdict_session=1.9999999999.\xb2\xb2",  # a non-ASCII signature (compare_digest refuses it)
    ],
    ids=["superscript", "user-id-2^70", "expiry-5000-digits", "non-ascii-signature"],
)
def test_a_crafted_session_cookie_is_no_session(client: TestClient, demo: Demo, cookie: bytes) -> None:
    headers = [(b"cookie", cookie)]
    assert client.get(f"{API}/authentication", headers=headers).json() == {"authenticated": False}
    inginious_error(client.get(f"{API}/courses", headers=headers), 401)
    jutge_error(client.get("/services/lists", headers=headers), 401)


def test_non_ascii_basic_credentials_are_401(client: TestClient, demo: Demo) -> None:
    headers = [(b"authorization", b"Basic \xb2\xb2\xb2\xb2")]
    inginious_error(client.get(f"{API}/courses", headers=headers), 401)
    jutge_error(client.get("/services/lists", headers=headers), 401)


# --------------------------------------------------------------------------- submission ids and JSON text


@pytest.mark.parametrize("submission_id", ["%C2%B2", str(2**63), str(2**70), HUGE_INT[:4400]])
def test_a_crafted_submission_id_is_404(client: TestClient, demo: Demo, submission_id: str) -> None:
    response = client.get(f"{SUBMISSIONS}/{submission_id}", headers=basic(demo.alice))
    assert inginious_error(response, 404) == "Submission not found"


def test_a_lone_surrogate_in_a_json_login_is_a_failed_login(client: TestClient, demo: Demo) -> None:
    for body in (b'{"login": "\\ud800", "password": "x"}', b'{"login": "alice", "password": "\\udfff"}'):
        response = client.post(
            f"{API}/authentication", content=body, headers={"content-type": "application/json"}
        )
        assert response.status_code == 403 and response.json() == {"status": "error"}


@pytest.mark.parametrize(
    "body",
    [
        b'{"code": "\\ud800"}',
        b'{"\\ud800": "x"}',
        b'{"code": {"filename": "\\ud800.c", "value": "eA=="}}',
        b'{"code": {"filename": "a.c", "value": "\\u00e9\\u00e9"}}',  # non-ASCII "base64"
        ('{"code": ' + HUGE_INT + "}").encode(),
    ],
    ids=["value", "key", "filename", "non-ascii-base64", "huge-int"],
)
def test_crafted_json_in_a_submission_is_400(client: TestClient, demo: Demo, body: bytes) -> None:
    headers = basic(demo.alice) | {"content-type": "application/json"}
    inginious_error(client.post(SUBMISSIONS, content=body, headers=headers), 400)


# --------------------------------------------------------------------------- HEAD and OPTIONS


def test_head_is_get_without_the_body(client: TestClient, demo: Demo) -> None:
    got = client.get(f"{API}/auth_methods")
    head = client.head(f"{API}/auth_methods")
    assert head.status_code == 200 and head.content == b""
    assert head.headers["content-length"] == got.headers["content-length"]
    assert client.head("/services/lists", headers=basic(demo.teacher)).status_code == 200
    assert client.head(f"{API}/courses").status_code == 401  # as GET: authentication first


@pytest.mark.parametrize(
    ("path", "allow"),
    [
        (f"{API}/auth_methods", "GET, HEAD, OPTIONS"),
        (f"{API}/authentication", "GET, HEAD, OPTIONS, POST"),
        (SUBMISSIONS, "GET, HEAD, OPTIONS, POST"),
        ("/services/lists", "GET, HEAD, OPTIONS, PUT"),
    ],
)
def test_options_answers_204_with_allow(client: TestClient, path: str, allow: str) -> None:
    response = client.options(path)
    assert response.status_code == 204 and response.headers["allow"] == allow and response.content == b""


def test_head_and_options_on_the_api_root_are_404_in_the_faces_format(client: TestClient) -> None:
    # Nothing lives at /api/v0 itself (the audit saw 405 there, in FastAPI's own format).
    for method in ("HEAD", "OPTIONS", "GET"):
        response = client.request(method, API)
        assert response.status_code == 404
        if method != "HEAD":
            assert json.loads(response.content) == {"error": "Not Found"}
    inginious_error(client.delete(f"{API}/auth_methods"), 405)
