"""Every language's hello world, compiled and run inside the sandbox and bare, side by side:
`python bench/languages.py [--compiles N] [--runs N] [--lang ID ...]` (as root, bubblewrap installed).

Per available compiler id, the program is its labelled corpus's AC submission
(tests/fixtures/languages/<Id>/AC.*), or its self-test when it has none. Printed per language:
the median wall time of a compile in a fresh sandbox (no compile cache) and of the same compile
command run bare in a temporary directory (a compiler's own cache seeded alike, as Zig's), then
the median wall time of one run in an already set-up sandbox (one test of a grading) and of the
same command run bare, with the ratios. Bare commands see host paths for the sandbox's (a mount's
target is replaced by its source, /box by the temporary directory), so both sides run the same
toolchain with the same arguments and environment.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from verdict.judge.compiler import COMPILE_LIMITS, compile_seed, compile_source, program_sandbox, run_program
from verdict.judge.languages import Language, all_languages, availability, get_language
from verdict.judge.sandbox import Limits, SandboxConfig, check_available

CORPUS = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "languages"
RUN_LIMITS = Limits(cpu_time=10, wall_time=30, memory_mb=256)


@dataclass
class Program:
    source: bytes
    stdin: bytes


@dataclass
class Row:
    language: str
    compile_box: float
    compile_bare: float
    run_box: float
    run_bare: float
    note: str = ""


def hello(language: Language) -> Program:
    """The corpus's accepted hello world, or the language's self-test (with its input)."""
    accepted = sorted((CORPUS / language.id).glob("AC.*")) if (CORPUS / language.id).is_dir() else []
    if accepted:
        return Program(accepted[0].read_bytes(), b"")
    return Program(language.selftest_source.encode(), language.selftest_input.encode())


def median_seconds(action: Callable[[], object], times: int) -> float:
    samples = []
    for _ in range(times):
        started = time.perf_counter()
        action()
        samples.append(time.perf_counter() - started)
    return statistics.median(samples)


def on_host(language: Language, part: str, work: Path) -> str:
    """An argv or environment string with the sandbox's paths turned to host paths: mount targets
    to their sources, the box (caches the compiler keeps there) to the bare run's directory."""
    for mount in language.mounts:
        if mount.target and mount.target in part:
            part = part.replace(mount.target, mount.source)
    return re.sub(r"(?<![\w/])/box(?=/|$)", str(work), part)


def bare(
    language: Language, argv: list[str], cwd: Path, stdin: bytes = b""
) -> subprocess.CompletedProcess[bytes]:
    env = {"PATH": "/usr/bin:/bin", **{k: on_host(language, v, cwd) for k, v in language.environment.items()}}
    command = [on_host(language, part, cwd) for part in argv]
    return subprocess.run(command, cwd=cwd, env=env, input=stdin, capture_output=True, timeout=120)


def bench_language(language: Language, config: SandboxConfig, compiles: int, runs: int) -> Row:
    program = hello(language)
    source_name, main = language.entry(program.source)
    compiled = compile_source(language, program.source, config, use_cache=False)
    if not compiled.ok:
        return Row(language.id, 0, 0, 0, 0, f"compile failed: {compiled.output[:80]!r}")
    compile_box = median_seconds(
        lambda: compile_source(language, program.source, config, use_cache=False), compiles
    )
    with tempfile.TemporaryDirectory(prefix="bench-lang-") as tmp:
        work = Path(tmp)
        os.chmod(work, 0o755)

        seed = compile_seed(language, config)  # as in the box: the compiler's own cache, seeded

        def compile_bare() -> None:
            for entry in work.iterdir():
                shutil.rmtree(entry) if entry.is_dir() else entry.unlink()
            if seed is not None and language.compile_seed:
                shutil.copytree(seed, work / language.compile_seed)
            (work / source_name).write_bytes(program.source)
            if language.compile:
                bare(language, language.compile_argv(source_name), work)

        compile_bare_s = median_seconds(compile_bare, compiles)
        argv = language.run_argv(RUN_LIMITS, main)
        result = bare(language, argv, work, program.stdin)
        note = "" if result.returncode == 0 else f"bare run exit {result.returncode}: {result.stderr[:80]!r}"
        run_bare = median_seconds(lambda: bare(language, argv, work, program.stdin), runs)
    with program_sandbox(compiled, config) as box:
        run_box = median_seconds(lambda: run_program(box, compiled, RUN_LIMITS, stdin=program.stdin), runs)
    return Row(language.id, compile_box, compile_bare_s, run_box, run_bare, note)


def ratio(box: float, bare_s: float) -> str:
    return f"{box / bare_s:5.2f}x" if bare_s > 0 else "    -"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--compiles", type=int, default=3, help="compiles per side (median)")
    parser.add_argument("--runs", type=int, default=5, help="runs per side (median)")
    parser.add_argument("--lang", action="append", default=[], help="only these ids (repeatable)")
    args = parser.parse_args()
    reason = check_available()
    if reason:
        sys.exit(f"sandbox unavailable: {reason}")
    chosen = [get_language(name) for name in args.lang] or list(all_languages().values())
    with tempfile.TemporaryDirectory(prefix="bench-lang-cache-") as cache:
        config = SandboxConfig(cache_dir=Path(cache))
        print(
            f"compile limits: {COMPILE_LIMITS.cpu_time:g} s CPU by default; medians of "
            f"{args.compiles} compiles and {args.runs} runs per side, wall seconds"
        )
        header = ("id", "compile box", "bare", "ratio", "run box", "bare", "ratio")
        print("{:12} {:>11} {:>8} {:>6} {:>9} {:>8} {:>6}  note".format(*header))
        for language in chosen:
            available, why = availability(language)
            if not available:
                print(f"{language.id:12} unavailable: {why}")
                continue
            row = bench_language(language, config, args.compiles, args.runs)
            print(
                f"{row.language:12} {row.compile_box:11.3f} {row.compile_bare:8.3f} "
                f"{ratio(row.compile_box, row.compile_bare):>6} {row.run_box:9.4f} {row.run_bare:8.4f} "
                f"{ratio(row.run_box, row.run_bare):>6}  {row.note}",
                flush=True,
            )


if __name__ == "__main__":
    main()
