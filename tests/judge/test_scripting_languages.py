"""Perl, Ruby, PHP, Lua, nodejs and R beyond their labelled corpus: node's memory proof (1 GB
under 256 MB is MLE), each syntax check's CE naming the line, and the Jutge rules the corpus does
not show (Perl's "syntax OK" rule, PHP's php.ini, Lua's bytecode, R's open files)."""

from __future__ import annotations

import pytest

from tests.judge.conftest import CompileFn
from tests.support.paths import FIXTURES
from verdict.judge.compiler import run_limits
from verdict.judge.grader import Grader
from verdict.judge.languages import availability, get_language, language_for_file
from verdict.judge.packages import load_package
from verdict.judge.preparation import prepared_grader
from verdict.judge.sandbox import Limits, SandboxConfig
from verdict.judge.verdicts import Verdict

HELLO = FIXTURES / "languages" / "hello.pbm"  # prints "Hello world!"; 256 MB of memory
SCRIPTING = ("Perl", "Ruby", "PHP", "Lua", "nodejs", "R")


@pytest.fixture(scope="module")
def hello(sandbox_config: SandboxConfig) -> Grader:
    return prepared_grader(load_package(HELLO), sandbox_config)


def grade(hello: Grader, source: str, language: str) -> tuple[Verdict, str]:
    available, why = availability(get_language(language))
    if not available:
        pytest.skip(f"{language} unavailable: {why}")
    result = hello.grade(source.encode(), language)
    return result.verdict, result.compile_output or result.cause


NODE_GIGABYTE = {
    # V8's own heap: a JavaScript array of 2^27 doubles.
    "heap": "const a = [];\nfor (let i = 0; i < (1 << 27); i++) a.push(i * 1.5);\nconsole.log(a.length);\n",
    # Off the heap: one 1 GB Buffer, filled.
    "buffer": "const b = Buffer.alloc(1 << 30, 1);\nconsole.log(b[12345]);\n",
}


@pytest.mark.integration
@pytest.mark.parametrize("where", sorted(NODE_GIGABYTE))
def test_node_allocating_a_gigabyte_under_256_mb_is_mle(hello: Grader, where: str) -> None:
    verdict, cause = grade(hello, NODE_GIGABYTE[where], "nodejs")
    assert verdict == Verdict.MLE, cause


# language: (a syntax error, what the check's message must say: the file and its line)
SYNTAX_ERRORS = {
    "Perl": ('print "Hello";\nmy $x = (1 + ;\n', "main.pl line 2"),
    "Ruby": ('puts "Hello"\nx = (1 + \n', "main.rb:2"),
    "PHP": ('<?php\necho "Hello";\necho (1 + ;\n', "on line 3"),
    "Lua": ('print("Hello")\nlocal x = (1 + )\n', "main.lua:2"),
    "nodejs": ('console.log("Hello");\nconst x = (1 + );\n', "main.js:2"),
    "R": ('cat("Hello")\nx <- (1 + )\n', "main.R:2"),
}


@pytest.mark.integration
@pytest.mark.parametrize("language", sorted(SYNTAX_ERRORS))
def test_each_syntax_check_is_ce_naming_the_line(hello: Grader, language: str) -> None:
    """nodejs too: Jutge has no check there (a syntax error is EE on every test); ours is
    ``node --check``, so the student reads node's message."""
    source, where = SYNTAX_ERRORS[language]
    verdict, output = grade(hello, source, language)
    assert verdict == Verdict.CE
    assert where in output, output


@pytest.mark.integration
def test_a_perl_compile_time_warning_is_ce_as_on_jutge(hello: Grader) -> None:
    """Jutge compiles Perl only when ``perl -c`` says nothing but "syntax OK"."""
    warned = 'use strict;\nuse warnings;\nmy $s = "Hello";\nmy $s = "Hello world!";\nprint "$s\\n";\n'
    verdict, output = grade(hello, warned, "Perl")
    assert verdict == Verdict.CE
    assert "masks earlier declaration" in output and "line 4" in output


@pytest.mark.integration
def test_php_runs_with_debians_php_ini(hello: Grader) -> None:
    """A warning goes to stderr, not into the output (display_errors Off, as on Jutge's host),
    and the extensions conf.d loads are there (ctype)."""
    source = '<?php\necho $greeting;\nif (ctype_alpha("Hello")) echo "Hello world!\\n";\n'
    verdict, cause = grade(hello, source, "PHP")
    assert verdict == Verdict.AC, cause


@pytest.mark.integration
def test_lua_runs_the_bytecode_luac_made(compile_program: CompileFn) -> None:
    compiled = compile_program('print("Hello world!")\n', "Lua")
    assert compiled.artifacts is not None
    assert sorted(p.name for p in compiled.artifacts.iterdir()) == ["main.luac"]
    assert compiled.run_argv(Limits()) == ["/usr/bin/lua5.4", "main.luac"]


@pytest.mark.integration
def test_an_r_error_at_run_time_is_re(hello: Grader) -> None:
    verdict, cause = grade(hello, 'x <- c(1, 2)\ncat(x[[5]], "\\n")\n', "R")
    assert verdict == Verdict.RE, cause


@pytest.mark.unit
def test_r_gets_the_open_files_it_needs() -> None:
    """R refuses to start with fewer than ~170 open files (the default run has 64)."""
    limits = run_limits(get_language("R"), Limits())
    assert limits.open_files >= 256 and limits.processes >= 32


@pytest.mark.unit
def test_r_takes_both_extensions_and_every_one_is_slow() -> None:
    assert language_for_file("a.R").id == "R" and language_for_file("b.r").id == "R"
    assert get_language("R").source_name == "main.R"
    assert {get_language(name).time_class for name in SCRIPTING} == {"slow"}
