"""Statements rendered to HTML: every real statement of the fixtures and the demo, a hand-checked
golden one, hostile statements (no script, no file read), unknown macros, the language choice."""

from __future__ import annotations

import re
from collections.abc import Callable
from html import unescape
from pathlib import Path

import pytest
import yaml

from verdict.judge.packages import load_package
from verdict.judge.problem import Problem
from verdict.problems.statements import (
    ImageResolver,
    Sample,
    Statement,
    choose_language,
    no_images,
    parse_accept_language,
    render_latex,
    render_source,
    render_statement,
    sanitise_html,
)
from verdict.problems.statements import rst as rst_module
from verdict.problems.statements.sanitise import has_sanitiser

pytestmark = pytest.mark.unit

REPO = Path(__file__).resolve().parents[2]
FIXTURES = REPO / "tests" / "fixtures"
HERE = Path(__file__).parent / "statements"
needs_docutils = pytest.mark.skipif(
    not rst_module.available(),
    reason="docutils is not installed in this venv yet (it comes with the lock update adding "
    "docutils and nh3); the RST statements are rendered by docutils",
)


def _package_roots() -> list[Path]:
    """Every package holding a LaTeX or Markdown statement: the fixtures' and the demo's."""
    roots: set[Path] = set()
    for base in (FIXTURES, REPO / "verdict" / "demo" / "packages"):
        for path in [*base.rglob("problem*.tex"), *base.rglob("problem*.md")]:
            for parent in path.parents:
                if parent.suffix == ".pbm" or parent.name in ("statement", "problem_statement"):
                    roots.add(parent if parent.suffix == ".pbm" else parent.parent)
                    break
    return sorted(roots)


def _load(root: Path) -> Problem | None:
    try:
        return load_package(root)
    except Exception:  # a package Verdict cannot grade (the demo's game): its statement is below
        return None


def _urls(relative: str) -> str:
    return f"/files/{relative}"


# --- every real statement ------------------------------------------------------------------------


@pytest.mark.parametrize("root", _package_roots(), ids=lambda p: str(p.relative_to(REPO)))
def test_every_fixture_statement_renders(root: Path) -> None:
    problem = _load(root)
    if problem is None:
        pytest.skip(f"{root.name} is not a gradable package (its statement is rendered alone)")
    assert problem.statements
    for language, path in problem.statements.items():
        statement = render_statement(problem, language, _urls)
        source = path.read_text()
        assert statement.html.strip()
        assert statement.warnings == [], statement.warnings
        _assert_harmless(statement.html)
        assert statement.title  # \Problem{...}, \problemname{...} or the Markdown heading
        # every section the source asks for is there, in the statement's language
        if statement.format == "jutge-latex":
            for macro in ("Input", "Output", "Interface", "Precondition", "Scoring"):
                if f"\\{macro}" in source:
                    assert f'class="section-{macro.lower()}"' in statement.html
            if "\\Observation" in source:
                assert 'class="section-observation"' in statement.html
        if "\\section*{Input}" in source:
            assert "<h3>Input</h3>" in statement.html
        # the samples of the package's own language, where \Sample is (or after, for Kattis)
        samples = problem.variant(language).samples
        if "\\Sample" in source or statement.format != "jutge-latex":
            assert statement.html.count('class="sample"') == len(samples)
            for test in samples:
                shown = test.interaction_path or test.input_path  # interactive: the interaction
                first_line = shown.read_text().split("\n")[0]
                assert _escaped(first_line) in statement.html
        # math is left for KaTeX, never rendered nor lost
        if "$" in source:
            assert 'class="math math-inline"' in statement.html


