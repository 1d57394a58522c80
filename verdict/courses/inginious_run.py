"""INGInious tasks graded by their own run script (``verdict.judge.inginious_run`` runs it).

Import: a task whose program parts have no test cases but a run script keeps them. The script
is found as INGInious finds it: the task's ``run``, then ``run.py``, then ``run.sh``, then the
same names in the course's ``common/`` folder. The task's folder and the course's ``common/``
are copied into the data directory (``inginious-tasks/<course>/<task>/``, replaced on re-import),
and the task's ``limits`` keep where the script is (``limits["run_script"]``).

Grading: the script runs in the sandbox with every answer of the submission as its input, and
its feedback makes the submission: result (as the submission's verdict), grade, text feedback and
per-problem feedback, ``pid -> [result, text]``, exactly the INGInious results the script set.
The texts are reStructuredText: kept as their source (``verdict.courses.rst_feedback``), rendered
to sanitised HTML when shown, as INGInious does. The script's ``feedback-custom`` values,
``tag-set``/``tag`` tags and ``feedback-state`` are kept on the submission (``custom``, ``tags``,
``state``: staff see the first two, INGInious's API v0 shows none of them). The task's quiz parts
are given to the script too, and the script grades them (as INGInious's container would see
them): they are not graded in-process.

The state: INGInious gives the script ``@state``, the state that the student's submission that
counts for the task (the best graded, or the last, as the task evaluates) had set when this one was
made. Here it is the state of the submission that counted among those made before this one, so
that regrading a submission gives its script the same state.
"""

from __future__ import annotations

import base64
import binascii
import shutil
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

import sqlalchemy as sa
from sqlalchemy.orm import Session

from verdict.courses.grades import evaluated_submission
from verdict.courses.models import Task
from verdict.courses.rst_feedback import rst_source
from verdict.grading.service import Outcome
from verdict.judge.inginious_run import ScriptJob, ScriptLimits, ScriptOutcome, run_script
from verdict.judge.sandbox import SandboxConfig
from verdict.judge.supervision import Supervision
from verdict.judge.verdicts import Verdict
from verdict.submissions.models import Submission, SubmissionStatus


class RunScriptGrader(Protocol):
    """What grading a run script needs of the task grader (``verdict.courses.quiz.TaskGrader``)."""

    @property
    def sandbox(self) -> SandboxConfig | None: ...

    @property
    def data_dir(self) -> Path | None: ...


RUN_SCRIPT_NAMES = ("run", "run.py", "run.sh")
RUN_KEY = "run_script"  # in Task.limits: {"script": "task/run" or "common/run"}
TASKS_DIR = "inginious-tasks"
VERDICTS = {
    "success": Verdict.AC,
    "failed": Verdict.WA,
    "timeout": Verdict.TLE,
    "overflow": Verdict.MLE,
    "crash": Verdict.RE,
    "error": Verdict.IE,
    "killed": Verdict.IE,
}


# INGInious's grading environments (its container images) and the host tools that stand for them:
# a run script runs with the host's tools whatever its environment; the import warns when the
# environment needs what this host lacks. README "INGInious run scripts" shows this table.
ENVIRONMENTS: dict[str, tuple[str, ...]] = {
    "default": ("bash", "python3"),
    "python3": ("python3",),
    "python": ("python3",),
    "pyjavacpp": ("python3", "javac", "g++"),
    "java": ("javac", "java"),
    "java7": ("javac", "java"),
    "java8": ("javac", "java"),
    "java8scala": ("javac", "java"),
    "java11": ("javac", "java"),
    "java17": ("javac", "java"),
    "cpp": ("gcc", "g++"),
    "c": ("gcc",),
    "gcc": ("gcc", "g++"),
    "sekexe": ("gcc",),
    "rust": ("rustc",),
    "go": ("go",),
    "haskell": ("ghc",),
    "ocaml": ("ocaml",),
    "nodejs": ("node",),
    "mumps": ("mumps",),
    "oz": ("ozc",),
    "matlab": ("matlab",),
    "octave": ("octave",),
    "r": ("Rscript",),
}


def environment_id(config: Mapping[str, Any]) -> str:
    """task.yaml's environment: ``environment_id`` (INGInious 0.7+) or the older ``environment``."""
    value = config.get("environment_id", config.get("environment"))
    return str(value) if value not in (None, "") else "default"


def environment_warning(environment: str) -> str | None:
    """None when this host provides the environment's tools; else what the teacher should know."""
    tools = ENVIRONMENTS.get(environment)
    if tools is None:
        return (
            f"environment {environment!r} is not one Verdict knows: the run script runs with the "
            f"host's tools (bash, python3, gcc, java) and may fail"
        )
    missing = [tool for tool in tools if shutil.which(tool) is None]
    if missing:
        return (
            f"environment {environment!r} needs {', '.join(missing)}, which this host lacks: "
            f"the run script runs with the host's tools and may fail"
        )
    return None


