"""The judge library's errors, one family under :class:`JudgeError` (like DMOJ's ``dmoj/error.py``).

A submission's own failures (it does not compile, it crashes, it answers wrong) are verdicts, never
exceptions. What is raised here is the judge's side failing, so a caller can catch ``JudgeError``
and report an internal error without also swallowing a programming mistake: none of these is a
ValueError or a RuntimeError any more. Programmer misuse (a box path with a NUL byte, running a
program that did not compile) still raises the built-in ValueError.

This module imports nothing, so every module of the judge can import it.
"""

from __future__ import annotations

from pathlib import Path


class JudgeError(Exception):
    """Every failure of the judge library that is not the submission's fault: a broken package,
    checker or sandbox, an unknown language..."""


class PackageError(JudgeError):
    """A package that cannot be loaded or used. Says which file and what is wrong."""

    def __init__(self, path: Path | str, message: str) -> None:
        super().__init__(f"{path}: {message}")
        self.path = str(path)
        self.message = message


class SandboxError(JudgeError):
    """The sandbox itself failed (not the program in it)."""


class UnknownLanguage(JudgeError):
    """A language name or a file extension that no known language claims."""


class CheckerError(JudgeError):
    """The checker side failed: a custom checker that does not compile, a checker asked to do
    what it cannot (see :class:`NeedsProgram`), an unusable checker option."""


class NeedsProgram(CheckerError):
    """Raised by ``checkers.check`` for checker kinds that need a program run in the sandbox."""
