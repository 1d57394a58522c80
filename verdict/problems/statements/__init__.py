"""Problem statements as safe HTML fragments, rendered from their sources in Python (no TeX):

- Jutge LaTeX with jutge.sty's macros and Kattis LaTeX with problemtools' (:mod:`.latex`);
- Kattis Markdown (:mod:`.markdown`); INGInious reStructuredText (:mod:`.rst`, docutils);
- math kept as TeX in ``.math`` elements for KaTeX (the web face's static/math.js);
- samples inserted from the package's sample tests, where Jutge's ``\\Sample`` asks for them or
  after the statement as problemtools does;
- sanitised at the end (:mod:`.sanitise`), and :func:`choose_language` picks the language.

The web face calls :func:`render_statement` with a function that makes a package file's URL.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from verdict.judge.problem import Problem, TestCase
from verdict.problems.statements.common import (
    MAX_SAMPLE_CHARS,
    ImageResolver,
    Sample,
    Statement,
    no_images,
)
from verdict.problems.statements.language import choose_language, parse_accept_language
from verdict.problems.statements.latex import IMAGE_EXTENSIONS, render_latex
from verdict.problems.statements.markdown import render_markdown
from verdict.problems.statements.rst import render_rst
from verdict.problems.statements.sanitise import defend, sanitise_html

# A file of the package, as a path relative to its root ("problem_statement/tree.png") -> its URL.
FileURL = Callable[[str], str]

__all__ = [
    "FileURL",
    "ImageResolver",
    "Sample",
    "Statement",
    "choose_language",
    "no_images",
    "parse_accept_language",
    "render_latex",
    "render_markdown",
    "render_rst",
    "render_source",
    "render_statement",
    "sanitise_html",
    "statement_samples",
]


def render_statement(problem: Problem, language: str, file_url: FileURL | None = None) -> Statement:
    """The statement of ``problem`` in ``language`` (one of ``problem.statements``; KeyError
    otherwise), its images and samples from the package. ``file_url`` makes the URL of a package
    file; without it, images are shown as their names."""
    path = problem.statements[language]
    package = problem.variant(language)
    resolve = _package_images(problem.root, path.parent, file_url) if file_url else no_images
    samples = statement_samples(package, file_url)
    session = _read_text(path.parent / "sample.dt") if problem.format == "jutge" else None
    source = _read_text(path) or ""
    kind = _kind(problem.format, path)
    return render_source(source, kind, language, samples=samples, resolve_image=resolve, session=session)


def render_source(
    source: str,
    kind: str,
    language: str,
    *,
    samples: list[Sample] | None = None,
    resolve_image: ImageResolver = no_images,
    session: str | None = None,
) -> Statement:
    """Render statement text of ``kind``: "jutge-latex", "kattis-latex", "markdown", "rst" or
    "html" (a package's own HTML: sanitised)."""
    if kind in ("jutge-latex", "kattis-latex"):
        dialect = "jutge" if kind == "jutge-latex" else "kattis"
        statement = render_latex(
            source,
            dialect=dialect,
            language=language,
            samples=samples,
            resolve_image=resolve_image,
            session=session,
        )
    elif kind == "markdown":
        statement = render_markdown(source, language=language, samples=samples, resolve_image=resolve_image)
    elif kind == "rst":
        return render_rst(source, language=language, resolve_image=resolve_image)  # sanitised
    elif kind == "html":
        return Statement(sanitise_html(source), language, "html")
    else:
        raise ValueError(f"unknown statement kind {kind!r}")
    statement.html = defend(statement.html)
    return statement


def statement_samples(problem: Problem, file_url: FileURL | None = None) -> list[Sample]:
    """The package's sample tests as statements show them (text cut at MAX_SAMPLE_CHARS)."""
    return [_sample(problem.root, test, file_url) for test in problem.samples]


def _sample(root: Path, test: TestCase, file_url: FileURL | None) -> Sample:
    interaction = None
    if test.interaction_path is not None:
        interaction = _read_text(test.interaction_path)
    output = _read_text(test.answer_path)
    image = _answer_image(root, test.answer_path, file_url) if output is None else None
    return Sample(test.name, _read_text(test.input_path) or "", output or "", image, interaction)


def _answer_image(root: Path, answer: Path, file_url: FileURL | None) -> str | None:
    """A graphic problem's expected picture: the answer itself when it is an image (Jutge keeps
    the PNG as <test>.cor), or <answer>.png beside it (jutge.sty's #2.cor.png)."""
    if file_url is None:
        return None
    for candidate in (answer.with_name(answer.name + ".png"), answer):
        try:
            with candidate.open("rb") as stream:
                magic = stream.read(8)
        except OSError:
            continue
        if magic.startswith((b"\x89PNG", b"\xff\xd8\xff", b"GIF8")) or candidate.suffix == ".png":
            relative = _inside(root, candidate)
            return file_url(relative) if relative else None
    return None


def _kind(fmt: str, path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix == ".tex":
        return "jutge-latex" if fmt == "jutge" else "kattis-latex"
    if suffix == ".md":
        return "markdown"
    if suffix == ".rst":
        return "rst"
    return "html"


def _read_text(path: Path) -> str | None:
    """A package file as text (cut at MAX_SAMPLE_CHARS... for samples), None if absent or binary."""
    try:
        with path.open("rb") as stream:
            data = stream.read(4 * MAX_SAMPLE_CHARS if path.suffix != ".tex" else 2_000_000)
    except OSError:
        return None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        if b"\0" in data[:1024]:
            return None
        text = data.decode("latin-1")  # old Jutge statements
    if path.suffix not in (".tex", ".md", ".html", ".rst") and len(text) > MAX_SAMPLE_CHARS:
        text = text[:MAX_SAMPLE_CHARS] + "\n…"
    return text


def _inside(root: Path, path: Path) -> str | None:
    """``path`` relative to the package ``root``, None when it is not inside it (a symlink out)."""
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except (OSError, ValueError):
        return None


def _package_images(root: Path, folder: Path, file_url: FileURL) -> ImageResolver:
    """Resolve a statement's image name as TeX would (beside the statement, the extension
    optional), to a browser-showable file inside the package."""

    def resolve(name: str) -> str | None:
        base = folder / name
        candidates = [base] if base.suffix.lower() in IMAGE_EXTENSIONS else []
        candidates += [base.with_name(base.name + ext) for ext in IMAGE_EXTENSIONS]
        for candidate in candidates:
            relative = _inside(root, candidate)
            if relative is not None and candidate.is_file():
                return file_url(relative)
        return None

    return resolve
