"""Jutge function problems graded through the real sandbox: the fixtures' golden solutions are
accepted, wrong ones rejected, and compile errors name the student's own lines in every
language; ``verdict problem check`` agrees on every fixture."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.support.paths import PROGRAMS, good_package
from verdict.cli import app
from verdict.judge.compiler import program_sandbox, run_program
from verdict.judge.function_problems import compile_submission
from verdict.judge.grader import Grader, GradeResult
from verdict.judge.languages import availability, get_language
from verdict.judge.packages import load_package
from verdict.judge.preparation import prepared_grader
from verdict.judge.sandbox import Limits, SandboxConfig
from verdict.judge.verdicts import Verdict

pytestmark = pytest.mark.integration

FUNCTIONS = ["func_c.pbm", "func_cpp.pbm", "func_java.pbm", "func_py.pbm"]
LANGUAGES = {"func_c": "GCC", "func_cpp": "G++17", "func_java": "JDK", "func_py": "Python3"}


@pytest.fixture(scope="module")
def graders(sandbox_config: SandboxConfig) -> dict[str, Grader]:
    return {name: prepared_grader(load_package(good_package(name)), sandbox_config) for name in FUNCTIONS}


def grade(graders: dict[str, Grader], package: str, source: bytes | Path, language: str = "") -> GradeResult:
    stem = package.removesuffix(".pbm")
    lang = get_language(language or LANGUAGES[stem])
    available, why = availability(lang)
    if not available:
        pytest.skip(f"{lang.id} unavailable: {why}")
    if isinstance(source, Path):
        return graders[package].grade(source.read_bytes(), lang, file_name=source.name)
    return graders[package].grade(source, lang)


@pytest.mark.parametrize("package", FUNCTIONS)
def test_the_golden_solution_is_accepted_on_every_test(graders: dict[str, Grader], package: str) -> None:
    problem = graders[package].problem
    assert problem.golden_solution is not None
    result = grade(graders, package, problem.golden_solution)
    assert result.verdict == Verdict.AC, (result.compile_output, result.tests)
    assert len(result.tests) == len(problem.tests) and result.score == result.max_score


@pytest.mark.parametrize(
    ("package", "program", "where"),
    [
        ("func_c.pbm", "ce_missing_semicolon.c", "program.c:2:"),
        ("func_cpp.pbm", "ce_undeclared.cc", "program.cc:5:"),
        ("func_java.pbm", "ce_unknown_method.java", "Solution.java:4: error"),
        ("func_py.pbm", "ce_missing_colon.py", 'File "program.py", line 3'),
    ],
)
def test_compile_errors_name_the_students_own_lines(
    graders: dict[str, Grader], package: str, program: str, where: str
) -> None:
    result = grade(graders, package, PROGRAMS / package.removesuffix(".pbm") / program)
    assert result.verdict == Verdict.CE
    assert where in result.compile_output, result.compile_output
    assert "jutge_program" not in result.compile_output  # the assembled file is never blamed


@pytest.mark.parametrize(
    ("package", "program"),
    [
        ("func_c.pbm", "wa_difference.c"),
        ("func_cpp.pbm", "wa_odd.cc"),
        ("func_java.pbm", "wa_identity.java"),
        ("func_py.pbm", "wa_digit_count.py"),
    ],
)
def test_wrong_functions_are_wrong_answers(graders: dict[str, Grader], package: str, program: str) -> None:
    result = grade(graders, package, PROGRAMS / package.removesuffix(".pbm") / program)
    assert result.verdict == Verdict.WA, (result.compile_output, result.tests)


def test_a_students_main_is_renamed_away_and_their_main_block_not_run(graders: dict[str, Grader]) -> None:
    c_with_main = grade(graders, "func_c.pbm", PROGRAMS / "func_c" / "ac_with_own_main.c")
    assert c_with_main.verdict == Verdict.AC, c_with_main.compile_output
    python_with_block = grade(graders, "func_py.pbm", PROGRAMS / "func_py" / "ac_builtins.py")
    assert python_with_block.verdict == Verdict.AC, python_with_block.tests


def test_errors_in_the_main_quote_it_only_when_it_is_visible(graders: dict[str, Grader]) -> None:
    # A variable where main declares a function: the error is in the main's line 3 (C) or 4 (C++).
    visible = grade(graders, "func_c.pbm", b"int gcd;\n")
    assert visible.verdict == Verdict.CE
    assert "main.c:3:" in visible.compile_output and "int gcd(int a, int b);" in visible.compile_output
    invisible = grade(graders, "func_cpp.pbm", b"int is_prime;\n")  # invisible_main: 1
    assert invisible.verdict == Verdict.CE
    assert "main.cc:4:" in invisible.compile_output, invisible.compile_output
    assert "bool is_prime(int n);" not in invisible.compile_output  # its source is not in the box


def test_python_tracebacks_name_the_students_lines(sandbox_config: SandboxConfig) -> None:
    problem = load_package(good_package("func_py.pbm"))
    language = get_language("Python3")
    source = b"def digit_sum(n):\n    return 1 // 0\n"
    compiled = compile_submission(problem, language, source, sandbox_config)
    assert compiled.ok, compiled.output
    with program_sandbox(compiled, sandbox_config) as box:
        run = run_program(box, compiled, Limits(cpu_time=5, memory_mb=256), stdin=b"1\n5\n")
    stderr = run.stderr.decode()
    assert 'File "program.py", line 2, in digit_sum' in stderr, stderr
    assert 'File "main.py", line 6' in stderr and "ZeroDivisionError" in stderr


def test_java_sources_without_a_public_class_or_with_a_package(graders: dict[str, Grader]) -> None:
    pasted = (
        b"class Solution {\n    static String reverse(String w) {\n"
        b"        return new StringBuilder(w).reverse().toString();\n    }\n}\n"
    )
    assert grade(graders, "func_java.pbm", pasted).verdict == Verdict.AC
    packaged = b"package words;\n" + pasted
    refused = grade(graders, "func_java.pbm", packaged)
    assert (
        refused.verdict == Verdict.CE and "package declarations are not supported" in refused.compile_output
    )


def test_a_language_the_problem_has_no_main_for_is_a_compile_error(graders: dict[str, Grader]) -> None:
    result = grade(graders, "func_py.pbm", b"sub digit_sum { 1 }\n", "Perl")
    assert result.verdict == Verdict.CE
    assert "only in Python (main.py)" in result.compile_output and "digit_sum" in result.compile_output


def test_structs_is_no_main_for_c(tmp_path: Path, sandbox_config: SandboxConfig) -> None:
    root = tmp_path / "structs.pbm"
    shutil.copytree(good_package("func_c.pbm"), root)
    (root / "handler.yml").write_text("handler: std\nsolution: C\nsource_modifier: structs\n")
    result = prepared_grader(load_package(root), sandbox_config).grade(
        (root / "solution.c").read_bytes(), "GCC"
    )
    assert result.verdict == Verdict.AC, result.compile_output


RUST_MAIN = """\
use std::io::Read;

