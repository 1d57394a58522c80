"""MyPy's compile step, run inside the sandbox as our own trusted helper (standard library only):
the Python sources must compile, as ``python3 -m py_compile`` checks them, and then, put together
as one program, pass mypy with Jutge's flags.

As jutge-driver-std's MyPy: mypy runs only once the syntax is right, and any output of mypy fails
the check, a note included (the driver tests that mypy's output is empty, not its exit status).
Departures: mypy's cache goes nowhere (``--cache-dir=/dev/null``: the sandbox's disk is small and
thrown away), and several files (a function problem's submission, then its ``main.py``) are checked
as their concatenation, like Jutge's, but the concatenation is named after the first file and each
message about a later part is given back that part's own file name and line, so that the messages
name what the student wrote (Jutge's all say ``program.py``).

Usage: ``python3 -S python_check.py FILE...`` (the first file is the program, the others follow it).
"""

from __future__ import annotations

import re
import subprocess
import sys
import traceback
from pathlib import Path

MYPY = "/usr/bin/mypy"
# jutge-driver-std's flags, then ours (see the module's docstring).
MYPY_FLAGS = (
    "--no-error-summary",
    "--ignore-missing-imports",
    "--pretty",
    "--show-error-codes",
    "--show-column-numbers",
    "--show-error-context",
    "--cache-dir=/dev/null",
)
WORK = Path("/tmp/verdict-mypy")  # where a concatenation is checked (outside the box: not an artifact)
_NUMBERED = re.compile(r"^(?P<file>[^\s:][^:\n]*):(?P<line>\d+):")
_CONTEXT = re.compile(r"^(?P<file>[^\s:][^:\n]*): note: ")


def syntax_error(names: list[str]) -> str:
    """The first file's syntax error, worded as py_compile words it ("" when all compile)."""
    for name in names:
        try:
            compile(Path(name).read_bytes(), name, "exec", dont_inherit=True)
        except (SyntaxError, ValueError) as error:  # ValueError: a null byte in the source
            return "".join(traceback.format_exception_only(type(error), error))
    return ""


def ended(text: bytes) -> bytes:
    return text if not text or text.endswith(b"\n") else text + b"\n"


def concatenation(names: list[str]) -> tuple[bytes, list[tuple[str, int]]]:
    """The files one after the other, and where each starts (its first line in the whole)."""
    parts = [ended(Path(name).read_bytes()) for name in names]
    starts, line = [], 1
    for name, part in zip(names, parts, strict=True):
        starts.append((name, line))
        line += part.count(b"\n")
    return b"".join(parts), starts


def own_place(line: int, starts: list[tuple[str, int]]) -> tuple[str, int]:
    """The file and line a line of the concatenation came from."""
    name, start = next((name, start) for name, start in reversed(starts) if start <= line)
    return name, line - start + 1


def renamed(output: str, whole: str, starts: list[tuple[str, int]]) -> str:
    """mypy's messages about the concatenation, each naming the part it is about. A context line
    ("In function f:") has no line number: it takes the file of the message that follows it."""
    lines = output.splitlines(keepends=True)
    files: list[str | None] = [None] * len(lines)
    following: str | None = None
    for index in range(len(lines) - 1, -1, -1):
        match = _NUMBERED.match(lines[index])
        if match and match["file"] == whole:
            following, number = own_place(int(match["line"]), starts)
            lines[index] = f"{following}:{number}:" + lines[index][match.end() :]
        elif (context := _CONTEXT.match(lines[index])) and context["file"] == whole:
            files[index] = following or whole
    return "".join(
        f"{file}{line[len(whole) :]}" if file is not None else line
        for file, line in zip(files, lines, strict=True)
    )


def type_errors(names: list[str]) -> str:
    """mypy's output on the program the files make ("" when it has nothing to say)."""
    if len(names) == 1:
        return mypy(names[0], Path.cwd())
    whole, starts = concatenation(names)
    WORK.mkdir(parents=True, exist_ok=True)
    (WORK / names[0]).write_bytes(whole)
    return renamed(mypy(names[0], WORK), names[0], starts)


def mypy(name: str, folder: Path) -> str:
    try:
        done = subprocess.run([MYPY, *MYPY_FLAGS, name], cwd=folder, capture_output=True, text=True)
    except OSError as error:
        return f"mypy cannot run: {error}\n"
    return done.stdout + done.stderr


def main(names: list[str]) -> int:
    message = syntax_error(names) or type_errors(names)
    sys.stderr.write(message)
    return 1 if message else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
