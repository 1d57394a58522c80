"""Competition fixtures: Orchard (verdict/demo/packages/orchard.pbm) stored as a game problem,
players as accepted submissions to it, the platform's engine playing matches with a test runner."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from tests.support.users import MakeUser
from verdict.accounts.models import User
from verdict.competitions.jobs import CompetitionMatches
from verdict.competitions.matches import MatchRunner
from verdict.grading.queue import NullQueue
from verdict.judge.verdicts import Verdict
from verdict.platform import Platform
from verdict.problems.archives import Budget, pack_deterministic, walk_package
from verdict.problems.models import Problem, ProblemVersion
from verdict.problems.store import put_blob
from verdict.submissions.models import Submission, SubmissionStatus

ORCHARD = Path(__file__).resolve().parents[2] / "verdict" / "demo" / "packages" / "orchard.pbm"
GAME_ID = "G00001"


@pytest.fixture
def grading_queue() -> NullQueue:
    """Nobody is woken: each test plays the waiting matches itself with ``play_all``."""
    return NullQueue()


def store_game(
    session: Session, problem_id: str = GAME_ID, *, kind: str = "game", package: Path = ORCHARD
) -> Problem:
    """Orchard stored as a problem version, as the game import (C2, verdict/judge/games) will
    store it: the package packed into a blob, ``meta.type`` = ``game``. (The import of game
    packages is not on this branch yet, so the rows are made here.)"""
    blob = put_blob(
        session, pack_deterministic(package.name, walk_package(package, Budget(None, None, "game")))
    )
    problem = Problem(
        id=problem_id, package_id=problem_id, format="jutge", titles={"en": "Orchard"}, languages=["en"]
    )
    session.add(problem)
    session.flush()
    version = ProblemVersion(problem_id=problem.id, blob_hash=blob.hash, meta={"type": kind} if kind else {})
    session.add(version)
    session.flush()
    problem.current_version_id = version.id
    session.commit()
    return problem


def player_source(name: str, base: str = "AIDemo.cc") -> str:
    """A copy of the package's Demo (or Dummy) player named ``name``."""
    text = (ORCHARD / "Runner" / base).read_text()
    return re.sub(r"#define PLAYER_NAME \w+", f"#define PLAYER_NAME {name}", text)


def submit_player(session: Session, user: User, source: str, verdict: Verdict = Verdict.AC) -> Submission:
    """An accepted player (made here directly: the grading of players is C2's part)."""
    submission = Submission(
        user_id=user.id,
        problem_id=GAME_ID,
        language="G++17",
        source=source,
        status=SubmissionStatus.DONE,
        verdict=verdict,
    )
    session.add(submission)
    session.commit()
    return submission


PlayAll = Callable[[], int]


@pytest.fixture
def use_runner(platform: Platform, settings: object) -> Callable[[MatchRunner], PlayAll]:
    """Registers ``runner`` as the platform's match runner; returns ``play_all``, which lets the
    platform's grading engine take jobs until none waits (the number it took)."""

    def use(runner: MatchRunner) -> PlayAll:
        platform.graders.register_matches(CompetitionMatches(runner, platform.settings.data_dir / "packages"))
        engine = platform.grading_engine("test-grader")

        def play_all() -> int:
            count = 0
            while engine.grade_next() is not None:
                count += 1
            return count

        return play_all

    return use


@pytest.fixture
def owner(make_user: MakeUser) -> User:
    return make_user("Teacher", role="instructor")
