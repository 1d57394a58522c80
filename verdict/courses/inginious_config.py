"""Reading an INGInious course directory's YAML: ``course.yaml`` and ``task.yaml`` values checked
and made JSON-safe, before anything is stored (:mod:`verdict.courses.inginious_import` stores them).

``task.yaml``: ``name``, ``context``, ``author``, ``contact_url``, ``problems``, ``limits`` (or
``environment_parameters.limits``), ``weight``, ``submission_limit``, ``accessible`` (or
``accessibility``), ``evaluate``, ``order``, ``groups`` (submitted by groups) (:func:`read_task_config`,
:func:`read_problem`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

import yaml

from verdict.courses.models import Evaluate, Task
from verdict.courses.subproblems import ID_RE, PROBLEM_TYPES
from verdict.courses.windows import normalise_accessibility

DEFAULT_INGINIOUS_TIME = 20.0  # seconds of CPU time when limits.time is not given
_YAML_LOADER: type = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class TaskImportError(ValueError):
    """One task cannot be imported; the others still are."""


@dataclass(frozen=True)
class TaskConfig:
    """The settings of a task from its ``task.yaml``, checked (its sub-problems apart)."""

    name: str
    context: str
    authors: list[str]
    contact_url: str
    limits: dict[str, float]  # time, hard_time, memory, output: those given
    weight: float
    submission_limit: dict[str, float]  # {"amount", "period"}; -1 is unlimited / the whole course
    evaluate: Evaluate
    accessibility: bool | str
    position: int
    group_submission: bool = False  # INGInious ``groups: true``: the task is submitted by groups

    def apply(self, task: Task) -> None:
        task.name = self.name
        task.context = self.context
        task.authors = self.authors
        task.contact_url = self.contact_url
        task.limits = self.limits
        task.weight = self.weight
        task.submission_limit = self.submission_limit
        task.evaluate = self.evaluate
        task.accessibility = self.accessibility
        task.position = self.position
        task.group_submission = self.group_submission


def read_task_config(config: dict[str, Any], folder: Path, *, name: str, position: int) -> TaskConfig:
    """The task's settings; ``position`` unless ``order`` gives one. Raises TaskImportError."""
    limits = _limits(config, folder)
    context = text_value(config.get("context"))
    authors = _authors(config.get("author"))
    contact_url = text_value(config.get("contact_url"))
    weight = _number(config.get("weight", 1.0), "weight", folder, minimum=0.0)
    submission_limit = _submission_limit(config.get("submission_limit"), folder)
    evaluate = _evaluate(config.get("evaluate"), folder)
    try:
        accessibility = normalise_accessibility(config.get("accessible", config.get("accessibility", True)))
    except (TypeError, ValueError) as error:
        raise TaskImportError(f"{folder / 'task.yaml'}: accessible: {error}") from None
    order = config.get("order")
    groups = config.get("groups", False)
    if not isinstance(groups, bool):
        raise TaskImportError(f"{folder / 'task.yaml'}: groups: expected true or false, not {groups!r}")
    return TaskConfig(
        name=name,
        context=context,
        authors=authors,
        contact_url=contact_url,
        limits=limits,
        weight=weight,
        submission_limit=submission_limit,
        evaluate=evaluate,
        accessibility=accessibility,
        position=int(order) if isinstance(order, int) and not isinstance(order, bool) else position,
        group_submission=groups,
    )


def load_mapping(path: Path, error: type[ValueError]) -> dict[str, Any]:
    if not path.is_file():
        raise error(
            f"{path}: missing (an INGInious {'course' if path.name == 'course.yaml' else 'task'} "
            f"directory has one)"
        )
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_YAML_LOADER)
    except (yaml.YAMLError, UnicodeDecodeError, OSError) as problem:
        raise error(f"{path}: cannot be read: {problem}") from None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise error(f"{path}: expected a mapping of keys to values")
    return data


def text_value(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value).strip() if not isinstance(value, str) else value.strip()


def read_problem(pid: str, raw: Any) -> dict[str, Any] | None:
    """A sub-problem checked and made JSON-safe; None for an unsupported type."""
    if not ID_RE.match(pid):
        raise TaskImportError(f"invalid problem id {pid!r}")
    if not isinstance(raw, dict):
        raise TaskImportError(f"problem {pid!r}: expected a mapping")
    problem: dict[str, Any] = _json_safe(raw)
    kind = problem.get("type")
    if kind not in PROBLEM_TYPES:
        return None
    where = f"problem {pid!r}"
    if kind == "multiple_choice":
        _check_multiple_choice(problem, where)
    elif kind == "match":
        if problem.get("answer") is None:
            raise TaskImportError(f"{where}: a match problem needs an 'answer'")
        problem["answer"] = text_value(problem["answer"])
    elif kind == "file":
        _check_file_problem(problem, where)
    return problem


