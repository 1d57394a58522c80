"""BEEF, WS, MonoCS and Verilog in the real sandbox, with Jutge's semantics (Debian's beef for
Brainf*ck, our interpreter for Whitespace, Mono's memory errors as MLE), and the Jutge ids that
cannot be offered, each listed with its reason."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.support.whitespace_asm import assemble
from verdict.cli import app
from verdict.judge.compiler import Compiled, program_sandbox, run_program
from verdict.judge.languages import FAMILIES, availability, get_language, language_for_file
from verdict.judge.sandbox import Limits, RunResult, SandboxConfig, Status
from verdict.judge.toolchains import unavailable

pytestmark = pytest.mark.integration

Compile = Callable[..., Compiled]


def run(
    compiled: Compiled, config: SandboxConfig, stdin: bytes = b"", memory_mb: int = 256, seconds: float = 5
) -> RunResult:
    with program_sandbox(compiled, config) as box:
        return run_program(box, compiled, Limits(cpu_time=seconds, memory_mb=memory_mb), stdin=stdin)


# -- BEEF: Debian's beef, as Jutge runs it -------------------------------------------------------


@pytest.mark.parametrize(
    ("program", "stdin", "expected"),
    [
        (",+.,+.", b"a", b"b\x01"),  # at the end of input a read stores zero
        ("<+++++++++++++++++++++++++++++++++.", b"", b"!"),  # the tape extends to the left too
        ("+" * (256 + 65) + ".", b"", b"A"),  # cells are bytes: 321 wraps to 65
        ("-.", b"", b"[Invalid UTF-8] \\xff"),  # beef writes through GLib: no byte above 127
        (",.,.!xy", b"ignored", b"xy"),  # '!' ends the code: the rest is the program's input
        (",----------[++++++++++.,----------]", b"abc\ndef", b"abc"),  # echo a line
    ],
)
def test_beef_semantics(
    compile_program: Compile, sandbox_config: SandboxConfig, program: str, stdin: bytes, expected: bytes
) -> None:
    compiled = compile_program(program, "BEEF")
    result = run(compiled, sandbox_config, stdin)
    assert result.ok, (result.status, result.stderr)
    assert result.stdout == expected


def test_beef_unbalanced_brackets_are_an_execution_error(
    compile_program: Compile, sandbox_config: SandboxConfig
) -> None:
    compiled = compile_program("+[.", "BEEF")  # no compile step, as on Jutge
    result = run(compiled, sandbox_config)
    assert result.status == Status.RUNTIME_ERROR
    assert b"Unbalanced brackets" in result.stderr


# -- WS: our interpreter in the sandbox ----------------------------------------------------------

WS_SUM = """
push 0
readnum
push 1
readnum
push 0
retrieve
push 1
retrieve
add
outnum
push 10
outchar
end
"""


def test_whitespace_adds_two_lines(compile_program: Compile, sandbox_config: SandboxConfig) -> None:
    compiled = compile_program(assemble(WS_SUM), "WS")
    result = run(compiled, sandbox_config, b"20\n22\n")
    assert result.ok and result.stdout == b"42\n", result.stderr


def test_whitespace_parse_error_is_a_compile_error(compile_program: Compile) -> None:
    compiled = compile_program(assemble("push 1\noutnum\n") + "\t\n\n", "WS", ok=False)
    assert "unknown instruction [T][L][L]" in compiled.output
    assert "line 3" in compiled.output


def test_whitespace_run_time_error_is_an_execution_error(
    compile_program: Compile, sandbox_config: SandboxConfig
) -> None:
    compiled = compile_program(assemble("push 1\npush 0\ndiv\nend\n"), "WS")
    result = run(compiled, sandbox_config)
    assert result.status == Status.RUNTIME_ERROR
    assert b"instruction 3 (divide): division by zero" in result.stderr


def test_whitespace_heap_without_end_is_out_of_memory(
    compile_program: Compile, sandbox_config: SandboxConfig
) -> None:
    grow = "push 1\nlabel grow\ndup\ndup\nstore\npush 2\nmul\njump grow\n"
    compiled = compile_program(assemble(grow), "WS")
    result = run(compiled, sandbox_config)
    assert result.status == Status.MEMORY_LIMIT, (result.status, result.stderr[-300:])


# -- MonoCS --------------------------------------------------------------------------------------

CS_HOG = """using System;
using System.Collections.Generic;
class Program {
    static void Main() {
        var keep = new List<long[]>();
        for (int i = 0; i < 128; i++) keep.Add(new long[1 << 20]);  // 1 GB in 8 MB arrays
        Console.WriteLine(keep.Count);
    }
}
"""
CS_FITS = """using System;
using System.Collections.Generic;
class Program {
    static void Main() {
        var keep = new List<long[]>();
        for (int i = 0; i < 12; i++) keep.Add(new long[1 << 20]);  // 96 MB
        Console.WriteLine(keep.Count);
    }
}
"""


def test_mono_allocating_1_gb_under_256_mb_is_mle(
    compile_program: Compile, sandbox_config: SandboxConfig
) -> None:
    compiled = compile_program(CS_HOG, "MonoCS")
    result = run(compiled, sandbox_config)
    assert result.status == Status.MEMORY_LIMIT, (result.status, result.stderr[-500:])


def test_mono_runs_within_256_mb(compile_program: Compile, sandbox_config: SandboxConfig) -> None:
    compiled = compile_program(CS_FITS, "MonoCS")
    result = run(compiled, sandbox_config)
    assert result.ok and result.stdout.strip() == b"12", (result.status, result.stderr[-500:])


def test_kattis_csharp_is_mono() -> None:
    assert get_language("csharp").id == "MonoCS"


def test_mono_compile_error_shows_mcs(compile_program: Compile) -> None:
    compiled = compile_program("class P { static void Main() { int x = } }", "MonoCS", ok=False)
    assert "error CS" in compiled.output


def test_mono_uncaught_exception_is_a_runtime_error(
    compile_program: Compile, sandbox_config: SandboxConfig
) -> None:
    source = 'class P { static void Main() { throw new System.InvalidOperationException("no"); } }'
    result = run(compile_program(source, "MonoCS"), sandbox_config)
    assert result.status == Status.RUNTIME_ERROR
    assert b"InvalidOperationException" in result.stderr


# -- Verilog -------------------------------------------------------------------------------------


def test_verilog_reads_standard_input(compile_program: Compile, sandbox_config: SandboxConfig) -> None:
    compiled = compile_program(get_language("Verilog").selftest_source, "Verilog")
    result = run(compiled, sandbox_config, b"20 22\n")
    assert result.ok and result.stdout == b"42\n", result.stderr


def test_verilog_syntax_error_is_a_compile_error(compile_program: Compile) -> None:
    compiled = compile_program("module main;\n  initial $display(1)\nendmodule\n", "Verilog", ok=False)
    assert "syntax error" in compiled.output


# -- the ids that cannot be offered ---------------------------------------------------------------

UNAVAILABLE = ("FBC", "Julia", "Codon", "GPC", "P2C", "GCJ", "PRO2", "MakePRO2")


@pytest.mark.parametrize("language_id", UNAVAILABLE)
def test_unavailable_ids_say_why(language_id: str) -> None:
    language = get_language(language_id)
    assert language.id == language_id
    available, why = availability(language)
    assert not available and why == language.unavailable and len(why) > 40


def test_unavailable_ids_are_offered_by_no_other_family() -> None:
    """The registry keeps the last definition of an id: a family that comes to offer one of these
    must take it out of unavailable.py, or it would be hidden."""
    offered = {language.id for family in FAMILIES if family is not unavailable for language in family.build()}
    assert offered.isdisjoint(UNAVAILABLE)


def test_an_unavailable_extension_names_its_language() -> None:
    assert language_for_file("x.bas").id == "FBC"
    assert language_for_file("x.jl").id == "Julia"


def test_verdict_languages_lists_them_with_the_reason(
    sandbox_config: SandboxConfig, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("VERDICT_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("COLUMNS", "400")
    result = CliRunner().invoke(app, ["languages", "--no-check"])
    assert result.exit_code == 0, result.output
    lines = {line.split()[1]: line for line in result.output.splitlines() if line.count("│") > 3}
    for language_id in ("FBC", "GCJ", "PRO2"):
        assert " no " in lines[language_id], lines[language_id]
    assert "FreeBASIC is packaged in neither Debian 12" in lines["FBC"]
    for language_id in ("BEEF", "WS", "MonoCS", "Verilog"):
        available, _ = availability(get_language(language_id))
        assert (" yes " in lines[language_id]) == available
