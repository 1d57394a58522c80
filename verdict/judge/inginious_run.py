"""An INGInious run script, run in the sandbox with INGInious's container API.

The script is the teacher's code, but it handles the student's answers and may run them: it is
untrusted and runs as any program does here, in a `Sandbox` of its own (its slot's uid, no
network, read-only root, the task's limits). What it sees:

- ``/box/task``: a copy of the task's folder (its files readable and writable; the working
  directory), and ``/box/course/common`` the course's ``common/`` when there is one;
- ``/box/.__input/__inputdata.json``: the student's answers, ``{"input": {pid: answer, "@username":
  ..., "@lang": ..., "@time": ...}}``, file problems as ``{"filename", "value"}`` with ``value``
  the path of the file's content in ``/box/.__input/files``;
- ``/opt/inginious``: the container API (our own trusted files, read-only): the commands in
  ``bin`` (on PATH) and the Python package ``inginious_container_api`` (and its older name
  ``inginious``) in ``python`` (on PYTHONPATH).

- ``/run/inginious/socket``: where ``run_student`` asks the host for the student's sandbox
  (``verdict.judge.inginious_student``).

The commands write ``/box/.__output/__feedback.json``; the host reads it when the script ends.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from verdict.judge.bwrap import Mount
from verdict.judge.errors import SandboxError
from verdict.judge.inginious_student import SOCKET_NAME, SOCKET_TARGET, StudentRunner
from verdict.judge.sandbox import Limits, RunResult, Sandbox, SandboxConfig, Status
from verdict.judge.supervision import Supervision, watched

API_SOURCE = Path(__file__).parent / "inginious_box" / "python"
API_TARGET = "/opt/inginious"
COMMANDS = (
    "feedback-result",
    "feedback-grade",
    "feedback-msg",
    "feedback-msg-tpl",
    "feedback-custom",
    "feedback-state",
    "tag-set",
    "tag",
    "getinput",
    "parsetemplate",
    "rst-code",
    "rst-image",
    "rst-indent",
    "run_student",
)
INPUT_DIR = ".__input"
OUTPUT_DIR = ".__output"
FEEDBACK_FILE = f"{OUTPUT_DIR}/__feedback.json"
FEEDBACK_LIMIT = 4 * 1024 * 1024
RESULTS = ("success", "failed", "timeout", "overflow", "crash", "error", "killed")
SETUP_SECONDS = 20  # copying the task in, the feedback out, the sandboxes' start
BOX_MB = 256  # the task's files, the student's answers and what the script writes


@dataclass(frozen=True)
class ScriptLimits:
    """A task's limits as task.yaml gives them: CPU seconds, wall seconds, MB."""

    time: float = 30.0
    hard_time: float | None = None  # None: 3 × time (INGInious's default for an empty value)
    memory_mb: int = 100

    @property
    def wall(self) -> float:
        return self.hard_time if self.hard_time else 3 * self.time


@dataclass(frozen=True)
class ScriptJob:
    task_dir: Path
    script: Path  # the run script on the host: in task_dir, or in common_dir
    answers: Mapping[str, Any]  # pid -> text, or {"filename", "content": bytes} for a file
    username: str = ""
    lang: str = "en"
    time: str = ""  # "%Y-%m-%d %H:%M:%S.%f"
    common_dir: Path | None = None
    state: str = ""  # the feedback-state of the student's previous submission (``@state``)
    limits: ScriptLimits = field(default_factory=ScriptLimits)


@dataclass
class ScriptOutcome:
    """What the script left: INGInious's feedback (result, grade, text, problems, tests, custom,
    state). ``text`` and the problems' texts are reStructuredText, as the script wrote them."""

    result: str
    grade: float
    text: str
    problems: dict[str, list[str]]
    tags: dict[str, Any]
    custom: dict[str, Any]
    run: RunResult
    state: str = ""


def api_dir(config: SandboxConfig) -> Path:
    """The container API installed once per version in the sandbox's system directory (reachable
    by the slot uids, owned by root): bound read-only at /opt/inginious in every script's box."""
    digest = hashlib.sha256()
    for path in sorted(API_SOURCE.rglob("*.py")):
        digest.update(str(path.relative_to(API_SOURCE)).encode() + b"\0" + path.read_bytes())
    target = config.system_dir / f"inginious-api-{digest.hexdigest()[:16]}"
    if not target.exists():
        _install_api(config.system_dir, target)
    return target


