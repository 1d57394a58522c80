"""Import an INGInious course directory: a descriptor and one folder per task with ``task.yaml``.

The descriptor is the first of ``taskset.yaml``, ``course.yaml`` and ``course.json`` (INGInious's
older JSON form, same keys) found, as INGInious looks for them; "course.yaml" below means it.

What becomes of it:

* The course id is the directory name (or the one given): it is the INGInious course id
  (``Course.slug``) and the course's name. Re-importing updates the same course (same owner
  only) and its tasks; tasks no longer in the directory are left as they are (and reported).
* ``course.yaml``: ``name`` (the title), ``description``, ``accessible``, ``registration``
  (``false`` closes it; ``true`` opens it; a date range ``"START/END"``, as ``accessible`` is
  written, opens it between those dates: ``Course.registration_opens_at`` / ``_closes_at``),
  ``registration_password`` (registration by password), ``allow_unregister``, ``admins`` and
  ``tutors`` (usernames of existing accounts; unknown ones are reported). Access control lists are
  not imported (reported). ``task_dispenser`` / ``dispenser_data``: the table of contents orders
  the tasks, its sections are stored (``Course.sections``, and in the report:
  :attr:`CourseReport.sections`) and its ``config`` sets each task's accessibility (closed when it
  gives none), weight, submission limit, evaluation and group submission
  (:mod:`verdict.courses.inginious_dispenser`).
* Groups (:mod:`verdict.courses.groups`): ``groups.yaml`` in the course directory, the file
  INGInious's course administration downloads and uploads (or, in older descriptors, a list under
  ``groups:``), replaces the course's groups; without one, the groups stay as they are.
* ``task.yaml``: ``name``, ``context``, ``author``, ``contact_url``, ``problems``, ``limits`` (or
  ``environment_parameters.limits``), ``weight``, ``submission_limit``, ``accessible`` (or
  ``accessibility``), ``evaluate``, ``order``, ``groups`` (a group task), with INGInious's
  normalisations: an empty ``hard_time`` is 3 x ``time``, a soft deadline after the hard one is
  the hard one, an end before the start loads (the task never opens), ``problems: {}`` is a task
  without questions. ``is_lti`` and ``allow_preview`` are not honoured: the report says so.
* Quiz parts (``multiple_choice``, ``match``) are graded in-process: they always import.
* Program parts (``code``, ``code_single_line``, ``file``) are graded by the judge against test
  cases found next to ``task.yaml`` when there are some; else by the task's run script (the task's
  ``run``, ``run.py`` or ``run.sh``, then the course's ``common/``), run in the sandbox with
  INGInious's container API (:mod:`verdict.courses.inginious_run`). Test cases, in this order:

  1. a Kattis (``problem.yaml``) or Jutge (``handler.yml``) package: the task folder itself, or
     its one sub-folder holding one;
  2. a ``tests/`` folder of ``NAME.in`` (or ``.inp``) files each with its expected output
     ``NAME.ans`` (or ``.out``, ``.cor``, ``.expected``); tests named ``sample*`` or ``public*`` are
     shown to students, the others are hidden. The time limit per test is the task's
     ``limits.time`` (default 2 s) and the memory limit its ``limits.memory`` (default 256 MB).

  The package is imported into the problem store (one problem per task, updated on re-import).
  A task with program parts and neither test cases nor a run script imports its quiz parts only,
  and the report says which parts need test cases; a task left with no part at all is skipped.
"""

from __future__ import annotations

import json
import re
import shutil
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa
import yaml
from sqlalchemy.orm import Session

from verdict.accounts.models import User
from verdict.accounts.passwords import hash_password
from verdict.courses.groups import GROUPS_FILE, GroupsError, group_lines, read_groups, replace_groups
from verdict.courses.inginious_config import (
    TaskConfig,
    TaskImportError,
    load_mapping,
    read_problem,
    read_task_config,
    text_value,
)
from verdict.courses.inginious_dispenser import Dispenser, DispenserError, read_dispenser
from verdict.courses.inginious_run import (
    RUN_KEY,
    environment_id,
    environment_warning,
    find_run_script,
    store_run_script_task,
)
from verdict.courses.models import Course, CourseMember, MemberRole, Registration, Task
from verdict.courses.subproblems import ID_RE, PROGRAM_TYPES
from verdict.courses.windows import normalise_accessibility, parse_window
from verdict.judge.errors import PackageError
from verdict.problems.store import import_package
from verdict.settings import Settings

