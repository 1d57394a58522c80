"""What a student's page shows of a judge problem: its statement (in one of its statement
languages), its samples, and the languages a submission may be written in.

The statement is rendered to safe HTML (:mod:`verdict.faces.html.statement_view`) in the language
asked (``?lang=``), else the first of the browser's Accept-Language the problem has, else its own.
Packages are read from the grader's cache of extracted packages
(:func:`verdict.problems.store.fetch_package`) and loaded once per blob and process
(:data:`CACHE_SIZE` of them kept).
"""

from __future__ import annotations

import os
import threading
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.orm import Session

from verdict.faces.html import statement_view
from verdict.judge.errors import UnknownLanguage
from verdict.judge.languages import Language, all_languages, get_language
from verdict.judge.packages import load_package
from verdict.judge.problem import Problem as Package
from verdict.problems.models import Problem, ProblemVersion
from verdict.problems.statements import choose_language, parse_accept_language
from verdict.problems.store import fetch_package
from verdict.settings import Settings

CACHE_SIZE = 32
MAX_STATEMENT_BYTES = 512 * 1024  # a statement beyond this is cut (a page is not a download)
MAX_SAMPLE_SHOWN = 4096  # characters of a sample shown inline; the download has all of it

_packages: OrderedDict[str, Package] = OrderedDict()
_lock = threading.Lock()


@dataclass(frozen=True)
class Sample:
    number: int  # from 1, as the download's address names it
    input: str
    output: str
    input_path: Path
    output_path: Path

    @property
    def input_cut(self) -> bool:
        return len(self.input) >= MAX_SAMPLE_SHOWN

    @property
    def output_cut(self) -> bool:
        return len(self.output) >= MAX_SAMPLE_SHOWN


@dataclass(frozen=True)
class Statement:
    languages: list[str]  # the statement languages the problem has
    language: str | None  # the one shown
    format: str  # the source's kind: "tex", "md", "html"...
    text: str  # the source, as stored (escaped by the template)
    samples: list[Sample]
    html: str = ""  # rendered (safe HTML, samples included), when a page address was given


def load(session: Session, settings: Settings, version_id: int) -> Package | None:
    """The loaded package of a problem version (cached by blob), or None when it is gone."""
    version = session.get(ProblemVersion, version_id)
    if version is None:
        return None
    with _lock:
        if version.blob_hash in _packages:
            _packages.move_to_end(version.blob_hash)
            return _packages[version.blob_hash]
    root = fetch_package(session, version.blob_hash, settings.data_dir / "packages")
    package = load_package(root)
    with _lock:
        _packages[version.blob_hash] = package
        while len(_packages) > CACHE_SIZE:
            _packages.popitem(last=False)
    return package


def statement(
    session: Session,
    settings: Settings,
    problem: Problem,
    wanted: str | None,
    fixed: str | None = None,
    accept_language: str | None = None,
    base: str | None = None,
) -> Statement | None:
    """The statement of ``problem`` in ``wanted`` (if it has it; ``fixed``, the variant of a
    Jutge list's ``P12345_en``, wins), else in the first of ``accept_language`` it has, else the
    package's own, English or the first; with the samples of that language's package, and
    rendered for the page ``base`` when given."""
    if problem.current_version_id is None:
        return None
    package = load(session, settings, problem.current_version_id)
    if package is None:
        return None
    languages = sorted(package.statements)
    preferences = [fixed, wanted, *parse_accept_language(accept_language)]
    language = choose_language(languages, preferences, package.language)
    text, kind, html = "", "", ""
    if language is not None:
        path = package.statements[language]
        kind = path.suffix.lstrip(".")
        text = _read(path, MAX_STATEMENT_BYTES)
        if base is not None:
            html = statement_view.statement_html(problem.current_version_id, package, language, base)
    return Statement(languages, language, kind, text, samples(package.variant(fixed or language)), html)


def samples(package: Package) -> list[Sample]:
    return [
        Sample(
            number,
            _read(test.input_path, MAX_SAMPLE_SHOWN),
            _read(test.answer_path, MAX_SAMPLE_SHOWN),
            test.input_path,
            test.answer_path,
        )
        for number, test in enumerate(package.samples, start=1)
    ]


def visible_test_names(package: Package, variant: str | None) -> set[str]:
    """The tests a student may see the rows of (samples and public tests); never the hidden ones."""
    return {test.name for test in package.variant(variant).tests if test.visible}


def _read(path: Path, limit: int) -> str:
    try:
        with path.open("rb") as source:
            return source.read(limit).decode("utf-8", "replace")
    except OSError:
        return ""


def offered_languages(compilers: list[str], fixed: str | None = None) -> list[Language]:
    """The languages a submission may be written in, as the submission rules accept them: the
    part's own (``fixed``), else the problem's compilers, else every language this host runs."""
    if fixed:
        try:
            return [get_language(fixed)]
        except UnknownLanguage:
            return []
    if compilers:
        found: dict[str, Language] = {}
        for name in compilers:
            try:
                language = get_language(name)
            except UnknownLanguage:
                continue
            found.setdefault(language.id, language)
        return [language for language in found.values() if _runs_here(language)]
    return sorted(
        (language for language in all_languages().values() if _runs_here(language)),
        key=lambda language: language.name.lower(),
    )


def _runs_here(language: Language) -> bool:
    """Offered on this host: not unavailable by nature, and its toolchain installed (a file check:
    no compiler is run to draw a page)."""
    return language.unavailable is None and os.path.exists(language.toolchain)