def _install_api(system_dir: Path, target: Path) -> None:
    system_dir.mkdir(parents=True, exist_ok=True)
    os.chmod(system_dir, 0o755)
    building = target.with_name(f"{target.name}.{os.getpid()}.tmp")
    shutil.rmtree(building, ignore_errors=True)
    shutil.copytree(API_SOURCE, building / "python", ignore=shutil.ignore_patterns("__pycache__"))
    (building / "bin").mkdir()
    for name in COMMANDS:
        command = building / "bin" / name
        command.write_text(
            "#!/usr/bin/python3 -S\n"
            f"import sys\nsys.path.insert(0, '{API_TARGET}/python')\n"
            "from inginious_container_api.commands import main\n"
            f"main({name!r})\n"
        )
    for root, _dirs, files in os.walk(building):
        os.chmod(root, 0o755)
        for name in files:
            os.chmod(Path(root) / name, 0o755 if Path(root).name == "bin" else 0o644)
    try:
        os.rename(building, target)
    except OSError:  # another process installed it first
        shutil.rmtree(building, ignore_errors=True)


def script_argv(host_script: Path, box_path: str) -> list[str]:
    """How INGInious starts the script: by its shebang when it has one (here through the named
    interpreter, so that no exec bit is needed); a ``.sh`` with bash; anything else as Python with
    the API in its globals and IPython's ``!command`` lines, as INGInious's ``inginious-ipython``."""
    try:
        with open(host_script, "rb") as file:
            first = file.readline(200)
    except OSError:
        first = b""
    if first.startswith(b"#!"):
        interpreter = first[2:].decode(errors="replace").split()
        if interpreter:
            return [*interpreter, box_path]
    if box_path.endswith(".sh"):
        return ["/bin/bash", box_path]
    return ["/usr/bin/python3", "-m", "inginious_container_api.shell_python", box_path]


def run_script(
    config: SandboxConfig, job: ScriptJob, supervision: Supervision | None = None
) -> ScriptOutcome:
    """Runs the job's script in a new sandbox and reads the feedback it left. SandboxError when
    the sandbox itself fails (an internal error, not the script's)."""
    limits = job.limits
    if supervision is not None:  # the script's wall time, and its student's (capped at as much)
        supervision.allow(2 * limits.wall + SETUP_SECONDS)
    students = StudentRunner(config, limits.time, limits.wall, limits.memory_mb, supervision)
    try:
        return _run_script(config, job, students, supervision)
    finally:
        students.close()


def _run_script(
    config: SandboxConfig, job: ScriptJob, students: StudentRunner, supervision: Supervision | None
) -> ScriptOutcome:
    mounts = [Mount(str(api_dir(config)), API_TARGET), students.mount]
    with Sandbox(config, mounts=mounts, box_mb=BOX_MB) as box, watched(supervision, box):
        box.put_tree(job.task_dir, "task")
        if job.common_dir is not None and job.common_dir.is_dir():
            box.put_tree(job.common_dir, "course/common")
        box.put(f"{INPUT_DIR}/__inputdata.json", json.dumps(_input_data(box, job)).encode())
        box.fresh_dir(OUTPUT_DIR)
        if not box.exists("task/student"):  # a task may ship files there
            box.fresh_dir("task/student")
        with students.serving(box):
            run = box.run(
                script_argv(job.script, _box_path(job)),
                limits=_limits(job.limits),
                env={
                    "PATH": f"{API_TARGET}/bin:/usr/local/bin:/usr/bin:/bin",
                    "PYTHONPATH": f"{API_TARGET}/python",
                    "HOME": "/box/task",
                    "INGINIOUS_INPUT": f"/box/{INPUT_DIR}/__inputdata.json",
                    "INGINIOUS_OUTPUT": f"/box/{FEEDBACK_FILE}",
                    "PYTHONDONTWRITEBYTECODE": "1",
                    "INGINIOUS_SOCKET": f"{SOCKET_TARGET}/{SOCKET_NAME}",
                },
                cwd="/box/task",
            )
        raw = box.read_file(FEEDBACK_FILE, FEEDBACK_LIMIT)
    return outcome_of(run, raw)


