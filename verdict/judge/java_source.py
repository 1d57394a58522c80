"""Java entry points: which file name a source gets and which class runs, read from the source.

problemtools (``problemtools/run/source.py``) keeps the submission's own file name, takes the
``main.*`` file or else the first one as the main file, and runs the class named after it
(``%mainclass``): ``Hello.java`` runs ``Hello``. A pasted source has no file name, so here the file
is named after its public top-level class. The class run is the top-level class that declares
``static void main``, so a submission whose main sits in a non-public class still runs (problemtools
would run the class named after the file and fail); a file name that disagrees with the public
class is javac's compile error, as on Kattis.

Where we differ from problemtools, on purpose: a ``package`` declaration is refused with a clear
compile error. javac would put the class in ``foo/Hello.class`` and problemtools would then fail
to find ``Hello`` at run time (a run-time error that says nothing useful).

The reading is lexical, not a parser: comments, string, character and text-block literals are
blanked first, then top-level type declarations are found by brace depth.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

DEFAULT_CLASS = "Main"
_IDENTIFIER = re.compile(r"[A-Za-z_$][A-Za-z0-9_$]*")
_TYPE = re.compile(r"\b(class|interface|enum|record)\s+([A-Za-z_$][A-Za-z0-9_$]*)")
_PACKAGE = re.compile(r"^\s*package\s+([A-Za-z_$][\w$]*(?:\s*\.\s*[A-Za-z_$][\w$]*)*)\s*;", re.MULTILINE)
_MAIN = re.compile(r"\bvoid\s+main\s*\(")


class JavaSourceError(Exception):
    """A Java source we refuse to compile (the student's fault: a compile error, never an IE)."""


@dataclass(frozen=True)
class JavaEntry:
    file_name: str  # the name the source gets in the box (Hello.java)
    main_class: str  # the class given to ``java``


@dataclass(frozen=True)
class _Type:
    name: str
    public: bool
    has_main: bool


def strip_comments_and_literals(text: str) -> str:
    """The source with comments and literals replaced by spaces (newlines kept, so positions and
    line numbers stay meaningful)."""
    out: list[str] = []
    i, n = 0, len(text)

    def blank(segment: str) -> str:
        return "".join(c if c == "\n" else " " for c in segment)

    while i < n:
        c = text[i]
        if text.startswith("//", i):
            end = text.find("\n", i)
            end = n if end < 0 else end
        elif text.startswith("/*", i):
            end = text.find("*/", i + 2)
            end = n if end < 0 else end + 2
        elif text.startswith('"""', i):
            end = text.find('"""', i + 3)
            while end > 0 and _escaped(text, end):
                end = text.find('"""', end + 1)
            end = n if end < 0 else end + 3
        elif c in "\"'":
            end = i + 1
            while end < n and text[end] != c and text[end] != "\n":
                end += 2 if text[end] == "\\" else 1
            end = min(end + 1, n)
        else:
            out.append(c)
            i += 1
            continue
        out.append(blank(text[i:end]))
        i = end
    return "".join(out)


def _escaped(text: str, index: int) -> bool:
    backslashes = 0
    while index - 1 - backslashes >= 0 and text[index - 1 - backslashes] == "\\":
        backslashes += 1
    return backslashes % 2 == 1


def _depths(code: str) -> list[int]:
    """The brace depth at each character (a brace counts as inside what it opens or closes)."""
    depths, depth = [], 0
    for c in code:
        if c == "{":
            depth += 1
            depths.append(depth)
        elif c == "}":
            depths.append(depth)
            depth = max(depth - 1, 0)
        else:
            depths.append(depth)
    return depths


def _top_level_types(code: str) -> list[_Type]:
    depths = _depths(code)
    types = []
    for match in _TYPE.finditer(code):
        if depths[match.start()] != 0:
            continue
        name = match.group(2)
        head_start = max(code.rfind(";", 0, match.start()), code.rfind("}", 0, match.start())) + 1
        words = re.findall(r"[\w-]+", code[head_start : match.start()])
        body_start = code.find("{", match.end())
        body_end = body_start
        while (
            body_end != -1 and body_end < len(code) and not (code[body_end] == "}" and depths[body_end] == 1)
        ):
            body_end += 1
        has_main = body_start != -1 and any(
            depths[m.start()] == 1 and _is_static(code, m.start())
            for m in _MAIN.finditer(code, body_start, body_end)
        )
        types.append(_Type(name, "public" in words, has_main))
    return types


def _is_static(code: str, at: int) -> bool:
    start = max(code.rfind(c, 0, at) for c in ";{}") + 1
    return re.search(r"\bstatic\b", code[start:at]) is not None


def java_entry(source: bytes | str, file_name: str | None = None) -> JavaEntry:
    """The file name and main class of a Java source (see the module's docstring).

    file_name is the name the submission came with, when it came as a file; a name that is not
    ``<identifier>.java`` is ignored (a pasted source, or an upload renamed by a browser).
    Raises JavaSourceError for a package declaration.
    """
    text = source.decode("utf-8", errors="replace") if isinstance(source, bytes) else source
    code = strip_comments_and_literals(text)
    package = _PACKAGE.search(code)
    if package is not None and _depths(code)[package.start()] == 0:
        name = re.sub(r"\s+", "", package.group(1))
        raise JavaSourceError(
            f"package declarations are not supported (found 'package {name};'): "
            "remove it, the program runs in the default package"
        )
    types = _top_level_types(code)
    public = next((t for t in types if t.public), None)
    with_main = [t for t in types if t.has_main]
    main = next((t for t in with_main if t.public), with_main[0] if with_main else None)
    stem = file_name[: -len(".java")] if file_name and file_name.endswith(".java") else None
    if stem is None or not _IDENTIFIER.fullmatch(stem):
        named = public or main
        stem = named.name if named is not None else DEFAULT_CLASS
    return JavaEntry(f"{stem}.java", main.name if main else stem)