INPUT_SUFFIXES = (".in", ".inp")
ANSWER_SUFFIXES = (".ans", ".out", ".cor", ".expected")
DEFAULT_TIME_LIMIT = 2.0  # seconds per test
DEFAULT_MEMORY_MB = 256
MAX_COURSE_ID = 100  # Course.name
DESCRIPTORS = ("taskset.yaml", "course.yaml", "course.json")  # INGInious's order of preference


class InginiousImportError(ValueError):
    """The directory cannot be imported as a course (the message says why)."""


@dataclass
class TaskReport:
    task_id: str
    name: str = ""
    status: str = "imported"  # imported | skipped | error
    problems: list[str] = field(default_factory=list)  # imported sub-problem ids
    dropped: list[str] = field(default_factory=list)  # sub-problems left out
    grading: str = ""
    notes: list[str] = field(default_factory=list)


@dataclass
class CourseReport:
    course_id: str
    title: str
    created: bool
    tasks: list[TaskReport] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    descriptor: str = "course.yaml"  # the file read: taskset.yaml, course.yaml or course.json
    sections: list[str] = field(default_factory=list)  # the table of contents: "Title > Sub: task, task"
    groups: list[str] = field(default_factory=list)  # the groups imported: "Group 1 (size 2): alice, bob"

    @property
    def errors(self) -> list[TaskReport]:
        return [task for task in self.tasks if task.status == "error"]


def import_inginious_course(
    session: Session, path: Path | str, *, settings: Settings, owner: User, course_id: str | None = None
) -> CourseReport:
    """Import (or update) the course at ``path`` for ``owner``; flushes, the caller commits.

    Raises InginiousImportError when the course itself cannot be imported; a broken task is
    reported (status ``error``) and skipped.
    """
    root = Path(path)
    descriptor = find_descriptor(root)
    config = read_descriptor(descriptor)
    course_id = course_id or root.resolve().name
    if not ID_RE.match(course_id) or len(course_id) > MAX_COURSE_ID:
        raise InginiousImportError(
            f"invalid course id {course_id!r}: 1-{MAX_COURSE_ID} letters, digits, '_', '-' or '.' (use --id)"
        )
    try:
        dispenser = read_dispenser(config, descriptor.name)
    except DispenserError as error:
        raise InginiousImportError(str(error)) from None
    course, created = _course(session, course_id, owner)
    report = CourseReport(course_id, "", created, descriptor=descriptor.name, sections=dispenser.sections)
    report.warnings += dispenser.warnings
    _apply_course_config(session, course, config, report)
    course.sections = dispenser.tree
    report.title = course.title
    session.flush()

    existing = {
        task.slug: task for task in session.scalars(sa.select(Task).where(Task.course_id == course.id))
    }
    folders = _task_folders(root, dispenser, report)
    seen = set()
    for position, folder in enumerate(folders):
        task_report = TaskReport(folder.name)
        report.tasks.append(task_report)
        seen.add(folder.name)
        try:
            _import_task(
                session,
                course,
                folder,
                TaskPlace(position, dispenser),
                existing.get(folder.name),
                owner,
                settings,
                task_report,
            )
        except (TaskImportError, PackageError) as error:
            task_report.status = "error"
            task_report.notes.append(str(error))
    for slug in sorted(set(existing) - seen):
        report.warnings.append(f"task {slug!r} is not in the directory any more: left unchanged")
    if not folders:
        report.warnings.append("no task folder (a folder with a task.yaml) found")
    _import_groups(session, course, root, config, report)
    session.flush()
    return report


# --------------------------------------------------------------------------- course


