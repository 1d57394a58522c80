"""Packages made ready as an import makes them, in a private copy (fixtures stay as the tools
write them: a Jutge package may come without its .cor files)."""

from __future__ import annotations

import shutil
from pathlib import Path

from verdict.judge.grader import Grader
from verdict.judge.packages import load_package
from verdict.judge.preparation import Preparation, prepare
from verdict.judge.problem import Problem
from verdict.judge.sandbox import SandboxConfig


def prepared_copy(
    package: Path, directory: Path, config: SandboxConfig, *, every_solution: bool = False
) -> tuple[Problem, Preparation]:
    """``package`` copied into ``directory``, loaded and prepared (outputs made, references measured)."""
    copy = Path(shutil.copytree(package, directory / package.name))
    problem = load_package(copy)
    return problem, prepare(problem, config, every_solution=every_solution)


def ready_grader(package: Path, directory: Path, config: SandboxConfig, variant: str | None = None) -> Grader:
    """A grader of ``package`` as the workers build it after an import."""
    problem, report = prepared_copy(package, directory, config)
    return Grader(problem.variant(variant), config, timing=report.timing(variant))
