"""/services/problems through HTTP on both backends: the reference's problem document, imports
from the user's directory, uploads, URLs (a real local HTTP server) and every error status."""

from __future__ import annotations

import shutil
import tarfile
import time
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.support.archive_bombs import (
    GIB,
    LAUGHS,
    tar_gz_with_extended_header_of_zeros,
    tar_of,
    zip_with_symlink_of_zeros,
)
from tests.support.jutge import (
    PE_IC,
    Routes,
    as_user,
    doc,
    error_of,
    fresh,
    make_tgz,
    put,
    reference,
    serve,
)
from tests.support.paths import good_package
from tests.support.slow_servers import hostile_server, trickle_headers
from tests.support.users import MakeUser
from verdict.faces.jutge.yaml_io import load_document
from verdict.models import Problem, Task, User
from verdict.platform import Platform
from verdict.settings import Settings

pytestmark = pytest.mark.e2e

FETCH_FAILED = "could not fetch a package from this URL"


@pytest.fixture
def settings(settings: Settings) -> Settings:
    # 127.0.0.2 is allowed but never reached: redirects there are still refused (another host).
    return settings.model_copy(update={"url_import_hosts": ["127.0.0.1", "127.0.0.2"]})


@pytest.fixture
def jutge(make_user: MakeUser) -> User:
    return make_user("Jutge", role="instructor", email="jutge@jutge.org")


def import_dir(platform: Platform, user: User) -> Path:
    return platform.settings.import_root / user.username


def place(platform: Platform, user: User, relative: str, source: str = "pe_ic.pbm") -> Path:
    """Copy a good package (pe_ic.pbm unless said) to ``relative`` in the user's import directory."""
    target = import_dir(platform, user) / relative
    shutil.copytree(good_package(source), target)
    return target


def retitle(package: Path, title: str) -> None:
    path = package / "problem.en.yml"
    path.write_text(path.read_text().replace("title: Hello world", f"title: {title}"))


@pytest.fixture
def tgz(tmp_path: Path) -> Path:
    """pe_ic.pbm as an archive named like the reference's problem.tgz."""
    return make_tgz(tmp_path / "problem.tgz", PE_IC)


def upload(client: TestClient, path: str, archive: Path, user: User | str, name: str | None = None):
    with open(archive, "rb") as data:
        files = {"file": (name or archive.name, data, "application/gzip")}
        return client.post(path, files=files, headers=as_user(user))


# --------------------------------------------------------------------------- the reference's documents


def test_reference_problem_document(
    client: TestClient, session: Session, platform: Platform, jutge: User
) -> None:
    place(platform, jutge, "problems/mydir/myproblem.pbm")
    response = put(client, "/services/problems", reference("problem.yml"), jutge)
    assert response.status_code == 201, response.text
    answer = doc(response)
    problem_id = answer["problem"]
    report = answer.pop("report")  # the import report: what the import found
    assert answer == {
        "problem": problem_id,
        "title": "Hola món",
        "languages": ["ca", "en"],
        "created": True,
        "changed": True,
    }
    assert report["golden"] == ["solution.cc"] and report["warnings"] == [] and report["tests"] > 0
    assert len(problem_id) == 6 and problem_id[0] == "P" and problem_id[1:].isdigit()
    problem = session.get(Problem, problem_id)
    assert problem is not None and problem.owner_id == jutge.id and problem.password_hash
    assert problem.source_path == str(
        (import_dir(platform, jutge) / "problems/mydir/myproblem.pbm").resolve()
    )
    for query in ("", "?format=json"):
        assert doc(client.get(f"/services/problems{query}", headers=as_user(jutge))) == {
            problem_id: ["ca", "en"]
        }
    # The same document again updates the same problem; nothing changed.
    again = put(client, "/services/problems", reference("problem.yml"), jutge, format="json")
    assert again.status_code == 200
    again_answer = doc(again)
    assert again_answer.pop("report")["golden"] == report["golden"]  # prepared again: times may differ
    assert again_answer | {"problem": problem_id} == {**answer, "created": False, "changed": False}


