"""The systems family (Rust, Go, Nim, Crystal, FPC, Zig) in the real sandbox: Jutge's commands, memory
exhaustion as MLE whichever way each runtime meets it (the cgroup's kill or its own "out of memory"
message), and compile caches that live in each compile's fresh box, so that they neither leak from
one submission to the next nor break the next compile. The labelled corpora are graded by
test_language_corpus.py."""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest

from tests.support.languages import offered
from verdict.judge.compiler import Compiled, compile_source, program_sandbox, run_program
from verdict.judge.languages import get_language
from verdict.judge.sandbox import Limits, RunResult, SandboxConfig, Status
from verdict.judge.toolchains import systems

MiB = 1024 * 1024
FAMILY = ("Rust", "Go", "Nim", "Crystal", "FPC", "Zig")

GO_GIGABYTE = """package main

import "fmt"

func main() {
	var blocks [][]byte
	for i := 0; i < 64; i++ { // 1 GB in 16 MB blocks, every page touched
		block := make([]byte, 16<<20)
		for j := range block {
			block[j] = 1
		}
		blocks = append(blocks, block)
	}
	fmt.Println(len(blocks))
}
"""
# 150 MB kept, 1.6 GB of garbage: without a soft limit Go lets its heap grow to twice the live data.
GO_CHURN = """package main

import "fmt"

func main() {
	live := make([]byte, 150<<20)
	for i := range live {
		live[i] = 1
	}
	total := 0
	for round := 0; round < 200; round++ {
		garbage := make([]byte, 8<<20)
		for i := 0; i < len(garbage); i += 4096 {
			garbage[i] = byte(round)
		}
		total += int(garbage[4096]) + int(live[round])
	}
	fmt.Println(total)
}
"""
# One allocation of 1 TB: refused by the kernel, so each runtime says "out of memory" itself
# (the cgroup never kills); its message must still be MLE, not RE.
HUGE_ALLOCATION = {
    "Go": 'package main\n\nimport "fmt"\n\nfunc main() {\n\tb := make([]byte, 1<<40)\n\tb[0] = 1\n'
    "\tfmt.Println(len(b))\n}\n",
    "Rust": "fn main() {\n    let v: Vec<u8> = Vec::with_capacity(1 << 40);\n"
    '    println!("{}", v.capacity());\n}\n',
    "Nim": "var s = newSeq[char](1 shl 40)\necho s.len\n",
    "Zig": 'const std = @import("std");\n\npub fn main() !void {\n'
    "    const block = try std.heap.page_allocator.alloc(u8, 1 << 40);\n    block[0] = 1;\n}\n",
    "FPC": "program Huge;\nvar p: PChar;\nbegin\n  GetMem(p, Int64(1) shl 40);\n  WriteLn(p <> nil);\nend.\n",
}
GO_PROGRAMS = (
    'package main\n\nimport "fmt"\n\nfunc main() {\n\tfmt.Println("first")\n}\n',
    'package main\n\nimport (\n\t"fmt"\n\t"sort"\n\t"strings"\n)\n\nfunc main() {\n'
    '\tw := []string{"b", "a"}\n\tsort.Strings(w)\n\tfmt.Println(strings.Join(w, ""))\n}\n',
)
RUST_PROGRAMS = (
    'fn main() {\n    println!("first");\n}\n',
    'use std::collections::BTreeSet;\nfn main() {\n    let s: BTreeSet<char> = "ba".chars().collect();\n'
    '    println!("{}", s.into_iter().collect::<String>());\n}\n',
)


def compiled_run(
    compile_program: Callable[..., Compiled],
    config: SandboxConfig,
    source: str,
    language_id: str,
    memory_mb: int = 256,
) -> RunResult:
    compiled = compile_program(source, language_id)
    with program_sandbox(compiled, config) as box:
        return run_program(box, compiled, Limits(cpu_time=5, memory_mb=memory_mb))


@pytest.mark.unit
def test_commands_are_jutges() -> None:
    """jutge-driver-std's commands, with our file names (main.<ext> to ./main)."""
    argv = {name: get_language(name).compile_argv(get_language(name).source_name) for name in FAMILY}
    assert argv["Rust"][1:] == ["-O", "-o", "main", "main.rs"]
    assert argv["Go"][1:] == ["build", "-o", "main", "main.go"]
    assert argv["Nim"][1] == "c" and argv["Nim"][-2:] == ["-o:main", "main.nim"]
    assert argv["Crystal"][1:] == ["build", "-o", "main", "main.cr"]
    assert argv["FPC"][1:] == ["-Sd", "-Co", "-Cr", "-Ct", "-Ci", "-v0", "main.pas", "-omain"]
    assert argv["Zig"][1:] == ["build-exe", "-O", "ReleaseSafe", "-fstrip", "-femit-bin=main", "main.zig"]
    assert all(get_language(name).time_class == "fast" for name in FAMILY)


@pytest.mark.unit
def test_go_runs_with_one_processor_and_a_soft_memory_limit() -> None:
    go = get_language("Go")
    assert go.run_argv(Limits(memory_mb=256)) == ["/usr/bin/env", "GOMEMLIMIT=224MiB", "./main"]
    assert go.environment["GOMAXPROCS"] == "1" and go.environment["GO111MODULE"] == "off"
    # Every cache is in the box, a fresh tmpfs per compile: nothing is shared between submissions.
    caches = ("GOCACHE", "GOPATH", "GOTMPDIR")
    assert all(go.environment[name].startswith("/box") for name in caches)
    assert get_language("Crystal").environment["CRYSTAL_CACHE_DIR"].startswith("/box/")
    zig = get_language("Zig").environment
    assert zig["ZIG_GLOBAL_CACHE_DIR"].startswith("/box/") and zig["ZIG_LOCAL_CACHE_DIR"].startswith("/box/")


