"""What an INGInious task is made of: its ids, the kinds of its sub-problems, its program parts.

Quiz parts (``multiple_choice``, ``match``) are graded in-process; program parts (``code``,
``code_single_line``, ``file``) are each judged as one program against the task's problem
(``Task.problem_id``). The language is the problem's ``language`` when it names a judge language
(``c``, ``cpp``, ``python``, ``java`` ...): :func:`fixed_language`.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from verdict.courses.models import Task
from verdict.judge.errors import UnknownLanguage
from verdict.judge.languages import Language, get_language

ID_RE = re.compile(r"^[A-Za-z0-9_.\-]+$")  # INGInious course, task and problem ids
QUIZ_TYPES = ("multiple_choice", "match")
PROGRAM_TYPES = ("code", "code_single_line", "file")
PROBLEM_TYPES = QUIZ_TYPES + PROGRAM_TYPES


@dataclass(frozen=True)
class ProgramPart:
    pid: str
    language: str  # judge compiler id
    source: str


def program_pids(task: Task) -> list[str]:
    return [
        pid
        for pid, p in (task.problems or {}).items()
        if isinstance(p, Mapping) and p.get("type") in PROGRAM_TYPES
    ]


def fixed_language(problem: Mapping[str, Any]) -> Language | None:
    """The judge language a program problem is set in, if its ``language`` names one."""
    name = str(problem.get("language") or "").strip()
    if not name:
        return None
    try:
        return get_language(name)
    except UnknownLanguage:
        return None


def program_parts(task: Task, stored: Mapping[str, Any]) -> list[ProgramPart]:
    """The program parts of a stored input, with their source text."""
    parts = []
    for pid in program_pids(task):
        value = stored.get(pid)
        if isinstance(value, Mapping):  # a file
            try:
                source = base64.b64decode(str(value.get("value", "")), validate=True).decode(
                    "utf-8", "replace"
                )
            except binascii.Error:
                source = ""
        else:
            source = str(value or "")
        parts.append(ProgramPart(pid, str(stored.get(f"{pid}/language") or ""), source))
    return parts
