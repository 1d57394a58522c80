"""Compiled systems languages: Jutge's Rust, Go, Nim, Crystal and FPC (Free Pascal), and Zig.

Each follows jutge-driver-std's command (`std/compilers.py`) with our file names (``main.<ext>``
compiled to ``./main``, where Jutge has ``program.<ext>`` and ``program.exe``); all are in the fast
time class (Go and Pascal by Jutge's table; Rust, Nim, Crystal and Zig compile to native code).
A nonzero exit of the compiler, or no program, is CE, for every one of them.

What departs from Jutge's driver, and why:

- **Rust**: ``rustc -O`` as Jutge (no ``--edition``: rustc's default, 2015). Debian's rustc in
  /usr first; rustup's only when the sandbox uids can reach it (rustup under a 0700 /root is not).
- **Go**: ``go build`` as Jutge, in GOPATH mode (no go.mod), with the build cache, GOPATH and the
  temporary work directory in the box (each compile is a fresh sandbox: nothing is shared between
  submissions). cgo stays as Go's default: with CGO_ENABLED=0, Go would rebuild net, os/user...
  from source instead of using Debian's precompiled standard library. The run gets
  GOMAXPROCS=1 (a few threads, whatever the host's cores; the CPU limit counts every thread
  anyway) and GOMEMLIMIT at 7/8 of the memory limit, so that the collector works harder near the
  limit instead of letting the heap double past it (as the JVM's -Xmx).
- **Nim**: ``nim c`` as Jutge (a debug build, with Nim's run-time checks), its nimcache in the
  box; /etc/nim (its configuration) is mounted.
- **Crystal**: ``crystal build`` as Jutge, its cache in the box; Crystal's compiler is slow, so its
  compile limits are raised. Boehm's collector marks with one thread (GC_MARKERS=1). Crystal 1.6
  does not check the collector's NULL: a single allocation larger than the machine can give is an
  "Invalid memory access" (RE), not MLE; growing past the limit is the cgroup's kill (MLE).
- **FPC**: Jutge's flags (``-Sd -Co -Cr -Ct -Ci -v0``: Delphi mode, overflow, range, stack and I/O
  checks, errors only); /etc/fpc.cfg (the unit paths) is mounted. FPC writes its errors to stdout:
  shown, as every compiler's stdout and stderr are.
- **Zig** is no Jutge compiler id (neither jutge-driver-std nor jutge-toolkit has one): the id is
  "Zig", from PyPI's ``ziglang`` (the package's directory is mounted at /opt/zig). It is compiled
  ``-O ReleaseSafe``: optimised, with Zig's safety checks (overflow, bounds) kept, so that they are
  run-time errors as FPC's -Cr and Nim's checks are; and ``-fstrip``, no debug information, as
  Jutge compiles C++ without -g: a panic still prints its message ("index out of bounds: index 2,
  len 2") but no stack trace, which would only go to the run's stderr. With debug information
  (and std's code that reads it for stack traces), hello world costs 14 s of CPU; without, 4-5 s.
  Zig's global cache is in the box (ZIG_GLOBAL_CACHE_DIR), filled at the start of each compile
  from a seed (``compile_seed``: what a compile of the self-test, our own source, left there; see
  `verdict.judge.compiler`), so that compiler_rt (~3 s of CPU) and the parsed std are not made
  again. A compile without the seed (the seed's own) costs 7-8 s, bigger programs more: the
  compile limits are raised.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
from pathlib import Path

from verdict.judge.bwrap import Mount
from verdict.judge.sandbox import Limits
from verdict.judge.toolchains.base import Language, host_output, world_traversable

SUM_RUST = (
    "use std::io::Read;\nfn main(){let mut s=String::new();std::io::stdin().read_to_string(&mut s)"
    ".unwrap();let v:Vec<i64>=s.split_whitespace().map(|x|x.parse().unwrap()).collect();"
    'println!("{}",v[0]+v[1]);}\n'
)
SUM_GO = (
    'package main\n\nimport "fmt"\n\nfunc main() {\n\tvar a, b int64\n\tfmt.Scan(&a, &b)\n'
    "\tfmt.Println(a + b)\n}\n"
)
SUM_NIM = (
    "import strutils\n\nlet v = stdin.readLine().splitWhitespace()\necho parseInt(v[0]) + parseInt(v[1])\n"
)
SUM_CRYSTAL = "a, b = STDIN.gets.not_nil!.split.map(&.to_i64)\nputs a + b\n"
SUM_PASCAL = "program Sum;\nvar a, b: Int64;\nbegin\n  Read(a, b);\n  WriteLn(a + b);\nend.\n"
SUM_ZIG = """const std = @import("std");

