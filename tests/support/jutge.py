"""Helpers for the Jutge face tests (tests/faces/test_jutge_*.py): problems made from the
fixture packages under chosen ids, accepted submissions, request helpers, a static web server."""

from __future__ import annotations

import shutil
import tarfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy.orm import Session

from tests.support.paths import DEMO_PACKAGES, JUTGE_REFERENCE, good_package
from tests.support.users import basic
from verdict.accounts.models import User
from verdict.faces.jutge.yaml_io import load_document
from verdict.problems.models import Problem
from verdict.problems.store import import_package
from verdict.settings import Settings
from verdict.submissions.models import Submission, SubmissionStatus

REFERENCE = JUTGE_REFERENCE
PE_IC = DEMO_PACKAGES / "pe_ic.pbm"  # statements in ca and en


def reference(name: str) -> bytes:
    return (REFERENCE / name).read_bytes()


def as_user(user: User | str) -> dict[str, str]:
    """HTTP Basic credentials of ``user`` with the test password."""
    return basic(user)


def package_copy(tmp: Path, problem_id: str, source: str = "pe_ic.pbm") -> Path:
    """A copy of a Jutge package (tests.support.paths.good_package) named ``<problem_id>.pbm``
    (whose package id is then the problem id). pe_ic.pbm has statements in ca and en; elastic.pbm
    only in en."""
    target = tmp / "packages" / f"{problem_id}.pbm"
    if not target.exists():
        shutil.copytree(good_package(source), target)
    return target


def make_problem(
    session: Session,
    settings: Settings,
    tmp: Path,
    problem_id: str,
    *,
    owner: User | None = None,
    languages: list[str] | None = None,
    source: str = "pe_ic.pbm",
) -> Problem:
    result = import_package(
        session, package_copy(tmp, problem_id, source), settings=settings, owner=owner, languages=languages
    )
    assert result.problem.id == problem_id
    session.commit()
    return result.problem


def accept(session: Session, user: User, problem_id: str, verdict: str = "AC") -> None:
    session.add(
        Submission(
            user_id=user.id,
            problem_id=problem_id,
            status=SubmissionStatus.DONE,
            verdict=verdict,
            language="G++17",
        )
    )
    session.commit()


def make_tgz(path: Path, root: Path) -> Path:
    with tarfile.open(path, "w:gz") as tf:
        tf.add(root, arcname=root.name)
    return path


def doc(response: Response) -> Any:
    """The answer's document, checking its format: YAML unless the request asked for JSON."""
    if "format=json" in str(response.request.url):
        assert response.headers["content-type"].startswith("application/json"), response.headers
        return response.json()
    assert response.headers["content-type"].startswith("application/yaml"), response.headers
    assert response.text.startswith("---\n")
    return load_document(response.content)


def error_of(response: Response, status: int) -> dict[str, Any]:
    """The error document of ``response``, which must have ``status``."""
    assert response.status_code == status, (response.status_code, response.text)
    body = doc(response)
    assert set(body) == {"error"}
    assert body["error"]["status"] == status
    assert isinstance(body["error"]["message"], str) and body["error"]["message"]
    return dict(body["error"])


def put(client: TestClient, path: str, body: bytes | str, user: User | str, **params: str) -> Response:
    content = body.encode() if isinstance(body, str) else body
    return client.put(path, content=content, headers=as_user(user), params=params or None)


def fresh(session: Session) -> None:
    """See what the application committed: end the test session's transaction (a read snapshot
    on SQLite) and forget loaded objects."""
    session.commit()
    session.expire_all()


Routes = dict[str, tuple[int, dict[str, str], bytes]]  # path -> (status, headers, body)


@contextmanager
def serve(routes: Routes) -> Iterator[str]:
    """A real HTTP server on 127.0.0.1 answering GETs from ``routes`` (changeable while it
    runs); yields its base URL."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            status, headers, body = routes.get(self.path, (404, {}, b"not found"))
            self.send_response(status)
            for key, value in headers.items():
                self.send_header(key, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *_args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)