def find_descriptor(root: Path) -> Path:
    """The course's descriptor, in the order INGInious looks for one."""
    for name in DESCRIPTORS:
        if (root / name).is_file():
            return root / name
    raise InginiousImportError(
        f"{root / 'course.yaml'}: missing (an INGInious course directory has a descriptor: "
        f"{', '.join(DESCRIPTORS)})"
    )


def read_descriptor(path: Path) -> dict[str, Any]:
    if path.suffix != ".json":
        return load_mapping(path, InginiousImportError)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError, OSError) as problem:
        raise InginiousImportError(f"{path}: cannot be read: {problem}") from None
    if not isinstance(data, dict):
        raise InginiousImportError(f"{path}: expected an object of keys to values")
    return data


def _task_folders(root: Path, dispenser: Dispenser, report: CourseReport) -> list[Path]:
    """The task folders, in the table of contents' order (then the others, by name)."""
    folders = sorted(child for child in root.iterdir() if child.is_dir() and (child / "task.yaml").is_file())
    names = {folder.name for folder in folders}
    for task_id in dispenser.order:
        if task_id not in names:
            report.warnings.append(f"the table of contents lists {task_id!r}, which has no task folder")
    if dispenser.order:
        for folder in folders:
            if folder.name not in dispenser.order:
                closed = (
                    " (closed: no accessibility in the dispenser config)"
                    if dispenser.config is not None
                    else ""
                )
                report.warnings.append(
                    f"task {folder.name!r} is in no section of the table of contents{closed}"
                )
    unlisted = len(dispenser.order)
    return sorted(
        folders, key=lambda f: (dispenser.position(f.name) if f.name in dispenser.order else unlisted, f.name)
    )


def _course(session: Session, course_id: str, owner: User) -> tuple[Course, bool]:
    course = session.scalar(sa.select(Course).where(Course.slug == course_id))
    if course is not None:
        if course.owner_id != owner.id:
            raise InginiousImportError(
                f"course id {course_id!r} belongs to another owner: import under another id (--id)"
            )
        return course, False
    clash = session.scalar(sa.select(Course).where(Course.owner_id == owner.id, Course.name == course_id))
    if clash is not None:
        raise InginiousImportError(
            f"{owner.username} already has a course named {course_id!r} (id {clash.slug!r}): use --id"
        )
    course = Course(owner_id=owner.id, name=course_id, slug=course_id)
    session.add(course)
    return course, True


def _apply_course_config(
    session: Session, course: Course, config: dict[str, Any], report: CourseReport
) -> None:
    course.title = text_value(config.get("name")) or course.slug
    course.description = text_value(config.get("description"))
    try:
        course.accessible = normalise_accessibility(config.get("accessible", True))
    except (TypeError, ValueError) as error:
        raise InginiousImportError(f"{report.descriptor}: accessible: {error}") from None
    password = config.get("registration_password")
    opens, closes = _registration_window(config.get("registration", True), report)
    if opens is False:
        course.registration = Registration.CLOSED
    else:
        course.registration = Registration.PASSWORD if password else Registration.OPEN
    course.registration_opens_at, course.registration_closes_at = (
        (None, None) if isinstance(opens, bool) else (opens, closes)
    )
    course.registration_password_hash = hash_password(str(password)) if password else None
    course.allow_unregister = bool(config.get("allow_unregister", True))
    for key in ("registration_ac", "registration_ac_list", "lti", "tags"):
        if config.get(key):
            report.warnings.append(f"{report.descriptor}: {key!r} is not imported")
    for key, role in (("admins", MemberRole.ADMIN), ("tutors", MemberRole.TUTOR)):
        names = config.get(key) or []
        if isinstance(names, str):
            names = [names]
        for username in names:
            _add_staff(session, course, str(username), role, report)


def _registration_window(value: Any, report: CourseReport) -> tuple[bool | datetime | None, datetime | None]:
    """INGInious's ``registration``, read as it reads accessibility: (False, None) when closed,
    (True, None) when always open, else when it opens and closes (None: unbounded). A soft end
    means nothing for a registration: the end closes it."""
    try:
        normal = normalise_accessibility(value)
    except (TypeError, ValueError) as error:
        raise InginiousImportError(f"{report.descriptor}: registration: {error}") from None
    if isinstance(normal, bool):
        return normal, None
    window = parse_window(normal)
    if window.start is None and window.end is None:
        return True, None
    return window.start, window.end


