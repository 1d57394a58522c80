"""Importing a 100-test Jutge package as the toolkit writes it (no .cor files): the time to import
it (expected outputs made by the golden solution, every solution checked, limits measured), then
the grading time per submission afterwards, side by side with what grading cost when every
worker derived the limit again (the references re-run before its first submission).

    .venv/bin/python bench/import.py [--tests 100] [--submissions 10]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from verdict.grading.queue import NullQueue
from verdict.judge.packages import load_package
from verdict.judge.preparation import prepared_grader
from verdict.platform import bootstrap
from verdict.problems.store import fetch_package, import_package
from verdict.settings import Settings, sandbox_config

SOLUTION_CC = """#include <iostream>
using namespace std;
int main() {
    long long n, sum = 0, x;
    cin >> n;
    for (long long i = 0; i < n; ++i) { cin >> x; sum += x; }
    cout << sum << endl;
}
"""
SOLUTION_PY = (
    "if __name__ == '__main__':\n    n, *xs = map(int, open(0).read().split())\n    print(sum(xs[:n]))\n"
)
STUDENT_PY = "import sys\nn, *xs = map(int, sys.stdin.read().split())\nprint(sum(xs))\n"


def make_package(root: Path, tests: int) -> Path:
    """handler.yml, statements, solution.cc (golden) and solution.py, and ``tests`` inputs."""
    package = root / "sums.pbm"
    package.mkdir(parents=True)
    (package / "handler.yml").write_text("handler: std\nsolution: C++\ntime_factor: [2, 5, 10]\n")
    (package / "problem.en.yml").write_text("title: Sums\nauthor: Verdict bench\n")
    (package / "problem.en.tex").write_text("\\Problem{Sums}\n\n\\Statement\n\nAdd the numbers.\n")
    (package / "solution.cc").write_text(SOLUTION_CC)
    (package / "solution.py").write_text(SOLUTION_PY)
    for index in range(tests):
        numbers = [(index * 7919 + k * 104729) % 1_000_003 for k in range(200)]
        name = "sample-1" if index == 0 else f"test-{index}"
        (package / f"{name}.inp").write_text(f"{len(numbers)}\n{' '.join(map(str, numbers))}\n")
    return package


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tests", type=int, default=100)
    parser.add_argument("--submissions", type=int, default=10)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-import-") as tmp:
        settings = Settings(data_dir=Path(tmp) / "data")
        platform = bootstrap(settings, migrate=True, queue=NullQueue())
        package = make_package(Path(tmp) / "src", args.tests)
        started = time.perf_counter()
        with platform.session_scope() as session:
            result = import_package(session, package, settings=platform.settings)
            version_id, blob_hash = result.version.id, result.version.blob_hash
        import_seconds = time.perf_counter() - started
        assert len(result.preparation.made_outputs) == args.tests and not result.preparation.warnings

        engine = platform.grading_engine()
        stored = []
        for _ in range(args.submissions):
            began = time.perf_counter()
            graded = engine.judge(version_id, "Python3", STUDENT_PY)
            stored.append(time.perf_counter() - began)
            assert graded.verdict.value == "AC", graded

        # The old way: each worker measured the references before grading (no stored limit).
        with platform.session_scope() as session:
            root = fetch_package(session, blob_hash, platform.settings.data_dir / "packages")
        rederived = []
        for _ in range(3):
            began = time.perf_counter()
            grader = prepared_grader(load_package(root), sandbox_config(platform.settings))
            assert grader.grade(STUDENT_PY.encode(), "Python3").verdict.value == "AC"
            rederived.append(time.perf_counter() - began)
        platform.close()
    first, rest = stored[0], statistics.median(stored[1:] or stored)
    print(f"Jutge package, {args.tests} tests without .cor, golden C++ and an alternate in Python")
    print(f"  import (outputs made, solutions checked, limits measured): {import_seconds:.2f} s")
    print(f"  grading, limit stored   : first {first:.3f} s, then median {rest:.3f} s per submission")
    print(f"  grading, limit re-derived per worker: median {statistics.median(rederived):.3f} s")
    ratio = statistics.median(rederived) / first
    print(f"  ratio re-derived / stored (a worker's first submission): {ratio:.2f}×")


if __name__ == "__main__":
    main()
