"""Grading time of an INGInious task graded by its run script (bash, and Python), against the same
task graded natively by the judge from a ``tests/`` folder: the fixture course
tests/fixtures/inginious/scripts (``bash_whole``, ``python_whole``, ``native_whole``: read n,
print 2n, three cases), the same accepted Python program, median over ``--runs`` gradings each.

    .venv/bin/python bench/run_scripts.py [--runs 20]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.orm import Session

from verdict.accounts.models import Role, User
from verdict.courses.inginious_import import import_inginious_course
from verdict.courses.models import Task
from verdict.grading.graders import SubmissionKind
from verdict.grading.queue import NullQueue
from verdict.platform import bootstrap, default_graders
from verdict.problems.models import Problem
from verdict.settings import Settings
from verdict.submissions.models import Submission

COURSE = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "inginious" / "scripts"
PROGRAM = "print(2 * int(input()))\n"
TASKS = {
    "bash_whole": "run script, bash",
    "python_whole": "run script, Python",
    "native_whole": "native (tests/)",
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-run-scripts-") as tmp:
        platform = bootstrap(Settings(data_dir=Path(tmp) / "data"), migrate=True, queue=NullQueue())
        with platform.session_scope() as session:
            teacher = User(
                username="teacher", email="teacher@example.org", password_hash=None, role=Role.INSTRUCTOR
            )
            session.add(teacher)
            session.flush()
            import_inginious_course(session, COURSE, settings=platform.settings, owner=teacher)
            session.flush()
            tasks = {t.slug: (t.id, t.course_id, t.problem_id) for t in session.scalars(sa.select(Task))}
            versions = _versions(session, tasks)
            teacher_id = teacher.id
        engine = platform.grading_engine()
        grade = default_graders(platform.settings)[SubmissionKind.TASK]
        medians = {}
        for slug, label in TASKS.items():
            task_id, course_id, _ = tasks[slug]
            submission = Submission(
                id=0,
                user_id=teacher_id,
                task_id=task_id,
                course_id=course_id,
                problem_version_id=versions.get(slug),
                language="Python3",
                source=PROGRAM,
                input={"code": PROGRAM, "code/language": "Python3"},
            )
            times = []
            for _ in range(args.runs):
                began = time.perf_counter()
                outcome = grade(engine, submission)
                times.append(time.perf_counter() - began)
                assert outcome.grade == 100.0, (slug, outcome)
            medians[slug] = statistics.median(times)
            print(f"  {label:<20}: median {medians[slug]:.3f} s per submission ({args.runs} runs)")
        platform.close()
    native = medians["native_whole"]
    for slug in ("bash_whole", "python_whole"):
        print(f"  {TASKS[slug]} / native: {medians[slug] / native:.2f}×")


def _versions(session: Session, tasks: dict[str, tuple[int, int, str | None]]) -> dict[str, int]:
    """The problem version that grades each natively graded task."""
    versions = {}
    for slug, (_, _, problem_id) in tasks.items():
        if problem_id is not None:
            problem = session.get(Problem, problem_id)
            if problem is not None and problem.current_version_id is not None:
                versions[slug] = problem.current_version_id
    return versions


if __name__ == "__main__":
    main()
