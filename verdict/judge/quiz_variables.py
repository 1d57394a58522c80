"""Quiz variable scripts: run in the sandbox, their variables substituted into the questions.

A question ``example.yml`` may come with ``example.py``. The Jutge toolkit (``lib/quiz.ts`` and
``assets/python/pyexec.py``) runs it with ``random`` seeded by an integer seed and a global ``seed``
already set, then collects its global variables whose names do not start with ``__`` and that are
not modules, printed as JSON. ``$name`` and ``${name}`` in the question's strings are replaced by
their values (names with no value are left as written).

Here the scripts are package code, so untrusted: one sandboxed Python run executes every script of
a quiz (each in a namespace of its own, all with the same seed, as the toolkit does), under
:data:`VARIABLE_LIMITS`. The output is parsed as JSON data, never evaluated. ``PYTHONHASHSEED`` is
fixed so that a script iterating over a set gives the same numbers every time: the student's view
and the grading of their answers must agree. A value that JSON cannot carry (a function, an
object) is left out, where the toolkit would fail on it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import asdict, replace
from typing import Any

from verdict.judge.compiler import compile_source, program_sandbox, run_program
from verdict.judge.errors import JudgeError
from verdict.judge.languages import Language, get_language
from verdict.judge.packages.common import brief
from verdict.judge.quiz_model import Question
from verdict.judge.sandbox import Limits, MiB, SandboxConfig

VARIABLE_LIMITS = Limits(cpu_time=5, memory_mb=256, output_bytes=1 * MiB, processes=4)
MAX_SCRIPTS_BYTES = 1 * MiB
Variables = dict[str, Any]  # a script's variables: JSON values

# Our own program, run with the scripts in the box. It reads scripts.json (file -> source).
_RUNNER = """\
import json, random, sys, types
seed = int(sys.argv[1])
scripts = json.load(open("scripts.json", encoding="utf-8"))
found = {}
for name, code in scripts.items():
    random.seed(seed)
    namespace = {"seed": seed, "__name__": "__main__"}
    exec(compile(code, name + ".py", "exec"), namespace)
    kept = {}
    for key, value in namespace.items():
        if key.startswith("__") or isinstance(value, types.ModuleType):
            continue
        try:
            json.dumps(value)
        except (TypeError, ValueError):
            continue
        kept[key] = value
    found[name] = kept
sys.stdout.write(json.dumps(found))
"""
_VARIABLE = re.compile(r"\$\{(\w+)\}|\$(\w+)")


class QuizScriptError(JudgeError):
    """A variable script failed (raised, ran out of time, printed no variables)."""


def python_for_scripts() -> Language:
    """Python 3 with a fixed hash seed: the same script and seed give the same variables."""
    python = get_language("Python3")
    return replace(python, env=(*python.env, ("PYTHONHASHSEED", "0")))


def run_scripts(
    scripts: Mapping[str, str], seed: int, config: SandboxConfig, limits: Limits = VARIABLE_LIMITS
) -> dict[str, Variables]:
    """The variables of every script (question file -> its variables), with ``seed``."""
    if not scripts:
        return {}
    data = json.dumps(dict(scripts)).encode()
    if len(data) > MAX_SCRIPTS_BYTES:
        raise QuizScriptError(f"the variable scripts are larger than {MAX_SCRIPTS_BYTES} bytes")
    language = python_for_scripts()
    compiled = compile_source(language, _RUNNER.encode(), config, extra_files={"scripts.json": data})
    if not compiled.ok:
        raise QuizScriptError(f"the script runner does not compile: {brief(compiled.output)}")
    with program_sandbox(compiled, config) as box:
        result = run_program(box, compiled, limits, args=[str(seed)])
    if not result.ok:
        raise QuizScriptError(
            f"a variable script failed ({result.status.value}): {_last_line(result.stderr)}"
        )
    return _parsed(result.stdout, scripts)


def _last_line(stderr: bytes) -> str:
    lines = stderr.decode("utf-8", "replace").strip().splitlines()
    return brief(lines[-1], 300) if lines else "no message"


def _parsed(stdout: bytes, scripts: Mapping[str, str]) -> dict[str, Variables]:
    try:
        found = json.loads(stdout)
    except ValueError:
        raise QuizScriptError("the variable scripts' output is not JSON") from None
    if not isinstance(found, dict) or set(found) != set(scripts):
        raise QuizScriptError("the variable scripts' output does not name every script")
    return {name: dict(values) for name, values in found.items() if isinstance(values, dict)}


def substitute(text: str, variables: Mapping[str, Any]) -> str:
    """``$name`` and ``${name}`` replaced by the variable's value; unknown names left alone."""

    def value(match: re.Match[str]) -> str:
        name = match.group(1) or match.group(2)
        return _text(variables[name]) if name in variables else match.group(0)

    return _VARIABLE.sub(value, text)


def _text(value: Any) -> str:
    """A value as the toolkit's JavaScript ``String(value)`` writes it (true, not True)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, str | int | float):
        return str(value)
    return json.dumps(value)


def substitute_all(value: Any, variables: Mapping[str, Any]) -> Any:
    """Every string inside ``value`` (lists and mappings walked, keys kept) substituted."""
    if isinstance(value, str):
        return substitute(value, variables)
    if isinstance(value, list):
        return [substitute_all(item, variables) for item in value]
    if isinstance(value, dict):
        return {key: substitute_all(item, variables) for key, item in value.items()}
    return value


def unknown_names(question: Question, variables: Mapping[str, Any]) -> set[str]:
    """The ``$names`` written in a question that its script gives no value (a typo, most often;
    possibly a dollar meant literally, so the check reports them rather than refusing)."""
    names: set[str] = set()
    for text in _strings(asdict(question)):
        names.update(m.group(1) or m.group(2) for m in _VARIABLE.finditer(text))
    return names - set(variables)


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [text for item in value for text in _strings(item)]
    if isinstance(value, dict):
        return [text for item in value.values() for text in _strings(item)]
    return []
