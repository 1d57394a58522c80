"""Kattis Markdown statements (problemtools' problem.<lang>.md) to HTML.

markdown-it-py (CommonMark, with tables) with raw HTML off, so a statement's HTML is shown as text;
its link validation refuses ``javascript:``, ``vbscript:``, ``file:`` and ``data:`` links. Math is
cut out before parsing (outside code) and put back as TeX for KaTeX. Images must be files of the
package: the caller's resolver gives their URLs; any other image is shown as its alt text.
"""

from __future__ import annotations

import re

from markdown_it import MarkdownIt
from markdown_it.token import Token

from verdict.problems.statements.common import (
    ImageResolver,
    Sample,
    Statement,
    math_html,
    safe_relative,
    samples_html,
)

OPEN, CLOSE = "\ue000", "\ue001"  # placeholders (markdown-it turns NUL into U+FFFD)
# Code first (so its dollars are not math), then display, then inline math.
MATH = re.compile(
    r"(?P<fence>^[ ]{0,3}(?P<f>`{3,}|~{3,})[^\n]*\n.*?(?:^[ ]{0,3}(?P=f)[ \t]*$|\Z))"
    r"|(?P<code>(?P<ticks>`+).+?(?P=ticks))"
    r"|(?P<escaped>\\[\\$])"
    r"|\$\$(?P<display>.+?)\$\$"
    r"|\\\[(?P<bracket>.+?)\\\]"
    r"|(?<![\w$])\$(?P<inline>[^\s$](?:[^$\n]|\n(?!\s*\n))*?)(?<![\s\\])\$(?!\d)"
    r"|\\\((?P<paren>.+?)\\\)",
    re.S | re.M,
)
TITLE = re.compile(r"\A\s*#[ \t]+(?P<title>[^\n]+?)[ \t#]*(?:\n|\Z)")


def render_markdown(
    source: str,
    *,
    language: str,
    samples: list[Sample] | None = None,
    resolve_image: ImageResolver,
) -> Statement:
    """Render a Markdown statement; the samples follow it, as problemtools shows them."""
    text = source.replace(OPEN, "").replace(CLOSE, "").replace("\r\n", "\n")
    title = None
    if m := TITLE.match(text):  # problemtools: the name is problem.yaml's; a first "# ..." repeats it
        title, text = m["title"].strip(), text[m.end() :]
    held: list[str] = []

    def hold(m: re.Match[str]) -> str:
        if m["fence"] or m["code"]:
            return m.group(0)
        if m["escaped"]:
            return m.group(0)
        display = m["display"] is not None or m["bracket"] is not None
        tex = m["display"] or m["bracket"] or m["inline"] or m["paren"] or ""
        held.append(math_html(tex.strip(), display=display))
        return f"{OPEN}{len(held) - 1}{CLOSE}"

    text = MATH.sub(hold, text)
    warnings: list[str] = []
    md = MarkdownIt("commonmark", {"html": False, "xhtmlOut": False, "typographer": False})
    md.enable(["table", "strikethrough"])
    tokens = md.parse(text)
    _resolve_images(tokens, resolve_image, warnings)
    body = md.renderer.render(tokens, md.options, {})
    body = re.sub(f"<p>({OPEN}\\d+{CLOSE})</p>", r"\1", body)  # display math alone: no <p>
    body = re.sub(OPEN + r"(\d+)" + CLOSE, lambda m: held[int(m.group(1))], body)
    sections = [t.content for i, t in enumerate(tokens) if i and tokens[i - 1].type == "heading_open"]
    body += samples_html(list(samples or []), language, numbered=True)
    return Statement(body, language, "markdown", title, sections, warnings)


def _resolve_images(tokens: list[Token], resolve: ImageResolver, warnings: list[str]) -> None:
    """Point each image at the package's file, or show its alt text when it is not one."""
    for token in tokens:
        if token.children:
            _resolve_images(token.children, resolve, warnings)
        if token.type != "image":
            continue
        source = str(token.attrs.get("src", ""))
        url = None
        if safe_relative(source):
            url = resolve(source)
        if url is None:
            warnings.append(f"image {source!r} not found in the package")
            token.type = "text"
            token.tag = ""
            token.content = f"[{token.content or source}]"
            token.children = None
        else:
            token.attrs["src"] = url
