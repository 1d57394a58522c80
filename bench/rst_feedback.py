"""What rendering INGInious feedback costs (verdict.courses.rst_feedback): a run script's typical
feedback (a line of text, a code block, a table with a title, a long compiler log) rendered from
reStructuredText and sanitised, median over ``--runs`` renderings each, first without the cache
(every text new: what a submission costs the first time it is shown) then from the cache.

    .venv/bin/python bench/rst_feedback.py [--runs 200]
"""

from __future__ import annotations

import argparse
import statistics
import time

from verdict.courses.rst_feedback import _render, render_rst

TEXTS = {
    "one line": "All 3 values are right, alice.",
    "code block": "Your code:\n\n.. code-block:: python\n\n\treturn 2 * n\n\n",
    "title + table": (
        "Results\n=======\n\nYour square is **right**.\n\n=====  ========  =====\nn      expected  got\n"
        "=====  ========  =====\n2, 3   ``4 9``   ``4 9``\n=====  ========  =====\n\n"
        "See `the course <https://example.org/course>`_.\n"
    ),
    "compiler log (20 KB)": ".. code-block:: text\n\n" + "\tMain.java:3: error: ';' expected\n" * 600,
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=200)
    runs = parser.parse_args().runs
    render_rst("warm up")  # docutils' settings are built once per process
    print(f"{'feedback':24} {'chars':>7} {'new (ms)':>9} {'cached (ms)':>12}")
    for name, text in TEXTS.items():
        fresh = []
        for run in range(runs):
            started = time.perf_counter()
            _render(f"{text}\n\n{run}")  # a text never seen: no cache
            fresh.append(time.perf_counter() - started)
        render_rst(text)
        cached = []
        for _ in range(runs):
            started = time.perf_counter()
            render_rst(text)
            cached.append(time.perf_counter() - started)
        print(
            f"{name:24} {len(text):7} {1000 * statistics.median(fresh):9.3f} "
            f"{1000 * statistics.median(cached):12.4f}"
        )


if __name__ == "__main__":
    main()
