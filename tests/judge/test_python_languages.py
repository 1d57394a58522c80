"""Jutge's Python compiler ids in the real sandbox: Python3 (py_compile's check), MyPy (that check,
then mypy with Jutge's flags: anything it says is a compile error) and RunPython (each test's
input is code run after the program, with the problem's judge.py between them). Their labelled
corpora are in tests/fixtures/languages/<Id>/ (tests/judge/test_language_corpus.py); function
problems in tests/judge/test_function_languages.py."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.languages import offered
from verdict.judge import python_check
from verdict.judge.compiler import compile_source, program_sandbox, run_program
from verdict.judge.grader import Grader, GradeResult
from verdict.judge.languages import get_language, language_for_file
from verdict.judge.packages import load_package
from verdict.judge.preparation import prepared_grader
from verdict.judge.sandbox import Limits, SandboxConfig
from verdict.judge.verdicts import Verdict

JUTGE_MYPY_FLAGS = (
    "--no-error-summary",
    "--ignore-missing-imports",
    "--pretty",
    "--show-error-codes",
    "--show-column-numbers",
    "--show-error-context",
)


def compile_and_run(config: SandboxConfig, compiler: str, source: str, stdin: str = "") -> tuple[str, str]:
    """(compile output, or the run's stdout and stderr joined) of a source in the sandbox."""
    compiled = compile_source(offered(compiler), source.encode(), config)
    if not compiled.ok:
        return compiled.output, ""
    with program_sandbox(compiled, config) as box:
        run = run_program(box, compiled, Limits(cpu_time=5, memory_mb=256), stdin=stdin.encode())
    return run.stdout.decode(), run.stderr.decode()


# --- the definitions ------------------------------------------------------------------------------


@pytest.mark.unit
def test_the_three_ids_as_jutge_defines_them() -> None:
    python3, mypy, run_python = (get_language(name) for name in ("Python3", "MyPy", "RunPython"))
    assert python3.compile == ("/usr/bin/python3", "-S", "-m", "py_compile", "main.py")
    assert run_python.compile == python3.compile  # the program alone is checked
    assert python_check.MYPY_FLAGS[: len(JUTGE_MYPY_FLAGS)] == JUTGE_MYPY_FLAGS
    assert {python3.time_class, mypy.time_class, run_python.time_class} == {"slow"}
    assert language_for_file("hello.py") is python3  # the others are asked for by their ids


@pytest.mark.unit
def test_messages_about_a_concatenation_name_each_part() -> None:
    starts = [("program.py", 1), ("main.py", 4)]  # program.py has three lines
    output = (
        'program.py: note: In function "digits":\n'
        "program.py:2:5: error: Incompatible return value\n"
        "    return n\n"
        "program.py: note: At top level:\n"
        'program.py:5:7: error: Argument 1 to "digits" has incompatible type "int"\n'
    )
    assert python_check.renamed(output, "program.py", starts) == (
        'program.py: note: In function "digits":\n'
        "program.py:2:5: error: Incompatible return value\n"
        "    return n\n"
        "main.py: note: At top level:\n"
        'main.py:2:7: error: Argument 1 to "digits" has incompatible type "int"\n'
    )


@pytest.mark.unit
def test_a_concatenation_knows_where_each_part_starts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    Path("program.py").write_text("a = 1\nb = 2")  # no final newline: one is added
    Path("main.py").write_text("print(a + b)\n")
    whole, starts = python_check.concatenation(["program.py", "main.py"])
    assert whole == b"a = 1\nb = 2\nprint(a + b)\n" and starts == [("program.py", 1), ("main.py", 3)]
    assert python_check.own_place(3, starts) == ("main.py", 1)


# --- Python3 and MyPy -------------------------------------------------------------------------------


@pytest.mark.integration
def test_a_syntax_error_is_py_compiles_message(sandbox_config: SandboxConfig) -> None:
    for compiler in ("Python3", "MyPy", "RunPython"):
        output, _ = compile_and_run(sandbox_config, compiler, "if True\n    print(1)\n")
        assert 'File "main.py", line 1' in output and "SyntaxError: expected ':'" in output, output


@pytest.mark.integration
def test_mypy_fails_on_anything_it_says_a_note_included(sandbox_config: SandboxConfig) -> None:
    """Jutge's driver wants mypy's output empty, whatever its exit status (0 for a note)."""
    output, _ = compile_and_run(sandbox_config, "MyPy", "x = 1\nreveal_type(x)\n")
    assert 'main.py:2:13: note: Revealed type is "builtins.int"' in output, output


@pytest.mark.integration
def test_mypy_sees_jutges_typed_libraries(sandbox_config: SandboxConfig) -> None:
    """yogi ships its types: read(int) is an int, as on Jutge, where yogi is installed."""
    output, _ = compile_and_run(sandbox_config, "MyPy", "from yogi import read\n\nname: str = read(int)\n")
    assert "main.py:3:13: error: Incompatible types in assignment" in output, output
    assert 'variable has type "str")  [assignment]' in output


@pytest.mark.integration
def test_mypy_accepts_untyped_code_and_runs_it(sandbox_config: SandboxConfig) -> None:
    source = "from yogi import read\n\n\ndef twice(x):\n    return 2 * x\n\n\nprint(twice(read(int)))\n"
    stdout, stderr = compile_and_run(sandbox_config, "MyPy", source, stdin="21\n")
    assert stdout == "42\n", stderr


# --- RunPython --------------------------------------------------------------------------------------

RUN_PACKAGE = {
    "handler.yml": "handler: std\ncompilers: RunPython\n",
    "problem.en.yml": "title: Squares\nauthor: Verdict fixtures\n",
    "problem.en.tex": "\\Problem{Squares}\n",
    "solution.py": "def square(x):\n    return x * x\n",
    "judge.py": "def check(x):\n    print(square(x))\n",  # the problem's helpers for its tests
    "sample-1.inp": "check(3)\nprint(square(-2))\n",
    "sample-1.cor": "9\n4\n",
    "1.inp": "for i in range(4):\n    check(i)\n",
    "1.cor": "0\n1\n4\n9\n",
}


@pytest.fixture(scope="module")
def squares(tmp_path_factory: pytest.TempPathFactory, sandbox_config: SandboxConfig) -> Grader:
    offered("RunPython")
    root = tmp_path_factory.mktemp("runpython") / "squares.pbm"
    root.mkdir()
    for name, text in RUN_PACKAGE.items():
        (root / name).write_text(text)
    return prepared_grader(load_package(root), sandbox_config)


def run_python(squares: Grader, source: str) -> GradeResult:
    return squares.grade(source.encode(), "RunPython")


@pytest.mark.integration
def test_runpython_runs_each_tests_code_after_the_program_and_judge_py(squares: Grader) -> None:
    assert squares.problem.golden_solution is not None
    accepted = run_python(squares, squares.problem.golden_solution.read_text())
    assert accepted.verdict == Verdict.AC, (accepted.compile_output, accepted.tests)
    # The student's own test block does not run: the module is not __main__ (Jutge imports it).
    tested = "def square(x):\n    return x ** 2\n\n\nif __name__ == '__main__':\n    print(square(5))\n"
    assert run_python(squares, tested).verdict == Verdict.AC
    assert run_python(squares, "def square(x):\n    return x + x\n").verdict == Verdict.WA
    assert run_python(squares, "def square(x):\n    return x * y\n").verdict == Verdict.RE
    assert run_python(squares, "def square(x)\n    return x * x\n").verdict == Verdict.CE


@pytest.mark.integration
def test_runpython_tracebacks_name_each_part(sandbox_config: SandboxConfig) -> None:
    program = "def square(x):\n    return x * y\n"
    _, stderr = compile_and_run(sandbox_config, "RunPython", program, stdin="\nprint(square(2))\n")
    assert 'File "test.inp", line 2, in <module>\n    print(square(2))' in stderr, stderr
    assert 'File "main.py", line 2, in square' in stderr and "NameError: name 'y'" in stderr
    assert "runpython.py" not in stderr  # the runner's own frame is left out


@pytest.mark.integration
def test_a_test_whose_code_does_not_compile_cannot_test(sandbox_config: SandboxConfig) -> None:
    """Jutge's EE "Cannot test": a run-time error here, the program never run."""
    program = "print('started')\n\n\ndef square(x):\n    return x * x\n"
    stdout, stderr = compile_and_run(sandbox_config, "RunPython", program, stdin="print(square(2)\n")
    assert stdout == "" and stderr.startswith(
        "Cannot test: the problem's code for this test does not compile"
    )
    assert 'File "test.inp", line 1' in stderr, stderr


@pytest.mark.integration
def test_runpython_gives_the_tests_code_as_standard_input_too(sandbox_config: SandboxConfig) -> None:
    """As on Jutge, where the .inp is the program's standard input as well."""
    program = "import sys\n\nlines = sys.stdin.read().splitlines()\n"
    stdout, stderr = compile_and_run(sandbox_config, "RunPython", program, stdin="print(len(lines))\n")
    assert stdout == "1\n", stderr
