"""Wall time to judge an A+B problem with 10 tests: C++ cold compile, C++ with the compile
cache, and Python. Anchors measured on this kind of machine: DMOJ ≈ 1.2 s (C++) and ≈ 0.8 s
(Python).

    .venv/bin/python bench/grading.py
"""

from __future__ import annotations

import statistics
import tempfile
import time
from pathlib import Path

from verdict.judge.grader import Grader
from verdict.judge.packages import load_package
from verdict.judge.sandbox import SandboxConfig

CPP = b"#include <iostream>\nint main(){long long a,b;std::cin>>a>>b;std::cout<<a+b<<'\\n';}\n"
PY = b"a, b = map(int, input().split())\nprint(a + b)\n"


def make_package(root: Path) -> Path:
    package = root / "aplusb"
    (package / "data" / "secret").mkdir(parents=True)
    (package / "problem.yaml").write_text("name: A plus B\nlimits:\n  time_limit: 1\n")
    for i in range(10):
        a, b = i * 7919, i * 104729
        (package / "data" / "secret" / f"{i:02}.in").write_text(f"{a} {b}\n")
        (package / "data" / "secret" / f"{i:02}.ans").write_text(f"{a + b}\n")
    return package


def timed(grader: Grader, source: bytes, language: str) -> float:
    started = time.perf_counter()
    result = grader.grade(source, language)
    elapsed = time.perf_counter() - started
    assert result.verdict.value == "AC", result
    return elapsed


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        problem = load_package(make_package(Path(tmp)))
        cold = []
        for round_ in range(3):
            config = SandboxConfig(cache_dir=Path(tmp) / f"cache{round_}")
            cold.append(timed(Grader(problem, config), CPP, "G++17"))
        grader = Grader(problem, SandboxConfig(cache_dir=Path(tmp) / "cache0"))
        cached = [timed(grader, CPP, "G++17") for _ in range(5)]
        python = [timed(grader, PY, "Python3") for _ in range(5)]
    print("A+B, 10 tests, wall time per submission (median)")
    print(f"  C++ cold compile : {statistics.median(cold):.3f} s   (DMOJ anchor ≈ 1.2 s)")
    print(f"  C++ compile cache: {statistics.median(cached):.3f} s")
    print(f"  Python 3         : {statistics.median(python):.3f} s   (DMOJ anchor ≈ 0.8 s)")
    print(
        f"  ratios vs anchors: C++ cold {statistics.median(cold) / 1.2:.2f}×, "
        f"Python {statistics.median(python) / 0.8:.2f}×"
    )


if __name__ == "__main__":
    main()
