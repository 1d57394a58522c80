"""Typescript (Jutge's Bun, here Debian's tsc and node) beyond its labelled corpus: the self-test,
node's memory proof (1 GB under 256 MB is MLE), and what is CE: what Bun's build rejects (a syntax
error, a JavaScript early error), not a type error, which runs as it does on Jutge."""

from __future__ import annotations

import pytest

from tests.judge.conftest import CompileFn
from tests.support.languages import offered
from tests.support.paths import FIXTURES
from verdict.judge.compiler import program_sandbox, run_program, self_test
from verdict.judge.grader import Grader
from verdict.judge.languages import get_language, language_for_file
from verdict.judge.packages import load_package
from verdict.judge.preparation import prepared_grader
from verdict.judge.sandbox import Limits, SandboxConfig
from verdict.judge.verdicts import Verdict

HELLO = FIXTURES / "languages" / "hello.pbm"  # prints "Hello world!"; 256 MB of memory


@pytest.fixture(scope="module")
def hello(sandbox_config: SandboxConfig) -> Grader:
    return prepared_grader(load_package(HELLO), sandbox_config)


def grade(hello: Grader, source: str) -> tuple[Verdict, str]:
    offered("Typescript")
    result = hello.grade(source.encode(), "Typescript")
    return result.verdict, result.compile_output or result.cause


@pytest.mark.integration
def test_self_test_reads_standard_input_with_require(sandbox_config: SandboxConfig) -> None:
    """The self-test reads "2 3" through ``require('fs')``, which needs no type declarations."""
    outcome = self_test(offered("Typescript"), sandbox_config)
    assert outcome.passed, outcome.detail
    assert outcome.version.startswith("Version 4."), outcome.version


GIGABYTE = {
    # V8's own heap: 128 arrays of 2^20 doubles (8 MB each), kept. In chunks, so that the limit
    # is reached in well under a second of CPU, even on a loaded machine (one push at a time
    # spent seconds in the collector before it ran out).
    "heap": (
        "const a: number[][] = [];\n"
        "for (let i = 0; i < 128; i++) a.push(new Array(1 << 20).fill(i + 0.5));\n"
        "console.log(a.length);\n"
    ),
    # Off the heap: one 1 GB Buffer, filled.
    "buffer": "const b: Buffer = Buffer.alloc(1 << 30, 1);\nconsole.log(b[12345]);\n",
}


@pytest.mark.integration
@pytest.mark.parametrize("where", sorted(GIGABYTE))
def test_allocating_a_gigabyte_under_256_mb_is_mle(hello: Grader, where: str) -> None:
    verdict, cause = grade(hello, GIGABYTE[where])
    assert verdict == Verdict.MLE, cause


@pytest.mark.integration
def test_a_syntax_error_is_ce_with_tscs_message(hello: Grader) -> None:
    verdict, output = grade(hello, 'console.log("Hello");\nconst x: number = (1 + );\n')
    assert verdict == Verdict.CE
    assert "main.ts(2," in output and "error TS1109" in output, output


@pytest.mark.integration
def test_a_type_error_is_not_ce_it_runs_as_bun_runs_it(hello: Grader) -> None:
    """Bun transpiles without type-checking: on Jutge this program is AC, and here too."""
    source = 'const greeting: number = "Hello world!";\nconsole.log(greeting);\n'
    verdict, cause = grade(hello, source)
    assert verdict == Verdict.AC, cause


@pytest.mark.integration
def test_a_javascript_early_error_is_ce(hello: Grader) -> None:
    """TypeScript's parser accepts a redeclared ``let`` (its checker would object); Bun's parser
    does not, so neither does ours: ``node --check`` on the transpiled program."""
    verdict, output = grade(hello, 'let s = "Hello";\nlet s = "Hello world!";\nconsole.log(s);\n')
    assert verdict == Verdict.CE
    assert "has already been declared" in output, output


@pytest.mark.integration
@pytest.mark.parametrize(
    "source",
    [
        'import * as fs from "fs";\nfs.writeSync(1, "Hello world!\\n");\n',
        'import fs from "fs";\nfs.writeSync(1, "Hello world!\\n");\n',
        'import { createInterface } from "readline";\n'
        'typeof createInterface;\nconsole.log("Hello world!");\n',
        "interface Greeting { text: string }\nenum Mark { Bang = 33 }\n"
        'const g: Greeting = { text: "Hello world" + String.fromCharCode(Mark.Bang) };\n'
        "console.log(g.text);\n",
    ],
    ids=["import-star", "import-default", "import-named", "interface-and-enum"],
)
def test_typescript_and_its_imports_run_on_node(hello: Grader, source: str) -> None:
    verdict, cause = grade(hello, source)
    assert verdict == Verdict.AC, cause


@pytest.mark.integration
@pytest.mark.parametrize(
    "source",
    [
        # Top-level await, with import and require together: Bun's build is an ES module with require.
        'import * as readline from "readline";\n'
        "const rl = readline.createInterface({ input: process.stdin });\n"
        "const lines: string[] = [];\nfor await (const line of rl) lines.push(line);\n"
        'require("fs").writeSync(1, `Hello world!${lines.join("")}\\n`);\n',
        # Node's own idiom for require in a module still compiles beside the require we give.
        'import { createRequire } from "module";\nconst require = createRequire(import.meta.url);\n'
        'require("fs").writeSync(1, "Hello world!\\n");\n',
    ],
    ids=["top-level-await", "own-require"],
)
def test_the_program_is_an_es_module_with_require(hello: Grader, source: str) -> None:
    verdict, cause = grade(hello, source)
    assert verdict == Verdict.AC, cause


@pytest.mark.integration
def test_the_module_is_strict_an_undeclared_variable_is_re(
    hello: Grader, compile_program: CompileFn, sandbox_config: SandboxConfig
) -> None:
    """As in Bun's ES module bundle (to tsc a type error, which is not CE)."""
    source = 'greeting = "Hello world!";\nconsole.log(greeting);\n'
    verdict, cause = grade(hello, source)
    assert verdict == Verdict.RE, cause
    compiled = compile_program(source, "Typescript")
    with program_sandbox(compiled, sandbox_config) as box:
        result = run_program(box, compiled, Limits(memory_mb=256))
    assert b"ReferenceError: greeting is not defined" in result.stderr, result.stderr


@pytest.mark.integration
def test_only_the_javascript_is_kept_and_node_runs_it(compile_program: CompileFn) -> None:
    compiled = compile_program('console.log("Hello world!");\n', "Typescript")
    assert compiled.artifacts is not None
    assert sorted(p.name for p in compiled.artifacts.iterdir()) == ["main.mjs"]
    argv = compiled.run_argv(Limits(memory_mb=256))
    assert argv == ["/usr/bin/node", "--max-old-space-size=192", "main.mjs"]


@pytest.mark.unit
def test_the_id_is_jutges_slow_and_claims_ts() -> None:
    language = get_language("Typescript")
    assert language.id == "Typescript" and language.unavailable is None
    assert language.time_class == "slow" and language.function_assembly is None
    assert language_for_file("solution.ts") is language and get_language("TS") is language
