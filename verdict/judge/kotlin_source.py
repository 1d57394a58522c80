"""Kotlin entry points: which file name a source gets and which class runs, read from the source.

kotlinc compiles the top-level functions of ``Foo.kt`` into the class ``FooKt`` (the file's stem,
first letter upper-cased, plus ``Kt``), unless the file says ``@file:JvmName("Name")``. problemtools
(``config/languages.yaml``) keeps the submission's file name and runs ``{Mainclass}Kt``, the same
rule. A pasted source has no file name: it is called ``Main.kt`` and runs as ``MainKt``.

A ``main`` declared inside an ``object`` or a ``companion object`` with ``@JvmStatic`` lives in that
class instead: when the file has no top-level ``fun main``, the first object declaring one runs.

As for Java (see `verdict.judge.java_source`), a ``package`` header is refused with a clear compile
error: the class would be ``pkg.FooKt`` and run by the wrong name, failing with a message that
says nothing useful.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from verdict.judge.java_source import JavaSourceError, strip_comments_and_literals

DEFAULT_STEM = "Main"
_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_PACKAGE = re.compile(r"^\s*package\s+([A-Za-z_][\w]*(?:\s*\.\s*[A-Za-z_][\w]*)*)", re.MULTILINE)
_JVM_NAME = re.compile(r"@file\s*:\s*JvmName\s*\(\s*\"([A-Za-z_$][\w$]*)\"\s*\)")
_TOP_MAIN = re.compile(r"^\s*(?:(?:public|internal|private|suspend)\s+)*fun\s+main\s*\(", re.MULTILINE)
_OBJECT = re.compile(r"\bobject\s+([A-Za-z_][\w]*)")


class KotlinSourceError(JavaSourceError):
    """A Kotlin source we refuse to compile: a compile error, caught like Java's."""


@dataclass(frozen=True)
class KotlinEntry:
    file_name: str  # the name the source gets in the box (Hello.kt)
    main_class: str  # the class given to ``java`` (HelloKt)


def facade_class(stem: str) -> str:
    """The class kotlinc makes of a file's top-level functions: ``hello`` → ``HelloKt``."""
    return stem[:1].upper() + stem[1:] + "Kt"


def _depth_at(code: str, index: int) -> int:
    return max(code.count("{", 0, index) - code.count("}", 0, index), 0)


def _object_with_main(code: str) -> str | None:
    """The first top-level ``object`` whose body declares ``fun main`` (run with @JvmStatic)."""
    for match in _OBJECT.finditer(code):
        if _depth_at(code, match.start()) != 0:
            continue
        body = code.find("{", match.end())
        if body != -1 and re.search(r"\bfun\s+main\s*\(", code[body : _body_end(code, body)]):
            return match.group(1)
    return None


def _body_end(code: str, start: int) -> int:
    depth = 0
    for index in range(start, len(code)):
        depth += {"{": 1, "}": -1}.get(code[index], 0)
        if depth == 0:
            return index
    return len(code)


def kotlin_entry(source: bytes | str, file_name: str | None = None) -> KotlinEntry:
    """The file name and main class of a Kotlin source (see the module's docstring).

    file_name is the name the submission came with; one that is not ``<identifier>.kt`` is
    ignored. Raises KotlinSourceError for a package header."""
    text = source.decode("utf-8", errors="replace") if isinstance(source, bytes) else source
    code = strip_comments_and_literals(text)
    package = _PACKAGE.search(code)
    if package is not None:
        name = re.sub(r"\s+", "", package.group(1))
        raise KotlinSourceError(
            f"package declarations are not supported (found 'package {name}'): "
            "remove it, the program runs in the default package"
        )
    stem = file_name[: -len(".kt")] if file_name and file_name.endswith(".kt") else None
    if stem is None or not _IDENTIFIER.fullmatch(stem):
        stem = DEFAULT_STEM
    # The annotation's argument is a string literal, blanked in `code`: read it from the text.
    jvm_name = _JVM_NAME.search(text)
    top_main = any(_depth_at(code, m.start()) == 0 for m in _TOP_MAIN.finditer(code))
    if top_main or (holder := _object_with_main(code)) is None:
        main = jvm_name.group(1) if jvm_name else facade_class(stem)
    else:
        main = holder
    return KotlinEntry(f"{stem}.kt", main)
