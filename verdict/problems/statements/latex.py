"""LaTeX statements to HTML without TeX: the subset Jutge statements (jutge.sty's \\Problem,
\\Statement, \\Input, \\Sample...) and Kattis problemtools statements (\\problemname,
\\section*{Input}, \\illustration) are written in.

How it reads a statement:

1. Verbatim material (``verbatim``/``lstlisting`` environments, ``\\verb``, ``\\lstinline``, Jutge's
   ``@code@``) and math (``$...$``, ``\\(...\\)``, ``\\[...\\]``, ``equation``/``align``...) are cut
   out first and replaced by placeholders holding their finished HTML; comments are dropped.
2. The rest is scanned: macros with their arguments, environments, groups, paragraphs. Text is
   HTML-escaped as it is read, so the output is safe by construction; a macro it does not know
   degrades to the text of its arguments, with a warning.

Nothing reads a file: ``\\input``, ``\\include``, ``\\write18``, ``\\openin`` and macro definitions are
dropped with a warning. Images are resolved by the caller's resolver.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from html import unescape

from verdict.problems.statements.common import (
    ImageResolver,
    Sample,
    Statement,
    esc,
    math_html,
    safe_relative,
    samples_html,
    word,
)

MAX_SOURCE_CHARS = 1_000_000  # a longer "statement" is shown as its source, not converted
PH = "\x00"  # placeholder mark: removed from the source first, so a statement cannot forge one

# Jutge's section macros -> the word they print (jutge.sty's \mysection{\Txt...}).
SECTIONS = {
    "Statement": None,  # starts the statement; the page shows the title
    "Specification": "Specification",
    "Input": "Input",
    "Output": "Output",
    "Precondition": "Precondition",
    "Samples": "Samples",
    "Example": "Example",
    "Observation": "Observation",
    "Observations": "Observations",
    "Hint": "Hint",
    "Scoring": "Scoring",
    "Scores": "Scoring",
    "Interface": "Interface",
    "Solution": "Solution",
}
# \ObservationNoMain and friends: the Observation section with jutge.sty's sentence(s).
OBSERVATION_TEXTS = {
    "ObservationNoMain": ("NoMain",),
    "ObservationNoMainPlural": ("NoMainPlural",),
    "ObservationNoMainTuples": ("NoMain", "Tuples"),
    "ObservationNoMainClasses": ("NoMain", "Tuples"),
    "ObservationNoMainTuplesPlural": ("NoMainPlural", "Tuples"),
}
SAMPLE_MACROS = {"Sample", "SampleOneCol", "SampleTwoCol", "SampleSession"}

INLINE_TAGS = {
    "textbf": "strong",
    "textit": "em",
    "emph": "em",
    "textsl": "em",
    "texttt": "code",
    "uq": "code",
    "underline": "u",
    "textsuperscript": "sup",
    "textsubscript": "sub",
}
PLAIN_ONE_ARG = {
    "textrm",
    "textsf",
    "textnormal",
    "textsc",
    "textup",
    "textmd",
    "mbox",
    "text",
    "hbox",
    "fbox",
    "framebox",
    "makebox",
    "centerline",
    "ensuremath",
}
SWITCHES = {"bf": "strong", "bfseries": "strong", "it": "em", "itshape": "em", "em": "em"}
SWITCHES |= {"sl": "em", "tt": "code", "ttfamily": "code"}
IGNORED = {
    # spacing, sizes, page layout and listings settings: nothing to show in HTML
    "medskip", "bigskip", "smallskip", "noindent", "indent", "centering", "raggedright",
    "raggedleft", "hfill", "vfill", "hrule", "newpage", "clearpage", "pagebreak", "linebreak",
    "nopagebreak", "small", "footnotesize", "scriptsize", "tiny", "normalsize", "large", "Large",
    "LARGE", "huge", "Huge", "rm", "sf", "sc", "sffamily", "rmfamily", "mdseries", "upshape",
    "normalfont", "UseCPP", "UsePython", "UseHaskell", "UseClojure", "columnbreak", "protect",
    "relax", "displaystyle", "maketitle", "tableofcontents", "sloppy", "null", "ignorespaces",
    "hline", "toprule", "midrule", "bottomrule", "cline", "item",
}  # fmt: skip
IGNORED_WITH_ARG = {
    "vspace", "hspace", "label", "lstset", "pagestyle", "thispagestyle", "setlength",
    "addtolength", "setcounter", "color", "enlargethispage", "cite", "index", "phantom",
    "vspace*", "hspace*",
}  # fmt: skip
FORBIDDEN = {
    # read or write files, run programs, or redefine the language: never in a rendered statement
    "input", "include", "includeonly", "InputIfFileExists", "write", "write18", "immediate",
    "openin", "openout", "read", "readline", "closein", "closeout", "catcode", "def", "edef",
    "gdef", "xdef", "let", "newcommand", "renewcommand", "providecommand", "DeclareRobustCommand",
    "newenvironment", "renewenvironment", "csname", "endcsname", "expandafter", "special",
    "directlua", "luaexec", "usepackage", "RequirePackage", "documentclass", "verbatiminput",
    "verbatimtabinput", "lstinputlisting", "jobname", "ShellEscape", "pdfshellescape",
}  # fmt: skip
# What TeX primitives that touch files take after them (\openin5=file, \read5 to\x, \write18{}).
PRIMITIVE_SYNTAX = {
    "write": re.compile(r"\d*\s*"),
    "openin": re.compile(r"\s*\d*\s*=?\s*[^\s\\{}]*"),
    "openout": re.compile(r"\s*\d*\s*=?\s*[^\s\\{}]*"),
    "read": re.compile(r"\s*\d*\s*(?:to\s*\\[A-Za-z]+)?"),
    "readline": re.compile(r"\s*\d*\s*(?:to\s*\\[A-Za-z]+)?"),
    "closein": re.compile(r"\s*\d*"),
    "closeout": re.compile(r"\s*\d*"),
    "catcode": re.compile(r"\s*`?\\?.\s*=?\s*\d*"),
}
SYMBOLS = {
    "ldots": "…", "dots": "…", "textellipsis": "…", "LaTeX": "LaTeX", "TeX": "TeX",
    "CPP": "C++", "quad": "\u2003", "qquad": "\u2003\u2003", "textbackslash": "\\",
    "textasciitilde": "~", "textasciicircum": "^", "textbar": "|", "textless": "<",
    "textgreater": ">", "textendash": "–", "textemdash": "—", "textquoteleft": "‘",
    "textquoteright": "’", "textquotedblleft": "“", "textquotedblright": "”", "S": "§",
    "P": "¶", "copyright": "©", "textregistered": "®", "texttrademark": "™", "euro": "€",
    "EUR": "€", "pounds": "£", "textdegree": "°", "degree": "°", "ss": "ß", "ae": "æ",
    "AE": "Æ", "oe": "œ", "OE": "Œ", "o": "ø", "O": "Ø", "aa": "å", "AA": "Å", "l": "ł",
    "L": "Ł", "i": "ı", "guillemotleft": "«", "guillemotright": "»", "textbullet": "•",
    "newline": "\n", "par": "\n\n", "today": "", "space": " ", "nobreakspace": "\u00a0",
    "Event": "", "EventDate": "",
}  # fmt: skip
ACCENTS = {"'": "\u0301", "`": "\u0300", "^": "\u0302", '"': "\u0308", "~": "\u0303"}
ACCENTS |= {"=": "\u0304", ".": "\u0307", "c": "\u0327", "v": "\u030c", "u": "\u0306"}
ACCENTS |= {"H": "\u030b", "r": "\u030a", "k": "\u0328"}
ESCAPED = {"%": "%", "&": "&", "#": "#", "_": "_", "$": "$", "{": "{", "}": "}", " ": " "}
ESCAPED |= {",": "\u2009", ";": "\u2005", ":": "\u2005", "!": "", "/": "", "-": "", "@": ""}
ESCAPED |= {"\n": " ", "\t": " "}
LISTS = {"itemize": "ul", "itemize*": "ul", "enumerate": "ol", "enumerate*": "ol"}
LISTS |= {"compactitem": "ul", "compactenum": "ol", "description": "dl", "description*": "dl"}
MATH_ENVS = (
    "equation|equation\\*|displaymath|math|align|align\\*|aligned|gather|gather\\*|multline|"
    "multline\\*|eqnarray|eqnarray\\*|flalign|flalign\\*|alignat|alignat\\*|split"
)
DROPPED_ENVS = {"latexonly", "comment", "tikzpicture", "pspicture", "picture", "chessboard"}
TRANSPARENT_ENVS = {"htmlonly", "multicols", "multicols*", "flushleft", "flushright", "small"}
TRANSPARENT_ENVS |= {"footnotesize", "minipage", "samepage", "document", "Statement", "problem"}
TRANSPARENT_ENVS |= {"wrapfigure", "parpic", "sloppypar", "raggedright", "trivlist"}
IMAGE_EXTENSIONS = (".svg", ".png", ".jpg", ".jpeg", ".gif", ".webp")

# Step 1: verbatim, math and comments, leftmost first; at one position, the earlier alternative.
PROTECT = re.compile(
    r"(?P<verbenv>\\begin\{(?P<venv>verbatim\*?|lstlisting|Verbatim|minted|code)\}"
    r"(?P<vopt>\[[^\]\n]*\])?(?:\{[^}\n]*\})?(?P<vbody>.*?)\\end\{(?P=venv)\})"
    r"|(?P<verb>\\verb\*?(?P<vdelim>[^\sA-Za-z*])(?P<vtext>.*?)(?P=vdelim))"
    r"|(?P<lstbrace>\\lstinline(?:\[[^\]\n]*\])?\{(?P<lbtext>[^{}\n]*)\})"
    r"|(?P<lst>\\lstinline(?:\[[^\]\n]*\])?(?P<ldelim>[^\s{\[A-Za-z])(?P<ltext>.*?)(?P=ldelim))"
    r"|(?P<at>@(?P<attext>[^@\n]+)@)"
    r"|(?P<linebreak>\\\\)"
    r"|(?P<dmath>\$\$(?P<dtext>.+?)\$\$|\\\[(?P<btext>.+?)\\\])"
    r"|(?P<imath>\$(?P<itext>(?:\\.|[^$\\])+?)\$|\\\((?P<ptext>.+?)\\\))"
    rf"|(?P<envmath>\\begin\{{(?P<menv>{MATH_ENVS})\}}(?P<mbody>.*?)\\end\{{(?P=menv)\}})"
    r"|(?P<escaped>\\[^A-Za-z\s])"
    r"|(?P<comment>%[^\n]*(?:\n[ \t]*)?)",
    re.S,
)
COMMAND = re.compile(r"\\([A-Za-z]+)(\*?)")
Handler = Callable[[str, str, int, list["_Piece"]], int]  # (name, text, after it, out)
BLANK_LINE = re.compile(r"\n[ \t]*\n\s*")
TEXT_TOKEN = re.compile(r"[^\\{}\x00\n~`'\-<>!?&]+|---|--|``|''|<<|>>|!`|\?`|.", re.S)


@dataclass
class _Piece:
    kind: str  # "inline" | "block" | "par"
    html: str = ""


@dataclass
class _Context:
    dialect: str  # "jutge" | "kattis"
    language: str
    samples: list[Sample]
    resolve_image: ImageResolver
    session: str | None = None  # Jutge's sample.dt, for \SampleSession
    placeholders: list[tuple[str, str]] = field(default_factory=list)  # (kind, html)
    warnings: list[str] = field(default_factory=list)
    sections: list[str] = field(default_factory=list)
    title: str | None = None
    samples_shown: bool = False

    def warn(self, message: str) -> None:
        if message not in self.warnings:
            self.warnings.append(message)


def render_latex(
    source: str,
    *,
    dialect: str,
    language: str,
    samples: list[Sample] | None = None,
    resolve_image: ImageResolver,
    session: str | None = None,
) -> Statement:
    """Render a Jutge (``dialect="jutge"``) or Kattis (``"kattis"``) LaTeX statement."""
    ctx = _Context(dialect, language, list(samples or []), resolve_image, session)
    text = source.replace(PH, "").replace("\r\n", "\n").replace("\r", "\n")
    if len(text) > MAX_SOURCE_CHARS:
        ctx.warn(f"statement longer than {MAX_SOURCE_CHARS} characters: shown as its source")
        body = f'<pre class="statement-source">{esc(text[:MAX_SOURCE_CHARS])}</pre>'
    else:
        body = _convert(text, ctx)
    if ctx.dialect == "kattis" and not ctx.samples_shown:
        body += samples_html(ctx.samples, language, numbered=True)  # problemtools appends them
    fmt = "jutge-latex" if dialect == "jutge" else "kattis-latex"
    return Statement(body, language, fmt, ctx.title, ctx.sections, ctx.warnings)


def _convert(text: str, ctx: _Context) -> str:
    try:
        return _Renderer(ctx).flow(_protect(_strip_document(text), ctx))
    except RecursionError:  # braces or environments nested thousands deep: not a statement
        ctx.warn("statement nested too deeply to convert: shown as its source")
        return f'<pre class="statement-source">{esc(text)}</pre>'


def _strip_document(text: str) -> str:
    """Only the body of a whole document (a preamble is not statement text)."""
    begin = re.search(r"\\begin\{document\}", text)
    if begin is None:
        return text
    end = re.search(r"\\end\{document\}", text[begin.end() :])
    return text[begin.end() : begin.end() + end.start()] if end else text[begin.end() :]


def _protect(text: str, ctx: _Context) -> str:
    """Verbatim material and math replaced by placeholders of their HTML; comments dropped."""

    def replace(m: re.Match[str]) -> str:
        kind = m.lastgroup
        if kind in ("linebreak", "escaped"):
            return m.group(0)  # kept whole so that neither starts math nor a comment
        if kind == "at" and ctx.dialect != "jutge":
            return m.group(0)
        if kind == "comment":
            return ""  # with the line break and the indentation after it
        held = _held(m)
        ctx.placeholders.append(held)
        return f"{PH}{len(ctx.placeholders) - 1}{PH}"

    return PROTECT.sub(replace, text)


def _held(m: re.Match[str]) -> tuple[str, str]:
    """(kind, HTML) of a verbatim or math match."""
    if m["verbenv"]:
        body = m["vbody"].strip("\n")
        language = re.search(r"language=([\w+#-]+)", m["vopt"] or "")
        css = f' class="language-{esc(language.group(1).lower())}"' if language else ""
        return "block", f"<pre><code{css}>{esc(_dedent(body))}</code></pre>"
    if m["dmath"]:
        return "block", math_html((m["dtext"] or m["btext"]).strip(), display=True)
    if m["imath"]:
        return "inline", math_html((m["itext"] or m["ptext"]).strip(), display=False)
    if m["envmath"]:
        name = m["menv"].rstrip("*")
        inner = m["mbody"].strip()
        if name in {"align", "eqnarray", "flalign", "alignat", "split", "aligned"}:
            inner = f"\\begin{{aligned}}{inner}\\end{{aligned}}"
        elif name in {"gather", "multline"}:
            inner = f"\\begin{{gathered}}{inner}\\end{{gathered}}"
        return "block", math_html(inner, display=name != "math")
    code = m["vtext"] if m["verb"] else m["lbtext"] if m["lstbrace"] else None
    code = code if code is not None else (m["ltext"] if m["lst"] else m["attext"])
    return "inline", f"<code>{esc(code)}</code>"


def _dedent(code: str) -> str:
    lines = code.split("\n")
    indents = [len(line) - len(line.lstrip(" ")) for line in lines if line.strip()]
    cut = min(indents, default=0)
    return "\n".join(line[cut:] for line in lines)


def _matching(text: str, start: int, opening: str, closing: str) -> int:
    """The index of the ``closing`` that closes the ``opening`` at ``start`` (or len(text))."""
    depth = 0
    i = start
    while i < len(text):
        c = text[i]
        if c == "\\":
            i += 2
            continue
        if c == opening:
            depth += 1
        elif c == closing:
            depth -= 1
            if depth == 0:
                return i
        i += 1
    return len(text)


def _environment_end(text: str, start: int, name: str) -> tuple[int, int]:
    """(start of the matching ``\\end{name}``, index after it), nesting counted."""
    pattern = re.compile(r"\\(begin|end)\{" + re.escape(name) + r"\}")
    depth = 1
    for m in pattern.finditer(text, start):
        depth += 1 if m.group(1) == "begin" else -1
        if depth == 0:
            return m.start(), m.end()
    return len(text), len(text)


TOP_TOKEN = re.compile(r"\\begin\{[^}]*\}|\\end\{[^}]*\}|\\[A-Za-z]+|\\.|[{}]|&|\n", re.S)


def _split_top(text: str, is_separator: Callable[[str], bool]) -> list[tuple[str, str]]:
    """Split ``text`` at the tokens ``is_separator`` accepts that are outside braces and nested
    environments: [(separator before, chunk)], the first with separator ""."""
    chunks: list[tuple[str, str]] = []
    depth = 0
    last = 0
    separator = ""
    for m in TOP_TOKEN.finditer(text):
        token = m.group(0)
        if token.startswith("\\begin{") or token == "{":
            depth += 1
        elif token.startswith("\\end{") or token == "}":
            depth = max(0, depth - 1)
        elif depth == 0 and is_separator(token):
            chunks.append((separator, text[last : m.start()]))
            separator, last = token, m.end()
    chunks.append((separator, text[last:]))
    return chunks


class _Renderer:
    def __init__(self, ctx: _Context) -> None:
        self.ctx = ctx

    # --- entry points ------------------------------------------------------------------------

    def flow(self, text: str) -> str:
        """Block context: paragraphs, headings, lists..."""
        return _assemble(self.scan(text))

    def inline(self, text: str) -> str:
        """Inline context (an argument shown in a line): blocks and paragraphs run together."""
        return "".join(" " if p.kind == "par" else p.html for p in self.scan(text)).strip()

    def item(self, text: str) -> str:
        """A list item or table cell: flow, without the <p> of a single paragraph."""
        html = self.flow(text)
        if html.startswith("<p>") and html.endswith("</p>") and html.count("<p>") == 1:
            return html[3:-4]
        return html

    # --- the scanner --------------------------------------------------------------------------

    def scan(self, text: str) -> list[_Piece]:
        out: list[_Piece] = []
        i = 0
        n = len(text)
        while i < n:
            c = text[i]
            if c == "\\":
                i = self.backslash(text, i, out)
            elif c == "{":
                end = _matching(text, i, "{", "}")
                out.extend(self.group(text[i + 1 : end]))
                i = end + 1
            elif c == "}":
                i += 1
            elif c == PH:
                end = text.index(PH, i + 1)
                kind, html = self.ctx.placeholders[int(text[i + 1 : end])]
                out.append(_Piece(kind, html))
                i = end + 1
            elif c == "\n" and (blank := BLANK_LINE.match(text, i)):
                out.append(_Piece("par"))
                i = blank.end()
            else:
                token = TEXT_TOKEN.match(text, i)
                assert token is not None
                out.append(_Piece("inline", _text(re.sub(r"\s+", " ", token.group(0)))))
                i = token.end()
        return out

    def group(self, content: str) -> list[_Piece]:
        """``{...}``: its content, in the font an opening switch (``{\\bf ...}``) asks for."""
        m = re.match(r"\s*\\([A-Za-z]+)(?![A-Za-z])", content)
        if m and m.group(1) in SWITCHES:
            tag = SWITCHES[m.group(1)]
            return [_Piece("inline", f"<{tag}>{self.inline(content[m.end() :])}</{tag}>")]
        return self.scan(content)

    # --- arguments ----------------------------------------------------------------------------

    @staticmethod
    def argument(text: str, i: int) -> tuple[str | None, int]:
        """The mandatory argument at ``i`` (after spaces and one line break): its text and where
        scanning resumes; (None, i) when there is none."""
        j = i
        while j < len(text) and text[j] in " \t":
            j += 1
        if j < len(text) and text[j] == "\n" and not BLANK_LINE.match(text, j):
            j += 1
            while j < len(text) and text[j] in " \t":
                j += 1
        if j >= len(text) or text[j] == "}":
            return None, i
        if text[j] == "{":
            end = _matching(text, j, "{", "}")
            return text[j + 1 : end], end + 1
        if text[j] == "\\":
            m = COMMAND.match(text, j)
            end = m.end() if m else j + 2
            return text[j:end], end
        if text[j] == PH:
            end = text.index(PH, j + 1) + 1
            return text[j:end], end
        return text[j], j + 1

    @staticmethod
    def optional(text: str, i: int) -> tuple[str | None, int]:
        j = i
        while j < len(text) and text[j] in " \t":
            j += 1
        if j < len(text) and text[j] == "[":
            end = _matching(text, j, "[", "]")
            return text[j + 1 : end], end + 1
        return None, i

    def arguments(self, text: str, i: int, count: int) -> tuple[list[str], int]:
        args = []
        for _ in range(count):
            arg, i = self.argument(text, i)
            args.append(arg or "")
        return args, i

    # --- backslash: macros, escapes, environments --------------------------------------------

    def backslash(self, text: str, i: int, out: list[_Piece]) -> int:
        if text.startswith("\\\\", i):
            _, j = self.optional(text, i + 2)
            out.append(_Piece("inline", "<br>"))
            return j
        m = COMMAND.match(text, i)
        if m is None:
            return self.escape(text, i, out)
        name, star = m.group(1), m.group(2)
        j = m.end()
        if name == "begin":
            return self.environment(text, j, out)
        if name == "end":  # an unmatched \end{...}
            _, j = self.argument(text, j)
            return j
        if name in ACCENTS:
            return self.accent(name, text, j, out)
        return self.macro(name, star, text, j, out)

    def escape(self, text: str, i: int, out: list[_Piece]) -> int:
        if i + 1 >= len(text):
            return i + 1
        c = text[i + 1]
        if c in ACCENTS:
            return self.accent(c, text, i + 2, out)
        out.append(_Piece("inline", esc(ESCAPED.get(c, c))))
        return i + 2

    def accent(self, accent: str, text: str, j: int, out: list[_Piece]) -> int:
        arg, j = self.argument(text, j)
        base = _plain_text(arg or "")
        if base == "\\i":
            base = "i"
        combined = unicodedata.normalize("NFC", base[:1] + ACCENTS[accent] + base[1:])
        out.append(_Piece("inline", esc(combined)))
        return j

    def macro(self, name: str, star: str, text: str, j: int, out: list[_Piece]) -> int:
        """A macro and its arguments (from ``j``), appended to ``out``; where scanning resumes."""
        return self.handler(name)(name, text, j, out)

    def handler(self, name: str) -> Handler:
        jutge = self.ctx.dialect == "jutge"
        if jutge and name in SECTIONS:
            return self.jutge_section
        if jutge and name in OBSERVATION_TEXTS:
            return self.observation
        if jutge and name in ("ObservationElastic", "ObservationElasticII"):
            return self.elastic
        for names, handler in self.handlers():
            if name in names:
                return handler
        return self.unknown

    def handlers(self) -> list[tuple[Collection[str], Handler]]:
        return [
            (("Problem", "ProblemTitle", "problemname", "title"), self.title),
            (("ProblemId", "author", "date"), self.drop_argument),
            (("Author", "Translator", "Generation"), self.nothing),
            ((*SAMPLE_MACROS, "nextsample", "remainingsamples"), self.samples),
            (("section", "subsection", "subsubsection", "paragraph", "subparagraph"), self.section),
            (("Score", "ShortScore"), self.score),
            (INLINE_TAGS, self.inline_tag),
            (SWITCHES, self.switch),
            (PLAIN_ONE_ARG, self.plain),
            (("q", "qq"), self.quoted),
            (("href", "url", "Link"), self.link),
            (("footnote",), self.footnote),
            (("textcolor", "colorbox"), self.colour),
            (("includegraphics",), self.includegraphics),
            (("FigureL", "FigureC", "FigureR"), self.figure),
            (("illustration",), self.illustration),
            (("caption",), self.caption),
            (SYMBOLS, self.symbol),
            (IGNORED, self.ignored),
            (IGNORED_WITH_ARG, self.ignored_with_argument),
            (FORBIDDEN, self.forbidden),
        ]

    def title(self, name: str, text: str, j: int, out: list[_Piece]) -> int:
        arg, j = self.argument(text, j)
        self.ctx.title = _plain_html(self.inline(arg or "")) or self.ctx.title
        return j

    def drop_argument(self, name: str, text: str, j: int, out: list[_Piece]) -> int:
        return self.argument(text, j)[1]

    def nothing(self, name: str, text: str, j: int, out: list[_Piece]) -> int:
        return j

    def jutge_section(self, name: str, text: str, j: int, out: list[_Piece]) -> int:
        self.ctx.sections.append(name)
        heading = SECTIONS[name]
        if heading is not None:
            out.append(self.heading(word(self.ctx.language, heading), name))
        return j

    def observation(self, name: str, text: str, j: int, out: list[_Piece]) -> int:
        language = self.ctx.language
        self.ctx.sections.append("Observation")
        out.append(self.heading(word(language, "Observation"), "Observation"))
        sentences = " ".join(word(language, key) for key in OBSERVATION_TEXTS[name])
        out.append(_Piece("block", f"<p>{esc(sentences)}</p>"))
        return j

    def elastic(self, name: str, text: str, j: int, out: list[_Piece]) -> int:
        language = self.ctx.language
        self.ctx.sections.append("Observation")
        out.append(self.heading(word(language, "Checker"), "Checker"))
        key = "Elastic" if name == "ObservationElastic" else "ElasticII"
        out.append(_Piece("block", f"<p>{esc(word(language, key))}</p>"))
        return j

    def score(self, name: str, text: str, j: int, out: list[_Piece]) -> int:
        (what, points, detail), j = self.arguments(text, j, 3)
        points_word = esc(word(self.ctx.language, "Points"))
        html = (
            f'<ul class="score"><li><strong>{self.inline(what)}:</strong> '
            f'<span class="points">{self.inline(points)} {points_word}</span> '
            f"{self.item(detail)}</li></ul>"
        )
        out.append(_Piece("block", html))
        return j

    def inline_tag(self, name: str, text: str, j: int, out: list[_Piece]) -> int:
        arg, j = self.argument(text, j)
        tag = INLINE_TAGS[name]
        out.append(_Piece("inline", f"<{tag}>{self.inline(arg or '')}</{tag}>"))
        return j

    def switch(self, name: str, text: str, j: int, out: list[_Piece]) -> int:
        """A font switch outside a group: to the end of the text, as TeX does."""
        tag = SWITCHES[name]
        out.append(_Piece("inline", f"<{tag}>{self.inline(text[j:])}</{tag}>"))
        return len(text)

    def plain(self, name: str, text: str, j: int, out: list[_Piece]) -> int:
        _, j = self.optional(text, j)
        arg, j = self.argument(text, j)
        out.extend(self.scan(arg or ""))
        return j

    def quoted(self, name: str, text: str, j: int, out: list[_Piece]) -> int:
        arg, j = self.argument(text, j)
        left, right = ("‘", "’") if name == "q" else ("“", "”")
        out.append(_Piece("inline", f"{left}<code>{self.inline(arg or '')}</code>{right}"))
        return j

    def footnote(self, name: str, text: str, j: int, out: list[_Piece]) -> int:
        arg, j = self.argument(text, j)
        out.append(_Piece("inline", f" ({self.inline(arg or '')})"))
        return j

    def colour(self, name: str, text: str, j: int, out: list[_Piece]) -> int:
        _, j = self.optional(text, j)
        (_, arg), j = self.arguments(text, j, 2)
        out.extend(self.scan(arg))
        return j

    def includegraphics(self, name: str, text: str, j: int, out: list[_Piece]) -> int:
        _, j = self.optional(text, j)
        arg, j = self.argument(text, j)
        out.append(_Piece("inline", self.image(_plain_text(arg or ""))))
        return j

    def figure(self, name: str, text: str, j: int, out: list[_Piece]) -> int:
        (_, file), j = self.arguments(text, j, 2)
        side = {"FigureL": "left", "FigureC": "center", "FigureR": "right"}[name]
        image = self.image(_plain_text(file))
        out.append(_Piece("block", f'<figure class="figure-{side}">{image}</figure>'))
        return j

    def illustration(self, name: str, text: str, j: int, out: list[_Piece]) -> int:
        """problemtools' \\illustration{width}{file}{caption}."""
        (_, file, caption), j = self.arguments(text, j, 3)
        image = self.image(_plain_text(file))
        html = f'<figure class="figure-right">{image}<figcaption>{self.inline(caption)}'
        out.append(_Piece("block", html + "</figcaption></figure>"))
        return j

    def caption(self, name: str, text: str, j: int, out: list[_Piece]) -> int:
        arg, j = self.argument(text, j)
        out.append(_Piece("block", f"<figcaption>{self.inline(arg or '')}</figcaption>"))
        return j

    def symbol(self, name: str, text: str, j: int, out: list[_Piece]) -> int:
        value = SYMBOLS[name]
        if value == "\n\n":
            out.append(_Piece("par"))
        elif value == "\n":
            out.append(_Piece("inline", "<br>"))
        else:
            out.append(_Piece("inline", esc(value)))
        return _skip_empty_group(text, j)

    def ignored(self, name: str, text: str, j: int, out: list[_Piece]) -> int:
        return _skip_empty_group(text, j)

    def ignored_with_argument(self, name: str, text: str, j: int, out: list[_Piece]) -> int:
        _, j = self.optional(text, j)
        _, j = self.argument(text, j)
        if name in ("setlength", "addtolength", "setcounter"):
            _, j = self.argument(text, j)
        return j

    def heading(self, title: str, name: str) -> _Piece:
        slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
        return _Piece("block", f'<h3 class="section-{slug}">{esc(title)}</h3>')

    def section(self, name: str, text: str, j: int, out: list[_Piece]) -> int:
        _, j = self.optional(text, j)
        arg, j = self.argument(text, j)
        title = self.inline(arg or "")
        plain = _plain_html(title)
        self.ctx.sections.append(plain)
        if name == "paragraph" or name == "subparagraph":
            out.append(_Piece("inline", f"<strong>{title}</strong>"))
        else:
            tag = {"section": "h3", "subsection": "h4", "subsubsection": "h5"}[name]
            out.append(_Piece("block", f"<{tag}>{title}</{tag}>"))
        return j

    def samples(self, name: str, text: str, j: int, out: list[_Piece]) -> int:
        ctx = self.ctx
        if name == "SampleSession" and ctx.session is not None:
            heading = esc(word(ctx.language, "Sample session"))
            html = f'<div class="samples"><h4>{heading}</h4><pre>{esc(ctx.session)}</pre></div>'
            out.append(_Piece("block", html))
        elif not ctx.samples_shown:
            numbered = True if ctx.dialect == "kattis" else None
            out.append(_Piece("block", samples_html(ctx.samples, ctx.language, numbered=numbered)))
        ctx.samples_shown = True
        if "Sample" not in ctx.sections:
            ctx.sections.append("Sample")
        return j

    def link(self, name: str, text: str, j: int, out: list[_Piece]) -> int:
        if name == "href":
            (url, label), j = self.arguments(text, j, 2)
            label_html = self.inline(label)
        else:
            arg, j = self.argument(text, j)
            url = arg or ""
            label_html = esc(_plain_text(url))
            if name == "Link":
                label_html = f"<strong>{label_html}</strong>"
                url = "https://jutge.org/problems/" + _plain_text(url)
        target = _plain_text(url).strip()
        if re.match(r"(?i)(https?://|mailto:)[^\s\"'<>]*$", target):
            out.append(_Piece("inline", f'<a href="{esc(target)}">{label_html}</a>'))
        else:
            self.ctx.warn(f"link to {target!r} not shown: only http, https and mailto links")
            out.append(_Piece("inline", label_html))
        return j

    def image(self, name: str) -> str:
        name = name.strip()
        url = self.ctx.resolve_image(name) if safe_relative(name) else None
        if url is None:
            self.ctx.warn(f"image {name!r} not found in the package")
            return f'<span class="missing-image">[{esc(name)}]</span>'
        alt = esc(name.rsplit("/", 1)[-1])
        return f'<img src="{esc(url)}" alt="{alt}">'

    def forbidden(self, name: str, text: str, j: int, out: list[_Piece]) -> int:
        self.ctx.warn(f"\\{name} ignored: a statement cannot include files or define macros")
        if name in ("newcommand", "renewcommand", "providecommand", "DeclareRobustCommand"):
            _, j = self.argument(text, j)
            _, j = self.optional(text, j)
            _, j = self.optional(text, j)
            _, j = self.argument(text, j)
        elif name in ("newenvironment", "renewenvironment"):
            _, j = self.argument(text, j)
            _, j = self.optional(text, j)
            _, j = self.optional(text, j)
            _, j = self.argument(text, j)
            _, j = self.argument(text, j)
        elif name in ("def", "edef", "gdef", "xdef"):
            m = re.compile(r"\s*\\[A-Za-z]+[^{]*").match(text, j)
            j = m.end() if m else j
            _, j = self.argument(text, j)
        elif name in ("usepackage", "RequirePackage", "documentclass"):
            _, j = self.optional(text, j)
            _, j = self.argument(text, j)
        elif name in ("input", "include", "includeonly", "InputIfFileExists", "verbatiminput"):
            m = re.compile(r"[ \t]*(?:\{[^}]*\}|[^\s{}\\]+)").match(text, j)
            j = m.end() if m else j
        elif name in ("verbatimtabinput", "lstinputlisting"):
            _, j = self.optional(text, j)
            _, j = self.argument(text, j)
        elif name in PRIMITIVE_SYNTAX:
            m = PRIMITIVE_SYNTAX[name].match(text, j)
            j = m.end() if m else j
            if name == "write" and text.startswith("{", j):
                _, j = self.argument(text, j)
        return j

    def unknown(self, name: str, text: str, j: int, out: list[_Piece]) -> int:
        """A macro this renderer does not know: the text of its arguments, and a warning."""
        self.ctx.warn(f"unknown macro \\{name}: shown as the text of its arguments")
        while True:
            opt, k = self.optional(text, j)
            if opt is None:
                break
            j = k
        while j < len(text) and text[j] == "{":
            arg, j = self.argument(text, j)
            out.extend(self.scan(arg or ""))
        return j

    # --- environments -------------------------------------------------------------------------

    def environment(self, text: str, j: int, out: list[_Piece]) -> int:
        name, j = self.argument(text, j)
        name = (name or "").strip()
        body_end, after = _environment_end(text, j, name)
        body = text[j:body_end]
        ctx = self.ctx
        if name in LISTS:
            out.append(_Piece("block", self.list(LISTS[name], body)))
        elif name in ("tabular", "tabular*", "tabularx", "array", "longtable"):
            out.append(_Piece("block", self.table(name, body)))
        elif name in ("center", "centering"):
            out.append(_Piece("block", f'<div class="center">{self.flow(body)}</div>'))
        elif name in ("figure", "figure*", "table", "table*"):
            _, k = self.optional(body, 0)
            out.append(_Piece("block", f"<figure>{self.flow(body[k:])}</figure>"))
        elif name in ("quote", "quotation", "verse"):
            out.append(_Piece("block", f"<blockquote>{self.flow(body)}</blockquote>"))
        elif ctx.dialect == "jutge" and name in SECTIONS:
            self.jutge_section(name, "", 0, out)
            out.extend(self.scan(body))
        elif name in DROPPED_ENVS:
            if name not in ("latexonly", "comment"):
                ctx.warn(f"environment {name} not shown: it needs TeX to draw")
        elif name in TRANSPARENT_ENVS:
            if name in ("multicols", "multicols*", "minipage", "wrapfigure", "parpic"):
                _, k = self.optional(body, 0)
                _, k = self.argument(body, k)
                body = body[k:]
            out.append(_Piece("block", self.flow(body)))
        else:
            ctx.warn(f"unknown environment {name}: shown as its text")
            out.append(_Piece("block", f"<div>{self.flow(body)}</div>"))
        return after

    def list(self, tag: str, body: str) -> str:
        chunks = _split_top(body, lambda token: token == "\\item")
        items = []
        for separator, chunk in chunks:
            if not separator:
                continue  # text before the first \item (settings): nothing to show
            label, k = self.optional(chunk, 0)
            content = self.item(chunk[k:])
            if tag == "dl":
                items.append(f"<dt>{self.inline(label or '')}</dt><dd>{content}</dd>")
            elif label is not None:
                items.append(f'<li><span class="item-label">{self.inline(label)}</span> {content}</li>')
            else:
                items.append(f"<li>{content}</li>")
        return f"<{tag}>{''.join(items)}</{tag}>"

    def table(self, name: str, body: str) -> str:
        k = 0
        if name in ("tabular*", "tabularx"):
            _, k = self.argument(body, k)  # the width
        _, k = self.optional(body, k)
        _, k = self.argument(body, k)  # the column specification
        rows = _split_top(body[k:], lambda token: token in ("\\\\", "\\tabularnewline"))
        html_rows = []
        for _, row in rows:
            row = re.sub(r"^\s*\[[^\]]*\]", "", row)  # \\[2mm]
            cleaned = re.sub(r"\\(hline|toprule|midrule|bottomrule)\b|\\cline\{[^}]*\}", "", row)
            if not cleaned.strip():
                continue
            cells = _split_top(cleaned, lambda token: token == "&")
            html_rows.append("<tr>" + "".join(f"<td>{self.item(c)}</td>" for _, c in cells) + "</tr>")
        return f"<table>{''.join(html_rows)}</table>"


