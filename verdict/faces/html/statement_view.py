"""A problem's statement as a page shows it: rendered to safe HTML by
:mod:`verdict.problems.statements` (Jutge LaTeX, Kattis Markdown or LaTeX; math left to KaTeX in
the browser), and the package files it shows (figures), served by :func:`package_file`.

Only the files a statement of the package references (in any of its languages) are served: the
renderer reports each file it links through the ``file_url`` it is given, and that set is the
allow-list. A test, a solution, a checker or a hidden file is never referenced, so never served,
whatever path is asked. Renderings are cached per problem version, language and page address.
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from datetime import datetime
from pathlib import Path, PurePosixPath
from urllib.parse import quote

from starlette.responses import Response

from verdict.courses.rst_feedback import feedback_html, render_rst
from verdict.errors import NotFound
from verdict.faces.html.pages import PageContext
from verdict.judge.problem import Problem as Package
from verdict.problems.statements import render_statement, sanitise_html
from verdict.problems.statements.sanitise import ATTRIBUTES, TAGS, URL_SCHEMES, nh3

CACHE_SIZE = 64
MAX_FILE_BYTES = 8 * 1024 * 1024  # a figure beyond this is not served (a statement is not a download)
# What a statement's files may be served as: images only (an SVG is sandboxed by its headers).
SERVED_TYPES = {
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".webp": "image/webp",
    ".svg": "image/svg+xml",
}
# A file opened on its own (an SVG can hold scripts): nothing runs, nothing loads.
FILE_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; sandbox"

DATA_IMAGE = re.compile(r"\s*data:image/(png|jpeg|gif|webp);base64,[A-Za-z0-9+/=\s]*\Z", re.IGNORECASE)

_rendered: OrderedDict[tuple[int, str, str], str] = OrderedDict()
_referenced: OrderedDict[int, frozenset[str]] = OrderedDict()
_lock = threading.Lock()


def files_base(base: str) -> str:
    """The address under which a page's statement files are served (``/problem/P1/files``)."""
    return f"{base}/files"


def statement_html(version_id: int, package: Package, language: str, base: str) -> str:
    """The statement of ``package`` in ``language`` as safe HTML, its figures linked under
    :func:`files_base` of the page ``base``."""
    key = (version_id, language, base)
    with _lock:
        if key in _rendered:
            _rendered.move_to_end(key)
            return _rendered[key]
    prefix = files_base(base)
    html = render_statement(package, language, lambda path: f"{prefix}/{quote(path)}").html
    with _lock:
        _rendered[key] = html
        while len(_rendered) > CACHE_SIZE:
            _rendered.popitem(last=False)
    return html


def referenced_files(version_id: int, package: Package) -> frozenset[str]:
    """The package-relative paths the statements of the package link to, in all languages."""
    with _lock:
        if version_id in _referenced:
            _referenced.move_to_end(version_id)
            return _referenced[version_id]
    found: set[str] = set()

    def record(path: str) -> str:
        found.add(path)
        return path

    for language in package.statements:
        render_statement(package, language, record)
    files = frozenset(found)
    with _lock:
        _referenced[version_id] = files
        while len(_referenced) > CACHE_SIZE:
            _referenced.popitem(last=False)
    return files


def package_file(page: PageContext, version_id: int, package: Package, path: str) -> Response:
    """A file a statement of ``package`` shows, with its image type; 404 for any other path."""
    missing = NotFound(page._("File not found."))
    relative = PurePosixPath(path)
    if (
        not path
        or relative.is_absolute()
        or any(part in ("", ".", "..") or part.startswith(".") for part in relative.parts)
        or relative.as_posix() not in referenced_files(version_id, package)
    ):
        raise missing
    media_type = SERVED_TYPES.get(relative.suffix.lower())
    if media_type is None:
        raise missing
    data = _read_inside(package.root, relative)
    if data is None:
        raise missing
    response = Response(data, media_type=media_type)
    page.respond(response)
    response.headers["Content-Security-Policy"] = FILE_CSP
    response.headers["Cache-Control"] = "private, max-age=3600"
    return response


def _read_inside(root: Path, relative: PurePosixPath) -> bytes | None:
    """The file's bytes when it resolves inside ``root`` (no symlink out), else None."""
    try:
        target = (root / relative).resolve()
        target.relative_to(root.resolve())
        if not target.is_file():
            return None
        with target.open("rb") as stream:
            data = stream.read(MAX_FILE_BYTES + 1)
    except (OSError, ValueError):
        return None
    return data if len(data) <= MAX_FILE_BYTES else None


def context_html(text: str, now: datetime) -> str:
    """An INGInious task's context (reStructuredText) as safe HTML, rendered as INGInious shows
    it and as the INGInious API's feedback is (:func:`verdict.courses.rst_feedback.render_rst`:
    ``hidden-until`` parts as of ``now``)."""
    return render_rst(text, now) if text.strip() else ""


def inline_rst(text: str) -> str:
    """A short RST text (a question's header, a choice) as safe HTML, as INGInious shows it; a
    single paragraph loses its ``<p>`` so it fits in a label."""
    html = render_rst(text).strip() if text.strip() else ""
    if html.startswith("<p>") and html.endswith("</p>") and html.count("<p>") == 1:
        return html[3:-4]
    return html


def feedback(stored: str, now: datetime) -> str:
    """A submission's stored feedback as safe HTML, as the INGInious API renders it (RST sources
    rendered; ``hidden-until`` parts as of ``now``, for a student), sanitised once more here: the
    statements' rules, and a graphic test's difference image (a PNG data URL the judge made)."""
    if not stored:
        return ""
    html = feedback_html(stored, now)
    if nh3 is None:  # pragma: no cover - nh3 is a dependency; the statements' fallback escapes
        return sanitise_html(html)
    cleaned: str = nh3.clean(
        html,
        tags=TAGS,
        attributes=ATTRIBUTES,
        url_schemes=URL_SCHEMES | {"data"},
        attribute_filter=_data_images_only,
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
    )
    return cleaned


def _data_images_only(tag: str, attribute: str, value: str) -> str | None:
    """A ``data:`` URL only as an image's source, and only a raster image (an SVG can script)."""
    if not value.lower().lstrip().startswith("data:"):
        return value
    return value if tag == "img" and attribute == "src" and DATA_IMAGE.match(value) else None
