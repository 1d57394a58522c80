"""INGInious statements (a task's ``context``, a problem's ``header``) in reStructuredText, by
docutils, with everything that reaches outside the text turned off (``raw``, ``include``, file
insertion), then sanitised. Math (``:math:``, ``.. math::``) stays TeX for KaTeX."""

from __future__ import annotations

import importlib
import re
from html import unescape
from typing import Any

from verdict.problems.statements.common import Statement, math_html
from verdict.problems.statements.sanitise import sanitise_html

SETTINGS: dict[str, Any] = {
    "raw_enabled": False,  # no raw HTML
    "file_insertion_enabled": False,  # no include, no csv-table :file:
    "report_level": 5,  # no system messages in the output
    "halt_level": 5,  # never raise on a bad statement
    "warning_stream": False,
    "embed_stylesheet": False,
    "doctitle_xform": False,  # a first section stays a section
    "initial_header_level": 3,
    "math_output": "LaTeX",
    "syntax_highlight": "none",
    "input_encoding": "unicode",
    "_disable_config": True,
}
# docutils' LaTeX math output (<tt>/<code> inline, <pre> display; older and newer versions).
DOCUTILS_MATH = re.compile(
    r'<(?P<itag>tt|code|span) class="math">(?P<inline>.*?)</(?P=itag)>'
    r'|<(?P<dtag>pre|div) class="math">(?P<display>.*?)</(?P=dtag)>',
    re.S,
)
DELIMITERS = re.compile(r"\A\s*(?:\\\(|\\\[|\$\$?)?(?P<tex>.*?)(?:\\\)|\\\]|\$\$?)?\s*\Z", re.S)


def available() -> bool:
    try:
        importlib.import_module("docutils.core")
    except ImportError:
        return False
    return True


def render_rst(source: str, *, language: str) -> Statement:
    """Render an RST statement (docutils needed: ImportError without it)."""
    core = importlib.import_module("docutils.core")  # by name: docutils has no type stubs
    parts = core.publish_parts(source=source, writer_name="html5", settings_overrides=SETTINGS)
    body = str(parts["body"])
    body = DOCUTILS_MATH.sub(_math, body)
    sections = [unescape(t) for t in re.findall(r"<h\d[^>]*>(.*?)</h\d>", body)]
    return Statement(sanitise_html(body), language, "rst", None, sections, [])


def _math(m: re.Match[str]) -> str:
    display = m["display"] is not None
    tex = unescape(m["display"] if display else m["inline"])
    inner = DELIMITERS.match(tex)
    return math_html((inner["tex"] if inner else tex).strip(), display=display)