pub fn main(init: std.process.Init) !void {
    var in_buffer: [4096]u8 = undefined;
    var stdin = std.Io.File.stdin().reader(init.io, &in_buffer);
    const line = try stdin.interface.takeDelimiterExclusive('\\n');
    var words = std.mem.tokenizeScalar(u8, line, ' ');
    const a = try std.fmt.parseInt(i64, words.next().?, 10);
    const b = try std.fmt.parseInt(i64, words.next().?, 10);
    var out_buffer: [64]u8 = undefined;
    var stdout = std.Io.File.stdout().writer(init.io, &out_buffer);
    try stdout.interface.print("{d}\\n", .{a + b});
    try stdout.interface.flush();
}
"""

GO = "/usr/bin/go"  # Debian's golang-go: Go finds its GOROOT (/usr/lib/go-1.19) from the link
ZIG_MOUNT = "/opt/zig"
# Where the compilers keep their caches: the box, a fresh tmpfs per compile (512 MB when compiling).
BOX_CACHE = "/box/.cache"


def rust_sysroot() -> str | None:
    """A Rust toolchain the sandbox uids can read: Debian's in /usr first, else rustup's when
    its directories are world-traversable (rustup under a 0700 /root is not)."""
    if os.path.exists("/usr/bin/rustc"):
        return "/usr"
    rustc = shutil.which("rustc")
    if rustc is None:
        return None
    sysroot = host_output([rustc, "--print", "sysroot"])
    return sysroot if sysroot and world_traversable(Path(sysroot)) else None


def _rust(sysroot: str | None) -> Language:
    prefix = "/usr" if sysroot in (None, "/usr") else "/opt/rust"
    elsewhere = sysroot is not None and sysroot != "/usr"
    return Language(
        id="Rust",
        function_assembly="rust",
        name="Rust",
        extensions=(".rs",),
        source_name="main.rs",
        # main.rs, not {source}: a function problem's main.rs includes the student's program.rs.
        compile=(f"{prefix}/bin/rustc", "-O", "-o", "main", "main.rs"),
        run=lambda limits: ["./main"],
        artifacts=("main",),
        version_command=(f"{sysroot}/bin/rustc", "--version") if sysroot else ("rustc", "--version"),
        toolchain=f"{sysroot}/bin/rustc" if sysroot else "rustc",
        selftest_source=SUM_RUST,
        mounts=(Mount(sysroot, "/opt/rust"),) if elsewhere and sysroot else (),
        env=(("LD_LIBRARY_PATH", "/opt/rust/lib"),) if elsewhere else (),
        memory_errors=("memory allocation of",),
        flags=("-O",),
    )


def _go_run(limits: Limits) -> list[str]:
    """The program with a soft heap limit below the hard one (env sets it: the run's limit is
    known only here)."""
    return ["/usr/bin/env", f"GOMEMLIMIT={limits.memory_mb * 7 // 8}MiB", "./main"]


def _go() -> Language:
    go = GO
    return Language(
        id="Go",
        name="Go",
        extensions=(".go",),
        source_name="main.go",
        compile=(go, "build", "-o", "main", "main.go"),
        run=_go_run,
        artifacts=("main",),
        version_command=(go, "version"),
        toolchain=go,
        selftest_source=SUM_GO,
        env=(
            ("GOPATH", "/box/go"),
            ("GOCACHE", f"{BOX_CACHE}/go-build"),
            ("GOTMPDIR", "/box"),
            ("GO111MODULE", "off"),
            ("GOPROXY", "off"),
            ("GOMAXPROCS", "1"),
        ),
        memory_errors=("runtime: out of memory", "runtime: cannot allocate memory"),
    )


def _nim() -> Language:
    return Language(
        id="Nim",
        name="Nim",
        extensions=(".nim",),
        source_name="main.nim",
        compile=("/usr/bin/nim", "c", f"--nimcache:{BOX_CACHE}/nim", "-o:main", "main.nim"),
        run=lambda limits: ["./main"],
        artifacts=("main",),
        version_command=("/usr/bin/nim", "--version"),
        toolchain="/usr/bin/nim",
        selftest_source=SUM_NIM,
        mounts=(Mount("/etc/nim"),),
        memory_errors=("out of memory",),
    )


def _crystal() -> Language:
    return Language(
        id="Crystal",
        name="Crystal",
        extensions=(".cr",),
        source_name="main.cr",
        compile=("/usr/bin/crystal", "build", "-o", "main", "main.cr"),
        run=lambda limits: ["./main"],
        artifacts=("main",),
        version_command=("/usr/bin/crystal", "--version"),
        toolchain="/usr/bin/crystal",
        selftest_source=SUM_CRYSTAL,
        compile_cpu_seconds=120,
        compile_memory_mb=2048,
        # GC_MARKERS: Boehm's collector marks with one thread per core otherwise, past the run's
        # thread limit on a large host.
        env=(("CRYSTAL_CACHE_DIR", f"{BOX_CACHE}/crystal"), ("GC_MARKERS", "1")),
        # Boehm's collector, when the heap cannot grow (Crystal 1.6 itself has no message for it).
        memory_errors=("GC Warning: Out of", "GC Warning: Failed to expand heap"),
    )


def fpc_config() -> tuple[Mount, ...]:
    """/etc/fpc.cfg and the file it leads to (through /etc/alternatives, mounted anyway)."""
    config = os.path.realpath("/etc/fpc.cfg")
    return (Mount("/etc/fpc.cfg"), Mount(config)) if config != "/etc/fpc.cfg" else (Mount(config),)


def _fpc() -> Language:
    return Language(
        id="FPC",
        name="Pascal (Free Pascal)",
        extensions=(".pas", ".pp"),
        source_name="main.pas",
        compile=("/usr/bin/fpc", "-Sd", "-Co", "-Cr", "-Ct", "-Ci", "-v0", "main.pas", "-omain"),
        run=lambda limits: ["./main"],
        artifacts=("main",),
        version_command=("/usr/bin/fpc", "-v"),
        toolchain="/usr/bin/fpc",
        selftest_source=SUM_PASCAL,
        mounts=fpc_config(),
        memory_errors=("Runtime error 203",),  # heap overflow
        flags=("-Sd", "-Co", "-Cr", "-Ct", "-Ci"),
    )


def zig_directory() -> str | None:
    """The directory of PyPI's ziglang (the zig binary and its lib/) when the sandbox uids can
    reach it; None otherwise."""
    spec = importlib.util.find_spec("ziglang")
    if spec is None or not spec.submodule_search_locations:
        return None
    directory = Path(next(iter(spec.submodule_search_locations)))
    if not (directory / "zig").exists() or not world_traversable(directory):
        return None
    return str(directory)


def _zig(directory: str | None) -> Language:
    zig = f"{ZIG_MOUNT}/zig"
    host_zig = f"{directory}/zig" if directory else zig
    return Language(
        id="Zig",
        name="Zig",
        extensions=(".zig",),
        source_name="main.zig",
        compile=(zig, "build-exe", "-O", "ReleaseSafe", "-fstrip", "-femit-bin=main", "main.zig"),
        run=lambda limits: ["./main"],
        artifacts=("main",),
        version_command=(host_zig, "version"),
        toolchain=host_zig,
        selftest_source=SUM_ZIG,
        compile_seed=".cache/zig",
        compile_cpu_seconds=120,
        compile_memory_mb=2048,
        mounts=(Mount(directory, ZIG_MOUNT),) if directory else (),
        env=(
            ("ZIG_GLOBAL_CACHE_DIR", f"{BOX_CACHE}/zig"),
            ("ZIG_LOCAL_CACHE_DIR", f"{BOX_CACHE}/zig-local"),
        ),
        memory_errors=("error: OutOfMemory",),
    )


def build() -> list[Language]:
    return [_rust(rust_sysroot()), _go(), _nim(), _crystal(), _fpc(), _zig(zig_directory())]
