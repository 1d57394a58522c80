"""Sandbox cost, measured: `python bench/sandbox.py [--iterations N]` (as root, bubblewrap installed).

Prints medians for
  - a bare fork+exec of a tiny C program (posix_spawn + waitpid, stdin and stdout from files),
  - the same program run per test inside an already set-up Sandbox (`box.run`),
  - a one-shot sandbox (`run_once`: set-up, run, tear-down),
  - bare `/usr/bin/python3 -c pass` against the same inside the sandbox (with and without -S),
and the ratios the issue sets targets for: per-test overhead <= 2 ms over bare for C, sandboxed
Python start <= 1.2x bare.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from verdict.judge.sandbox import Limits, Sandbox, SandboxConfig, check_available, run_once

TINY_C = (
    '#include <stdio.h>\nint main(void){long a,b;if(scanf("%ld %ld",&a,&b)!=2)return 1;'
    'printf("%ld\\n",a+b);return 0;}\n'
)
PYTHON = "/usr/bin/python3"
LIMITS = Limits(cpu_time=5, wall_time=10, memory_mb=256)


def medians_ms(fns: Sequence[Callable[[], object]], iterations: int, warmup: int = 5) -> list[float]:
    """Median milliseconds of each function, run interleaved (a, b, a, b, ...) so that a slow
    moment of a shared machine weighs on every contender alike."""
    for _ in range(warmup):
        for fn in fns:
            fn()
    times: list[list[float]] = [[] for _ in fns]
    for _ in range(iterations):
        for fn, samples in zip(fns, times, strict=False):
            start = time.perf_counter()
            fn()
            samples.append(time.perf_counter() - start)
    return [statistics.median(samples) * 1000 for samples in times]


def bare_spawn(argv: Sequence[str], stdin: Path, stdout: Path) -> Callable[[], None]:
    """fork+exec without any sandbox: posix_spawn with stdin/stdout redirected, then waitpid."""
    actions = [
        (os.POSIX_SPAWN_OPEN, 0, str(stdin), os.O_RDONLY, 0),
        (os.POSIX_SPAWN_OPEN, 1, str(stdout), os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644),
    ]
    env = {"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8"}

    def run() -> None:
        pid = os.posix_spawn(argv[0], list(argv), env, file_actions=actions)
        _, status = os.waitpid(pid, 0)
        if os.waitstatus_to_exitcode(status) != 0:
            raise SystemExit(f"bare run of {argv} failed: {status}")

    return run


def boxed(box: Sandbox, argv: Sequence[str], stdin: Path) -> Callable[[], None]:
    def run() -> None:
        result = box.run(argv, stdin=stdin, limits=LIMITS)
        if not result.ok:
            raise SystemExit(f"sandboxed run of {argv} failed: {result}")

    return run


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--iterations", "-n", type=int, default=200)
    args = parser.parse_args()
    problem = check_available()
    if problem:
        print(f"cannot benchmark: {problem}", file=sys.stderr)
        return 2
    n = args.iterations
    work = Path(tempfile.mkdtemp(prefix="verdict-bench-"))
    try:
        config = SandboxConfig(cache_dir=work / "cache")
        (work / "tiny.c").write_text(TINY_C)
        subprocess.run(["gcc", "-O2", "-o", str(work / "tiny"), str(work / "tiny.c")], check=True)
        stdin = work / "input.txt"
        stdin.write_text("2 3\n")
        out = work / "output.txt"
        python_s = [PYTHON, "-S", "-c", "pass"]
        python = [PYTHON, "-c", "pass"]

        rows: dict[str, float] = {}
        tiny = work / "tiny"
        with Sandbox(config) as box:
            box.put("tiny", tiny, executable=True)
            rows["bare fork+exec, tiny C"], rows["sandbox per-test run, tiny C"] = medians_ms(
                [bare_spawn([str(tiny)], stdin, out), boxed(box, ["./tiny"], stdin)], n
            )
            rows["bare python3 -S -c pass"], rows["sandbox python3 -S -c pass"] = medians_ms(
                [bare_spawn(python_s, stdin, out), boxed(box, python_s, stdin)], n
            )
            rows["bare python3 -c pass"], rows["sandbox python3 -c pass"] = medians_ms(
                [bare_spawn(python, stdin, out), boxed(box, python, stdin)], n
            )
        (rows["one-shot sandbox (run_once), tiny C"],) = medians_ms(
            [lambda: run_once(["./tiny"], files={"tiny": tiny}, stdin=stdin, limits=LIMITS, config=config)],
            max(n // 4, 10),
            warmup=2,
        )
    finally:
        shutil.rmtree(work, ignore_errors=True)

    print(f"medians over {n} runs (one-shot: {max(n // 4, 10)}), {os.cpu_count()} CPUs")
    width = max(map(len, rows))
    for name, ms in rows.items():
        print(f"  {name:<{width}}  {ms:8.3f} ms")
    overhead = rows["sandbox per-test run, tiny C"] - rows["bare fork+exec, tiny C"]
    ratio_s = rows["sandbox python3 -S -c pass"] / rows["bare python3 -S -c pass"]
    ratio = rows["sandbox python3 -c pass"] / rows["bare python3 -c pass"]
    one_shot = rows["one-shot sandbox (run_once), tiny C"] / rows["bare fork+exec, tiny C"]
    print()
    print(
        f"  per-test overhead over bare, C        {overhead:+8.3f} ms   (target <= 2 ms) "
        f"{'PASS' if overhead <= 2 else 'MISS'}"
    )
    print(
        f"  sandboxed / bare python3 -S -c pass   {ratio_s:8.2f} x    (target <= 1.2x) "
        f"{'PASS' if ratio_s <= 1.2 else 'MISS'}"
    )
    print(
        f"  sandboxed / bare python3 -c pass      {ratio:8.2f} x    (target <= 1.2x) "
        f"{'PASS' if ratio <= 1.2 else 'MISS'}"
    )
    print(f"  one-shot sandbox / bare, C            {one_shot:8.1f} x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
