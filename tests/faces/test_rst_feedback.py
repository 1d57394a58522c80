"""INGInious feedback rendered from reStructuredText (verdict.courses.rst_feedback): INGInious's
docutils settings, system messages hidden, the fallback to escaped text, the stored source, and a
hostile text that must run no script in the reader's browser and read no file on the server."""

from __future__ import annotations

import html
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from verdict.courses import rst_feedback
from verdict.courses.rst_feedback import feedback_html, render_rst, rst_source, sanitise, source_of

pytestmark = pytest.mark.unit

PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c63f8cfc0f01f0005000100ff89993d1d0000000049454e44ae426082"
)


def test_plain_text_is_paragraphs() -> None:
    assert render_rst("") == render_rst("  \n") == ""
    assert render_rst("Wrong answer") == "<p>Wrong answer</p>"
    assert render_rst("one\n\ntwo <b>&") == "<p>one</p>\n<p>two &lt;b&gt;&amp;</p>"


def test_inginious_settings() -> None:
    """Titles from <h3> and no document title (a lone title stays a section), ``<code>`` for
    literals, code blocks without highlighting, INGInious's empty code block, MathJax's math."""
    titled = render_rst("Only title\n==========\n\ntext ``x < y``")
    assert titled == (
        '<div class="section">\n<h3>Only title</h3>\n'
        '<p>text <code class="docutils literal">x &lt; y</code></p>\n</div>'
    )
    nested = render_rst("A\n=\n\nB\n-\n\nc")
    assert "<h3>A</h3>" in nested and "<h4>B</h4>" in nested
    assert render_rst(".. code-block:: python\n\n   if a < b: pass\n") == (
        '<pre class="code python literal-block">if a &lt; b: pass\n</pre>'
    )
    assert render_rst(".. code-block:: python\n\nafter") == (
        '<pre class="code python literal-block">[no content]\n</pre>\n<p>after</p>'
    )
    assert render_rst(":math:`x^2`") == '<p><span class="math">\\(x^2\\)</span></p>'
    table = render_rst("+---+---+\n| a | b |\n+===+===+\n| 1 | 2 |\n+---+---+\n")
    assert table.startswith('<table class="docutils">') and '<th class="head">a</th>' in table
    admonition = render_rst(".. admonition:: Hint\n   :class: alert alert-danger\n\n   careful")
    assert admonition.startswith('<div class="admonition alert alert-danger">')


def test_system_messages_are_not_shown() -> None:
    """A malformed table, an unknown directive, an unfinished literal: the text shows, the errors
    docutils found do not (INGInious's feedback is shown to students)."""
    for text in ("+--+\n| x\n+--+\n\nafter", ".. nosuchdirective:: x\n\nafter", "``open\n\nafter"):
        shown = render_rst(text)
        assert "after" in shown
        assert "System Message" not in shown and "system-message" not in shown and "ERROR" not in shown


