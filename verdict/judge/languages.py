"""Languages as data: the registry of every compiler id, built from the catalogue's families
(`verdict.judge.toolchains`), named with Jutge's compiler ids.

Kattis's language ids (problemtools' ``config/languages.yaml``: ``cpp``, ``python3``, ``kotlin``...)
are accepted wherever a compiler id is (`KATTIS_LANGUAGES`), and the file names its ``files``
globs claim (``*.C``, ``*.c++``, ``*.py3``, ``*.kt``) are recognised.

Every command runs inside the sandbox (compilers included). Paths are absolute because the
runner execs without a PATH search. A language whose toolchain is missing is listed as
unavailable with the reason, never an error.
"""

from __future__ import annotations

import functools
import os
import subprocess
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from types import MappingProxyType

from verdict.judge.errors import UnknownLanguage
from verdict.judge.toolchains import (
    c_family,
    esoteric,
    functional,
    jvm,
    python,
    scripting,
    systems,
    unavailable,
)
from verdict.judge.toolchains.base import MAIN, SOURCE, EntryPoint, Language, RunArgv

__all__ = ["MAIN", "SOURCE", "EntryPoint", "Language", "RunArgv"]

# The catalogue's families, in the order they claim file extensions (the first claimant wins).
FAMILIES = (c_family, python, jvm, scripting, systems, functional, esoteric, unavailable)


def build_languages() -> list[Language]:
    """Every known language, available or not, probing the host for Java's home and a Rust
    toolchain (which may run ``rustc --print sysroot``). Use :func:`languages`: it builds this once."""
    return [language for family in FAMILIES for language in family.build()]


# problemtools' language ids (config/languages.yaml) -> the compiler ids of ours they allow, the
# first being the one a submission in that language gets. Ids with no compiler here name the Jutge
# compiler they would be (Go, GHC...): allowed by a problem, they refuse every other language.
KATTIS_LANGUAGES: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        "c": ("GCC",),
        "cpp": ("G++17", "G++", "G++11", "G++20"),
        "java": ("JDK",),
        "kotlin": ("Kotlin",),
        "python3": ("Python3",),
        "javascript": ("nodejs",),
        "rust": ("Rust",),
        "go": ("Go",),
        "haskell": ("GHC",),
        "ruby": ("Ruby",),
        "php": ("PHP",),
        "pascal": ("FPC",),
        "csharp": ("MonoCS",),
        "python2": ("Python2",),
        "scala": ("Scala",),
        "ocaml": ("OCaml",),
        "lisp": ("CLISP",),
        "prolog": ("Prolog",),
        "fsharp": ("FSharp",),
        "objectivec": ("GObjC",),
        "cobol": ("Cobol",),
    }
)


def kattis_compilers(name: str) -> tuple[str, ...]:
    """The compiler ids a Kattis language id allows (``cpp`` → every g++); unknown ids are kept
    as they are (then they match no compiler of ours)."""
    return KATTIS_LANGUAGES.get(name.lower(), (name,))


PREFERRED_BY_EXTENSION = {".cc": "G++17", ".cpp": "G++17", ".cxx": "G++17", ".c++": "G++17"}
# Kattis's C++ glob includes ``*.C``: the only extension whose case matters.
CASE_SENSITIVE_EXTENSIONS = {".C": "G++17"}


class LanguageRegistry:
    """The languages of this process, indexed once: by id, by upper-cased id and alias, by extension."""

    def __init__(self, table: Iterable[Language]) -> None:
        self.by_id: Mapping[str, Language] = MappingProxyType({language.id: language for language in table})
        self._folded = {key.upper(): value for key, value in self.by_id.items()}
        for language in self.by_id.values():
            for alias in language.aliases:
                self._folded.setdefault(alias.upper(), language)
        by_extension: dict[str, Language] = {}
        for language in self.by_id.values():  # the first language claiming an extension wins
            for extension in language.extensions:
                by_extension.setdefault(extension, language)
        for extension, language_id in PREFERRED_BY_EXTENSION.items():
            if language_id in self.by_id:
                by_extension[extension] = self.by_id[language_id]
        self._by_extension = by_extension

    def __iter__(self) -> Iterator[Language]:
        return iter(self.by_id.values())

    def __len__(self) -> int:
        return len(self.by_id)

    def get(self, name: str) -> Language:
        """A language by compiler id (case-insensitive), common alias or Kattis language id."""
        if name in self.by_id:
            return self.by_id[name]
        if name.upper() in self._folded:
            return self._folded[name.upper()]
        kattis = KATTIS_LANGUAGES.get(name.lower())
        if kattis is not None:
            if kattis[0].upper() in self._folded:
                return self._folded[kattis[0].upper()]
            raise UnknownLanguage(f"Kattis language {name!r} ({kattis[0]}) is not offered here")
        raise UnknownLanguage(f"unknown language {name!r}; known: {', '.join(sorted(self.by_id))}")

    def for_file(self, path: Path | str) -> Language:
        """Guess the language from a file name (the first language claiming the extension)."""
        suffix = Path(path).suffix
        if suffix in CASE_SENSITIVE_EXTENSIONS and CASE_SENSITIVE_EXTENSIONS[suffix] in self.by_id:
            return self.by_id[CASE_SENSITIVE_EXTENSIONS[suffix]]
        language = self._by_extension.get(suffix.lower())
        if language is None:
            raise UnknownLanguage(f"cannot tell the language of {Path(path).name!r}; pass --lang")
        return language


@functools.cache
def languages() -> LanguageRegistry:
    """The registry, built once per process (``languages.cache_clear()`` builds it anew, e.g. after
    a test changes the toolchains the host offers)."""
    return LanguageRegistry(build_languages())


def all_languages() -> Mapping[str, Language]:
    """Every known language by id, available or not (see `availability`)."""
    return languages().by_id


def get_language(name: str) -> Language:
    """A language by compiler id (case-insensitive) or common alias."""
    return languages().get(name)


def language_for_file(path: Path | str) -> Language:
    """Guess the language from a file name (the first language claiming the extension)."""
    return languages().for_file(path)


@functools.cache
def toolchain_version(language: Language) -> str | None:
    """The toolchain's version line, or None when it is missing (our trusted host binaries)."""
    if not os.path.exists(language.toolchain):
        return None
    try:
        out = subprocess.run(list(language.version_command), capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return None
    text = (out.stdout or out.stderr).strip().splitlines()
    return text[0] if text else "unknown version"


def availability(language: Language) -> tuple[bool, str]:
    """(True, the toolchain's version) or (False, why the language cannot be used here)."""
    if language.unavailable is not None:
        return False, language.unavailable
    version = toolchain_version(language)
    if version is None:
        return False, f"{language.toolchain} not found"
    return True, version