def test_reference_problems_answer_is_replayed(client: TestClient, platform: Platform, jutge: User) -> None:
    place(platform, jutge, "P12345.pbm")
    place(platform, jutge, "P54321.pbm")
    place(platform, jutge, "P34512.pbm", source="elastic.pbm")
    for path, languages in [("P12345.pbm", "[ca, en]"), ("P54321.pbm", "[ca]"), ("P34512.pbm", None)]:
        body = f"path: Jutge@jutge.org:{path}\n" + (f"languages: {languages}\n" if languages else "")
        assert put(client, "/services/problems", body, jutge).status_code == 201
    # The reference writes "-ca" and "-en" (no space, so YAML reads text): its intent is lists.
    example = load_document(reference("problems_get.yml"))
    assert example["P12345"] == ["ca", "en"]
    expected = {"P12345": ["ca", "en"], "P54321": ["ca"], "P34512": ["en"]}
    assert {
        key: [value.lstrip("-")] if isinstance(value, str) else value for key, value in example.items()
    } == expected
    for query in ("", "?format=json"):
        assert doc(client.get(f"/services/problems{query}", headers=as_user(jutge))) == expected
    text = client.get("/services/problems", headers=as_user(jutge)).text
    assert text == "---\nP12345:\n- ca\n- en\nP34512:\n- en\nP54321:\n- ca\n"


# --------------------------------------------------------------------------- import directory


@pytest.mark.parametrize(
    ("path", "status", "words"),
    [
        ("/etc/passwd", 400, "must be relative"),
        ("Jutge@jutge.org:/etc", 400, "must be relative"),
        ("Jutge@jutge.org:../Other/x.pbm", 400, "must not contain '..'"),
        ("problems/../../x", 400, "must not contain '..'"),
        ("~root/x", 400, "must be relative"),
        ("Jutge@jutge.org:problems/missing.pbm", 400, "does not exist"),
        ("Jutge@jutge.org:", 400, "empty path"),
        ("Other@jutge.org:problems/x.pbm", 403, "not your username"),
        ("escape", 400, "leads outside"),
    ],
)
def test_paths_stay_in_the_users_import_directory(
    client: TestClient, platform: Platform, jutge: User, tmp_path: Path, path: str, status: int, words: str
) -> None:
    outside = tmp_path / "outside.pbm"
    shutil.copytree(PE_IC, outside)
    home = import_dir(platform, jutge)
    home.mkdir(parents=True)
    (home / "escape").symlink_to(outside)
    error = error_of(put(client, "/services/problems", f"path: '{path}'\n", jutge), status)
    assert error["field"] == "path"
    assert words in error["message"]


@pytest.mark.parametrize(
    ("body", "field", "words"),
    [
        ("password: x\n", "path", "missing required field"),
        ("path: p.pbm\nlanguages: en\n", "languages", "must be a list"),
        ("path: p.pbm\nlanguages: [english]\n", "languages[0]", "not a language code"),
        ("path: p.pbm\nlanguages: [en, de]\n", "languages", "no statement in de"),
        ("path: p.pbm\npassword: [x]\n", "password", "must be text"),
        ("path: broken.pbm\n", None, "invalid package"),
    ],
)
def test_invalid_problem_documents(
    client: TestClient, platform: Platform, jutge: User, body: str, field: str | None, words: str
) -> None:
    place(platform, jutge, "p.pbm")
    (place(platform, jutge, "broken.pbm") / "handler.yml").unlink()
    error = error_of(put(client, "/services/problems", body, jutge), 400)
    assert error.get("field") == field
    assert words in error["message"], error
    assert str(platform.settings.import_root) not in error["message"]  # no server paths


