"""Statements rendered on the task and problem pages (TestClient, a real SQLite file): Jutge LaTeX
with its math left to KaTeX and a figure served from the package, Kattis Markdown in the language
the reader asks for (?lang=, then Accept-Language, then the problem's own), an INGInious task's
RST context, and a result's feedback rendered as the INGInious API renders it. The package file
route serves only what a statement shows: never a test, a solution or a hidden file."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.faces.html.helpers import log_in
from tests.support.inginious import Demo, demo_copy, make_demo
from tests.support.paths import DEMO_PACKAGES
from tests.support.users import MakeUser
from verdict.courses.rst_feedback import rst_source
from verdict.platform import Platform
from verdict.problems.store import import_package
from verdict.submissions.models import Submission, SubmissionStatus

# SQLite only: these pages have no SQL of their own (they call the services, tested on both
# databases), and tests/faces/html/test_crawl.py opens every page and form on PostgreSQL too.
pytestmark = [pytest.mark.integration, pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)]

# A 1x1 PNG.
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d4944415478da63f8ff"
    "ff3f0005fe02fea7d6a4a20000000049454e44ae426082"
)
KATEX_HEAD = (
    '<link rel="stylesheet" href="/static/vendor/katex/katex.min.css">',
    '<script src="/static/vendor/katex/katex.min.js" defer></script>',
    '<script src="/static/vendor/katex/auto-render.min.js" defer></script>',
    '<script src="/static/math.js" defer></script>',
)


@pytest.fixture
def figured(session: Session, platform: Platform, make_user: MakeUser, tmp_path: Path) -> str:
    """A Jutge problem (pe_ic) whose statement shows a figure, with other images beside it that no
    statement references (one hidden), owned by ``owner``."""
    root = tmp_path / "packages" / "P10001.pbm"
    shutil.copytree(DEMO_PACKAGES / "pe_ic.pbm", root)
    tex = root / "problem.en.tex"
    tex.write_text(tex.read_text().replace("\\Input", "\\FigureC{width=3cm}{tree}\n\n\\Input"))
    for name in ("tree.png", "unused.png", ".hidden.png"):
        (root / name).write_bytes(PNG)
    owner = make_user("owner")
    make_user("stranger")
    result = import_package(session, root, settings=platform.settings, owner=owner)
    session.commit()
    return result.problem.id


def test_a_jutge_statement_is_rendered_with_its_math_and_figure(client: TestClient, figured: str) -> None:
    log_in(client, "owner")
    page = client.get(f"/problem/{figured}")
    assert page.status_code == 200, page.text
    text = page.text
    head = text[: text.index("</head>")]
    for tag in KATEX_HEAD:
        assert tag in head
    assert '<div class="statement" lang="en">' in text and '<pre class="statement"' not in text
    assert '<span class="math math-inline">\\(w\\)</span>' in text  # left to KaTeX, as TeX
    assert f'<img src="/problem/{figured}/files/tree.png"' in text
    assert "\\Statement" not in text and "\\Sample" not in text  # rendered, not the source
    assert 'class="samples"' in text  # jutge's \Sample: the samples inside the statement
    assert f'href="/problem/{figured}/samples/1.in?lang=en"' in text  # and downloadable
    figure = client.get(f"/problem/{figured}/files/tree.png")
    assert figure.status_code == 200 and figure.content == PNG
    assert figure.headers["content-type"] == "image/png"
    assert figure.headers["x-content-type-options"] == "nosniff"
    assert "sandbox" in figure.headers["content-security-policy"]


@pytest.mark.parametrize(
    "path",
    [
        "unused.png",  # in the package, referenced by no statement
        ".hidden.png",
        "solution.cc",
        "sample-1.inp",
        "1.cor",
        "problem.en.tex",
        "handler.yml",
        "../P10001.pbm/tree.png",
        "%2e%2e/%2e%2e/etc/passwd",
        "/etc/passwd",
        "nothing.png",
        "",
    ],
)
def test_only_the_files_a_statement_shows_are_served(client: TestClient, figured: str, path: str) -> None:
    log_in(client, "owner")
    response = client.get(f"/problem/{figured}/files/{path}")
    assert response.status_code == 404, (path, response.status_code)
    assert PNG not in response.content


def test_the_files_are_the_readers_of_the_problem_only(client: TestClient, figured: str) -> None:
    log_in(client, "stranger")
    assert client.get(f"/problem/{figured}/files/tree.png").status_code == 404
    assert client.get(f"/problem/{figured}").status_code == 404


@pytest.fixture
def demo(session: Session, platform: Platform, make_user: MakeUser, tmp_path: Path) -> Demo:
    return make_demo(session, platform, make_user, demo_copy(tmp_path, with_aplusb=True, lean=True))


def shown_language(text: str) -> str:
    start = text.index('<div class="statement" lang="') + len('<div class="statement" lang="')
    return text[start : text.index('"', start)]


def test_the_statement_language_is_asked_then_the_browsers_then_the_problems(
    client: TestClient, demo: Demo
) -> None:
    log_in(client, "alice")
    page = client.get("/course/demo/aplusb")
    assert page.status_code == 200, page.text
    assert shown_language(page.text) == "en"  # the original (no preference the problem has)
    catalan = client.get("/course/demo/aplusb", headers={"Accept-Language": "ca-ES,ca;q=0.9,en;q=0.5"})
    assert shown_language(catalan.text) == "ca"
    assert "<h" in catalan.text and "# " not in catalan.text.split('class="statement"')[1][:200]
    asked = client.get("/course/demo/aplusb?lang=en", headers={"Accept-Language": "ca"})
    assert shown_language(asked.text) == "en"
    unknown = client.get("/course/demo/aplusb?lang=xx", headers={"Accept-Language": "fr, ca;q=0.2"})
    assert shown_language(unknown.text) == "ca"
    for tag in KATEX_HEAD:
        assert tag in page.text


def test_an_inginious_context_is_rendered_from_rst(client: TestClient, demo: Demo) -> None:
    log_in(client, "alice")
    page = client.get("/course/demo/quiz")
    assert page.status_code == 200, page.text
    assert "<strong>C</strong>" in page.text and "**C**" not in page.text
    aplusb = client.get("/course/demo/aplusb").text
    assert '<code class="docutils literal">aplusb</code>' in aplusb


def test_the_feedback_of_a_result_is_rendered_and_sanitised(
    client: TestClient, demo: Demo, session: Session
) -> None:
    task = demo.task(session, "quiz")
    submission = Submission(
        user_id=demo.alice.id,
        task_id=task.id,
        course_id=demo.course.id,
        status=SubmissionStatus.DONE,
        grade=50.0,
        feedback=rst_source(
            "Nearly: see **this** and ``code``.\n\n.. raw:: html\n\n   <script>x()</script>\n"
        ),
        problems_feedback={"single": ["failed", rst_source("*Wrong* choice")]},
        input={},
    )
    session.add(submission)
    session.commit()
    log_in(client, "alice")
    page = client.get(f"/course/demo/quiz?load={submission.id}")
    assert page.status_code == 200, page.text
    text = page.text
    assert "<strong>this</strong>" in text and "**this**" not in text
    assert "<em>Wrong</em>" in text
    assert "<script>x()" not in text


def test_a_graphic_difference_image_survives_and_nothing_else_data(
    client: TestClient, demo: Demo, session: Session
) -> None:
    task = demo.task(session, "quiz")
    png = "data:image/png;base64,iVBORw0KGgo="
    stored = (
        f'<p><b>Wrong answer</b></p><ul><li>test 1<br><img alt="difference" src="{png}"></li></ul>'
        '<a href="data:text/html,boom">link</a><img alt="svg" src="data:image/svg+xml,&lt;svg&gt;">'
    )
    submission = Submission(
        user_id=demo.alice.id,
        task_id=task.id,
        course_id=demo.course.id,
        status=SubmissionStatus.DONE,
        grade=0.0,
        feedback=stored,
        input={},
    )
    session.add(submission)
    session.commit()
    log_in(client, "alice")
    text = client.get(f"/course/demo/quiz?load={submission.id}").text
    assert f'<img alt="difference" src="{png}">' in text
    assert "data:text/html" not in text and "data:image/svg" not in text
    assert "<b>Wrong answer</b>" in text
