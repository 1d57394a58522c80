"""INGInious feedback: reStructuredText rendered to HTML as INGInious renders it, then sanitised.

INGInious keeps a submission's feedback (its run script's ``feedback-msg``, a multiple-choice
problem's success, error and choice messages) as reStructuredText and renders it each time it is
shown (``inginious/frontend/parsable_text.py``: docutils' html4css1 writer, ``<code>`` for
literals, headers from ``<h3>``, no document title, no syntax highlighting, MathJax-style math,
raw HTML allowed, file insertion forbidden). Verdict does the same, with two differences:

* the text is untrusted (the script echoes the student's answer; the script itself may be
  hostile): docutils reads no configuration file and inserts no file (``include``, ``raw
  :file:``/``:url:``, ``csv-table :file:``, image sizes), and its HTML goes through nh3 (ammonia)
  with an allowlist of what docutils produces: tables, lists, code, images (``data:image/`` URIs,
  as ``rst-image`` makes them), classes. No script, no event handler, no ``javascript:`` link, no
  style survives. ``.. raw:: html`` stays allowed, as in INGInious, since it passes the same
  sanitiser.
* docutils' system messages (a bad table, an unknown directive) are not shown, and a text
  docutils cannot render at all, or too long to render on every request, shows as escaped
  preformatted text.

INGInious's ``hidden-until`` directive works as there: its content shows once its date is past
(``YYYY-MM-DD[ HH:MM[:SS]]`` as task dates, UTC, or INGInious's ``DD/MM/YYYY[ HH:MM[:SS]]``), to
staff at any time under a caution, and until then a caution says when it will.

Storage: the RST source is kept (:func:`rst_source`) wrapped so that it is safe HTML as it is,
``<pre class="verdict-rst">`` around the escaped text: a consumer that knows nothing of RST shows
it as preformatted text, and one that does (the INGInious face) renders it (:func:`feedback_html`)
when it shows it, as INGInious does. Rendered when shown rather than when graded: what
``hidden-until`` shows depends on the time and on who reads, and a later interface (or a better
renderer) works from the source. Feedback stored before (plain ``<pre>``) shows as it was.
Rendering costs about a millisecond for a typical feedback, 10-20 ms for a long log
(``bench/rst_feedback.py``): the last texts rendered are cached.
"""

from __future__ import annotations

import copy
import html
import logging
import re
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

import nh3
from docutils import nodes
from docutils.core import publish_parts
from docutils.frontend import Values, get_default_settings
from docutils.parsers.rst import Directive, Parser, directives
from docutils.parsers.rst.directives.body import CodeBlock
from docutils.utils import DependencyList
from docutils.writers import html4css1

from verdict.courses.windows import parse_date

logger = logging.getLogger(__name__)

SOURCE_OPEN = '<pre class="verdict-rst">'
SOURCE_CLOSE = "</pre>"
RENDER_LIMIT = 256 * 1024  # characters; a longer text is shown preformatted, not rendered
CACHE_LIMIT = 64 * 1024  # characters; only texts up to this size are kept in the cache
MIN_LINE_LIMIT = 10_000  # docutils' default line length limit

SETTINGS: dict[str, Any] = {
    "_disable_config": True,  # no docutils.conf, no DOCUTILSCONFIG: the settings are these alone
    "initial_header_level": 3,
    "doctitle_xform": False,
    "sectsubtitle_xform": False,
    "syntax_highlight": "none",
    "raw_enabled": True,  # as INGInious: `.. raw:: html` (rst-image), sanitised below
    "file_insertion_enabled": False,  # no include, no raw/csv-table :file: or :url:, no image reads
    "math_output": "MathJax /mathjax.js",  # math left as \(...\) for the page's MathJax
    "report_level": 5,  # no system message in the output
    "halt_level": 5,  # never raise on an error in the text
    "warning_stream": False,  # nothing written to stderr
    "traceback": True,  # an unexpected failure raises, and is caught by render_rst
    "input_encoding": "unicode",
    "output_encoding": "unicode",
    "embed_stylesheet": False,
    "stylesheet_path": "",
    "id_prefix": "",
}