def test_update_reimports_and_renames_tasks(
    client: TestClient, session: Session, platform: Platform, jutge: User, make_user: MakeUser
) -> None:
    package = place(platform, jutge, "problems/p.pbm")
    problem_id = doc(put(client, "/services/problems", "path: problems/p.pbm\n", jutge))["problem"]
    put(client, "/services/lists", f"name: l\ntitle: t\nitems: [{problem_id}_en]\n", jutge)
    put(client, "/services/courses", "name: c\ntitle: t\nlists: [l]\n", jutge)
    unchanged = client.get(f"/services/problems/{problem_id}/update", headers=as_user(jutge))
    assert doc(unchanged)["changed"] is False and unchanged.status_code == 200
    retitle(package, "Hello again")
    response = client.get(f"/services/problems/{problem_id}_en/update?format=json", headers=as_user(jutge))
    assert response.status_code == 200
    assert doc(response) | {"report": None} == {
        "report": None,
        "problem": problem_id,
        "title": "Hola món",
        "languages": ["ca", "en"],
        "created": False,
        "changed": True,
    }
    fresh(session)
    task = session.scalar(sa.select(Task).where(Task.slug == f"{problem_id}_en"))
    assert task is not None and task.name == "Hello again"
    assert task.problems["code"]["name"] == "Hello again"
    other = make_user("other", role="instructor")
    error_of(client.get(f"/services/problems/{problem_id}/update", headers=as_user(other)), 403)
    error_of(client.get("/services/problems/P99999/update", headers=as_user(jutge)), 404)
    shutil.rmtree(package)
    assert (
        "is gone"
        in error_of(client.get(f"/services/problems/{problem_id}/update", headers=as_user(jutge)), 400)[
            "message"
        ]
    )


# --------------------------------------------------------------------------- uploads


def test_add_and_update_uploads(
    client: TestClient, session: Session, jutge: User, tgz: Path, tmp_path: Path
) -> None:
    response = upload(client, "/services/problems/add-upload", tgz, jutge)
    assert response.status_code == 201, response.text
    answer = doc(response)
    problem_id = answer["problem"]
    assert answer["languages"] == ["ca", "en"] and answer["created"] is True
    problem = session.get(Problem, problem_id)
    assert problem is not None and problem.package_id == "pe_ic" and problem.source_path is None
    # add-upload always adds; update-upload makes a new version of the named problem.
    assert doc(upload(client, "/services/problems/add-upload", tgz, jutge))["problem"] != problem_id
    changed_dir = tmp_path / "changed" / "pe_ic.pbm"
    shutil.copytree(PE_IC, changed_dir)
    retitle(changed_dir, "Changed")
    archive = tmp_path / "changed.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for file in sorted(changed_dir.iterdir()):
            zf.write(file, f"pe_ic.pbm/{file.name}")
    response = upload(client, f"/services/problems/{problem_id}/update-upload", archive, jutge)
    assert response.status_code == 200
    assert doc(response) | {"title": "?", "report": None} == {
        "report": None,
        "problem": problem_id,
        "title": "?",
        "languages": ["ca", "en"],
        "created": False,
        "changed": True,
    }
    # The uploaded problem has no recorded path to update from.
    error = error_of(client.get(f"/services/problems/{problem_id}/update", headers=as_user(jutge)), 400)
    assert "update-upload" in error["message"]


def test_upload_errors(
    client: TestClient, platform: Platform, jutge: User, tgz: Path, tmp_path: Path, make_user: MakeUser
) -> None:
    headers = as_user(jutge)
    error_of(client.post("/services/problems/add-upload", headers=headers), 400)
    missing = client.post("/services/problems/add-upload", data={"other": "x"}, headers=headers)
    assert error_of(missing, 400)["field"] == "file"
    junk = tmp_path / "junk.tgz"
    junk.write_bytes(b"not an archive at all")
    assert (
        "invalid package"
        in error_of(upload(client, "/services/problems/add-upload", junk, jutge), 400)["message"]
    )
    hostile = tmp_path / "hostile.tgz"

    with tarfile.open(hostile, "w:gz") as tf:
        tf.add(PE_IC / "handler.yml", arcname="../../escape.yml")
    assert (
        "escapes" in error_of(upload(client, "/services/problems/add-upload", hostile, jutge), 400)["message"]
    )
    student = make_user("student")
    error_of(upload(client, "/services/problems/add-upload", tgz, student), 403)
    problem_id = doc(upload(client, "/services/problems/add-upload", tgz, jutge))["problem"]
    other = make_user("other", role="instructor")
    error_of(upload(client, f"/services/problems/{problem_id}/update-upload", tgz, other), 403)
    error_of(upload(client, "/services/problems/P99999/update-upload", tgz, jutge), 404)
    error_of(upload(client, "/services/problems/add-upload", tgz, "nobody"), 401)
    platform.settings.max_package_bytes = 1000
    big = tmp_path / "big.tgz"
    big.write_bytes(b"x" * 100_000)
    assert (
        "1000 bytes" in error_of(upload(client, "/services/problems/add-upload", big, jutge), 413)["message"]
    )