def test_a_text_docutils_cannot_render_is_escaped(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(**_: object) -> None:
        raise RecursionError("too deep")

    monkeypatch.setattr(rst_feedback, "publish_parts", broken)
    assert render_rst("a <b> text never cached before") == "<pre>a &lt;b&gt; text never cached before</pre>"
    monkeypatch.undo()
    long = "x" * (rst_feedback.RENDER_LIMIT + 1)
    assert render_rst(long) == f"<pre>{long}</pre>"
    assert render_rst("y" * 20_000) == f"<p>{'y' * 20_000}</p>"  # longer than docutils' line limit


def test_hidden_until() -> None:
    """INGInious's directive: hidden (a caution says until when) before its date, shown after it,
    shown to staff at any time under a caution; a date it cannot read hides it."""
    text = "Before\n\n.. hidden-until:: 2026-12-24 10:00\n\n   The **answer** is 42.\n\nAfter"
    before, after = datetime(2026, 12, 24, 9, 59, tzinfo=UTC), datetime(2026, 12, 24, 10, tzinfo=UTC)
    for hidden in (render_rst(text), render_rst(text, before)):
        assert "answer" not in hidden and "Before" in hidden and "After" in hidden
        assert "A part of this feedback is hidden until 24/12/2026 10:00:00." in hidden
    shown = render_rst(text, after)
    assert "<p>The <strong>answer</strong> is 42.</p>" in shown and "hidden" not in shown
    staff = render_rst(text, before, staff=True)
    assert "The feedback below will be hidden to the students until 24/12/2026 10:00:00." in staff
    assert "<p>The <strong>answer</strong> is 42.</p>" in staff
    assert "x" in render_rst(".. hidden-until:: 24/12/2026 10:00\n\n   x", after)  # INGInious's format
    unreadable = render_rst(".. hidden-until:: someday\n\n   secret\n\nok", after)
    assert "secret" not in unreadable and "ok" in unreadable
    stored = rst_source(text)
    assert feedback_html(stored, before) == render_rst(text, before) != feedback_html(stored, after)


def test_no_script_survives() -> None:
    text = (
        "<script>alert(1)</script> plain\n\n"
        ".. raw:: html\n\n"
        "   <script>alert(2)</script><img src=x onerror=\"alert(3)\"><a href='javascript:alert(4)'>a</a>\n"
        "   <iframe src='https://evil.example'></iframe><style>body{}</style><p style='x' onclick='y'>p</p>\n"
        "   <object data='x'></object><form action='/x'><input name='n'></form>\n"
        "   <svg onload='alert(5)'></svg>\n"
        "   <a href='data:text/html,<script>alert(6)</script>'>d</a>\n"
        "   <img src='data:image/svg+xml;base64,PHN2Zz4='>\n\n"
        "`js <javascript:alert(7)>`_ `vb <vbscript:x>`_ `ok <https://example.org/?a=1&b=2>`_\n\n"
        ".. role:: raw-html(raw)\n   :format: html\n\n:raw-html:`<b onmouseover='alert(8)'>b</b>`\n"
    )
    shown = render_rst(text)
    for forbidden in (
        "<script", "alert(2", "alert(3", "alert(4", "alert(5", "alert(6", "alert(7", "alert(8",
        "onerror", "onclick", "onload", "onmouseover", "javascript:", "vbscript:",
        "<iframe", "<style", "style=", "<object", "<form", "<input", "<svg", "data:text",
    ):  # fmt: skip
        assert forbidden not in shown, (forbidden, shown)
    assert "<p>&lt;script&gt;alert(1)&lt;/script&gt; plain</p>" in shown  # text, shown as text
    assert "<p>p</p>" in shown and "<b>b</b>" in shown
    assert '<img src="data:image/svg+xml;base64,PHN2Zz4=">' in shown  # an image, never run
    assert 'href="https://example.org/?a=1&amp;b=2" rel="noopener noreferrer"' in shown


def test_no_file_of_the_server_is_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """include, raw :file: and :url:, csv-table :file:, an image's size: docutils reads nothing,
    and no docutils.conf (DOCUTILSCONFIG) can turn file insertion back on."""
    secret = tmp_path / "secret.txt"
    secret.write_text("the-server-secret,1\n")
    image = tmp_path / "dot.png"
    image.write_bytes(PNG)
    config = tmp_path / "docutils.conf"
    config.write_text("[general]\nfile_insertion_enabled: yes\nraw_enabled: yes\n")
    monkeypatch.setenv("DOCUTILSCONFIG", str(config))
    for text in (
        f".. include:: {secret}",
        ".. include:: /etc/passwd\n   :literal:",
        f".. raw:: html\n   :file: {secret}",
        f".. raw:: html\n   :url: file://{secret}",
        f".. csv-table:: leak\n   :file: {secret}",
        f".. csv-table:: leak\n   :url: file://{secret}",
        ".. include:: <isonum.txt>\n\n|copy|",
    ):
        shown = render_rst(f"{text}\n\nafter {len(text)}")
        assert "the-server-secret" not in shown and "root:" not in shown and "©" not in shown
        assert f"after {len(text)}" in shown
    pictured = render_rst(f".. image:: {image}\n   :scale: 50\n")
    assert pictured == f'<img alt="{image}" src="{image}">'  # no size: the file was not opened


def test_data_uris_only_for_images() -> None:
    assert sanitise('<img src="data:image/png;base64,AAAA">') == '<img src="data:image/png;base64,AAAA">'
    assert sanitise('<img src="data:text/html;base64,AAAA">') == "<img>"
    assert sanitise('<a href="data:image/png;base64,AAAA">x</a>') == '<a rel="noopener noreferrer">x</a>'


def test_the_source_is_stored_safe_and_rendered_when_shown() -> None:
    """What is stored is safe HTML as it is (escaped, preformatted); the face renders it. Any other
    stored feedback (HTML that Verdict made) is shown as it is."""
    stored = rst_source("**Bold** <script>x</script>")
    assert stored == '<pre class="verdict-rst">**Bold** &lt;script&gt;x&lt;/script&gt;</pre>'
    assert source_of(stored) == "**Bold** <script>x</script>"
    assert feedback_html(stored) == "<p><strong>Bold</strong> &lt;script&gt;x&lt;/script&gt;</p>"
    assert rst_source("  ") == "" and feedback_html("") == ""
    assert feedback_html("<p><b>Verdict's</b> own</p>") == "<p><b>Verdict's</b> own</p>"
    assert source_of("<pre>old</pre>") is None


@given(st.text())
def test_the_source_round_trips(text: str) -> None:
    stored = rst_source(text)
    assert source_of(stored) == (text if text.strip() else None)
    if text.strip():  # the stored form is inert: nothing in it is markup
        inner = stored[len(rst_feedback.SOURCE_OPEN) : -len(rst_feedback.SOURCE_CLOSE)]
        assert "<" not in inner and html.unescape(inner) == text


@given(st.text(alphabet=st.sampled_from("<>&\"'`*_:.-= \n|+ascriptjv()"), max_size=200))
def test_whatever_the_text_no_tag_but_the_allowed(text: str) -> None:
    shown = render_rst(text)
    assert "<script" not in shown and "javascript:" not in shown
