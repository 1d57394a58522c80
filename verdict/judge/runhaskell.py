"""RunHaskell inside the sandbox: Jutge's "GHC with tweaks for testing" (jutge-driver-std's
``Compiler_RunHaskell``). This file is copied into the sandbox and run by the trusted python3 there
(``python3 -S``: the standard library only); it is never imported by Verdict.

A test's input is not the program's input: each line is an expression whose value is printed (a line
starting with ``let`` stays a binding). The program (and the problem's ``judge.hs``, when the box has
one) becomes a module ``Main`` exporting ``mainjutgeorg``, a ``do`` block made of those lines, which
ghc compiles with ``-main-is mainjutgeorg`` before it runs.

    check SOURCE        the compile step: SOURCE with the expression "testing", as Jutge's driver
                        checks it; ghc's exit status and messages are the compile's.
    run SOURCE HEAP_MB  one test: the expressions come on standard input; an expression that does not
                        compile ends the run with "Cannot test" (Jutge's EE), exit status 86; else the
                        program runs with its heap bounded (``+RTS -M``) and an empty input.

Blank lines of the input are skipped, as Jutge's toolkit does (its old driver printed ``()``).
"""

from __future__ import annotations

import os
import subprocess
import sys

GHC = "/usr/bin/ghc"
WORK = "work"
JUDGE = "judge.hs"
CANNOT_TEST = 86  # the exit status that says "Cannot test" (our run messages quote no stderr)


def read_text(path: str) -> str:
    with open(path, encoding="utf-8", errors="replace") as file:
        return file.read()


def remove_work() -> None:
    for name in (WORK, f"{WORK}.o", f"{WORK}.hi", f"{WORK}.hs"):
        if os.path.exists(name):
            os.remove(name)


def work_source(program: str, lines: list[str]) -> str:
    """The module ghc compiles: the program, judge.hs if any, and ``mainjutgeorg``."""
    judge = read_text(JUDGE) if os.path.exists(JUDGE) else ""
    body = []
    for line in lines:
        line = line.rstrip()
        if not line.strip():
            continue
        body.append(f"    {line}" if line.startswith("let ") else f"    print ({line})")
    return "\n".join(
        ["module Main (mainjutgeorg) where", "", program, judge, "", "mainjutgeorg = do", *body, ""]
    )


def compile_work(program_file: str, lines: list[str]) -> subprocess.CompletedProcess[bytes]:
    remove_work()  # a test's program must never be the one left by the test before
    program = read_text(program_file)
    with open(f"{WORK}.hs", "w", encoding="utf-8") as out:
        out.write(work_source(program, lines))
    command = [GHC, "-v0", "-O3", "-rtsopts", "-main-is", "mainjutgeorg", f"{WORK}.hs", "-o", WORK]
    return subprocess.run(command, stdin=subprocess.DEVNULL, capture_output=True)


def check(program_file: str) -> int:
    result = compile_work(program_file, ['"testing"'])
    sys.stderr.buffer.write(result.stderr + result.stdout)
    remove_work()
    return result.returncode


def run(program_file: str, heap_mb: str) -> int:
    lines = sys.stdin.buffer.read().decode("utf-8", errors="replace").splitlines()
    result = compile_work(program_file, lines)
    if result.returncode != 0 or not os.path.exists(WORK):
        sys.stderr.write("Cannot test: the test's expressions do not compile with the program\n")
        sys.stderr.buffer.write(result.stderr + result.stdout)
        return CANNOT_TEST
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)
    os.execv(WORK, [WORK, "+RTS", f"-M{heap_mb}m", "-RTS"])
    return 0  # not reached


def main(argv: list[str]) -> int:
    if len(argv) == 2 and argv[0] == "check":
        return check(argv[1])
    if len(argv) == 3 and argv[0] == "run":
        return run(argv[1], argv[2])
    sys.stderr.write("usage: runhaskell.py check SOURCE | run SOURCE HEAP_MB\n")
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
