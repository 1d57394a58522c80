"""Python as Jutge runs it: Python3 (a syntax error is CE), with Jutge's libraries mounted."""

from __future__ import annotations

from verdict.judge.python_libraries import library_env, library_mounts
from verdict.judge.toolchains.base import Language
from verdict.judge.turtle_alias import turtle_mounts


def build() -> list[Language]:
    return [
        Language(
            id="Python3",
            time_class="slow",
            name="Python 3",
            extensions=(".py", ".py3"),
            source_name="main.py",
            compile=(
                "/usr/bin/python3",
                "-c",
                "import sys; compile(open('main.py','rb').read(), 'main.py', 'exec')",
            ),
            run=lambda limits: ["/usr/bin/python3", "-S", "main.py"],
            artifacts=("main.py",),
            version_command=("/usr/bin/python3", "--version"),
            toolchain="/usr/bin/python3",
            # Jutge's libraries (yogi, easyinput, turtle_pil, PIL): see verdict.judge.python_libraries.
            mounts=(*library_mounts(), *turtle_mounts()),  # import turtle: verdict.judge.turtle_alias
            env=(("PYTHONDONTWRITEBYTECODE", "1"), ("PYTHONIOENCODING", "utf-8"), *library_env()),
            memory_errors=("MemoryError",),
            aliases=("PYTHON", "PY"),
        ),
    ]