def _escaped(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def test_the_demo_game_statement_renders_with_lists_and_code() -> None:
    source = (REPO / "verdict/demo/packages/orchard.pbm/Doc/problem.en.tex").read_text()
    statement = render_latex(source, dialect="jutge", language="en", resolve_image=no_images)
    assert statement.warnings == []
    assert statement.title == "Orchard"
    assert statement.html.count("<li>") == 13
    assert "<ol>" in statement.html and "<ul>" in statement.html
    assert "<pre><code>#include &quot;Player.hh&quot;" in statement.html
    assert "<code>nb_fruits</code>" in statement.html
    assert "gold_percent</code>%" in statement.html  # \% is a percent sign, not a comment


def test_a_per_language_jutge_package_shows_each_language_with_its_own_samples() -> None:
    problem = load_package(FIXTURES / "packages/jutge/larger.pbm")
    catalan = render_statement(problem, "ca", _urls)
    english = render_statement(problem, "en", _urls)
    assert catalan.title == "El més gran de dos enters"
    assert '<h3 class="section-input">Entrada</h3>' in catalan.html
    assert "Exemple d'entrada 1" in unescape(catalan.html)
    assert '<h3 class="section-input">Input</h3>' in english.html
    assert "Sample input 1" in english.html


def test_a_graphic_problem_shows_its_expected_pictures() -> None:
    problem = load_package(FIXTURES / "packages/jutge/graphic.pbm")
    statement = render_statement(problem, "en", _urls)
    assert '<img src="/files/sample-1.cor" alt="sample-1">' in statement.html
    assert '<img src="/files/sample-2.cor" alt="sample-2">' in statement.html


# --- a golden statement (the HTML checked by hand) -----------------------------------------------


def test_golden_jutge_statement() -> None:
    statement = _showcase(render_latex)
    assert statement.html + "\n" == (HERE / "showcase.en.html").read_text()
    assert statement.title == "Showcase — “every” macro"
    assert statement.sections == ["Statement", "Input", "Output", "Sample", "Observation"]
    assert statement.warnings == []


def _showcase(render: Callable[..., Statement]) -> Statement:
    source = (HERE / "showcase.en.tex").read_text()
    kwargs = {"dialect": "jutge"} if render is render_latex else {"kind": "jutge-latex"}
    return render(
        source,
        language="en",
        samples=[Sample("sample-1", "3\n1 2\n1 3\n", "1\n")],
        resolve_image=lambda name: f"/files/{name}.png" if name == "tree" else None,
        **kwargs,
    )


def test_the_sanitiser_keeps_what_statements_need() -> None:
    """Through the allow-list (nh3 where installed) math, images, links, samples and sections
    survive, the same text as the converter's."""
    statement = _showcase(render_source)
    html = statement.html
    for kept in (
        '<span class="math math-inline">',
        '<div class="math math-display">',
        '<img src="/files/tree.png" alt="tree">',
        '<figure class="figure-right">',
        'href="https://jutge.org"',
        '<div class="sample" id="sample-1">',
        '<h3 class="section-input">',
        '<pre><code class="language-c++">',
    ):
        assert kept in html, kept
    assert _text_of(html) == _text_of(_showcase(render_latex).html)


def _text_of(html: str) -> str:
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]*>", " ", html))).strip()


# --- the LaTeX subset ----------------------------------------------------------------------------


def jutge(source: str, resolve_image: ImageResolver = no_images) -> str:
    """The converter's own HTML (before the allow-list, which may reserialise it)."""
    return render_latex(source, dialect="jutge", language="en", resolve_image=resolve_image).html


def test_accents_quotes_dashes_and_escapes() -> None:
    html = jutge(r"\'e\`a\"u \c{c} \~n --- -- ``q'' 100\% \& \# \_ \$ a~b \ldots{} \LaTeX")
    assert "éàü ç ñ — – “q” 100% &amp; # _ $ a\u00a0b … LaTeX" in html


def test_math_is_kept_for_katex_in_every_form() -> None:
    html = jutge(r"$a<b$ and \(x\) then $$y$$ \[z\] \begin{align*} p &= q \\ r &= s \end{align*}")
    assert r'<span class="math math-inline">\(a&lt;b\)</span>' in html
    assert r'<span class="math math-inline">\(x\)</span>' in html
    assert r'<div class="math math-display">\[y\]</div>' in html
    assert r'<div class="math math-display">\[z\]</div>' in html
    assert r"\[\begin{aligned}p &amp;= q \\ r &amp;= s\end{aligned}\]" in html


def test_dollars_and_percent_in_code_are_text() -> None:
    html = jutge("\\verb|$x$ 50%| and\n\\begin{verbatim}\ncost: $5 % tax\n\\end{verbatim}")
    assert "<code>$x$ 50%</code>" in html
    assert "<pre><code>cost: $5 % tax</code></pre>" in html
    assert "math" not in html


def test_description_tables_figures_and_links() -> None:
    html = jutge(
        r"\begin{description}\item[Key] value\end{description}"
        r"\begin{center}\includegraphics[width=2cm]{pic}\end{center}"
        r"\begin{tabular}{|c|c|}\hline a & \textbf{b} \\[2mm] \hline c & d \\ \end{tabular}"
        r"\url{https://example.org/x} \Link{P68688}",
        resolve_image=lambda name: f"/img/{name}.svg",
    )
    assert "<dl><dt>Key</dt><dd>value</dd></dl>" in html
    assert '<div class="center"><p><img src="/img/pic.svg" alt="pic"></p></div>' in html
    assert "<tr><td>a</td><td><strong>b</strong></td></tr><tr><td>c</td><td>d</td></tr>" in html
    assert '<a href="https://example.org/x">https://example.org/x</a>' in html
    assert '<a href="https://jutge.org/problems/P68688"><strong>P68688</strong></a>' in html