def _import_groups(
    session: Session, course: Course, root: Path, config: Mapping[str, Any], report: CourseReport
) -> None:
    """The course's groups from groups.yaml (or an older descriptor's ``groups:`` list)."""
    path = root / GROUPS_FILE
    if path.is_file():
        data: Any = load_groups_file(path)
        where = GROUPS_FILE
    elif isinstance(config.get("groups"), list):
        data, where = config["groups"], f"{report.descriptor}: groups"
    else:
        if config.get("groups"):  # older INGInious: "groups: true", the course uses groups
            report.warnings.append(
                f"{report.descriptor}: groups {config['groups']!r}: the groups themselves are in "
                f"{GROUPS_FILE} (INGInious's course administration downloads it): none found"
            )
        return
    try:
        specs = read_groups(data, where, report.warnings)
    except GroupsError as error:
        raise InginiousImportError(str(error)) from None
    replace_groups(session, course, specs, report.warnings)
    report.groups = group_lines(session, course)


def load_groups_file(path: Path) -> Any:
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError, OSError) as problem:
        raise InginiousImportError(f"{path}: cannot be read: {problem}") from None


def _add_staff(
    session: Session, course: Course, username: str, role: MemberRole, report: CourseReport
) -> None:
    user = session.scalar(sa.select(User).where(User.username == username))
    if user is None:
        report.warnings.append(f"{role.value} {username!r} has no account here: not added")
        return
    if user.id == course.owner_id:
        return
    session.flush()
    member = session.scalar(
        sa.select(CourseMember).where(
            CourseMember.course_id == course.id,
            sa.or_(CourseMember.user_id == user.id, CourseMember.email == user.email),
        )
    )
    if member is None:
        session.add(CourseMember(course_id=course.id, user_id=user.id, email=user.email, role=role))
    elif member.role == MemberRole.STUDENT or role == MemberRole.ADMIN:
        member.role = role
        member.user_id = user.id


# --------------------------------------------------------------------------- tasks


@dataclass(frozen=True)
class TaskPlace:
    """Where a task sits: its rank among the folders, and the course's dispenser."""

    rank: int
    dispenser: Dispenser


def _import_task(
    session: Session,
    course: Course,
    folder: Path,
    place: TaskPlace,
    task: Task | None,
    owner: User,
    settings: Settings,
    report: TaskReport,
) -> None:
    task_id = folder.name
    if not ID_RE.match(task_id) or len(task_id) > 150:
        raise TaskImportError(f"invalid task id {task_id!r}: letters, digits, '_', '-' or '.' only")
    config = load_mapping(folder / "task.yaml", TaskImportError)
    report.name = text_value(config.get("name")) or task_id
    problems = _problems(config, folder, report)
    _report_unsupported(config, report)
    dispensed = place.dispenser.settings(task_id)
    config = _with_dispenser_settings(config, dispensed, report)
    # Every value is checked before anything is stored, so that a broken task changes nothing.
    task_config = _task_config(config, folder, report.name, place, dispensed is not None)

    programs = [pid for pid, p in problems.items() if p["type"] in PROGRAM_TYPES]
    source = _test_source(folder)
    has_script = any((folder / name).is_file() for name in ("run", "run.py", "run.sh"))
    problem_id = None
    run_script = find_run_script(folder) if programs and source is None else None
    if run_script is not None:  # graded by its run script (verdict.courses.inginious_run)
        run_entry = store_run_script_task(settings.data_dir, course.slug, folder, run_script)
        report.grading = f"run script: {run_script}, run in the sandbox"
        report.notes += filter(None, [environment_warning(environment_id(config))])
    elif programs and source is not None:
        problem_id = _import_tests(
            session, course, folder, source, task, report, owner, settings, task_config.limits
        )
    elif programs:
        for pid in programs:
            del problems[pid]
        report.dropped += programs
        script = "its run script" if has_script else "a run script"
        report.notes.append(
            f"problem(s) {', '.join(programs)} need test cases: INGInious grades them with {script}, which "
            f"Verdict does not run. Add a tests/ folder (NAME.in + NAME.ans) or a Kattis/Jutge package next "
            f"to task.yaml and import again"
        )
    elif source is not None:
        report.notes.append(f"{source.name}: ignored (the task has no code problem)")
    if has_script and not programs:
        report.notes.append("run script ignored: the quiz is graded in-process")
    if not problems and report.dropped:
        report.status = "skipped"
        report.notes.append("nothing left to import: task skipped")
        return
    if not problems:
        report.grading = "no problem: nothing to grade"
        report.notes.append("no problem: a task without questions (INGInious loads it too)")

    if task is None:
        task = Task(course_id=course.id, slug=task_id)
        session.add(task)
    task_config.apply(task)
    task.problem_id = problem_id
    task.problems = problems
    if run_script is not None:
        task.limits = {**task.limits, RUN_KEY: run_entry}
    report.problems = list(problems)
    if not report.grading:
        report.grading = "quiz, graded in-process"
    session.flush()