def _check_multiple_choice(problem: dict[str, Any], where: str) -> None:
    choices = problem.get("choices")
    if not isinstance(choices, list) or not choices:
        raise TaskImportError(f"{where}: 'choices' must be a non-empty list")
    clean = []
    for number, choice in enumerate(choices):
        if not isinstance(choice, dict) or "text" not in choice:
            raise TaskImportError(f"{where}: choice {number} needs a 'text'")
        item = dict(choice)
        item["text"] = text_value(choice["text"])
        item["valid"] = _flag(choice.get("valid", False), f"{where}: choice {number}: valid")
        if choice.get("feedback") is not None:
            item["feedback"] = text_value(choice["feedback"])
        clean.append(item)
    problem["choices"] = clean
    problem["multiple"] = _flag(problem.get("multiple", False), f"{where}: multiple")
    limit = problem.get("limit", 0)
    if not isinstance(limit, int) or isinstance(limit, bool) or limit < 0:
        raise TaskImportError(f"{where}: 'limit' must be a whole number >= 0")
    # INGInious refuses a choice problem without a valid choice, single or multiple answer: with
    # none, an empty multiple answer would be the right one and score 100.
    if not any(c["valid"] for c in clean):
        kind = "multiple-answer" if problem["multiple"] else "single-answer"
        raise TaskImportError(f"{where}: a {kind} choice needs a valid choice")


def _check_file_problem(problem: dict[str, Any], where: str) -> None:
    exts = problem.get("allowed_exts")
    if isinstance(exts, str):
        exts = [exts]
    if exts is not None:
        problem["allowed_exts"] = [str(ext) for ext in exts]
    if problem.get("max_size") is not None:
        size = problem["max_size"]
        if not isinstance(size, int) or isinstance(size, bool) or size <= 0:
            raise TaskImportError(f"{where}: 'max_size' must be a positive number of bytes")


def _json_safe(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(key): _json_safe(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_json_safe(item) for item in value]
    if isinstance(value, datetime | date):
        return value.isoformat(sep=" ") if isinstance(value, datetime) else value.isoformat()
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


def _flag(value: Any, where: str) -> bool:
    if not isinstance(value, bool):
        raise TaskImportError(f"{where}: expected true or false")
    return value


def _authors(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, list):
        return [text_value(author) for author in value if text_value(author)]
    return [author.strip() for author in text_value(value).split(",") if author.strip()]


def _number(value: Any, key: str, folder: Path, *, minimum: float) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise TaskImportError(f"{folder / 'task.yaml'}: {key}: expected a number") from None
    if not number >= minimum:
        raise TaskImportError(f"{folder / 'task.yaml'}: {key}: must be at least {minimum:g}")
    return number


def _submission_limit(value: Any, folder: Path) -> dict[str, float]:
    if value is None:
        return {"amount": -1, "period": -1}
    if not isinstance(value, dict):
        raise TaskImportError(f"{folder / 'task.yaml'}: submission_limit: expected {{amount, period}}")
    try:
        amount = int(value.get("amount", -1))
        period = float(value.get("period", -1))
    except (TypeError, ValueError):
        raise TaskImportError(
            f"{folder / 'task.yaml'}: submission_limit: amount and period are numbers"
        ) from None
    return {
        "amount": amount if amount >= 0 else -1,
        "period": (int(period) if period.is_integer() else period) if period > 0 else -1,
    }


def _evaluate(value: Any, folder: Path) -> Evaluate:
    if value is None:
        return Evaluate.BEST
    try:
        return Evaluate(str(value).strip().lower())
    except ValueError:
        raise TaskImportError(f"{folder / 'task.yaml'}: evaluate: 'best' or 'last', not {value!r}") from None


def _limits(config: dict[str, Any], folder: Path) -> dict[str, float]:
    limits = config.get("limits")
    parameters = config.get("environment_parameters")
    if limits is None and isinstance(parameters, dict):
        limits = parameters.get("limits")
    if limits is None:
        return {}
    if not isinstance(limits, dict):
        raise TaskImportError(f"{folder / 'task.yaml'}: limits: expected a mapping")
    clean = {}
    for key in ("time", "hard_time", "memory", "output"):
        value = limits.get(key)
        if value is None or (isinstance(value, str) and not value.strip()):
            continue  # the INGInious editor writes hard_time: '' for "the default"
        clean[key] = _number(value, f"limits.{key}", folder, minimum=0.0)
    if "hard_time" in limits and "hard_time" not in clean:
        # Given empty: INGInious's default wall time, 3 x the CPU time (its default 20 s).
        clean["hard_time"] = 3 * clean.get("time", DEFAULT_INGINIOUS_TIME)
    return clean
