"""INGInious statements (a task's ``context``, a problem's ``header``) in reStructuredText, by
docutils, with everything that reaches outside the text turned off (``raw``, ``include``, file
insertion), then sanitised. Math (``:math:``, ``.. math::``) stays TeX for KaTeX."""

from __future__ import annotations

import importlib
import re
from html import unescape
from typing import Any

from verdict.problems.statements.common import (
    ImageResolver,
    Statement,
    esc,
    math_html,
    no_images,
    safe_relative,
)
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
IMAGE = re.compile(r"<img\b[^>]*>")
DELIMITERS = re.compile(r"\A\s*(?:\\\(|\\\[|\$\$?)?(?P<tex>.*?)(?:\\\)|\\\]|\$\$?)?\s*\Z", re.S)


def available() -> bool:
    try:
        importlib.import_module("docutils.core")
    except ImportError:
        return False
    return True


def render_rst(source: str, *, language: str, resolve_image: ImageResolver = no_images) -> Statement:
    """Render an RST statement (docutils needed: ImportError without it). Its images must be
    files of the task: ``resolve_image`` gives their URLs; any other is shown as its alt text."""
    core = importlib.import_module("docutils.core")  # by name: docutils has no type stubs
    parts = core.publish_parts(source=source, writer="html5", settings_overrides=SETTINGS)
    body = str(parts["body"])
    body = DOCUTILS_MATH.sub(_math, body)
    warnings: list[str] = []
    body = IMAGE.sub(lambda m: _image(m.group(0), resolve_image, warnings), body)
    sections = [unescape(t) for t in re.findall(r"<h\d[^>]*>(.*?)</h\d>", body)]
    return Statement(sanitise_html(body), language, "rst", None, sections, warnings)


def _math(m: re.Match[str]) -> str:
    display = m["display"] is not None
    tex = unescape(m["display"] if display else m["inline"])
    inner = DELIMITERS.match(tex)
    return math_html((inner["tex"] if inner else tex).strip(), display=display)


def _image(tag: str, resolve: ImageResolver, warnings: list[str]) -> str:
    """docutils' <img>, pointing at the task's file, or its alt text when it is not one."""
    source = re.search(r'\ssrc="([^"]*)"', tag)
    alt = re.search(r'\salt="([^"]*)"', tag)
    name = unescape(source.group(1)) if source else ""
    url = resolve(name) if safe_relative(name) else None
    label = unescape(alt.group(1)) if alt else name
    if url is None:
        warnings.append(f"image {name!r} not found in the task")
        return f'<span class="missing-image">[{esc(label)}]</span>'
    return f'<img src="{esc(url)}" alt="{esc(label)}">'
