"""The code editor's highlighting for each compiler: the CodeMirror 5 mode (a MIME type CodeMirror
knows) and the mode's scripts, which ``static/editor.js`` loads when that language is chosen.

The submission forms put both on each ``<option>`` of their language list (``data-mode``,
``data-mode-scripts``), so the page says which highlighting each choice gets and the script only
follows it. A compiler without a CodeMirror 5 mode (Ada, Nim, Zig, Whitespace) is edited as plain
text, as is an id this server does not know; :data:`PLAIN_LANGUAGES` names those on purpose, and a
test demands every offered language be in one table or the other.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from verdict.judge.errors import UnknownLanguage
from verdict.judge.languages import get_language


@dataclass(frozen=True)
class EditorMode:
    mime: str
    # Paths under static/vendor/codemirror/, loaded in this order (a mode after what it builds on).
    scripts: tuple[str, ...] = ()


PLAIN = EditorMode("text/plain")

_C = EditorMode("text/x-csrc", ("mode/clike.js",))
_CPP = EditorMode("text/x-c++src", ("mode/clike.js",))
_FORTRAN = EditorMode("text/x-fortran", ("mode/fortran.js",))
_PYTHON = EditorMode("text/x-python", ("mode/python.js",))
_HASKELL = EditorMode("text/x-haskell", ("mode/haskell.js",))
_SCHEME = EditorMode("text/x-scheme", ("mode/scheme.js",))

# Compiler id (verdict.judge.languages) -> its mode.
MODES: Mapping[str, EditorMode] = MappingProxyType(
    {
        "GCC": _C,
        "Clang": _C,
        "G++": _CPP,
        "P1++": _CPP,
        "G++11": _CPP,
        "G++17": _CPP,
        "G++20": _CPP,
        "Clang++17": _CPP,
        "GObjC": EditorMode("text/x-objectivec", ("mode/clike.js",)),
        "JDK": EditorMode("text/x-java", ("mode/clike.js",)),
        "Kotlin": EditorMode("text/x-kotlin", ("mode/clike.js",)),
        "MonoCS": EditorMode("text/x-csharp", ("mode/clike.js",)),
        # PHP code without HTML around it: a clike dialect defined by php.js.
        "PHP": EditorMode("text/x-php", ("mode/clike.js", "mode/php.js")),
        "GFortran": _FORTRAN,
        "F2C": _FORTRAN,
        "GDC": EditorMode("text/x-d", ("mode/d.js",)),
        "Python3": _PYTHON,
        "MyPy": _PYTHON,
        "RunPython": _PYTHON,
        "Clojure": EditorMode("text/x-clojure", ("mode/clojure.js",)),
        "Ruby": EditorMode("text/x-ruby", ("mode/ruby.js",)),
        "Lua": EditorMode("text/x-lua", ("mode/lua.js",)),
        "nodejs": EditorMode("text/javascript", ("mode/javascript.js",)),
        "Typescript": EditorMode("text/typescript", ("mode/javascript.js",)),
        "Perl": EditorMode("text/x-perl", ("mode/perl.js",)),
        "R": EditorMode("text/x-rsrc", ("mode/r.js",)),
        "Rust": EditorMode("text/x-rustsrc", ("simple.js", "mode/rust.js")),
        "Go": EditorMode("text/x-go", ("mode/go.js",)),
        "Crystal": EditorMode("text/x-crystal", ("mode/crystal.js",)),
        "FPC": EditorMode("text/x-pascal", ("mode/pascal.js",)),
        "GHC": _HASKELL,
        "RunHaskell": _HASKELL,
        "OCaml": EditorMode("text/x-ocaml", ("mode/mllike.js",)),
        "Erlang": EditorMode("text/x-erlang", ("mode/erlang.js",)),
        "CLISP": EditorMode("text/x-common-lisp", ("mode/commonlisp.js",)),
        "Guile": _SCHEME,
        "Chicken": _SCHEME,
        "Stalin": _SCHEME,
        "BEEF": EditorMode("text/x-brainfuck", ("mode/brainfuck.js",)),
        "Verilog": EditorMode("text/x-verilog", ("mode/verilog.js",)),
    }
)

# The offered compilers CodeMirror 5 has no mode for: plain text, decided rather than forgotten.
PLAIN_LANGUAGES = frozenset({"GNAT", "Nim", "Zig", "WS"})


def editor_mode(compiler: str) -> EditorMode:
    """The mode of a compiler id or alias (``python3``, ``cpp``...); plain text when unknown."""
    try:
        language = get_language(compiler)
    except UnknownLanguage:
        return PLAIN
    return MODES.get(language.id, PLAIN)
