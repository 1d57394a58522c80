"""An INGInious course's task dispenser: ``task_dispenser`` and ``dispenser_data`` of its descriptor.

The table of contents (``toc``, INGInious's default) is ``dispenser_data: {toc: [...], config: {...}}``
(older descriptors give the section list alone). A section has a ``title`` and either a
``tasks_list`` (task ids; a mapping id -> position is ordered by position) or a ``sections_list``
of sub-sections. ``config`` maps a task id to its settings: ``accessibility`` (or the older
``accessible``: true, false, "START/SOFT/END" or ``{start, soft_end, end}``), ``weight``,
``submission_limit`` ``{amount, period}``, ``evaluation_mode`` (or ``evaluate``) best|last.

As in INGInious, once the dispenser has a ``config``, the task files' own settings are not used,
and a task given no accessibility there is closed: hidden from students, refusing submissions.
Without a ``config``, each task keeps the settings of its task.yaml.

What Verdict keeps: the order of the tasks (the table's order), the per-task settings
(``group_submission`` included: the task is submitted by groups) and the sections themselves
(:attr:`Dispenser.tree`, stored as ``Course.sections``): each section's id (its ``id`` when the
descriptor gives one, else made from its title), title, ``config`` and either its sub-sections or
its tasks, in order. The REST API v0 lists tasks without sections, so they are not shown there;
the import's report prints them (:attr:`Dispenser.sections`). Settings Verdict has no use for
(``no_stored_submissions``, ``categories``) are reported when set.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from verdict.courses.subproblems import ID_RE

DISPENSERS = ("toc", "combinatory_test")  # combinatory_test: a toc that draws tasks per student
IGNORED_SETTINGS = {  # key -> its INGInious default: reported when set to anything else
    "no_stored_submissions": 0,
    "stored_submissions": 0,
    "categories": [],
}
KNOWN_SETTINGS = {
    "accessibility",
    "accessible",
    "weight",
    "submission_limit",
    "evaluation_mode",
    "evaluate",
    "group_submission",
    "groups",
}


class DispenserError(ValueError):
    """The dispenser data cannot be read (the message says why)."""


@dataclass
class Dispenser:
    """The table of contents of a course, read from its descriptor."""

    order: list[str] = field(default_factory=list)  # task ids, in the table's order
    sections: list[str] = field(default_factory=list)  # "Part 1 > Week 2: task, task" lines
    tree: list[dict[str, Any]] = field(default_factory=list)  # the sections as stored (Course.sections)
    config: dict[str, dict[str, Any]] | None = None  # task id -> settings; None: the task files decide
    warnings: list[str] = field(default_factory=list)

    def position(self, task_id: str) -> int | None:
        return self.order.index(task_id) if task_id in self.order else None

    def settings(self, task_id: str) -> dict[str, Any] | None:
        """The task's settings in task.yaml's keys (``accessible``, ``weight``, ...); None when the
        task files decide. A task without accessibility is closed (INGInious's default)."""
        if self.config is None:
            return None
        given = self.config.get(task_id, {})
        settings: dict[str, Any] = {"accessible": given.get("accessibility", given.get("accessible", False))}
        for key, task_key in (
            ("weight", "weight"),
            ("submission_limit", "submission_limit"),
            ("evaluation_mode", "evaluate"),
            ("evaluate", "evaluate"),
            ("groups", "groups"),
            ("group_submission", "groups"),
        ):
            if key in given:
                settings[task_key] = given[key]
        return settings


def read_dispenser(descriptor: Mapping[str, Any], source: str) -> Dispenser:
    """The dispenser of a course descriptor (``source`` names the file in messages)."""
    dispenser = Dispenser()
    kind = descriptor.get("task_dispenser", "toc")
    data = descriptor.get("dispenser_data")
    if data is None:
        return dispenser
    if kind not in DISPENSERS:
        dispenser.warnings.append(
            f"{source}: task_dispenser {kind!r} is not supported: its data is read as a table of contents"
        )
    elif kind == "combinatory_test":
        dispenser.warnings.append(
            f"{source}: task_dispenser 'combinatory_test' draws tasks per student, which Verdict does "
            f"not: every task its configuration opens is open to every student"
        )
    if isinstance(data, list):  # the older form: the table alone
        data = {"toc": data}
    if not isinstance(data, Mapping):
        raise DispenserError(f"{source}: dispenser_data: expected {{toc: [...], config: {{...}}}}")
    dispenser.tree = _read_sections(data.get("toc") or [], [], dispenser, f"{source}: dispenser_data.toc")
    config = data.get("config")
    if config is not None:
        dispenser.config = _read_config(config, f"{source}: dispenser_data.config", dispenser)
    return dispenser


def _read_sections(
    sections: Any, path: list[str], dispenser: Dispenser, where: str, ids: set[str] | None = None
) -> list[dict[str, Any]]:
    """The sections as stored, each with an id unique in the course; fills the order and report."""
    if not isinstance(sections, list):
        raise DispenserError(f"{where}: expected a list of sections")
    ids = set() if ids is None else ids
    tree = []
    for section in sections:
        if not isinstance(section, Mapping) or not str(section.get("title") or "").strip():
            raise DispenserError(f"{where}: every section needs a title")
        title = [*path, str(section["title"]).strip()]
        node: dict[str, Any] = {
            "id": _section_id(section, title, ids, where),
            "title": title[-1],
            "config": _json_config(section.get("config")),
        }
        if "sections_list" in section:
            node["sections"] = _read_sections(section["sections_list"], title, dispenser, where, ids)
        elif "tasks_list" in section:
            tasks = _task_list(section["tasks_list"], f"{where}: section {' > '.join(title)!r}")
            for task_id in tasks:
                if task_id in dispenser.order:
                    raise DispenserError(f"{where}: task {task_id!r} is listed twice")
                dispenser.order.append(task_id)
            node["tasks"] = tasks
            dispenser.sections.append(f"{' > '.join(title)}: {', '.join(tasks) or '(empty)'}")
        else:
            raise DispenserError(
                f"{where}: section {' > '.join(title)!r} has neither a tasks_list nor a sections_list"
            )
        tree.append(node)
    return tree


def _section_id(section: Mapping[str, Any], title: list[str], ids: set[str], where: str) -> str:
    """The section's ``id`` when given (unique), else one made from its titles ("week-1-basics")."""
    given = section.get("id")
    if given is not None:
        section_id = str(given).strip()
        if not ID_RE.match(section_id):
            raise DispenserError(f"{where}: invalid section id {section_id!r}")
        if section_id in ids:
            raise DispenserError(f"{where}: section id {section_id!r} is used twice")
    else:
        base = re.sub(r"[^a-z0-9]+", "-", " ".join(title).lower()).strip("-") or "section"
        section_id, number = base, 1
        while section_id in ids:
            number += 1
            section_id = f"{base}-{number}"
    ids.add(section_id)
    return section_id


def _json_config(config: Any) -> dict[str, Any]:
    """A section's ``config`` (``closed``, ``hidden_if_empty``, ...): kept as given, JSON-safe."""
    if not isinstance(config, Mapping):
        return {}
    return {
        str(key): value if value is None or isinstance(value, bool | int | float | str) else str(value)
        for key, value in config.items()
    }


def _task_list(value: Any, where: str) -> list[str]:
    if isinstance(value, Mapping):  # task id -> position
        try:
            ordered = sorted(value.items(), key=lambda item: float(item[1]))
        except (TypeError, ValueError):
            raise DispenserError(f"{where}: tasks_list positions must be numbers") from None
        value = [task_id for task_id, _ in ordered]
    if not isinstance(value, list):
        raise DispenserError(f"{where}: tasks_list: expected a list of task ids")
    tasks = [str(task_id) for task_id in value]
    bad = [task_id for task_id in tasks if not ID_RE.match(task_id)]
    if bad:
        raise DispenserError(f"{where}: invalid task id(s) {', '.join(map(repr, bad))}")
    return tasks


def _read_config(config: Any, where: str, dispenser: Dispenser) -> dict[str, dict[str, Any]]:
    if not isinstance(config, Mapping):
        raise DispenserError(f"{where}: expected a mapping of task id to settings")
    clean: dict[str, dict[str, Any]] = {}
    for task_id, settings in config.items():
        if settings is None:
            settings = {}
        if not isinstance(settings, Mapping):
            raise DispenserError(f"{where}: {task_id}: expected a mapping of settings")
        clean[str(task_id)] = {str(key): value for key, value in settings.items()}
        for key, value in settings.items():
            if key in IGNORED_SETTINGS and value != IGNORED_SETTINGS[key]:
                dispenser.warnings.append(f"{where}: {task_id}: {key} {value!r} is not imported")
            elif key not in IGNORED_SETTINGS and key not in KNOWN_SETTINGS:
                dispenser.warnings.append(f"{where}: {task_id}: unknown setting {key!r}: not imported")
    return clean
