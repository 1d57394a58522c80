"""Python as Jutge runs it, with Jutge's libraries mounted (yogi, easyinput, turtle_pil, PIL):

- Python3: ``python3 -m py_compile`` is the check (a syntax error is CE, py_compile's message),
  as in jutge-driver-std (the newer toolkit runs its own syntax checker instead).
- MyPy: the same check, then mypy with Jutge's flags; anything mypy says (a type error, even a
  note) is CE with its message. Debian's mypy (package ``mypy``) runs under /usr/bin/python3 in the
  sandbox, through our helper `verdict.judge.python_check` (its docstring says what departs).
- RunPython: the program alone is checked; each test's input is Python code run after it (with
  the problem's ``judge.py`` between them), by our runner `verdict.judge.runpython` (its
  docstring says what departs from Jutge's concatenation).

All three are of the slow class (Jutge's problem-anatomy.md: Python). Programs run with ``-S``:
Debian's site-packages stay out of them (only Jutge's libraries are importable); mypy itself, a
child of our helper, runs with them, where Debian installs it.
"""

from __future__ import annotations

from pathlib import Path

from verdict.judge.bwrap import Mount
from verdict.judge.python_libraries import library_env, library_mounts
from verdict.judge.toolchains.base import Language
from verdict.judge.turtle_alias import turtle_mounts

PYTHON = "/usr/bin/python3"
MYPY = "/usr/bin/mypy"
HELPERS = "/opt/verdict"
CHECK = Path(__file__).parent.parent / "python_check.py"
RUNNER = Path(__file__).parent.parent / "runpython.py"
PY_COMPILE = (PYTHON, "-S", "-m", "py_compile")
# A RunPython self-test: the program defines, the test's code (the input) calls.
RUN_SELFTEST = "def add(a, b):\n    return a + b\n"
RUN_SELFTEST_INPUT = "print(add(2, 3))\n"


def build() -> list[Language]:
    return [python3(), mypy(), run_python()]


def python3() -> Language:
    return Language(
        id="Python3",
        function_assembly="python",
        time_class="slow",
        name="Python 3",
        extensions=(".py", ".py3"),
        source_name="main.py",
        compile=(*PY_COMPILE, "main.py"),
        run=lambda limits: [PYTHON, "-S", "main.py"],
        artifacts=("main.py",),
        version_command=(PYTHON, "--version"),
        toolchain=PYTHON,
        mounts=_mounts(),
        env=_env(),
        memory_errors=("MemoryError",),
        aliases=("PYTHON", "PY"),
    )


def mypy() -> Language:
    """Python3 type-checked first: the check runs in the sandbox with mypy's own resources (it
    reads typeshed's stubs and Jutge's typed libraries, such as yogi, found on PYTHONPATH)."""
    return Language(
        id="MyPy",
        function_assembly="python",
        time_class="slow",
        name="Python 3 with MyPy type checking",
        extensions=(".py", ".py3"),  # Python3 claims them first: MyPy is asked for by its id
        source_name="main.py",
        compile=(PYTHON, "-S", f"{HELPERS}/python_check.py", "main.py"),
        run=lambda limits: [PYTHON, "-S", "main.py"],
        artifacts=("main.py",),
        version_command=(MYPY, "--version"),
        toolchain=MYPY,
        mounts=_mounts(Mount(str(CHECK), f"{HELPERS}/python_check.py", shared=True)),
        env=_env(),
        memory_errors=("MemoryError",),
    )


def run_python() -> Language:
    return Language(
        id="RunPython",
        time_class="slow",
        name="Python 3 with tweaks for testing in the judge",
        extensions=(".py", ".py3"),  # Python3 claims them first: RunPython is asked for by its id
        source_name="main.py",
        compile=(*PY_COMPILE, "main.py"),
        run=lambda limits: [PYTHON, "-S", f"{HELPERS}/runpython.py", "main.py"],
        artifacts=("main.py",),
        version_command=(PYTHON, "--version"),
        toolchain=PYTHON,
        selftest_source=RUN_SELFTEST,
        selftest_input=RUN_SELFTEST_INPUT,
        mounts=_mounts(Mount(str(RUNNER), f"{HELPERS}/runpython.py", shared=True)),
        env=_env(),
        memory_errors=("MemoryError",),
        problem_files=("judge.py",),  # the problem's code run between the program and each test's
    )


def _mounts(*extra: Mount) -> tuple[Mount, ...]:
    """Jutge's libraries (verdict.judge.python_libraries; ``import turtle`` is turtle_pil:
    verdict.judge.turtle_alias), and our helper if the language has one."""
    return (*library_mounts(), *turtle_mounts(), *extra)


def _env() -> tuple[tuple[str, str], ...]:
    return (("PYTHONDONTWRITEBYTECODE", "1"), ("PYTHONIOENCODING", "utf-8"), *library_env())