def _skip_empty_group(text: str, j: int) -> int:
    """A symbol macro's ``{}`` (``\\LaTeX{}``) belongs to it."""
    return j + 2 if text.startswith("{}", j) else j


def _text(token: str) -> str:
    """A run of plain text: TeX's ligatures and quotes, then escaped."""
    replaced = {
        "---": "—",
        "--": "–",
        "``": "“",
        "''": "”",
        "`": "‘",
        "'": "’",
        "<<": "«",
        ">>": "»",
        "!`": "¡",
        "?`": "¿",
        "~": "\u00a0",
        "\n": " ",
    }.get(token, token)
    return esc(replaced)


def _plain_text(tex: str) -> str:
    """The characters of a short argument (file names, URLs): braces and placeholders dropped."""
    tex = re.sub(PH + r"\d+" + PH, "", tex)
    tex = re.sub(r"\\([_%&#$])", r"\1", tex)
    return tex.replace("{", "").replace("}", "").strip()


def _plain_html(fragment: str) -> str:
    return unescape(re.sub(r"<[^>]*>", "", fragment)).strip()


def _assemble(pieces: list[_Piece]) -> str:
    """Inline runs become paragraphs (split at blank lines); blocks stay as they are."""
    out: list[str] = []
    run: list[str] = []

    def close() -> None:
        text = "".join(run).strip()
        if text and text != "<br>":
            text = re.sub(r"^(<br>\s*)+|(\s*<br>)+$", "", text)
            out.append(f"<p>{text}</p>")
        run.clear()

    for piece in pieces:
        if piece.kind == "inline":
            run.append(piece.html)
        else:
            close()
            if piece.kind == "block" and piece.html:
                out.append(piece.html)
    close()
    return "\n".join(out)
