"""static/math.js in a real browser (Debian's Chromium driven by Playwright): a rendered statement's
math becomes KaTeX under Verdict's Content Security Policy, with no console error (a CSP violation
shows as one), its fonts load from /static/vendor/katex/fonts/, and a statement's \\href in math
stays inert.

Served by a plain HTTP server holding the face's static folder and one page, so that the test
needs neither the database nor the application (the pages that include math.js are tested there).
Skipped, with the reason, without Chromium, Playwright or the fetched front-end assets.
"""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from verdict.faces.html import assets
from verdict.faces.html.security import CONTENT_SECURITY_POLICY
from verdict.problems.statements import Sample, render_source

pytestmark = pytest.mark.e2e

CHROMIUM = os.environ.get("VERDICT_CHROMIUM", "/usr/bin/chromium")
STATIC = Path(assets.__file__).parent / "static"
sync_api = pytest.importorskip("playwright.sync_api", reason="Playwright for Python is not installed")

STATEMENT = r"""\Problem{Math}
\Statement
Let $a_i \le 10^9$ and $\href{javascript:alert(1)}{x}$ be given; compute
\[ \sum_{i=1}^{n} a_i \]
\Sample
"""


def _page() -> str:
    statement = render_source(STATEMENT, "jutge-latex", "en", samples=[Sample("1", "1\n", "1\n")])
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Math</title>
<link rel="stylesheet" href="/static/vendor/katex/katex.min.css">
<script src="/static/vendor/katex/katex.min.js" defer></script>
<script src="/static/vendor/katex/auto-render.min.js" defer></script>
<script src="/static/math.js" defer></script>
</head><body><main class="statement">{statement.html}</main>
<p class="math-auto">Feedback: \\(x^2\\) is fine.</p></body></html>"""


class _Handler(SimpleHTTPRequestHandler):
    page = ""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, directory=str(STATIC.parent), **kwargs)

    def end_headers(self) -> None:
        self.send_header("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        super().end_headers()

    def do_GET(self) -> None:
        if self.path == "/":
            body = self.page.encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return
        super().do_GET()

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def site() -> Iterator[str]:
    _Handler.page = _page()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def test_math_js_renders_statement_math_under_the_csp(site: str) -> None:
    if shutil.which(CHROMIUM) is None:
        pytest.skip(f"no Chromium at {CHROMIUM} (Debian's chromium package)")
    if not assets.up_to_date():
        pytest.skip("front-end assets not fetched: run python -m verdict.faces.html.assets")
    errors: list[str] = []
    fonts: list[str] = []
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True)
        try:
            page = browser.new_page()
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.on("requestfailed", lambda r: errors.append(f"failed: {r.url}"))
            page.on("response", lambda r: fonts.append(r.url) if "/fonts/" in r.url else None)
            page.on(
                "response",
                lambda r: (
                    errors.append(f"{r.status}: {r.url}")
                    if r.status >= 400 and not r.url.endswith("/favicon.ico")
                    else None
                ),
            )
            page.goto(site + "/")
            page.wait_for_selector(".math-display .katex-display")
            page.wait_for_load_state("networkidle")
            rendered = page.locator(".math[data-math-rendered] .katex").count()
            auto = page.locator(".math-auto .katex").count()
            anchors = page.locator("main a").count()
            text = page.locator("main").inner_text()
        finally:
            browser.close()
    missing_favicon = "Failed to load resource: the server responded with a status of 404 (File not found)"
    assert [e for e in errors if e != missing_favicon] == []
    assert rendered == 3  # two inline formulas and the display one
    assert auto == 1
    assert anchors == 0  # \href in math is not trusted: no link
    assert "javascript" not in text
    assert fonts and all("/static/vendor/katex/fonts/KaTeX_" in url for url in fonts)
