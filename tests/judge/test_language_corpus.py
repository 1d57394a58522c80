"""Every language's labelled corpus, graded as Jutge's driver test suite grades its own: one
hello-world problem in Jutge format (`tests/fixtures/languages/hello.pbm`) and, per compiler id, a
folder of submissions named after the verdict each must get (``AC.cc``, ``EE-time.py``...).

The labels are Jutge's: AC, WA, PE, IC and CE, and EE split by its cause (time, crash, memory,
output), which the Jutge face shows as EE. Every available language must have at least AC, WA,
PE, CE and EE-time; IC, EE-crash, EE-memory and EE-output where the language can produce them.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.paths import FIXTURES
from verdict.judge.grader import Grader
from verdict.judge.languages import all_languages, availability, get_language
from verdict.judge.packages import load_package
from verdict.judge.preparation import prepared_grader
from verdict.judge.sandbox import SandboxConfig
from verdict.judge.verdicts import Verdict

CORPUS = FIXTURES / "languages"
HELLO = CORPUS / "hello.pbm"
LABELS = {
    "AC": Verdict.AC,
    "WA": Verdict.WA,
    "PE": Verdict.PE,
    "IC": Verdict.IC,
    "CE": Verdict.CE,
    "EE-time": Verdict.TLE,
    "EE-crash": Verdict.RE,
    "EE-memory": Verdict.MLE,
    "EE-output": Verdict.OLE,
}
REQUIRED = ("AC", "WA", "PE", "CE", "EE-time")
# Corpora graded against a problem of their own, by their language's own test module: RunHaskell's
# tests are expressions, which an empty hello-world input cannot be (test_functional_languages).
OWN_PROBLEM = {"RunHaskell": FIXTURES / "runhaskell" / "RunHaskell"}
# Required labels a language cannot produce, and why.
IMPOSSIBLE = {"RunHaskell": {"PE": "its output is made by print, one value a line"}}


def label(path: Path) -> str:
    """A corpus file's label: its name up to the first dot (``EE-time.cc`` → ``EE-time``)."""
    return path.name.split(".", 1)[0]


def corpus_folders() -> list[Path]:
    """The compiler ids' folders: not the problems (``*.pbm``: hello.pbm, and function.pbm, which
    tests/judge/test_function_languages.py grades)."""
    return sorted(p for p in CORPUS.iterdir() if p.is_dir() and p.suffix != ".pbm")


def corpus_files() -> list[object]:
    return [
        pytest.param(folder.name, path, id=f"{folder.name}/{path.name}")
        for folder in corpus_folders()
        for path in sorted(folder.iterdir())
    ]


@pytest.mark.unit
def test_every_corpus_folder_is_a_compiler_id_and_every_file_a_label() -> None:
    known = set(all_languages())
    for folder in corpus_folders():
        assert folder.name in known, f"{folder.name} is no compiler id"
        for path in folder.iterdir():
            assert label(path) in LABELS, f"{path}: the label must be one of {', '.join(LABELS)}"


@pytest.mark.integration
def test_every_available_language_has_its_corpus() -> None:
    """The proof is owed for every id this host can run (CI installs every toolchain): AC, WA, PE,
    CE (unless the language has no compile step, as Jutge's BEEF) and EE by time."""
    folders = {folder.name: folder for folder in corpus_folders()} | OWN_PROBLEM
    missing = {}
    for language in all_languages().values():
        if not availability(language)[0]:
            continue
        folder = folders.get(language.id)
        labels = {label(path) for path in folder.iterdir()} if folder else set()
        owed = set(REQUIRED) - set(IMPOSSIBLE.get(language.id, {}))
        if language.compile is None:
            owed.discard("CE")
        if owed - labels:
            missing[language.id] = sorted(owed - labels)
    assert missing == {}


@pytest.fixture(scope="module")
def hello(sandbox_config: SandboxConfig) -> Grader:
    return prepared_grader(load_package(HELLO), sandbox_config)


@pytest.mark.integration
@pytest.mark.parametrize(("compiler", "path"), corpus_files())
def test_each_submission_gets_its_label(hello: Grader, compiler: str, path: Path) -> None:
    available, why = availability(get_language(compiler))
    if not available:
        pytest.skip(f"{compiler} unavailable: {why}")
    result = hello.grade(path.read_bytes(), compiler)
    expected = LABELS[label(path)]
    assert result.verdict == expected, f"{result.verdict} ({result.cause}): {result.compile_output[-2000:]}"
    if expected == Verdict.CE:
        assert result.compile_output.strip(), "a compile error shows the compiler's message"
    elif expected != Verdict.AC:
        assert result.cause, "the verdict says its cause"
