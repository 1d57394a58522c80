"""Function problems: the student's code and the problem's ``main.<ext>`` put together per language.

A Jutge problem with ``source_modifier: no_main`` asks for functions, not a program: the problem's
``main.<ext>`` (one per language) calls them. How the references combine the two:

- jutge-driver-std (``std/compilers.py``), the judge of jutge.org: C and C++ first compile the
  submission alone (``-c``, so that its errors name its own lines), then one file made of
  ``#define main jutge__replaced__main``, the submission, ``#undef main`` and the main (a main the
  student left in for testing is renamed away). Java compiles the submission (``program.java``)
  and ``main.java`` (``class Main``, which calls e.g. ``Solution.isValidDate``) as separate files.
  Python checks the submission alone, then runs ``__name__ = "__jutge__"``, the submission and
  ``main.py`` concatenated (so the student's ``if __name__ == "__main__":`` block does not run).
  Haskell concatenates the submission and ``main.hs``. ``structs`` is ``no_main`` for C, C++ and
  Python; Java and Haskell compile a ``structs`` submission as a whole program.
- jutge-toolkit (``lib/compilers/base.ts``, ``java.ts``, ``python3.ts``), which makes the .cor
  files: the submission then the main, concatenated, for every language but Java (main first).

Here, one compile whose messages name the student's lines, per language:

- C, C++: ``jutge_program.<ext>`` holds Jutge's rename, then the submission under
  ``#line 1 "program.<ext>"`` and the main under ``#line 1 "main.<ext>"``. The submission itself
  is in the box as ``program.<ext>`` (gcc quotes the source lines it reads from the file a
  ``#line`` names); ``main.<ext>`` is too unless the problem says ``invisible_main``.
- Java: the submission and ``Main.java`` compiled together, each its own file, run as ``Main``.
  The submission's file is named after its public class (`verdict.judge.java_source`), whatever
  name it came with (on Jutge, ``program.java``, a public class is a compile error), and
  ``Solution.java`` when it has none (``Main.java`` is the problem's).
- Python: ``program.py`` (the submission) and ``main.py`` are both checked under their own names,
  by the language's own check given the two files (Python3's ``py_compile``; MyPy's helper, which
  type-checks their concatenation as Jutge's MyPy does and gives each message its own file's name
  and line: `verdict.judge.python_check`). The program run, ``jutge_program.py``, sets
  ``__name__ = "__jutge__"`` (registered as a module, which dataclasses and pickle look up) and
  executes the two in its one namespace, as Jutge's concatenation does, each compiled with its own
  file name, so tracebacks name the student's lines too. RunPython, whose tests are code to run,
  has no function problems (Jutge's RunPython ignores the modifier): its submission is refused.
- Haskell: the concatenation, with ``{-# LINE #-}`` pragmas naming each part's own lines.
- Rust: ``main.rs`` is the problem's main with ``include!("program.rs");`` at its end: rustc names
  the included file's lines, and the main's own are unchanged.
- R: as jutge-driver-std, the submission then ``main.R``, concatenated, and only ``no_main`` (its
  R ignores ``structs``). The concatenation is the language's own source (``main.R``), compiled
  (checked) and run by the R language's own commands, whatever they are; R has no line directive,
  so a message names ``main.R`` (Jutge's ``program.R``), at the submission's own line numbers
  since it comes first.

A language for which the problem has no main is a compile error that names the languages it has.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path

from verdict.judge.compiler import Compiled, compile_source
from verdict.judge.java_source import java_entry
from verdict.judge.languages import SOURCE, Language, RunArgv
from verdict.judge.problem import FunctionInterface, Problem
from verdict.judge.sandbox import Limits, SandboxConfig
from verdict.judge.supervision import Supervision

STUDENT = "program"  # the submission's file stem in the box, Jutge's name for it
ASSEMBLED = "jutge_program"  # the file made of both, compiled or run instead of the language's own
JAVA_MAIN_FILE = "Main.java"
JAVA_MAIN_CLASS = "Main"
JAVA_FALLBACK_FILE = "Solution.java"
RENAMED_MAIN = "jutge__replaced__main"  # jutge-driver-std's name for a main the student left in
# Modifiers per language family: `structs` only where jutge-driver-std treats it as no_main.
_MODIFIERS = {
    "c": ("no_main", "structs"),
    "python": ("no_main", "structs"),
    "java": ("no_main",),
    "haskell": ("no_main",),
    "rust": ("no_main",),
    "r": ("no_main",),
}
_LANGUAGE_NAMES = {
    "c": "C",
    "cc": "C++",
    "java": "Java",
    "py": "Python",
    "hs": "Haskell",
    "rs": "Rust",
    "R": "R",
}
RUN_PYTHON = "RunPython"
# Languages whose submissions are never functions, and why.
_WHOLE_PROGRAMS_ONLY = {RUN_PYTHON: "RunPython runs each test's input as code after the program"}


@dataclass(frozen=True)
class Assembly:
    """What to compile: a variant of the language, the submission as its source, and the files
    put beside it (the problem's main, the file made of both)."""

    language: Language
    source: bytes
    extra_files: Mapping[str, bytes]


class NoMainForLanguage(Exception):
    """The problem has no main in the submission's language (the student's compile error)."""


def compile_submission(
    problem: Problem,
    language: Language,
    source: bytes,
    config: SandboxConfig,
    supervision: Supervision | None = None,
    file_name: str | None = None,
) -> Compiled:
    """Compiles a submission to the problem: a whole program, or, for a function problem, the
    submission put together with the problem's main (see the module's docstring)."""
    interface = problem.function
    if interface is None or not applies(interface, language):
        return compile_source(
            language,
            source,
            config,
            extra_files=language.files_from(problem.root),  # RunPython's judge.py, RunHaskell's judge.hs
            supervision=supervision,
            file_name=file_name,
        )
    try:
        assembly = assemble(interface, language, source)
    except NoMainForLanguage as error:
        return Compiled(language, False, None, str(error), status="refused")
    return compile_source(
        assembly.language,
        assembly.source,
        config,
        extra_files=assembly.extra_files,
        supervision=supervision,
    )


def family(language: Language) -> str | None:
    """Which assembly a language takes (None: it has none), as the language says."""
    return language.function_assembly


def applies(interface: FunctionInterface, language: Language) -> bool:
    """Whether the problem's modifier changes how this language compiles: not Jutge's `structs`
    for Java and Haskell. True for a language with no assembly: its submission is refused."""
    kind = family(language)
    return kind is None or interface.modifier in _MODIFIERS[kind]


def assemble(interface: FunctionInterface, language: Language, source: bytes) -> Assembly:
    """The submission and the problem's main in the language's way (a Java source refused as it
    stands, with a package declaration, is refused by the compile). Raises NoMainForLanguage."""
    kind = family(language)
    main_path = interface.main_for(_extension(language))
    if kind is None or main_path is None:
        raise NoMainForLanguage(_no_main_message(interface, language))
    main = main_path.read_bytes()
    if kind == "c":
        return _c_assembly(interface, language, source, main)
    if kind == "java":
        return _java_assembly(language, source, main)
    if kind == "python":
        return _python_assembly(language, source, main)
    if kind == "haskell":
        return _haskell_assembly(language, source, main)
    if kind == "r":
        return Assembly(language, concatenated(source, main), {})
    return _rust_assembly(language, source, main)


# -- the files ---------------------------------------------------------------------------------------
def c_program(student: bytes, main: bytes, extension: str) -> bytes:
    """The C or C++ file compiled: the submission, its main renamed away, then the problem's main,
    each under a #line naming its own file."""
    return b"".join(
        [
            f"#define main {RENAMED_MAIN}\n".encode(),
            f'#line 1 "{STUDENT}.{extension}"\n'.encode(),
            _ended(student),
            b"#undef main\n",
            f'#line 1 "main.{extension}"\n'.encode(),
            _ended(main),
        ]
    )


def haskell_program(student: bytes, main: bytes) -> bytes:
    """The Haskell module compiled: the submission then the main, each under a LINE pragma."""
    return b"".join(
        [
            f'{{-# LINE 1 "{STUDENT}.hs" #-}}\n'.encode(),
            _ended(student),
            b'{-# LINE 1 "main.hs" #-}\n',
            _ended(main),
        ]
    )


def concatenated(student: bytes, main: bytes) -> bytes:
    """The submission then the problem's main (R's assembly, as jutge-driver-std's)."""
    return _ended(student) + _ended(main)


def rust_program(main: bytes) -> bytes:
    """The crate root compiled: the problem's main, then the submission included at its end."""
    return _ended(main) + f'include!("{STUDENT}.rs");\n'.encode()


PYTHON_PROGRAM = f"""\
# A Jutge function problem: the submission ({STUDENT}.py), then the problem's main.py, run in this
# one namespace as Jutge's concatenation does, each compiled under its own file name.
__name__ = "__jutge__"
# A module by that name (dataclasses look it up), and no `sys` left in the submission's namespace:
__import__("sys").modules[__name__] = __import__("sys").modules["__main__"]
exec(compile(open("{STUDENT}.py", "rb").read(), "{STUDENT}.py", "exec"))
exec(compile(open("main.py", "rb").read(), "main.py", "exec"))
""".encode()


def java_file_name(source: bytes) -> str:
    """The submission's file name beside the problem's Main.java: its public class's, whatever
    name it was uploaded with (Jutge's program.java would refuse a public class)."""
    name = java_entry(source).file_name
    return JAVA_FALLBACK_FILE if name == JAVA_MAIN_FILE else name


# -- per language ------------------------------------------------------------------------------------
def _c_assembly(interface: FunctionInterface, language: Language, source: bytes, main: bytes) -> Assembly:
    extension = _extension(language)
    files = {f"{ASSEMBLED}.{extension}": c_program(source, main, extension)}
    if not interface.invisible_main:
        files[f"main.{extension}"] = main  # quoted by the compiler's messages about it
    return Assembly(compiled_variant(language), source, files)


def _java_assembly(language: Language, source: bytes, main: bytes) -> Assembly:
    return Assembly(java_variant(language), source, {JAVA_MAIN_FILE: main})


def _python_assembly(language: Language, source: bytes, main: bytes) -> Assembly:
    return Assembly(python_variant(language), source, {"main.py": main, f"{ASSEMBLED}.py": PYTHON_PROGRAM})


def _haskell_assembly(language: Language, source: bytes, main: bytes) -> Assembly:
    return Assembly(compiled_variant(language), source, {f"{ASSEMBLED}.hs": haskell_program(source, main)})


def _rust_assembly(language: Language, source: bytes, main: bytes) -> Assembly:
    return Assembly(replace(language, source_name=f"{STUDENT}.rs"), source, {"main.rs": rust_program(main)})


# -- language variants (cached: one per language, so the compile cache and version probe see the
# same Language each time) ------------------------------------------------------------------------
@functools.cache
def compiled_variant(language: Language) -> Language:
    """The language with the submission as program.<ext> and jutge_program.<ext> compiled."""
    extension = _extension(language)
    assembled = f"{ASSEMBLED}.{extension}"
    return replace(
        language,
        source_name=f"{STUDENT}.{extension}",
        compile=tuple(assembled if part == language.source_name else part for part in language.compile or ()),
    )


@functools.cache
def java_variant(language: Language) -> Language:
    """javac given the submission and Main.java; Main runs."""
    return replace(
        language, compile=(*(language.compile or (SOURCE,)), JAVA_MAIN_FILE), entry_point=_java_function_entry
    )


def _java_function_entry(source: bytes, file_name: str | None) -> tuple[str, str]:
    del file_name  # see java_file_name
    return java_file_name(source), JAVA_MAIN_CLASS


@functools.cache
def python_variant(language: Language) -> Language:
    """Both files checked by the language's check (its source's name in the argv becomes the two
    names); jutge_program.py runs them."""
    check = language.compile or ()
    files = (f"{STUDENT}.py", "main.py")
    return replace(
        language,
        source_name=f"{STUDENT}.py",
        compile=tuple(
            part for word in check for part in (files if word == language.source_name else (word,))
        ),
        run=_renamed_run(language.run, language.source_name, f"{ASSEMBLED}.py"),
        artifacts=(f"{STUDENT}.py",),  # main.py and jutge_program.py are kept as extra files
    )


def _renamed_run(run: RunArgv, old: str, new: str) -> RunArgv:
    def argv(limits: Limits) -> list[str]:
        return [new if part == old else part for part in run(limits)]

    return argv


# -- helpers -----------------------------------------------------------------------------------------
def _extension(language: Language) -> str:
    return Path(language.source_name).suffix[1:]


def _ended(text: bytes) -> bytes:
    return text if text.endswith(b"\n") or not text else text + b"\n"


def _no_main_message(interface: FunctionInterface, language: Language) -> str:
    offered = ", ".join(
        f"{_LANGUAGE_NAMES.get(ext, ext)} (main.{ext})" for ext in interface.mains if ext in _LANGUAGE_NAMES
    )
    wanted = f" {interface.function_name}" if interface.function_name else ""
    if language.id in _WHOLE_PROGRAMS_ONLY:
        return (
            f"this problem asks for the function{wanted}, called by the problem's own main program: "
            f"{_WHOLE_PROGRAMS_ONLY[language.id]}: it cannot be used here (the problem has a main in "
            f"{offered or 'no language'})"
        )
    return (
        f"this problem asks for the function{wanted}, called by the problem's own main program, "
        f"which it has only in {offered or 'no language'}: {language.name} cannot be used here"
    )
