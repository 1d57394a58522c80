"""What a language is, as data, and the helpers the families build theirs with.

A :class:`Language` holds everything Verdict needs to compile and run one Jutge compiler id inside
the sandbox: the commands and flags, the file names, the version probe and self-test, the time
class, and the resources its runtime needs (threads, mounts, environment, compile limits).
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from verdict.judge.bwrap import Mount
from verdict.judge.sandbox import Limits

C_FLAGS = ("-D_JUDGE_", "-DNDEBUG", "-O2")  # jutge-driver-std's flags1 for C, C++ and friends

SUM_PY = "a, b = map(int, input().split())\nprint(a + b)\n"

RunArgv = Callable[[Limits], list[str]]
# Stand-ins in compile and run argvs, as problemtools' %mainfile and %mainclass: the source's file
# name in the box and the program's main name (a Java class), both read from the submission.
SOURCE = "{source}"
MAIN = "{main}"
EntryPoint = Callable[[bytes, str | None], tuple[str, str]]


@dataclass(frozen=True)
class Language:
    id: str  # Jutge compiler id
    name: str
    extensions: tuple[str, ...]
    source_name: str  # file name the source gets in the box
    compile: tuple[str, ...] | None  # argv, or None for interpreted languages without a check
    run: RunArgv  # argv from the run's limits (a JVM needs its heap size)
    artifacts: tuple[str, ...]  # files kept after compiling (glob patterns in the box)
    version_command: tuple[str, ...]
    toolchain: str  # the binary whose presence makes the language available
    selftest_source: str = SUM_PY
    selftest_input: str = "2 3\n"
    selftest_output: str = "5"
    processes: int = 16  # minimum processes/threads a run needs (JVM, node)
    compile_processes: int = 64
    open_files: int = 0  # minimum open files a run needs (R refuses to start below ~170)
    # The compile's own limits where a compiler needs more than `compiler.COMPILE_LIMITS` gives
    # (Kotlin's and Crystal's slow compilers); None keeps the default.
    compile_cpu_seconds: float | None = None
    compile_memory_mb: int | None = None
    # Where in the box (relative to it) the compiler keeps a cache that each compile, in a fresh
    # sandbox, would otherwise build again from nothing (Zig's compiler_rt): filled from a seed
    # that a compile of `selftest_source` (our own) left there (`verdict.judge.compiler`).
    compile_seed: str | None = None
    mounts: tuple[Mount, ...] = ()
    env: tuple[tuple[str, str], ...] = ()
    memory_errors: tuple[str, ...] = ()  # stderr patterns meaning "ran out of memory"
    flags: tuple[str, ...] = field(default=())
    # Jutge's time class: "fast", "medium" or "slow" (verdict.judge.time_limits applies it).
    time_class: str = "fast"
    # (source, the submission's file name or None) -> (file name in the box, main name); None: the
    # fixed source_name. May raise JavaSourceError (a compile error).
    entry_point: EntryPoint | None = None
    aliases: tuple[str, ...] = ()  # other names a submission or a problem may give (case-insensitive)
    # How a function problem's submission (Jutge's no_main) is put together with the problem's
    # main, for the ids whose Jutge compiler supports it: "c" (C and C++), "java", "python",
    # "haskell", "rust" or "r" (verdict.judge.function_problems); None: a whole program only.
    function_assembly: str | None = None
    # Why the language cannot be offered on any host of ours (no Debian 12 or PyPI toolchain);
    # None when only the host decides (its toolchain installed or not).
    unavailable: str | None = None
    # Files of the problem's package put beside the source when the package has them, for the
    # compile and the runs (RunHaskell's judge.hs).
    problem_files: tuple[str, ...] = ()

    def files_from(self, package: Path) -> dict[str, bytes]:
        """The `problem_files` this problem package has, by name."""
        return {
            name: (package / name).read_bytes() for name in self.problem_files if (package / name).is_file()
        }

    def entry(self, source: bytes, file_name: str | None = None) -> tuple[str, str]:
        """The source's file name in the box and the main name to run (``{main}`` in run)."""
        if self.entry_point is None:
            return self.source_name, ""
        return self.entry_point(source, file_name)

    def compile_argv(self, source_name: str) -> list[str]:
        return [source_name if part == SOURCE else part for part in self.compile or ()]

    def run_argv(self, limits: Limits, main: str = "") -> list[str]:
        main = main or Path(self.source_name).stem
        return [main if part == MAIN else part for part in self.run(limits)]

    @property
    def environment(self) -> dict[str, str]:
        return dict(self.env)


def native(
    id: str,
    name: str,
    compiler: str,
    ext: tuple[str, ...],
    selftest: str,
    *,
    options: tuple[str, ...] = (),
    libs: tuple[str, ...] = (),  # after the source, as the linker wants
    toolchain: str | None = None,
    memory_errors: tuple[str, ...] = (),
    flags: tuple[str, ...] = (),
    aliases: tuple[str, ...] = (),
    function_assembly: str | None = None,
) -> Language:
    """A language compiled to ./main with Jutge's flags (``-D_JUDGE_ -DNDEBUG -O2``) by a gcc-like
    driver: C, C++, Fortran, Objective-C, D."""
    source = f"main{ext[0]}"
    return Language(
        id=id,
        name=name,
        extensions=ext,
        source_name=source,
        compile=(compiler, *C_FLAGS, *options, "-o", "main", source, *libs),
        run=lambda limits: ["./main"],
        artifacts=("main",),
        version_command=(compiler, "--version"),
        toolchain=toolchain or compiler,
        selftest_source=selftest,
        memory_errors=memory_errors,
        flags=flags,
        aliases=aliases,
        function_assembly=function_assembly,
    )


def interpreted(
    id: str, name: str, ext: str, check: tuple[str, ...], interpreter: tuple[str, ...], selftest: str
) -> Language:
    """A slow-class interpreted language whose syntax check counts as compiling (a syntax error is
    CE, as Jutge's driver makes it for Ruby, PHP and Lua)."""
    source = f"main{ext}"
    return Language(
        id=id,
        name=name,
        extensions=(ext,),
        source_name=source,
        compile=(*check, source),
        run=lambda limits: [*interpreter, source],
        artifacts=(source,),
        version_command=(interpreter[0], "-v"),
        toolchain=interpreter[0],
        selftest_source=selftest,
        time_class="slow",
    )


def host_output(argv: list[str]) -> str | None:
    """A trusted host command's standard output, stripped (None when it cannot run)."""
    try:
        return subprocess.run(argv, capture_output=True, text=True, timeout=30).stdout.strip()
    except (OSError, subprocess.TimeoutExpired):
        return None


def world_traversable(path: Path) -> bool:
    """Whether the sandbox uids can reach the path (every directory on the way has o+x)."""
    return all(os.stat(p).st_mode & 0o001 for p in [path, *path.parents])