# --------------------------------------------------------------------------- bombs (issue 10, H5, L1)


def _laughs_package(tmp_path: Path) -> Path:
    package = tmp_path / "laughs.pbm"
    shutil.copytree(PE_IC, package)
    (package / "handler.yml").write_text(LAUGHS + "\nhandler: *i\n")
    return make_tgz(tmp_path / "laughs.tgz", package)


BOMBS: dict[str, tuple[Callable[[Path], Path], str]] = {
    "zip-symlink-2GiB": (
        lambda tmp: _built(tmp / "b.zip", lambda p: zip_with_symlink_of_zeros(p, 2 * GIB)),
        "its target is longer than 4096 bytes",
    ),
    "pax-2GiB": (
        lambda tmp: _built(tmp / "b.tgz", lambda p: tar_gz_with_extended_header_of_zeros(p, b"x", 2 * GIB)),
        "an extended header of 2147483648 bytes",
    ),
    "longname-2GiB": (
        lambda tmp: _built(tmp / "b.tgz", lambda p: tar_gz_with_extended_header_of_zeros(p, b"L", 2 * GIB)),
        "an extended header of 2147483648 bytes",
    ),
    "name-300": (
        lambda tmp: _built(tmp / "b.tar", lambda p: tar_of(p, ["x/" + "n" * 300])),
        "longer than 255",
    ),
    "1900-deep": (
        lambda tmp: _built(tmp / "b.tar", lambda p: tar_of(p, ["x/" + "d/" * 1900 + "f"])),
        "levels deep",
    ),
    "billion-laughs": (_laughs_package, "the YAML expands to more than"),
}


def _built(path: Path, build: Callable[[Path], None]) -> Path:
    build(path)
    return path


@pytest.mark.parametrize("bomb", list(BOMBS))
def test_upload_bombs_get_a_clear_400(client: TestClient, jutge: User, tmp_path: Path, bomb: str) -> None:
    make, words = BOMBS[bomb]
    archive = make(tmp_path)
    error = error_of(upload(client, "/services/problems/add-upload", archive, jutge), 400)
    assert words in error["message"] and len(error["message"]) < 1000, error


# --------------------------------------------------------------------------- URLs


@pytest.fixture
def web(tgz: Path, platform: Platform) -> Iterator[tuple[str, Routes]]:
    routes: Routes = {"/problem.tgz": (200, {}, tgz.read_bytes())}
    with serve(routes) as base:
        # Only 80 and 443 by default: the administrator allows the test server's port.
        platform.settings.url_import_ports = [int(base.rsplit(":", 1)[1])]
        yield base, routes


def test_add_and_update_from_urls(
    client: TestClient, jutge: User, web: tuple[str, Routes], tgz: Path
) -> None:
    base, routes = web
    headers = as_user(jutge)
    response = client.post("/services/problems/add-url", data={"url": f"{base}/problem.tgz"}, headers=headers)
    assert response.status_code == 201, response.text
    problem_id = doc(response)["problem"]
    # Multipart (curl -F) works as well as urlencoded; a redirect within the host is followed.
    routes["/moved"] = (302, {"Location": "/problem.tgz"}, b"")
    response = client.post(
        f"/services/problems/{problem_id}/update-url", files={"url": (None, f"{base}/moved")}, headers=headers
    )
    assert response.status_code == 200, response.text
    assert doc(response)["problem"] == problem_id and doc(response)["changed"] is False


