"""The reference's curl command lines, run by the real curl against a real uvicorn server on
127.0.0.1 (both database backends)."""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI

from tests.support.jutge import PE_IC, REFERENCE, make_tgz, serve
from tests.support.paths import good_package
from tests.support.servers import uvicorn_thread
from tests.support.users import MakeUser
from verdict.faces.jutge.yaml_io import load_document
from verdict.platform import Platform
from verdict.settings import Settings

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(shutil.which("curl") is None, reason="curl is not installed (apt-get install curl)"),
]


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"url_import_hosts": ["127.0.0.1"]})


@pytest.fixture
def server(app: FastAPI) -> Iterator[str]:
    """``host:port`` of a uvicorn server running ``app`` in a thread."""
    with uvicorn_thread(app, lifespan="off") as port:
        yield f"127.0.0.1:{port}"


class Curl:
    """Runs ``curl <the reference's options> http://user:password@host/services/<address>``."""

    def __init__(self, host: str, cwd: Path, credentials: str = "Jutge:password") -> None:
        self.host, self.cwd, self.credentials = host, cwd, credentials

    def __call__(self, *options: str, address: str, expect: int = 200, credentials: str | None = None) -> str:
        who = self.credentials if credentials is None else credentials
        url = f"http://{who + '@' if who else ''}{self.host}/services/{address}"
        command = ["curl", "--silent", "--show-error", *options, url, "--write-out", "\n%{http_code}"]
        done = subprocess.run(command, cwd=self.cwd, capture_output=True, text=True, timeout=120, check=False)
        assert done.returncode == 0, (command, done.stderr)
        body, _, status = done.stdout.rpartition("\n")
        assert int(status) == expect, (command, status, body)
        return body


def test_the_reference_curl_commands(
    server: str, platform: Platform, make_user: MakeUser, tmp_path: Path
) -> None:
    make_user("Jutge", role="admin", password="password", email="jutge@jutge.org")
    curl = Curl(server, tmp_path)
    for name in ("list.yml", "course.yml", "problem.yml"):
        shutil.copy(REFERENCE / name, tmp_path / name)

    # Problems: PUT from the import directory (the reference's own document first).
    home = platform.settings.import_root / "Jutge"
    shutil.copytree(PE_IC, home / "problems" / "mydir" / "myproblem.pbm")
    answer = load_document(curl("-T", "problem.yml", address="problems", expect=201))
    mine = answer["problem"]
    assert answer["languages"] == ["ca", "en"]
    for problem_id in ("P68688", "P57548", "P56118"):  # the problems of the reference's list
        shutil.copytree(PE_IC, home / f"{problem_id}.pbm")
        (tmp_path / f"{problem_id}.yml").write_text(f"path: Jutge@jutge.org:{problem_id}.pbm\n")
        assert (
            load_document(curl("-T", f"{problem_id}.yml", address="problems", expect=201))["problem"]
            == problem_id
        )
    listed = load_document(curl(address="problems"))
    assert set(listed) == {mine, "P68688", "P57548", "P56118"}
    assert json.loads(curl(address="problems?format=json")) == listed

    # Lists and courses: curl -T file.yml, GET, ?format=json.
    curl("-T", "list.yml", address="lists", expect=201)
    curl("-T", "list.yml", address="lists", expect=200)  # create or replace
    the_list = load_document(curl(address="lists/Jutge:Demo"))
    assert the_list["items"] == [
        "P68688",
        "!This is a header",
        "P57548",
        "P56118",
        "!The next problem will be ignored",
        None,
    ]
    curl("-T", "course.yml", address="courses", expect=201)
    course = load_document(curl(address="courses/Jutge:Demo"))
    assert course == load_document((tmp_path / "course.yml").read_bytes()) | {"annotation": ""}
    assert json.loads(curl(address="courses/Jutge:Demo?format=json")) == course
    courses = load_document(curl(address="courses"))
    assert courses == {
        "own": {"Jutge:Demo": "Demo course"},
        "enrolled": {},
        "public": {"Jutge:Demo": "Demo course"},
    }
    assert json.loads(curl(address="courses?format=json")) == courses
    progress = load_document(curl(address="courses/Jutge:Demo/problems"))
    assert progress["not_enrolled"] == ["student1@asdf.com", "student2@asdf.com", "student3@asdf.com"]
    assert json.loads(curl(address="lists?format=json"))["own"] == {"Jutge:Demo": "Demo list"}

    # Problem updates and additions: the reference's last five command lines.
    assert load_document(curl(address=f"problems/{mine}/update"))["changed"] is False
    make_tgz(tmp_path / "problem.tgz", good_package("elastic.pbm"))
    updated = load_document(
        curl("-F", "file=@problem.tgz", "-X", "POST", address=f"problems/{mine}/update-upload")
    )
    assert updated.pop("report")["golden"] == ["solution.py"]  # the import report
    assert updated == {
        "problem": mine,
        "title": "Divisors in any order",
        "languages": ["en"],
        "created": False,
        "changed": True,
    }
    added = load_document(
        curl("-F", "file=@problem.tgz", "-X", "POST", address="problems/add-upload", expect=201)
    )
    assert added["problem"] not in listed and added["created"] is True
    with serve({"/problem.tgz": (200, {}, (tmp_path / "problem.tgz").read_bytes())}) as web:
        platform.settings.url_import_ports = [int(web.rsplit(":", 1)[1])]  # an admin allows the port
        yoururl = f"{web}/problem.tgz"
        again = load_document(
            curl("-F", f"url={yoururl}", "-X", "POST", address=f"problems/{mine}/update-url")
        )
        assert again["problem"] == mine and again["changed"] is False
        by_url = load_document(
            curl("-F", f"url={yoururl}", "-X", "POST", address="problems/add-url", expect=201)
        )
        assert by_url["created"] is True

    # DELETE, and the errors a curl user meets.
    assert load_document(curl("--request", "DELETE", address="courses/Jutge:Demo")) == {
        "deleted": "Jutge:Demo"
    }
    assert load_document(curl("--request", "DELETE", address="lists/Jutge:Demo")) == {"deleted": "Jutge:Demo"}
    missing = load_document(curl(address="courses/Jutge:Demo", expect=404))
    assert missing["error"]["status"] == 404
    assert json.loads(curl(address="courses/Jutge:Demo?format=json", expect=404))["error"]["status"] == 404
    unauthorised = curl("--include", address="courses", credentials="", expect=401)
    assert "www-authenticate: basic" in unauthorised.lower()
    curl(address="courses", credentials="Jutge:wrong", expect=401)
    (tmp_path / "bad.yml").write_text("name: x\ntitle: t\npublic: 2\n")
    bad = load_document(curl("-T", "bad.yml", address="courses", expect=400))
    assert bad["error"]["field"] == "public"