def test_scoring_macro_and_localised_sections() -> None:
    statement = render_source(r"\Statement x \Scoring \Score{Case A}{20}{Easy inputs.}", "jutge-latex", "ca")
    assert '<h3 class="section-scoring">Puntuació</h3>' in statement.html
    assert "<strong>Case A:</strong>" in statement.html and "20 Punts" in statement.html


def test_toolkit_features_paragraphs_lstinline_starred_lists_and_columns() -> None:
    html = jutge(
        "\\Statement\n\\paragraph{Code.} Inline \\lstinline|if (a < b) x;| and "
        "\\lstinline{y = 1}.\n\n\\begin{itemize*}\\item \\verb|\\Sample|\\end{itemize*}\n"
        "\\begin{multicols}{2}\nTwo columns.\n\\end{multicols}\n\\UsePython\\lstset{language=C++}"
    )
    assert "<strong>Code.</strong> Inline <code>if (a &lt; b) x;</code> and <code>y = 1</code>." in html
    assert "<ul><li><code>\\Sample</code></li></ul>" in html
    assert "<p>Two columns.</p>" in html
    assert "language" not in html


def test_sample_session_and_the_statement_environment() -> None:
    statement = render_latex(
        "\\begin{Statement}Talk to me.\\end{Statement}\\SampleSession",
        dialect="jutge",
        language="en",
        resolve_image=no_images,
        session="> hi\n< hello\n",
    )
    assert statement.sections == ["Statement", "Sample"]
    assert "<p>Talk to me.</p>" in statement.html
    assert "<h4>Sample session</h4><pre>&gt; hi\n&lt; hello\n</pre>" in statement.html


def test_unknown_macros_degrade_to_their_text_with_a_warning() -> None:
    statement = render_source(
        r"\Statement \mymacro{Visible}[opt] text \begin{myenv}Inside\end{myenv} \alpha",
        "jutge-latex",
        "en",
    )
    assert "Visible" in statement.html and "Inside" in statement.html
    assert statement.warnings == [
        "unknown macro \\mymacro: shown as the text of its arguments",
        "unknown environment myenv: shown as its text",
        "unknown macro \\alpha: shown as the text of its arguments",
    ]


def test_drawings_that_need_tex_are_dropped_with_a_warning() -> None:
    statement = render_source(
        r"A \begin{tikzpicture}\draw (0,0) -- (1,1);\end{tikzpicture} B"
        r"\begin{latexonly}pdf only\end{latexonly}\begin{htmlonly}web only\end{htmlonly}",
        "jutge-latex",
        "en",
    )
    assert "draw" not in statement.html and "pdf only" not in statement.html
    assert "web only" in statement.html
    assert statement.warnings == ["environment tikzpicture not shown: it needs TeX to draw"]


def test_missing_images_are_named_and_reported() -> None:
    statement = render_source(r"\FigureC{width=1cm}{nothere}", "jutge-latex", "en")
    assert '<span class="missing-image">[nothere]</span>' in statement.html
    assert statement.warnings == ["image 'nothere' not found in the package"]


def test_images_resolve_to_package_files_beside_the_statement(tmp_path: Path) -> None:
    problem = load_package(FIXTURES / "packages/jutge/larger.pbm")
    package = tmp_path / "larger.pbm"
    package.mkdir()
    for path in problem.root.iterdir():
        if path.is_file():
            (package / path.name).write_bytes(path.read_bytes())
    (package / "tree.svg").write_text("<svg/>")
    (package / "problem.en.tex").write_text(
        r"\Problem{T}\Statement \FigureL{}{tree} \includegraphics{tree.svg}"
        r"\includegraphics{../outside} \includegraphics{/etc/hostname}"
    )
    copy = load_package(package)
    statement = render_statement(copy, "en", _urls)
    assert statement.html.count('<img src="/files/tree.svg" alt="tree') == 2
    assert "outside" in statement.html and "/files/../" not in statement.html
    assert len(statement.warnings) == 2


def test_kattis_latex_appends_numbered_samples() -> None:
    statement = render_source(
        "\\problemname{Add}\n\\section*{Input}\nTwo numbers.\n\\section*{Output}\nTheir sum.",
        "kattis-latex",
        "en",
        samples=[Sample("1", "1 2\n", "3\n")],
    )
    assert statement.title == "Add"
    assert statement.sections == ["Input", "Output"]
    assert statement.html.endswith("</div></div></div>")
    assert "<h4>Sample input 1</h4><pre>1 2\n</pre>" in statement.html
    kattis = render_source(r"mail a@b.c or d@e.f", "kattis-latex", "en")  # @code@ is Jutge's
    assert "<code>" not in kattis.html


