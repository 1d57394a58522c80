"""Jutge's Python libraries (yogi, easyinput, turtle_pil over PIL) import inside the sandbox,
where /usr/bin/python3 runs without our virtualenv: they are bound from their installed place."""

from __future__ import annotations

import pytest

from tests.judge.conftest import CompileFn
from verdict.judge.compiler import program_sandbox, run_program
from verdict.judge.python_libraries import TARGET, library_mounts
from verdict.judge.sandbox import Limits, SandboxConfig

pytestmark = pytest.mark.integration

READS = """\
import sys
import yogi, easyinput, turtle_pil, PIL
from PIL import Image
from yogi import read
a = read(int)
b = read(int)
image = Image.new("RGB", (4, 3), "red")  # the compiled part of pillow and its bundled libraries
print(a + b, image.size[0] * image.size[1], image.getpixel((0, 0)))
print(yogi.__file__)
"""

EASYINPUT = """\
from easyinput import read
x, y = read(int, int)
print(x * y)
"""

TURTLE = """\
import turtle_pil as turtle
turtle.reset(100)
turtle.forward(30)
turtle.left(90)
turtle.forward(30)
turtle.done()  # output.png, in the box
print(open("output.png", "rb").read(4) == b"\\x89PNG")
"""


def run_python(compile_program: CompileFn, config: SandboxConfig, source: str, stdin: bytes) -> str:
    compiled = compile_program(source, "Python3")
    with program_sandbox(compiled, config) as box:
        result = run_program(box, compiled, Limits(cpu_time=10, memory_mb=512), stdin=stdin)
    assert result.ok, result.stderr.decode(errors="replace")
    return result.stdout.decode()


def test_the_libraries_come_from_their_installed_directories() -> None:
    targets = {mount.target for mount in library_mounts()}
    for name in ("yogi", "easyinput", "future", "turtle_pil", "PIL", "pillow.libs"):
        assert f"{TARGET}/{name}" in targets
    assert f"{TARGET}/enum" not in targets  # enum34 would shadow the standard library's enum


def test_yogi_and_pillow_import(compile_program: CompileFn, sandbox_config: SandboxConfig) -> None:
    lines = run_python(compile_program, sandbox_config, READS, b"2\n  40\n").splitlines()
    assert lines == ["42 12 (255, 0, 0)", f"{TARGET}/yogi/__init__.py"]


def test_easyinput_imports(compile_program: CompileFn, sandbox_config: SandboxConfig) -> None:
    assert run_python(compile_program, sandbox_config, EASYINPUT, b"6 7\n").strip() == "42"


def test_turtle_pil_draws(compile_program: CompileFn, sandbox_config: SandboxConfig) -> None:
    assert run_python(compile_program, sandbox_config, TURTLE, b"").strip() == "True"
