"""Issue 10, H2: request bodies have a bound, counted as they arrive.

The audit's payloads, sent to a real ``verdict serve`` process over loopback, streamed (the client
holds one MiB at a time and stops as soon as the server answers): each gets a 413 in the face's
own format, and the server's peak memory (VmHWM) stays under 300 MB for all of them together. The
audit measured 4.26 GB for the login and 2.1 GB for the submission.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from tests.support.live_server import (
    Answer,
    GiB,
    LiveServer,
    MiB,
    live_server,
    repeated,
    stream_request,
)
from tests.support.users import basic as basic_header
from verdict.demo import PASSWORD as DEMO_PASSWORD

pytestmark = pytest.mark.e2e

MEMORY_CEILING = 300 * 1000 * 1000
SUBMISSIONS = "/api/v0/courses/teacher-demo/tasks/P55817/submissions"  # a demo task alice may submit to
BOUNDARY = "verdictboundary"


def basic(username: str) -> str:
    return basic_header(username, DEMO_PASSWORD)["Authorization"]


def inginious_error(answer: Answer) -> str:
    assert answer.status == 413, (answer.status, answer.body[:300])
    message = json.loads(answer.body)["error"]
    assert "larger than" in message
    return str(message)


def jutge_error(answer: Answer) -> dict[str, object]:
    assert answer.status == 413, (answer.status, answer.body[:300])
    assert answer.headers["content-type"].startswith("application/yaml")
    error = yaml.safe_load(answer.body)["error"]
    assert error["status"] == 413 and "larger than" in error["message"]
    return dict(error)


def multipart_file(field: str, filename: str, size: int) -> Iterator[bytes]:
    head = (
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{field}"; filename="{filename}"\r\n'
        "Content-Type: application/octet-stream\r\n\r\n"
    ).encode()
    yield from repeated(head, size)
    yield f"\r\n--{BOUNDARY}--\r\n".encode()


MULTIPART = {"Content-Type": f"multipart/form-data; boundary={BOUNDARY}"}
JSON = {"Content-Type": "application/json"}


def login_payloads(server: LiveServer) -> None:
    login = b'{"login": "alice", "password": "'
    declared = stream_request(
        server, "POST", "/api/v0/authentication", repeated(login, GiB), headers=JSON, length=GiB
    )
    assert "4096 bytes" in inginious_error(declared)
    assert declared.sent < 64 * MiB  # answered on the Content-Length, before the body came
    chunked = stream_request(server, "POST", "/api/v0/authentication", repeated(login, GiB), headers=JSON)
    inginious_error(chunked)
    form = {"Content-Type": "application/x-www-form-urlencoded"}
    urlencoded = repeated(b"login=alice&password=", GiB)
    inginious_error(stream_request(server, "POST", "/api/v0/authentication", urlencoded, headers=form))


def submission_payloads(server: LiveServer) -> None:
    headers = JSON | {"Authorization": basic("alice")}
    body = b'{"code": "'
    inginious_error(stream_request(server, "POST", SUBMISSIONS, repeated(body, GiB), headers=headers))
    declared = stream_request(server, "POST", SUBMISSIONS, repeated(body, GiB), headers=headers, length=GiB)
    inginious_error(declared)


def multipart_payload(server: LiveServer) -> None:
    headers = MULTIPART | {"Authorization": basic("alice")}
    written = server.written_bytes()
    answer = stream_request(
        server, "POST", SUBMISSIONS, multipart_file("code", "a.c", 2 * GiB), headers=headers
    )
    inginious_error(answer)
    # Whatever the server wrote meanwhile (files, sockets, logs) is far below even the 8 MiB cap:
    # the part was refused before it was spooled anywhere.
    assert server.written_bytes() - written < MiB
    assert answer.sent < 64 * MiB


def jutge_payloads(server: LiveServer) -> None:
    teacher = {"Authorization": basic("teacher")}
    document = b"name: big\ntitle: big\ndescription: "
    chunked = stream_request(server, "PUT", "/services/lists", repeated(document, GiB), headers=teacher)
    assert "1048576 bytes" in str(jutge_error(chunked)["message"])
    declared = stream_request(
        server, "PUT", "/services/courses", repeated(document, GiB), headers=teacher, length=GiB
    )
    jutge_error(declared)
    upload = multipart_file("file", "p.tgz", 2 * GiB)
    answer = stream_request(
        server, "POST", "/services/problems/add-upload", upload, headers=teacher | MULTIPART
    )
    assert "268435456 bytes" in str(jutge_error(answer)["message"])


def default_cap_payloads(server: LiveServer) -> None:
    declared = stream_request(server, "POST", "/api/v0/courses", repeated(b"", GiB), headers=JSON, length=GiB)
    assert "65536 bytes" in inginious_error(declared)
    jutge_error(stream_request(server, "GET", "/services/lists", repeated(b"", GiB), headers={}, length=GiB))
    # Chunked to an endpoint that never reads a body: its own answer, and the body is dropped.
    chunked = stream_request(server, "POST", "/api/v0/courses", repeated(b"", GiB), headers=JSON)
    assert chunked.status == 405 and chunked.sent < 64 * MiB


def test_anonymous_1gib_login_is_refused_as_it_arrives(server: LiveServer) -> None:
    login_payloads(server)
    ok = stream_request(
        server,
        "POST",
        "/api/v0/authentication",
        [json.dumps({"login": "alice", "password": DEMO_PASSWORD}).encode()],
        headers=JSON,
    )
    assert ok.status == 200 and json.loads(ok.body) == {"status": "success"}  # a login under the cap


def test_a_students_1gib_json_submission_is_refused_as_it_arrives(server: LiveServer) -> None:
    submission_payloads(server)


def test_a_2gib_multipart_part_never_reaches_the_disk(server: LiveServer) -> None:
    multipart_payload(server)


def test_jutge_documents_and_uploads_are_capped(server: LiveServer) -> None:
    jutge_payloads(server)


def test_an_endpoint_without_a_body_gets_the_default_cap(server: LiveServer) -> None:
    default_cap_payloads(server)


def test_every_h2_payload_leaves_the_server_under_300_mb(tmp_path: Path) -> None:
    """A fresh server fed every payload above: its peak memory (VmHWM) is what it cost."""
    with live_server(tmp_path) as fresh:
        before = fresh.status("VmHWM")
        for payloads in (login_payloads, submission_payloads, multipart_payload, jutge_payloads):
            payloads(fresh)
        default_cap_payloads(fresh)
        peak = fresh.status("VmHWM")
    print(f"server VmHWM: {before / 1e6:.1f} MB at start, {peak / 1e6:.1f} MB after the H2 payloads")
    assert peak < MEMORY_CEILING, f"the server peaked at {peak / 1e6:.0f} MB"
