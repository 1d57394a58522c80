"""Players through the real grading path become participants (issue 16): Orchard imported as
a game problem by the package import, each player submitted as the faces submit
(``submit_to_problem``) and graded by the platform's own queue (Dramatiq's in-process broker, a
grader thread: GameGrader compiles the player with the game in the sandbox and plays it against
three Dummies). Only accepted players count, each user's latest accepted one; the competition is
tied to the game's language variant (``<id>_en``); two players sharing a ``PLAYER_NAME`` are
refused at the start with 409 naming it."""

from __future__ import annotations

import re
import shutil
import time
from pathlib import Path

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.competitions.conftest import ORCHARD, player_source
from tests.support.jutge import as_user, doc, error_of, put
from tests.support.users import MakeUser
from verdict.accounts.models import User
from verdict.grading.queue import DramatiqQueue
from verdict.judge.sandbox import check_available
from verdict.platform import Platform
from verdict.problems.store import import_package
from verdict.submissions.models import Submission, SubmissionStatus
from verdict.submissions.service import submit_to_problem

pytestmark = pytest.mark.e2e

BAD = Path(__file__).resolve().parents[1] / "fixtures" / "games"
GRADE_SECONDS = 600.0  # a player is compiled, then plays four matches; bounded, not a deadline
URL = "/services/competitions/Teacher:real"


def renamed(path: Path, name: str) -> str:
    return re.sub(r"#define PLAYER_NAME \w+", f"#define PLAYER_NAME {name}", path.read_text())


@pytest.fixture
def grading_queue() -> type[DramatiqQueue]:
    """The platform's own queue (tests/competitions/conftest.py has a NullQueue instead)."""
    return DramatiqQueue


@pytest.fixture
def game(platform: Platform) -> str:
    """Orchard imported by the package import (a game problem); the graders started. Its id."""
    if reason := check_available():
        pytest.skip(f"sandbox unavailable: {reason}")
    missing = [tool for tool in ("g++", "make") if shutil.which(tool) is None]
    if missing:
        pytest.skip(f"Orchard is built with g++ and make: {', '.join(missing)} not installed")
    with platform.session_scope() as session:
        problem = import_package(session, ORCHARD, settings=platform.settings).problem
        assert "en" in problem.languages
        problem_id = problem.id
    assert isinstance(platform.queue, DramatiqQueue)
    platform.queue.start_workers(1, sweep=False)  # stopped by the platform fixture
    return problem_id


def submit(platform: Platform, user: User, problem: str, source: str) -> int:
    with platform.sessionmaker() as session:
        return submit_to_problem(
            session, platform.queue, user_id=user.id, problem_id=problem, language="G++17", source=source
        )


def verdicts(session: Session, ids: list[int]) -> dict[int, str | None]:
    """Waits until the grader has graded every one of ``ids``; their verdicts."""
    end = time.monotonic() + GRADE_SECONDS
    while True:
        session.rollback()  # a fresh read: what the grader committed since
        rows = session.scalars(sa.select(Submission).where(Submission.id.in_(ids))).all()
        if all(row.status in (SubmissionStatus.DONE, SubmissionStatus.ERROR) for row in rows):
            session.commit()
            return {row.id: row.verdict for row in rows}
        assert time.monotonic() < end, [(row.id, row.status) for row in rows]
        time.sleep(0.2)


# SQLite only: real players graded in the sandbox; the service's SQL is tested on both by
# tests/competitions/test_competitions.py.
@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_graded_players_become_participants_and_names_must_be_unique(
    client: TestClient, session: Session, platform: Platform, owner: User, make_user: MakeUser, game: str
) -> None:
    ann, bob, cid, dan, eve, fay = (make_user(name) for name in ("ann", "bob", "cid", "dan", "eve", "fay"))
    variant = f"{game}_en"
    submitted = {
        "ann": submit(platform, ann, variant, player_source("Ann")),  # to the language variant
        "bob": submit(platform, bob, game, renamed(BAD / "AIBroken.cc", "Bob")),  # CE
        "cid": submit(platform, cid, game, renamed(BAD / "AICrash.cc", "Cid")),  # WA: dies
        "dan1": submit(platform, dan, game, player_source("DanOld")),
        "dan2": submit(platform, dan, variant, player_source("DanNew", "AIDummy.cc")),  # the latest
        "dan3": submit(platform, dan, game, renamed(BAD / "AICrash.cc", "DanWorst")),  # WA: not counted
        "eve": submit(platform, eve, game, player_source("Twin")),
        "fay": submit(platform, fay, game, player_source("Twin", "AIDummy.cc")),
    }
    graded = verdicts(session, list(submitted.values()))
    assert {key: graded[i] for key, i in submitted.items()} == {
        "ann": "AC",
        "bob": "CE",
        "cid": "WA",
        "dan1": "AC",
        "dan2": "AC",
        "dan3": "WA",
        "eve": "AC",
        "fay": "AC",
    }

    document = f"name: real\ntitle: Real players\nproblem: {variant}\n"
    assert put(client, "/services/competitions", document, owner).status_code == 201
    assert doc(client.get(URL))["problem"] == variant  # the competition keeps the variant
    listed = doc(client.get(f"{URL}/participants", headers=as_user(owner)))
    assert {row["player"] for row in listed} == {"Ann", "DanNew", "Twin"}
    assert len(listed) == 4  # eve's and fay's Twins: both listed until the start refuses them

    refused = error_of(put(client, f"{URL}/actions/start", "", owner), 409)
    assert "'Twin'" in refused["message"] and "eve" in refused["message"] and "fay" in refused["message"]
    assert doc(client.get(URL))["status"] == "open"

    # Fay renames her player: graded again, her latest accepted player is the new one.
    renamed_id = submit(platform, fay, game, player_source("Fay", "AIDummy.cc"))
    assert verdicts(session, [renamed_id]) == {renamed_id: "AC"}
    started = put(client, f"{URL}/actions/start", "", owner)
    assert started.status_code == 200, started.text
    frozen = doc(client.get(f"{URL}/participants", headers=as_user(owner)))
    assert sorted((row["player"], row["email"]) for row in frozen) == [
        ("Ann", ann.email),
        ("DanNew", dan.email),
        ("Fay", fay.email),
        ("Twin", eve.email),
    ]


def test_a_competition_names_a_language_the_game_has(
    client: TestClient, platform: Platform, owner: User
) -> None:
    with platform.session_scope() as session:
        problem = import_package(session, ORCHARD, settings=platform.settings).problem.id
    for ref, status in ((f"{problem}_en", 201), (f"{problem}_xx", 400)):
        document = f"name: lang\ntitle: Languages\nproblem: {ref}\n"
        response = put(client, "/services/competitions", document, owner)
        assert response.status_code == status, response.text
    assert doc(client.get("/services/competitions/Teacher:lang"))["problem"] == f"{problem}_en"