# --- Markdown -------------------------------------------------------------------------------------


def test_kattis_markdown_with_math_code_tables_and_images() -> None:
    source = (
        "# Title\n\nCompute $a_1 + a_2$ where `$x$` is code.\n\n$$\n\\sum_i a_i\n$$\n\n"
        "| a | b |\n|---|---|\n| 1 | 2 |\n\n![tree](tree.png) ![web](https://evil.example/x.png)\n"
    )
    statement = render_source(source, "markdown", "en", resolve_image=lambda name: f"/files/{name}")
    html = statement.html
    assert statement.title == "Title" and "<h1>" not in html
    assert r'<span class="math math-inline">\(a_1 + a_2\)</span>' in html
    assert "<code>$x$</code>" in html
    assert r'<div class="math math-display">\[\sum_i a_i\]</div>' in html
    assert "<table>" in html and "<td>1</td>" in html
    assert '<img src="/files/tree.png" alt="tree">' in html
    assert "evil.example" not in html and "[web]" in html
    assert statement.warnings == ["image 'https://evil.example/x.png' not found in the package"]


# --- hostile statements ---------------------------------------------------------------------------

HOSTILE_LATEX = r"""\Problem{Evil}
\Statement
<script>alert(1)</script> <img src=x onerror="alert(1)"> </p></div>
\input{/etc/passwd} \input /etc/hostname \include{/etc/shadow}
\immediate\write18{touch /tmp/verdict-pwned}
\openin5=/etc/passwd \read5 to \line
\verbatiminput{/etc/passwd} \lstinputlisting{/etc/passwd}
\href{javascript:alert(1)}{click} \url{data:text/html,<script>x</script>}
\includegraphics{/etc/passwd} \includegraphics{../../../etc/passwd}
\newcommand{\x}{\input{/etc/passwd}} \def\y{z} \catcode`\@=11
$</span><script>alert(2)</script>$ \[</div><script>alert(3)</script>\]
\begin{verbatim}</pre><script>alert(4)</script>\end{verbatim}
\verb|<script>alert(5)</script>| @<script>@
"""


def _assert_harmless(html: str) -> None:
    """No script, no event handler, no link or image outside http(s), mailto and the package:
    hostile text may be shown, but only as text."""
    assert "root:" not in html  # nothing of /etc/passwd
    for tag in re.findall(r"<[^>]*>", html):
        name = re.match(r"</?([a-zA-Z0-9]+)", tag)
        assert name is not None, tag
        assert name.group(1).lower() not in ("script", "iframe", "object", "embed", "style"), tag
        assert not re.search(r"\son\w+\s*=", tag), tag
        for url in re.findall(r"(?:href|src)=\"([^\"]*)\"", tag):
            assert re.match(r"(https?://|mailto:|/files/[\w.+-]+$)", url), tag


def test_hostile_latex_has_no_script_and_reads_no_file() -> None:
    before = Path("/tmp/verdict-pwned").exists()
    statement = render_source(HOSTILE_LATEX, "jutge-latex", "en", resolve_image=lambda name: f"/files/{name}")
    _assert_harmless(statement.html)
    assert Path("/tmp/verdict-pwned").exists() == before
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in statement.html  # shown, as text
    assert "click" in statement.html
    for macro in ("input", "write", "openin", "newcommand", "def", "verbatiminput"):
        assert any(f"\\{macro} ignored" in w for w in statement.warnings), macro
    assert any("javascript:alert(1)" in w for w in statement.warnings)


@pytest.mark.parametrize(
    "source",
    ["{" * 5000 + "x" + "}" * 5000, "\\begin{itemize}\\item " * 3000, "\\textbf{" * 5000],
    ids=["braces", "lists", "macros"],
)
def test_deeply_nested_latex_is_shown_as_source_not_an_error(source: str) -> None:
    statement = render_source(source, "jutge-latex", "en")
    assert statement.html
    assert statement.warnings


def test_hostile_markdown_has_no_script() -> None:
    source = (
        "<script>alert(1)</script>\n\n<img src=x onerror=alert(1)>\n\n"
        "[a](javascript:alert(1)) [b](vbscript:x) [c](data:text/html,x) ![d](file:///etc/passwd)\n\n"
        "$</span><script>alert(2)</script>$\n\n<a href='javascript:alert(3)'>e</a>\n"
    )
    statement = render_source(source, "markdown", "en", resolve_image=lambda n: f"/files/{n}")
    _assert_harmless(statement.html)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in statement.html


