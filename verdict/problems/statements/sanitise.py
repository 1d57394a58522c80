"""The last step of every rendering: an allow-list sanitiser over the HTML fragment.

With nh3 installed (ammonia's bindings), only the tags and attributes statements need survive and
links keep only http, https and mailto (relative URLs, the package's images, stay). Without it, the
LaTeX and Markdown renderers' output is still safe (they escape every text they read), but HTML
made by others (docutils, a package's own .html) is shown escaped: :func:`sanitise_html`.
"""

from __future__ import annotations

import html
import importlib
from types import ModuleType


def _optional(name: str) -> ModuleType | None:
    """A module that may not be installed (imported by name: typed the same with or without it)."""
    try:
        return importlib.import_module(name)
    except ImportError:  # pragma: no cover - depends on the environment
        return None


nh3 = _optional("nh3")

TAGS = {
    "a", "abbr", "b", "blockquote", "br", "caption", "code", "col", "colgroup", "dd", "del",
    "div", "dl", "dt", "em", "figcaption", "figure", "h1", "h2", "h3", "h4", "h5", "h6", "hr",
    "i", "img", "kbd", "li", "ol", "p", "pre", "s", "samp", "section", "small", "span",
    "strong", "sub", "sup", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "tt", "u",
    "ul", "var",
}  # fmt: skip
ATTRIBUTES = {
    "*": {"class", "id", "title", "lang"},
    "a": {"href"},
    "img": {"src", "alt", "width", "height"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan"},
    "ol": {"start"},
}
URL_SCHEMES = {"http", "https", "mailto"}


def has_sanitiser() -> bool:
    return nh3 is not None


def _clean(fragment: str) -> str:
    assert nh3 is not None
    cleaned: str = nh3.clean(
        fragment,
        tags=TAGS,
        attributes=ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
    )
    return cleaned


def sanitise_html(fragment: str) -> str:
    """HTML from elsewhere (docutils, a package's .html), safe to put in a page: cleaned by the
    allow-list, or, without nh3, shown escaped (its markup as text, never as markup)."""
    if nh3 is None:
        return f'<pre class="unsanitised">{html.escape(fragment)}</pre>'
    return _clean(fragment)


def defend(fragment: str) -> str:
    """The renderers' own (already escaped) HTML, cleaned once more where nh3 is installed."""
    return fragment if nh3 is None else _clean(fragment)
