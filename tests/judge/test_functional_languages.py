"""The functional and Lisp-family compiler ids (verdict.judge.toolchains.functional) as Jutge grades
them, in the real sandbox: GHC's memory bound, GHC under a function problem's main, RunHaskell's
expressions-as-tests with its labelled submissions, and the catalogue's choices (ids, file names,
time classes, who gets ``.scm``). The hello-world corpora of the other ids are graded by
tests/judge/test_language_corpus.py."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.judge.conftest import CompileFn
from tests.support.paths import FIXTURES
from verdict.judge import runhaskell
from verdict.judge.compiler import program_sandbox, run_program
from verdict.judge.grader import Grader
from verdict.judge.languages import availability, get_language, language_for_file
from verdict.judge.packages import load_package
from verdict.judge.preparation import prepare, prepared_grader
from verdict.judge.sandbox import Limits, SandboxConfig, Status
from verdict.judge.verdicts import Verdict

RUNHASKELL = FIXTURES / "runhaskell"
FACTORIAL = RUNHASKELL / "factorial.pbm"
RUNHASKELL_LABELS = {
    "AC": Verdict.AC,
    "WA": Verdict.WA,
    "CE": Verdict.CE,
    "EE-time": Verdict.TLE,
    "EE-crash": Verdict.RE,
    "EE-memory": Verdict.MLE,
    "EE-untestable": Verdict.RE,  # Jutge's EE "Cannot test": the expressions do not compile
}
# A 1 GB unboxed array, every cell written: far past a 256 MB limit.
GHC_ONE_GIGABYTE = """\
import Data.Array.IO

main :: IO ()
main = do
  cells <- newArray (0, 2 ^ 27 - 1) 0 :: IO (IOUArray Int Int)
  mapM_ (\\i -> writeArray cells i i) [0, 512 .. 2 ^ 27 - 1]
  readArray cells 512 >>= print
"""


def _require(compiler: str) -> None:
    available, why = availability(get_language(compiler))
    if not available:
        pytest.skip(f"{compiler} unavailable: {why}")


@pytest.mark.unit
def test_ids_file_names_and_time_classes_follow_jutge() -> None:
    expected = {
        "GHC": ("main.hs", "fast"),
        "RunHaskell": ("main.hs", "slow"),
        "OCaml": ("main.ml", "fast"),
        "Erlang": ("program.erl", "slow"),  # the module is `program`, as in Jutge
        "CLISP": ("main.lisp", "slow"),
        "Guile": ("main.scm", "medium"),
        "Chicken": ("main.scm", "fast"),
        "Stalin": ("main.scm", "fast"),
    }
    for compiler, (source_name, time_class) in expected.items():
        language = get_language(compiler)
        assert (language.id, language.source_name, language.time_class) == (compiler, source_name, time_class)


@pytest.mark.unit
def test_file_extensions_choose_ghc_and_guile() -> None:
    assert language_for_file("solution.hs").id == "GHC"
    assert language_for_file("program.scm").id == "Guile"
    assert language_for_file("program.erl").id == "Erlang"
    assert language_for_file("program.lisp").id == "CLISP"
    assert get_language("Haskell").id == "GHC"  # the toolkit's id
    # Kattis's language ids
    assert [get_language(name).id for name in ("haskell", "ocaml", "lisp")] == ["GHC", "OCaml", "CLISP"]


@pytest.mark.unit
def test_ghc_heap_is_bounded_by_the_memory_limit() -> None:
    argv = get_language("GHC").run_argv(Limits(memory_mb=256))
    assert argv == ["./main", "+RTS", "-M192m", "-RTS"]


@pytest.mark.unit
def test_runhaskell_prints_each_expression_and_keeps_bindings(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "judge.hs").write_text("samples = [1, 2]\n")
    source = runhaskell.work_source("double x = 2 * x", ["double 3", "", "let y = 4", "map double samples"])
    assert source.splitlines() == [
        "module Main (mainjutgeorg) where",
        "",
        "double x = 2 * x",
        "samples = [1, 2]",
        "",
        "",
        "mainjutgeorg = do",
        "    print (double 3)",
        "    let y = 4",
        "    print (map double samples)",
    ]


@pytest.mark.integration
def test_ghc_allocating_a_gigabyte_under_256_mb_is_out_of_memory(
    compile_program: CompileFn, sandbox_config: SandboxConfig
) -> None:
    compiled = compile_program(GHC_ONE_GIGABYTE, "GHC")
    with program_sandbox(compiled, sandbox_config) as box:
        result = run_program(box, compiled, Limits(cpu_time=10, memory_mb=256))
    assert result.status == Status.MEMORY_LIMIT, (result.status, result.message, result.stderr[-500:])
    assert b"Heap exhausted" in result.stderr  # GHC's own bound, not the cgroup's kill


@pytest.fixture(scope="module")
def factorial(sandbox_config: SandboxConfig) -> Grader:
    _require("RunHaskell")
    return prepared_grader(load_package(FACTORIAL), sandbox_config)


@pytest.mark.integration
@pytest.mark.parametrize("path", sorted((RUNHASKELL / "RunHaskell").iterdir()), ids=lambda path: path.name)
def test_runhaskell_submissions_get_their_labels(factorial: Grader, path: Path) -> None:
    result = factorial.grade(path.read_bytes(), "RunHaskell")
    expected = RUNHASKELL_LABELS[path.name.split(".", 1)[0]]
    assert result.verdict == expected, f"{result.verdict} ({result.cause}): {result.compile_output[-2000:]}"
    if path.name.startswith("EE-untestable"):
        assert result.cause.endswith(f"exit code {runhaskell.CANNOT_TEST}")


@pytest.mark.integration
def test_ghc_function_problem_compiles_the_submission_with_the_main(
    tmp_path: Path, sandbox_config: SandboxConfig
) -> None:
    _require("GHC")
    package = tmp_path / "double.pbm"
    package.mkdir()
    files = {
        "handler.yml": "handler: std\nsolution: Haskell\nsource_modifier: no_main\n",
        "problem.en.yml": "title: Double\nauthor: Verdict Team\nemail: verdict@example.org\n",
        "problem.en.tex": "\\Problem{Double}\n\n\\Statement\n\nWrite \\verb+double :: Int -> Int+.\n",
        "main.hs": "main :: IO ()\nmain = interact (unlines . map (show . double . read) . lines)\n",
        "solution.hs": "double :: Int -> Int\ndouble x = 2 * x\n",
        "sample.inp": "1\n21\n",
        "sample.cor": "2\n42\n",
    }
    for name, text in files.items():
        (package / name).write_text(text)
    grader = prepared_grader(load_package(package), sandbox_config)
    assert grader.grade(b"double :: Int -> Int\ndouble x = x + x\n", "GHC").verdict == Verdict.AC
    assert grader.grade(b"double :: Int -> Int\ndouble x = x * x\n", "GHC").verdict == Verdict.WA


@pytest.mark.integration
def test_runhaskell_golden_solution_makes_missing_outputs_with_judge_hs(
    tmp_path: Path, sandbox_config: SandboxConfig
) -> None:
    _require("RunHaskell")
    package = tmp_path / "factorial.pbm"
    shutil.copytree(FACTORIAL, package)
    (package / "big.cor").unlink()  # its expressions use judge.hs's `samples`
    report = prepare(load_package(package), sandbox_config, every_solution=False)
    assert report.made_outputs == ["big"]
    assert (package / "big.cor").read_text() == (FACTORIAL / "big.cor").read_text()
