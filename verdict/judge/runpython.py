"""RunPython's runner, Jutge's "Python3 with tweaks for testing in the judge", run inside the
sandbox as our own trusted helper (standard library only).

A RunPython test's input is Python code, run after the program: jutge-driver-std writes the
program, the problem's ``judge.py`` (if it has one) and the test's ``.inp`` into one file and runs
it (feeding the ``.inp`` as standard input too). Here the test's code arrives on standard input:
this runner reads it, gives it back as ``sys.stdin`` (so the program still reads it, as on Jutge),
and executes the program, ``judge.py`` and the test's code in order, in one module's namespace.

Departures from the concatenation, each for a clearer message: every part is compiled under its
own file name (tracebacks name the student's lines; the test's code is ``test.inp``), the parts
are compiled before any runs, and the module is named ``__jutge__`` (on Jutge it is imported, so
the student's ``if __name__ == "__main__":`` block does not run either). A test whose code does
not compile is Jutge's EE "Cannot test": this runner says so and exits with status 1 (a run-time
error), whatever the program is, since each part is compiled alone.

Usage: ``python3 -S runpython.py PROGRAM`` in the box, the test's code on standard input.
"""

from __future__ import annotations

import io
import linecache
import sys
import traceback
import types
from pathlib import Path
from types import CodeType

JUDGE = "judge.py"  # the problem's own code, run between the program and each test's
TEST = "test.inp"  # the name the test's code gets in tracebacks
MODULE = "__jutge__"
CANNOT_TEST = 1


def compiled_parts(program: str, test_code: str) -> list[CodeType]:
    """The program, judge.py if the problem has one, and the test's code, compiled. A syntax
    error in the test's code (or judge.py) raises SyntaxError; the program compiled at compile time."""
    parts = [compile(Path(program).read_bytes(), program, "exec", dont_inherit=True)]
    if Path(JUDGE).is_file():
        parts.append(compile(Path(JUDGE).read_bytes(), JUDGE, "exec", dont_inherit=True))
    lines = test_code.splitlines(keepends=True)
    linecache.cache[TEST] = (len(test_code), None, lines, TEST)  # so that tracebacks quote it
    parts.append(compile(test_code, TEST, "exec", dont_inherit=True))
    return parts


def run(parts: list[CodeType]) -> int:
    """Executes the parts in one module; an exception's traceback leaves this runner's frame out."""
    module = types.ModuleType(MODULE)
    sys.modules[MODULE] = module  # dataclasses, pickle and typing look their module up
    try:
        for code in parts:
            exec(code, module.__dict__)
    except Exception as error:  # SystemExit passes: sys.exit() ends the program as it says
        traceback.print_exception(
            type(error), error, error.__traceback__.tb_next if error.__traceback__ else None
        )
        return 1
    return 0


def main(program: str) -> int:
    test_code = sys.stdin.read()
    sys.stdin = io.StringIO(test_code)
    try:
        parts = compiled_parts(program, test_code)
    except (SyntaxError, ValueError) as error:
        sys.stderr.write("Cannot test: the problem's code for this test does not compile\n")
        sys.stderr.write("".join(traceback.format_exception_only(type(error), error)))
        return CANNOT_TEST
    return run(parts)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