def _task_config(
    config: dict[str, Any], folder: Path, name: str, place: TaskPlace, dispensed: bool
) -> TaskConfig:
    """task.yaml's settings, checked, placed where the course's table of contents puts the task."""
    try:
        task_config = read_task_config(config, folder, name=name, position=place.rank)
    except TaskImportError as error:
        if not dispensed:
            raise
        raise TaskImportError(f"{error} (as set by the course's dispenser config)") from None
    if place.dispenser.order:  # the table of contents orders the tasks, not task.yaml's order
        task_config = replace(task_config, position=place.rank)
    return task_config


def _problems(config: dict[str, Any], folder: Path, report: TaskReport) -> dict[str, dict[str, Any]]:
    """The task's supported sub-problems, checked; the others are reported as left out."""
    raw_problems = config.get("problems", {})
    if not isinstance(raw_problems, dict):  # problems: {} is a task without questions, as in INGInious
        raise TaskImportError(f"{folder / 'task.yaml'}: 'problems' must be a mapping of id to problem")
    problems: dict[str, dict[str, Any]] = {}
    for key, raw in raw_problems.items():
        pid = str(key)
        try:
            problem = read_problem(pid, raw)
        except TaskImportError as error:
            raise TaskImportError(f"{folder / 'task.yaml'}: {error}") from None
        if problem is None:
            report.dropped.append(pid)
            report.notes.append(f"problem {pid!r}: type {raw.get('type')!r} is not supported: left out")
            continue
        problems[pid] = problem
    return problems


LEGACY_SETTINGS = ("accessible", "accessibility", "weight", "submission_limit", "evaluate", "groups")


def _with_dispenser_settings(
    config: dict[str, Any], settings: dict[str, Any] | None, report: TaskReport
) -> dict[str, Any]:
    """task.yaml's values with the dispenser's settings in place of its own, when it has some."""
    if settings is None:
        return config
    ignored = [key for key in LEGACY_SETTINGS if key in config and (key != "groups" or config[key])]
    if ignored:
        report.notes.append(
            f"task.yaml's {', '.join(ignored)} not used: the course's dispenser config sets them"
        )
    kept = {key: value for key, value in config.items() if key not in LEGACY_SETTINGS}
    if settings["accessible"] is False:
        report.notes.append("closed by the course's dispenser: hidden from students")
    return {**kept, **settings}


def _report_unsupported(config: dict[str, Any], report: TaskReport) -> None:
    """Task settings Verdict cannot honour: said, never dropped silently."""
    if config.get("is_lti"):
        report.notes.append(
            "is_lti: LTI is not supported: the task is served to the course's registered students only"
        )
    if "allow_preview" in config:
        report.notes.append(
            f"allow_preview: {config['allow_preview']!r} not imported: a task is seen from its start date"
        )


# --------------------------------------------------------------------------- test cases


