"""``import turtle`` in the sandbox is turtle_pil, as on Jutge.

Jutge's Python compiler copies turtle_pil's module into the program's directory as ``turtle.py``
before each run ("hack to use turtle-pil when using turtle", ``Compiler_Python3.execute_pre`` in
jutge-org's Python toolkit), so a student's ``import turtle`` draws headless into ``output.png``
instead of opening a Tk window. Here the installed ``turtle_pil/__init__.py`` is bound read-only as
``turtle.py`` on the sandbox's PYTHONPATH (`verdict.judge.python_libraries.TARGET`, which comes
before the standard library), the same module under the other name: nothing is written in the box.
The standard turtle could not run in the sandbox anyway (no display, no Tk).
"""

from __future__ import annotations

import functools
import importlib.metadata
from pathlib import Path

from verdict.judge.bwrap import Mount
from verdict.judge.python_libraries import TARGET

DISTRIBUTION = "turtle-pil"
MODULE = "turtle_pil/__init__.py"


@functools.cache
def turtle_mounts() -> tuple[Mount, ...]:
    """The mount making ``turtle`` turtle_pil; none when turtle-pil is not installed."""
    try:
        distribution = importlib.metadata.distribution(DISTRIBUTION)
    except importlib.metadata.PackageNotFoundError:
        return ()
    module = Path(str(distribution.locate_file(MODULE)))
    return (Mount(str(module), f"{TARGET}/turtle.py"),) if module.is_file() else ()