def _box_path(job: ScriptJob) -> str:
    if job.script.is_relative_to(job.task_dir):
        return f"/box/task/{job.script.relative_to(job.task_dir)}"
    assert job.common_dir is not None, "a run script outside the task comes from common/"
    return f"/box/course/common/{job.script.relative_to(job.common_dir)}"


def _limits(limits: ScriptLimits) -> Limits:
    return Limits(
        cpu_time=limits.time,
        wall_time=limits.wall,
        memory_mb=limits.memory_mb,
        processes=64,
        open_files=256,
        output_bytes=1024 * 1024,
    )


def _input_data(box: Sandbox, job: ScriptJob) -> dict[str, Any]:
    answers: dict[str, Any] = {}
    for pid, answer in job.answers.items():
        if isinstance(answer, Mapping) and "content" in answer:
            path = f"{INPUT_DIR}/files/{pid}"
            box.put(path, bytes(answer["content"]))
            answers[pid] = {"filename": str(answer.get("filename", "")), "value": f"/box/{path}"}
        else:
            answers[pid] = answer
    answers.update({"@username": job.username, "@lang": job.lang, "@time": job.time, "@state": job.state})
    return {"input": answers}


def outcome_of(run: RunResult, raw: bytes | None) -> ScriptOutcome:
    """INGInious's result from the script's run and feedback file: a script killed for time is
    ``timeout``, for memory or output ``overflow``; one that ended without a valid result is
    ``crash``; a feedback file that is no JSON object is ``crash`` too."""
    state, problem = _feedback_state(raw)
    result = str(state.get("result", ""))
    text = str(state.get("text", "")) if isinstance(state.get("text", ""), str) else ""
    if run.status in (Status.TIME_LIMIT, Status.WALL_LIMIT):
        result, text = "timeout", text or "Your submission made a timeout."
    elif run.status in (Status.MEMORY_LIMIT, Status.OUTPUT_LIMIT):
        result, text = "overflow", text or "Your submission made an overflow."
    elif run.status == Status.INTERNAL_ERROR:
        raise SandboxError(f"run script: {run.message}")
    elif problem:
        result, text = "crash", problem
    elif result not in RESULTS:
        result = "crash"
        text = text or "The grader did not return a valid result."
    # A script killed for time or memory did not finish grading: whatever grade it set is void.
    killed = run.status in (Status.TIME_LIMIT, Status.WALL_LIMIT, Status.MEMORY_LIMIT, Status.OUTPUT_LIMIT)
    grade = 0.0 if killed else _grade(state.get("grade"), result)
    return ScriptOutcome(
        result=result,
        grade=grade,
        text=text,
        problems=_problems(state.get("problems"), result),
        tags=dict(state["tests"]) if isinstance(state.get("tests"), dict) else {},
        custom=dict(state["custom"]) if isinstance(state.get("custom"), dict) else {},
        run=run,
        state=_state(state.get("state")),
    )


def _feedback_state(raw: bytes | None) -> tuple[dict[str, Any], str]:
    if not raw or not raw.strip():
        return {}, ""
    try:
        state = json.loads(raw)
    except ValueError:
        return {}, "Feedback file has been modified by user !"
    if not isinstance(state, dict):
        return {}, "Feedback file has been modified by user !"
    return state, ""


def _state(value: Any) -> str:
    """``feedback-state``'s string (INGInious's state is text); JSON for another value a script
    wrote in the file itself; ``""`` when none was set."""
    if value is None:
        return ""
    return value if isinstance(value, str) else json.dumps(value)


def _grade(value: Any, result: str) -> float:
    """The grade set (clamped to 0-100), else 100 for success and 0 otherwise, as INGInious."""
    try:
        grade = float(value) if value is not None else (100.0 if result == "success" else 0.0)
    except (TypeError, ValueError):
        grade = 0.0
    return round(min(max(grade, 0.0), 100.0), 2)  # as Verdict stores the other task grades


def _problems(value: Any, result: str) -> dict[str, list[str]]:
    """Per-problem feedback as ``pid -> [result, text]``; a text alone takes the task's result."""
    if not isinstance(value, dict):
        return {}
    problems: dict[str, list[str]] = {}
    for pid, entry in value.items():
        if isinstance(entry, str):
            problems[str(pid)] = [result, entry]
        elif isinstance(entry, list | tuple) and len(entry) == 2:
            part = str(entry[0]) if str(entry[0]) in RESULTS else result
            problems[str(pid)] = [part, str(entry[1])]
    return problems