def _is_package(directory: Path) -> bool:
    return (directory / "problem.yaml").is_file() or (directory / "handler.yml").is_file()


def _test_source(folder: Path) -> Path | None:
    """Where the task's test cases are: a package (the folder or one sub-folder), or tests/."""
    if _is_package(folder):
        return folder
    packages = [child for child in sorted(folder.iterdir()) if child.is_dir() and _is_package(child)]
    if len(packages) > 1:
        raise TaskImportError(
            f"{folder}: several problem packages ({', '.join(p.name for p in packages)}); keep one"
        )
    if packages:
        return packages[0]
    tests = folder / "tests"
    return tests if tests.is_dir() else None


def _import_tests(
    session: Session,
    course: Course,
    folder: Path,
    source: Path,
    task: Task | None,
    report: TaskReport,
    owner: User,
    settings: Settings,
    limits: Mapping[str, Any],
) -> str:
    scratch = settings.data_dir / "tmp"
    scratch.mkdir(parents=True, exist_ok=True)
    package_name = re.sub(r"[^A-Za-z0-9_.\-]", "_", f"{course.slug}.{folder.name}")
    with tempfile.TemporaryDirectory(dir=scratch, prefix="inginious-") as tmp:
        target = Path(tmp) / package_name
        if _is_package(source):
            shutil.copytree(source, target, symlinks=True)  # the store refuses symlinks itself
            origin = f"package {source.name}/" if source != folder else "the package in the task folder"
        else:
            _kattis_from_tests(source, target, report.name or folder.name, limits)
            origin = "tests/"
        current = task.problem_id if task is not None else None
        try:
            result = import_package(
                session,
                target,
                settings=settings,
                owner=owner,
                problem_id=current,
                match_existing=current is None,
                record_source=False,
            )
        except LookupError:  # the task's old problem is gone: make a new one
            result = import_package(session, target, settings=settings, owner=owner, record_source=False)
    tests = len(result.package.tests)
    hidden = sum(1 for test in result.package.tests if not test.visible)
    report.grading = f"judge: problem {result.problem.id} ({origin}: {tests} test(s), {hidden} hidden)"
    return result.problem.id


def _kattis_from_tests(tests: Path, target: Path, title: str, limits: Mapping[str, Any]) -> None:
    """Write a Kattis package at ``target`` from a tests/ folder."""
    inputs = sorted(p for p in tests.iterdir() if p.is_file() and p.suffix in INPUT_SUFFIXES)
    if not inputs:
        raise TaskImportError(f"{tests}: no test inputs (NAME.in with NAME.ans)")
    answers = {p.stem: p for p in tests.iterdir() if p.is_file() and p.suffix in ANSWER_SUFFIXES}
    for directory in ("sample", "secret"):
        (target / "data" / directory).mkdir(parents=True)
    seen = set()
    for path in inputs:
        if path.stem in seen:
            raise TaskImportError(f"{tests}: two inputs named {path.stem!r}")
        seen.add(path.stem)
        answer = answers.get(path.stem)
        if answer is None:
            raise TaskImportError(f"{path}: no expected output ({path.stem}.ans or .out)")
        kind = "sample" if path.stem.lower().startswith(("sample", "public")) else "secret"
        shutil.copyfile(path, target / "data" / kind / f"{path.stem}.in")
        shutil.copyfile(answer, target / "data" / kind / f"{path.stem}.ans")
    orphans = sorted(set(answers) - seen)
    if orphans:
        raise TaskImportError(f"{tests}: expected outputs without input: {', '.join(orphans)}")
    memory = limits.get("memory")
    config = {
        "problem_format_version": "2025-09",
        "type": "pass-fail",
        "name": {"en": title},
        "limits": {
            "time_limit": float(limits.get("time") or DEFAULT_TIME_LIMIT),
            "memory": int(memory) if memory else DEFAULT_MEMORY_MB,
        },
    }
    (target / "problem.yaml").write_text(
        yaml.safe_dump(config, allow_unicode=True, sort_keys=False), encoding="utf-8"
    )
