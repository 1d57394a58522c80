"""Jutge function problems in a .pbm: what handler.yml says about the submissions' shape.

The Jutge toolkit's ``docs/problem-anatomy.md`` documents ``source_modifier``: ``none`` (the
default: whole programs), ``no_main`` (only a function is asked for, named by ``func_name``) and
``structs`` (marked [CHECK] there; jutge-driver-std's ``compilers.py`` handles it exactly as
``no_main`` for C, C++ and Python). ``invisible_main: 1`` keeps the problem's ``main.<ext>`` from
the students. The mains sit beside the solutions, one per language: the toolkit's own example
(``assets/problems/function/valid-date.pbm``) ships ``main.c``, ``main.cc``, ``main.java`` and
``main.py`` with the matching ``solution.<ext>``.

Checked here, because otherwise the golden solution fails at run time with a message that says
little: a modifier with no main at all, and a golden solution whose language has no main.
"""

from __future__ import annotations

from pathlib import Path

from verdict.judge.errors import PackageError
from verdict.judge.packages.common import Fields, brief
from verdict.judge.problem import FunctionInterface

SOURCE_MODIFIERS = ("none", "no_main", "structs")
# main.<ext> files a function problem may have: the extensions of the languages it can assemble.
MAIN_EXTENSIONS = ("c", "cc", "cpp", "cxx", "java", "py", "hs", "rs", "R")


def function_interface(root: Path, handler: Fields, golden: Path | None) -> FunctionInterface | None:
    """The function problem described by handler.yml, or None for whole programs."""
    modifier = handler.string("source_modifier", "none") or "none"
    if modifier not in SOURCE_MODIFIERS:
        raise handler.error(
            "source_modifier",
            f"has unknown value {brief(modifier)}; expected one of {', '.join(SOURCE_MODIFIERS)}",
        )
    function_name = handler.string("func_name")
    invisible_main = handler.boolean("invisible_main", False)
    if modifier == "none":
        return None
    mains = {ext: root / f"main.{ext}" for ext in MAIN_EXTENSIONS if (root / f"main.{ext}").is_file()}
    if not mains:
        raise PackageError(
            root,
            f"source_modifier {modifier} needs the problem's main program: "
            "main.<ext> for each language (main.cc, main.c, main.java, main.py, ...)",
        )
    interface = FunctionInterface(
        modifier=modifier, mains=mains, function_name=function_name, invisible_main=invisible_main
    )
    if golden is not None and interface.main_for(golden.suffix[1:]) is None:
        raise PackageError(
            root,
            f"source_modifier {modifier}: the golden solution {golden.name} has no main.{golden.suffix[1:]} "
            f"to run with (found {', '.join(path.name for path in mains.values())})",
        )
    return interface
