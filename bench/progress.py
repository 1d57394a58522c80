"""What publishing the grading's progress costs: an A+B problem of 100 tiny tests, its accepted C
program graded by the real engine (claim, judge in the sandbox, store) with the progress written
to the row and with it dropped (the same publisher, writing nothing), alternately, on SQLite and
then PostgreSQL (127.0.0.1:5432; skipped with the reason when unreachable).

Printed per backend: the median grading time both ways, their ratio, and the progress writes
made per submission (throttled to one per 0.25 s: a hundred tests make a few, not a hundred).

    .venv/bin/python bench/progress.py [--rounds 5] [--tests 100]
"""

from __future__ import annotations

import argparse
import secrets
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from burst import postgres_database

from verdict.accounts.models import User
from verdict.grading import service
from verdict.grading.engine import GradingEngine
from verdict.grading.service import NewSubmission
from verdict.platform import Platform, bootstrap
from verdict.problems.store import import_package
from verdict.settings import Settings
from verdict.submissions.models import Submission

ROOT = Path(__file__).resolve().parent.parent
ACCEPTED = (
    ROOT / "verdict" / "demo" / "packages" / "aplusb" / "submissions" / "accepted" / "sum.c"
).read_text()


class CountingEngine(GradingEngine):
    """The engine, its progress writes counted (``write``: True) or dropped (False)."""

    write = True
    writes = 0

    def _progress_writer(self, submission_id: int, owner: str) -> Callable[[str], object]:
        real = super()._progress_writer(submission_id, owner)

        def counted(text: str) -> object:
            self.writes += 1
            return real(text) if self.write else None

        return counted


def make_package(root: Path, tests: int) -> Path:
    package = root / "aplusb100"
    (package / "data" / "secret").mkdir(parents=True)
    (package / "problem.yaml").write_text("name: A plus B\nlimits:\n  time_limit: 1\n")
    for i in range(tests):
        a, b = i * 7919, i * 104729
        (package / "data" / "secret" / f"{i:03}.in").write_text(f"{a} {b}\n")
        (package / "data" / "secret" / f"{i:03}.ans").write_text(f"{a + b}\n")
    return package


def grade_one(platform: Platform, engine: CountingEngine, user_id: int, problem_id: str) -> float:
    with platform.session_scope() as session:
        submission_id = service.create_submission(
            session, NewSubmission(user_id, problem_id, "GCC", ACCEPTED)
        ).id
    started = time.perf_counter()
    assert engine.grade_next() == submission_id
    elapsed = time.perf_counter() - started
    with platform.sessionmaker() as session:
        row = session.get(Submission, submission_id)
        assert row is not None and row.verdict == "AC" and row.progress is None, row
    return elapsed


def measure(backend: str, database_url: str, tmp: Path, rounds: int, tests: int) -> None:
    settings = Settings(
        data_dir=tmp / backend, database_url=database_url, broker_url="", secret_key=secrets.token_urlsafe(48)
    )
    platform = bootstrap(settings, migrate=True)
    try:
        with platform.session_scope() as session:
            user = User(username="student", email="student@example.org")
            session.add(user)
            session.flush()
            problem_id = import_package(
                session, make_package(tmp / backend, tests), settings=settings
            ).problem.id
            user_id = user.id
        engine = CountingEngine(settings, platform.sessionmaker, platform.graders, name=f"bench-{backend}")
        grade_one(platform, engine, user_id, problem_id)  # warm: the compile cache, the package fetched
        times: dict[bool, list[float]] = {True: [], False: []}
        writes = 0
        for _ in range(rounds):
            for write in (True, False):
                engine.write, engine.writes = write, 0
                times[write].append(grade_one(platform, engine, user_id, problem_id))
                writes += engine.writes if write else 0
        with_progress, without = statistics.median(times[True]), statistics.median(times[False])
        print(f"{backend}: {tests} tests, median of {rounds} gradings (claim, judge, store)")
        print(f"  progress written : {with_progress:.3f} s  ({writes / rounds:.1f} writes per submission)")
        print(f"  progress dropped : {without:.3f} s")
        print(f"  ratio            : {with_progress / without:.3f}×")
    finally:
        platform.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--tests", type=int, default=100)
    arguments = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        measure("sqlite", f"sqlite:///{tmp}/verdict.db", Path(tmp), arguments.rounds, arguments.tests)
        with postgres_database() as url:
            if url is not None:
                measure("postgresql", url, Path(tmp), arguments.rounds, arguments.tests)


if __name__ == "__main__":
    main()