TAGS = {
    "a", "abbr", "acronym", "b", "big", "blockquote", "br", "caption", "cite", "code", "col",
    "colgroup", "dd", "del", "div", "dl", "dt", "em", "figcaption", "figure", "h1", "h2", "h3",
    "h4", "h5", "h6", "hr", "i", "img", "ins", "kbd", "li", "ol", "p", "pre", "q", "s", "samp",
    "small", "span", "strong", "sub", "sup", "table", "tbody", "td", "tfoot", "th", "thead", "tr",
    "tt", "u", "ul", "var",
}  # fmt: skip
ATTRIBUTES = {
    "*": {"class", "title"},
    "a": {"href"},
    "img": {"src", "alt", "width", "height"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan"},
    "ol": {"start"},
    "col": {"width"},
}
URL_SCHEMES = {"http", "https", "mailto", "data"}  # data: kept for images only (_attribute)
DATA_IMAGE = re.compile(r"\s*data:image/[a-z0-9.+-]+[;,]", re.IGNORECASE)
HIDDEN_UNTIL = "hidden-until"
INGINIOUS_DATES = ("%d/%m/%Y %H:%M:%S", "%d/%m/%Y %H:%M", "%d/%m/%Y %H", "%d/%m/%Y")


def rst_source(text: str) -> str:
    """A feedback text kept as RST: safe HTML as it is (escaped, preformatted); ``""`` for none."""
    return f"{SOURCE_OPEN}{html.escape(text)}{SOURCE_CLOSE}" if text.strip() else ""


def source_of(stored: str) -> str | None:
    """The RST text of a stored feedback made by :func:`rst_source`; None for any other feedback."""
    if stored.startswith(SOURCE_OPEN) and stored.endswith(SOURCE_CLOSE):
        return html.unescape(stored[len(SOURCE_OPEN) : -len(SOURCE_CLOSE)])
    return None


def feedback_html(stored: str, now: datetime | None = None, staff: bool = False) -> str:
    """A stored feedback as HTML to show: an RST source rendered (``hidden-until`` parts as of
    ``now``, all of them for ``staff``), anything else as it is (HTML that Verdict made)."""
    source = source_of(stored)
    return stored if source is None else render_rst(source, now, staff)


def render_rst(text: str, now: datetime | None = None, staff: bool = False) -> str:
    """Sanitised HTML of an RST text, as INGInious shows it; escaped ``<pre>`` when docutils fails
    or the text is too long to render. A text with ``hidden-until`` depends on ``now`` (None: every
    such part hidden) and ``staff``: it is never cached."""
    if not text.strip():
        return ""
    if HIDDEN_UNTIL in text:
        return _render(text, now, staff)
    if len(text) > CACHE_LIMIT:
        return _render(text)
    return _cached(text)


@lru_cache(maxsize=256)
def _cached(text: str) -> str:
    return _render(text)


def _render(text: str, now: datetime | None = None, staff: bool = False) -> str:
    if len(text) > RENDER_LIMIT:
        return _preformatted(text)
    try:
        parts = publish_parts(source=text, writer=_Writer(), settings=_settings(len(text), now, staff))
        rendered = str(parts["body_pre_docinfo"]) + str(parts["fragment"])
    except Exception:  # any docutils failure: the text still shows, as INGInious does
        logger.warning("feedback not rendered as reStructuredText", exc_info=True)
        return _preformatted(text)
    return sanitise(rendered).strip()


def _settings(length: int, now: datetime | None = None, staff: bool = False) -> Values:
    """A copy of the settings, built once (building them costs three times the rendering)."""
    settings = copy.copy(_base_settings())
    settings.line_length_limit = max(MIN_LINE_LIMIT, length + 1)  # as INGInious: never too long
    settings.record_dependencies = DependencyList()
    settings.verdict_now = now  # read by hidden-until
    settings.verdict_staff = staff
    return settings


@lru_cache(maxsize=1)
def _base_settings() -> Values:
    settings = get_default_settings(Parser, _Writer)
    for name, value in SETTINGS.items():
        setattr(settings, name, value)
    return settings


def _preformatted(text: str) -> str:
    return f"<pre>{html.escape(text)}</pre>"


def sanitise(fragment: str) -> str:
    """What docutils makes, and no more: no script, no handler, no style, links and images by safe
    URLs only."""
    return nh3.clean(
        fragment,
        tags=TAGS,
        clean_content_tags={"script", "style"},
        attributes=ATTRIBUTES,
        attribute_filter=_attribute,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer",
        strip_comments=True,
    )


def _attribute(tag: str, name: str, value: str) -> str | None:
    """``data:`` URIs only as an image's source, and only images."""
    if value.lstrip().lower().startswith("data:"):
        return value if tag == "img" and name == "src" and DATA_IMAGE.match(value) else None
    return value


class _EmptiableCodeBlock(CodeBlock):  # type: ignore[misc]
    """INGInious's ``code-block``: an empty one (``rst-code`` of an empty answer) still shows."""

    def run(self) -> list[nodes.Node]:
        if not self.content:
            self.content.append("[no content]", "<code-block>")
        return super().run()  # type: ignore[no-any-return]


class _HiddenUntil(Directive):  # type: ignore[misc]
    """INGInious's ``.. hidden-until:: DATE``: its content shown once the date is past (to staff
    always, under a caution); before, a caution that says when."""

    required_arguments = 1
    optional_arguments = 1  # the time, after the date
    has_content = True

    def run(self) -> list[nodes.Node]:
        self.assert_has_content()
        written = " ".join(self.arguments)
        until = _until(written)
        if until is None:
            raise self.error(f'Unknown date format in the "{self.name}" directive; {written}')
        settings = self.state.document.settings
        now: datetime | None = settings.verdict_now
        shown = f"{until:%d/%m/%Y %H:%M:%S}"
        passed = now is not None and until <= now
        if not passed and not settings.verdict_staff:
            return [
                self._caution(
                    f"A part of this feedback is hidden until {shown}. Please come back later and "
                    "reload the submission to see the full feedback."
                )
            ]
        content = nodes.compound("\n".join(self.content))
        self.state.nested_parse(self.content, self.content_offset, content)
        if passed:
            return [content]
        return [self._caution(f"The feedback below will be hidden to the students until {shown}."), content]

    def _caution(self, text: str) -> nodes.Node:
        caution = nodes.caution()
        caution += nodes.paragraph(text=text)
        return caution


def _until(written: str) -> datetime | None:
    try:
        return parse_date(written)
    except ValueError:
        pass
    for fmt in INGINIOUS_DATES:
        try:
            return datetime.strptime(written.strip(), fmt).replace(tzinfo=UTC)
        except ValueError:
            continue
    return None


# docutils finds directives in its own registry only: INGInious's are registered here, once, as
# INGInious does.
directives.register_directive("code-block", _EmptiableCodeBlock)
directives.register_directive(HIDDEN_UNTIL, _HiddenUntil)


class _Translator(html4css1.HTMLTranslator):  # type: ignore[misc]
    """docutils' html4css1 as INGInious changes it: ``<code>`` for literals, not ``<tt>``."""

    def visit_literal(self, node: nodes.literal) -> None:
        self.body.append(self.starttag(node, "code", "", CLASS="docutils literal"))
        self.body.append(self.encode(node.astext()))
        self.body.append("</code>")
        raise nodes.SkipNode


class _Writer(html4css1.Writer):  # type: ignore[misc]
    def __init__(self) -> None:
        super().__init__()
        self.translator_class = _Translator