def test_sanitise_html_without_an_allow_list_shows_markup_as_text() -> None:
    cleaned = sanitise_html('<p onclick="x()">hi<script>alert(1)</script></p>')
    assert "<script" not in cleaned
    if not has_sanitiser():
        assert "&lt;p onclick" in cleaned


@pytest.mark.skipif(not has_sanitiser(), reason="nh3 is not installed in this venv yet")
def test_sanitise_html_keeps_statement_markup_and_drops_the_rest() -> None:
    cleaned = sanitise_html(
        '<p class="x" onclick="y()">a <a href="javascript:z()">b</a> <a href="https://o.rg">c</a>'
        '<img src="/files/t.png" alt="t"><script>s()</script><iframe src="x"></iframe></p>'
    )
    assert '<p class="x">' in cleaned and "onclick" not in cleaned
    assert "javascript" not in cleaned and "<script" not in cleaned and "iframe" not in cleaned
    assert 'href="https://o.rg"' in cleaned and '<img src="/files/t.png" alt="t">' in cleaned


# --- INGInious RST ---------------------------------------------------------------------------------


def _inginious_contexts() -> list[tuple[str, str]]:
    found = []
    for path in sorted((FIXTURES / "inginious").rglob("task.yaml")):
        task = yaml.safe_load(path.read_text())
        if isinstance(task, dict) and str(task.get("context") or "").strip():
            found.append((str(path.relative_to(FIXTURES)), str(task["context"])))
    return found


@needs_docutils
@pytest.mark.parametrize(("name", "context"), _inginious_contexts(), ids=lambda v: v)
def test_every_inginious_context_renders(name: str, context: str) -> None:
    statement = render_source(context, "rst", "en")
    assert statement.html.strip(), name
    assert "<script" not in statement.html


@needs_docutils
def test_rst_math_is_kept_for_katex() -> None:
    statement = render_source("Print :math:`a<b`.\n\n.. math::\n\n   x^2 < y\n", "rst", "en")
    if has_sanitiser():
        assert r'<span class="math math-inline">\(a&lt;b\)</span>' in statement.html
        assert r'<div class="math math-display">\[x^2 &lt; y\]</div>' in statement.html


@needs_docutils
def test_hostile_rst_has_no_script_and_reads_no_file() -> None:
    source = (
        "Hello\n\n.. raw:: html\n\n   <script>alert(1)</script>\n\n"
        ".. include:: /etc/passwd\n\n.. csv-table::\n   :file: /etc/passwd\n\n"
        "`click <javascript:alert(1)>`_ and <script>alert(2)</script>\n\n"
        ".. image:: /etc/passwd\n\n.. image:: figure.png\n   :alt: A figure\n"
    )
    statement = render_source(source, "rst", "en", resolve_image=lambda name: f"/files/{name}")
    html = statement.html
    assert "root:" not in html
    assert "<script" not in html.lower()
    assert statement.warnings == ["image '/etc/passwd' not found in the task"]
    if has_sanitiser():
        _assert_harmless(html)
        assert '<img src="/files/figure.png" alt="A figure">' in html


# --- the statement language -------------------------------------------------------------------------


def test_accept_language_is_read_by_quality() -> None:
    assert parse_accept_language("ca-ES,ca;q=0.9,en;q=0.8,es;q=0") == ["ca-ES", "ca", "en"]
    assert parse_accept_language("en;q=0.5, fr") == ["fr", "en"]
    assert parse_accept_language("*, ;q=1, en;q=abc, <x>") == []
    assert parse_accept_language(None) == []


@pytest.mark.parametrize(
    ("available", "preferences", "original", "chosen"),
    [
        (["ca", "en"], ["ca"], "en", "ca"),  # the user's choice
        (["ca", "en"], [None, "es", "ca-ES"], "en", "ca"),  # no choice; the browser's, by subtag
        (["ca", "en", "es"], ["fr"], "es", "es"),  # none of them: the original
        (["ca", "es"], ["fr"], None, "ca"),  # no original: English, else the first
        (["ca", "en"], [], "fr", "en"),
        (["en_GB"], ["en-US"], None, "en_GB"),
        ([], ["en"], "en", None),
    ],
)
def test_statement_language_choice(
    available: list[str], preferences: list[str | None], original: str | None, chosen: str | None
) -> None:
    assert choose_language(available, preferences, original) == chosen