@pytest.mark.parametrize(
    ("url", "status", "words"),
    [
        ("http://localhost:{port}/problem.tgz", 403, "not allowed"),  # same machine, other name
        ("http://10.0.0.1/problem.tgz", 403, "not allowed"),
        ("http://169.254.169.254/latest/meta-data/", 403, "not allowed"),
        ("file:///etc/passwd", 400, "http or https"),
        ("ftp://127.0.0.1/x", 400, "http or https"),
        ("http://user:pw@127.0.0.1:{port}/problem.tgz", 400, "credentials"),
        ("http://127.0.0.1:22/problem.tgz", 403, "port 22 is not allowed"),
        # Once the server is contacted, every failure reads the same (issue 10, M6).
        ("{base}/nothing.tgz", 400, FETCH_FAILED),
        ("{base}/elsewhere", 400, FETCH_FAILED),
        ("{base}/disallowed", 400, FETCH_FAILED),
        ("{base}/loop", 400, FETCH_FAILED),
        ("{base}/huge", 400, FETCH_FAILED),
        ("{base}/junk.tgz", 400, "invalid package"),
        ("", 400, "missing"),
    ],
)
def test_url_errors(
    client: TestClient,
    platform: Platform,
    jutge: User,
    web: tuple[str, Routes],
    url: str,
    status: int,
    words: str,
) -> None:
    base, routes = web
    port = base.rsplit(":", 1)[1]
    routes["/elsewhere"] = (302, {"Location": f"http://127.0.0.2:{port}/problem.tgz"}, b"")
    routes["/disallowed"] = (302, {"Location": f"http://localhost:{port}/problem.tgz"}, b"")
    routes["/loop"] = (302, {"Location": "/loop"}, b"")
    routes["/huge"] = (200, {}, b"x" * 5000)
    routes["/junk.tgz"] = (200, {}, b"junk")
    platform.settings.max_package_bytes = 4000
    response = client.post(
        "/services/problems/add-url", data={"url": url.format(base=base, port=port)}, headers=as_user(jutge)
    )
    error = error_of(response, status)
    assert words in error["message"], error


def test_a_url_trickling_headers_is_cut_at_the_deadline(
    client: TestClient, platform: Platform, jutge: User
) -> None:
    # The audit's server kept an import for 320 s against a 30 s limit.
    with hostile_server(trickle_headers()) as port:
        platform.settings.url_import_ports = [port]
        platform.settings.url_import_seconds = 1.0
        started = time.monotonic()
        response = client.post(
            "/services/problems/add-url",
            data={"url": f"http://127.0.0.1:{port}/p.tgz"},
            headers=as_user(jutge),
        )
        elapsed = time.monotonic() - started
    assert FETCH_FAILED in error_of(response, 400)["message"]
    assert elapsed < 3.0, f"{elapsed:.1f} s"


def test_url_permissions(
    client: TestClient, jutge: User, web: tuple[str, Routes], make_user: MakeUser
) -> None:
    base, _routes = web
    url = {"url": f"{base}/problem.tgz"}
    problem_id = doc(client.post("/services/problems/add-url", data=url, headers=as_user(jutge)))["problem"]
    error_of(client.post("/services/problems/add-url", data=url, headers=as_user(make_user("student"))), 403)
    other = as_user(make_user("other", role="instructor"))
    error_of(client.post(f"/services/problems/{problem_id}/update-url", data=url, headers=other), 403)
    error_of(client.post("/services/problems/P99999/update-url", data=url, headers=as_user(jutge)), 404)


def test_no_host_allowed_by_default(
    client: TestClient, platform: Platform, jutge: User, web: tuple[str, Routes]
) -> None:
    platform.settings.url_import_hosts = []
    response = client.post(
        "/services/problems/add-url", data={"url": f"{web[0]}/problem.tgz"}, headers=as_user(jutge)
    )
    assert "no host is allowed" in error_of(response, 403)["message"]