fn main() {
    let mut text = String::new();
    std::io::stdin().read_to_string(&mut text).unwrap();
    for word in text.split_whitespace() {
        println!("{}", double(word.parse().unwrap()));
    }
}
"""


def test_rust_function_problems_include_the_submission(tmp_path: Path, sandbox_config: SandboxConfig) -> None:
    language = get_language("Rust")
    available, why = availability(language)
    if not available:
        pytest.skip(f"Rust unavailable: {why}")
    root = tmp_path / "double.pbm"
    root.mkdir()
    files = {
        "handler.yml": "handler: std\nsolution: Rust\nsource_modifier: no_main\nfunc_name: double\n",
        "problem.en.yml": "title: Double\nauthor: Verdict fixtures\n",
        "problem.en.tex": "\\Problem{Double}\n",
        "main.rs": RUST_MAIN,
        "solution.rs": "fn double(x: i64) -> i64 {\n    2 * x\n}\n",
        "sample-1.inp": "1 21\n",
        "sample-1.cor": "2\n42\n",
    }
    for name, text in files.items():
        (root / name).write_text(text)
    grader = prepared_grader(load_package(root), sandbox_config)
    accepted = grader.grade((root / "solution.rs").read_bytes(), language)
    assert accepted.verdict == Verdict.AC, accepted.compile_output
    broken = grader.grade(b"fn double(x: i64) -> i64 {\n    2 * y\n}\n", language)
    assert broken.verdict == Verdict.CE and "program.rs:2:" in broken.compile_output, broken.compile_output


@pytest.mark.parametrize("package", FUNCTIONS)
def test_problem_check_agrees_on_every_fixture(
    package: str, sandbox_config: SandboxConfig, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("VERDICT_DATA_DIR", str(sandbox_config.cache_dir.parent / "data"))
    result = CliRunner().invoke(app, ["problem", "check", str(good_package(package))])
    assert result.exit_code == 0, result.output
    assert "Every bundled submission gets its expected verdict." in result.output
    assert "solution." in result.output and "AC" in result.output