def find_run_script(folder: Path) -> str | None:
    """Where the task's run script is, relative to the course: ``TASK/run`` ..., ``common/run`` ...;
    None when there is none."""
    for where in (folder, folder.parent / "common"):
        for name in RUN_SCRIPT_NAMES:
            if (where / name).is_file():
                return f"{'task' if where == folder else 'common'}/{name}"
    return None


def store_run_script_task(data_dir: Path, course_slug: str, folder: Path, script: str) -> dict[str, str]:
    """Copies the task's folder (and the course's ``common/``) where the graders find them; the
    entry to keep in ``Task.limits[RUN_KEY]``."""
    target = task_files(data_dir, course_slug, folder.name)
    building = target.with_name(target.name + ".importing")
    shutil.rmtree(building, ignore_errors=True)
    shutil.copytree(folder, building / "task", symlinks=False)
    common = folder.parent / "common"
    if common.is_dir():
        shutil.copytree(common, building / "common", symlinks=False)
    shutil.rmtree(target, ignore_errors=True)
    building.rename(target)
    return {"script": script}


def task_files(data_dir: Path, course_slug: str, task_slug: str) -> Path:
    return data_dir / TASKS_DIR / course_slug / task_slug


def is_run_script_task(task: Task) -> bool:
    return isinstance(task.limits, Mapping) and isinstance(task.limits.get(RUN_KEY), Mapping)


def script_limits(limits: Mapping[str, Any]) -> ScriptLimits:
    """task.yaml's limits: ``time`` (s, default 30), ``hard_time`` (s; empty or absent: 3 × time),
    ``memory`` (MB, default 100), INGInious's defaults."""
    time = _positive(limits.get("time"), 30.0)
    hard = limits.get("hard_time")
    memory = int(_positive(limits.get("memory"), 100.0))
    return ScriptLimits(time=time, hard_time=_positive(hard, 0.0) or None, memory_mb=memory)


def _positive(value: Any, default: float) -> float:
    if isinstance(value, int | float) and not isinstance(value, bool) and value > 0:
        return float(value)
    return default


def grade_run_script(
    task: Task,
    course_slug: str,
    submission: Submission,
    username: str,
    grader: RunScriptGrader,
    supervision: Supervision | None = None,
    state: str = "",
) -> Outcome:
    """Runs the task's script on the submission's answers (and ``state``, :func:`previous_state`);
    the submission's outcome."""
    data_dir = grader.data_dir
    if data_dir is None:
        return Outcome(
            SubmissionStatus.ERROR,
            verdict=Verdict.IE,
            error_reason="no data directory to find run scripts in",
        )
    root = task_files(data_dir, course_slug, task.slug)
    script = str(task.limits[RUN_KEY].get("script", ""))
    host_script = root / script
    if not host_script.is_file():
        why = f"run script {script} is missing: import the course again"
        return Outcome(SubmissionStatus.ERROR, verdict=Verdict.IE, error_reason=why)
    job = ScriptJob(
        task_dir=root / "task",
        script=host_script,
        answers=script_answers(submission.input or {}),
        username=username,
        time=(submission.created_at or datetime.now(UTC)).strftime("%Y-%m-%d %H:%M:%S.%f"),
        common_dir=root / "common",
        limits=script_limits(task.limits),
        state=state,
    )
    return outcome_of_script(run_script(grader.sandbox or SandboxConfig(), job, supervision))


def previous_state(session: Session, task: Task, submission: Submission) -> str:
    """The ``feedback-state`` of the student's submission that counted for the task before this
    one was made (best or last graded, as the task evaluates); ``""`` when there is none."""
    earlier = session.scalars(
        sa.select(Submission).where(
            Submission.task_id == task.id,
            Submission.user_id == submission.user_id,
            Submission.id < submission.id,
            Submission.status == SubmissionStatus.DONE,
        )
    ).all()
    counted = evaluated_submission(task, earlier)
    return counted.state if counted is not None else ""


def script_answers(stored: Mapping[str, Any]) -> dict[str, Any]:
    """The stored answers as the script's input: ``<pid>/language`` keys left out, files decoded."""
    answers: dict[str, Any] = {}
    for key, value in stored.items():
        if "/" in key or key.startswith("@"):
            continue
        if isinstance(value, Mapping) and "filename" in value and "value" in value:
            try:
                content = base64.b64decode(str(value["value"]), validate=True)
            except (binascii.Error, ValueError):
                content = b""
            answers[key] = {"filename": str(value["filename"]), "content": content}
        else:
            answers[key] = value
    return answers


def outcome_of_script(script: ScriptOutcome) -> Outcome:
    """The submission's outcome: the script's result as verdict, its grade and its feedback."""
    verdict = VERDICTS.get(script.result, Verdict.IE)
    reason = ""
    if verdict == Verdict.IE:
        reason = f"run script result {script.result!r}: {script.run.stderr[-2000:].decode(errors='replace')}"
    return Outcome(
        SubmissionStatus.DONE,
        verdict=verdict,
        score=script.grade,
        grade=script.grade,
        feedback=rst_source(script.text),
        problems_feedback={
            pid: [result, rst_source(text)] for pid, (result, text) in script.problems.items()
        },
        error_reason=reason,
        custom=script.custom,
        tags=script.tags,
        state=script.state,
    )
