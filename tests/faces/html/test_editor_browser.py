"""The code editor of the problem page in a real browser (Debian's Chromium, Playwright; the skip rules
of :mod:`tests.faces.html.test_browser`): CodeMirror replaces the code box, a chosen file fills it,
the highlighting follows the language list, a program typed on the keyboard reaches the server (the
grader accepts it), and Escape then Tab leaves the editor; axe-core finds nothing serious on the
page with highlighted code (the tokens' colours). Screenshots of the page with the editor at
desktop and phone widths (nothing may overflow sideways)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.orm import Session

from tests.faces.html.test_accessibility import Audit
from tests.faces.html.test_browser import Console, browser, screenshot, shots
from tests.faces.html.test_browser_submit import ACCEPTED, demo, server
from tests.support.inginious import Demo
from tests.support.users import PASSWORD
from verdict.platform import Platform

pytestmark = [pytest.mark.e2e, pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)]

__all__ = ["browser", "demo", "server", "shots"]  # fixtures shared with the other browser tests

PYTHON = "def add(a, b):\n    return a + b\n\n\nprint(add(*map(int, input().split())))\n"


def tokens(page: Any, kind: str) -> list[str]:
    """The texts CodeMirror drew with the token class ``cm-<kind>``."""
    texts: list[str] = page.locator(f".CodeMirror .cm-{kind}").all_inner_texts()
    return texts


def test_the_editor_highlights_follows_the_language_loads_a_file_and_submits_what_was_typed(
    browser: Any,
    server: str,
    demo: Demo,
    session: Session,
    shots: Path,
    platform: Platform,
    tmp_path: Path,
) -> None:
    base = f"/problem/{demo.task(session, 'aplusb').problem_id}"  # every language offered
    audit = Audit(browser, server, shots)  # axe-core on the page with highlighted code
    page = audit.page
    console = Console(page)
    page.goto(f"{server}/login?next={base}")
    page.get_by_label("Username or email").fill("alice")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(server + base)

    # The editor stands in for the code box; the label names its input (axe wants a name).
    editor = page.locator("fieldset.part .CodeMirror")
    assert editor.count() == 1 and editor.is_visible()
    assert not page.locator("textarea#code-code").is_visible()  # still the form's field
    program = page.get_by_label("Your program")
    assert program.get_attribute("aria-label") == "Your program"

    # A chosen file fills the editor, highlighted as the language chosen: Python.
    language = page.get_by_label("Language", exact=True).and_(page.locator("select"))
    language.select_option("Python3")
    (tmp_path / "add.py").write_text(PYTHON)
    page.get_by_label("Or choose its file").set_input_files(tmp_path / "add.py")
    page.locator(".CodeMirror .cm-keyword", has_text="def").wait_for()
    assert page.locator("textarea#code-code").input_value() == PYTHON
    audit.check("editor-python")

    # Another language, another highlighting of the same text: in C `def` is no keyword.
    language.select_option("GCC")
    page.wait_for_function(  # a function, not an expression: the page's CSP forbids eval
        "() => document.querySelector('.CodeMirror').CodeMirror.getOption('mode') === 'text/x-csrc'"
    )
    assert "def" not in tokens(page, "keyword")
    page.get_by_label("Or choose its file").set_input_files([])  # else the file would be sent

    # The C program, typed: CodeMirror indents each new line itself, so the lines go in bare.
    program.focus()
    page.keyboard.press("Control+A")
    page.keyboard.press("Delete")
    for line in ACCEPTED.strip().splitlines():
        page.keyboard.type(line.strip())
        page.keyboard.press("Enter")
    assert "return" in tokens(page, "keyword")
    assert "#include <stdio.h>" in tokens(page, "meta")
    typed = page.locator("textarea#code-code").input_value()
    assert "    long long a, b;" in typed.splitlines()  # indented by the editor

    page.locator("fieldset.part").screenshot(path=str(shots / "editor-focused.png"))  # its focus ring
    # Tab indents in the editor; Escape then Tab leaves it for the next field.
    page.keyboard.press("Tab")
    assert page.locator("textarea#code-code").input_value().endswith("\n    ")
    page.keyboard.press("Escape")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "file-code"

    screenshot(page, shots, "editor-task")
    audit.run_axe("editor-c")  # axe is in the page already
    page.get_by_role("button", name="Submit").click()
    page.wait_for_url(lambda url: f"{base}?load=" in url)
    platform.queue.start_workers(1)
    page.locator("#result dd .badge.ok").wait_for(timeout=120_000)
    assert "scanf" in page.locator("#result pre.code").first.inner_text()  # what was typed
    assert console.problems == []
    audit.close()  # and no serious or critical axe violation on either page
