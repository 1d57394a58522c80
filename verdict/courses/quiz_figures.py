"""The images of a Jutge quiz task: the files its questions name ``FIG_DIR/<name>``.

Only the names the loader listed as figures (images beside quiz.yml) are served, read from the
problem's current package, fetched by content hash like a grader does.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.orm import Session

from verdict.courses.models import Task
from verdict.problems.models import Problem, ProblemVersion
from verdict.problems.store import fetch_package


def quiz_figure(session: Session, task: Task, name: str, cache_dir: Path) -> Path | None:
    """The figure's file, or None when the task's quiz has no figure of that name."""
    if task.problem_id is None:
        return None
    problem = session.get(Problem, task.problem_id)
    version = session.get(ProblemVersion, problem.current_version_id) if problem else None
    quiz = (version.meta or {}).get("quiz") if version else None
    if version is None or not isinstance(quiz, dict) or name not in (quiz.get("figures") or []):
        return None
    root = fetch_package(session, version.blob_hash, cache_dir)
    path = root / str(quiz.get("folder") or "") / name
    return path if path.is_file() and not path.is_symlink() else None