@pytest.mark.unit
def test_zig_comes_from_pypi_and_is_mounted() -> None:
    directory = systems.zig_directory()
    if directory is None:
        pytest.skip("PyPI's ziglang is not installed where the sandbox can reach it")
    zig = get_language("Zig")
    assert zig.toolchain == f"{directory}/zig"
    assert [(mount.source, mount.target) for mount in zig.mounts] == [(directory, systems.ZIG_MOUNT)]
    assert zig.compile is not None and zig.compile[0] == f"{systems.ZIG_MOUNT}/zig"


@pytest.mark.integration
def test_go_allocating_a_gigabyte_under_256_mb_is_mle(
    compile_program: Callable[..., Compiled], sandbox_config: SandboxConfig
) -> None:
    offered("Go")
    result = compiled_run(compile_program, sandbox_config, GO_GIGABYTE, "Go")
    assert result.status == Status.MEMORY_LIMIT, (result, result.stderr[:500])


@pytest.mark.integration
def test_go_keeps_150_mb_live_under_256_mb(
    compile_program: Callable[..., Compiled], sandbox_config: SandboxConfig
) -> None:
    """GOMEMLIMIT makes the collector run before the heap doubles past the limit."""
    offered("Go")
    result = compiled_run(compile_program, sandbox_config, GO_CHURN, "Go")
    assert result.ok, (result, result.stderr[:500])
    assert result.stdout == b"20100\n"
    assert result.memory_bytes < 256 * MiB


@pytest.mark.integration
@pytest.mark.parametrize("language_id", sorted(HUGE_ALLOCATION))
def test_a_runtimes_own_out_of_memory_is_mle(
    compile_program: Callable[..., Compiled], sandbox_config: SandboxConfig, language_id: str
) -> None:
    offered(language_id)
    result = compiled_run(compile_program, sandbox_config, HUGE_ALLOCATION[language_id], language_id)
    assert result.status == Status.MEMORY_LIMIT, (result, result.stderr[:500])
    assert any(pattern.encode() in result.stderr for pattern in get_language(language_id).memory_errors)


@pytest.mark.integration
@pytest.mark.parametrize(("language_id", "programs"), [("Go", GO_PROGRAMS), ("Rust", RUST_PROGRAMS)])
def test_compile_caches_neither_leak_nor_break(
    sandbox_config: SandboxConfig, language_id: str, programs: tuple[str, str]
) -> None:
    """Each compile is a fresh sandbox: its build cache is gone after it, only the program is kept,
    and the next compile (another program, or the same one again) starts clean and works."""
    offered(language_id)
    language = get_language(language_id)
    nonce = f"// {time.time_ns()}\n"  # not in the judge's compile cache: really compiled
    outputs = []
    for source in (*programs, programs[0]):
        compiled = compile_source(language, (source + nonce).encode(), sandbox_config, use_cache=False)
        assert compiled.ok and compiled.artifacts is not None, compiled.output
        assert sorted(path.name for path in compiled.artifacts.iterdir()) == ["main"]
        with program_sandbox(compiled, sandbox_config) as box:
            assert box.list_files() == ["main"]  # no cache came along with the program
            result = run_program(box, compiled, Limits(cpu_time=5))
        assert result.ok, (result, result.stderr[:500])
        outputs.append(result.stdout)
    assert outputs == [b"first\n", b"ab\n", b"first\n"]


@pytest.mark.integration
def test_fpc_shows_its_errors_written_to_stdout(sandbox_config: SandboxConfig) -> None:
    offered("FPC")
    source = b"program Bad;\nvar n: Integer;\nbegin\n  n := 'one';\n  WriteLn(n);\nend.\n"
    compiled = compile_source(get_language("FPC"), source, sandbox_config)
    assert not compiled.ok
    assert "main.pas(4," in compiled.output and "Incompatible types" in compiled.output, compiled.output


# Code the compiler itself runs: Nim's staticExec and a Crystal macro's backticks run shell commands
# while compiling. They run in the compile's sandbox: as the slot's unprivileged uid, seeing none of
# the host's files (this checkout is not mounted).
COMPILE_TIME_PROBE = "id -u; ls /work /root 2>&1 | head -1"
COMPILE_TIME_CODE = {
    "Nim": f'const probe = staticExec("{COMPILE_TIME_PROBE}")\necho probe\n',
    "Crystal": f"puts {{{{ `{COMPILE_TIME_PROBE}`.stringify }}}}\n",
}


@pytest.mark.integration
@pytest.mark.parametrize("language_id", sorted(COMPILE_TIME_CODE))
def test_code_run_by_the_compiler_stays_in_the_sandbox(
    compile_program: Callable[..., Compiled], sandbox_config: SandboxConfig, language_id: str
) -> None:
    offered(language_id)
    result = compiled_run(compile_program, sandbox_config, COMPILE_TIME_CODE[language_id], language_id)
    assert result.ok, (result, result.stderr[:500])
    uid, listing = result.stdout.decode().strip().splitlines()[:2]
    assert int(uid) != 0
    assert "No such file or directory" in listing
