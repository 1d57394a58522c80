"""Matches on the grading pipeline itself: Dramatiq (in-process broker) wakes grader threads,
which play a round's matches when no submission waits; the queue's sweeper puts back a match
whose grader was lost, and it is played again from its seed."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import timedelta

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.competitions.conftest import PlayAll, player_source, store_game, submit_player
from tests.competitions.flow import DOCUMENT, URL, action
from tests.competitions.runners import FakeRunner
from tests.support.jutge import doc, put
from tests.support.users import MakeUser
from verdict.accounts.models import User
from verdict.competitions import jobs
from verdict.competitions.matches import MatchRunner
from verdict.competitions.models import Match, MatchStatus
from verdict.db import utcnow
from verdict.grading.queue import DramatiqQueue
from verdict.platform import Platform

pytestmark = pytest.mark.integration
WAIT_SECONDS = 60.0


def _wait_for_round(client: TestClient, number: int) -> dict[str, object]:
    """Polls the round until it is done (bounded: the graders are threads of this process)."""
    end = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < end:
        round_doc: dict[str, object] = doc(client.get(f"{URL}/matches/{number}"))
        if round_doc["status"] == "done":
            return round_doc
        time.sleep(0.05)
    raise AssertionError(f"round {number} not played within {WAIT_SECONDS} s")


@pytest.mark.parametrize("grading_queue", [DramatiqQueue])
def test_a_round_is_played_by_the_graders_of_the_queue(
    client: TestClient,
    session: Session,
    platform: Platform,
    owner: User,
    make_user: MakeUser,
    use_runner: Callable[[MatchRunner], PlayAll],
) -> None:
    store_game(session)
    runner = FakeRunner()
    use_runner(runner)
    for name in ("Ann", "Bob", "Cid", "Dan", "Eve", "Fay", "Gus", "Hal", "Ivy"):
        submit_player(session, make_user(name.lower()), player_source(name))
    assert isinstance(platform.queue, DramatiqQueue)
    put(client, "/services/competitions", DOCUMENT, owner)
    action(client, owner, "start")

    # A grader claimed a match of round 1 and was killed; its lease has run out.
    # No grader threads yet: the wakes wait in the broker, and the claim below comes first.
    assert action(client, owner, "next")["matches"] == 9
    session.rollback()
    lost = jobs.claim_match(session, "killed-grader", 1, now=utcnow() - timedelta(minutes=5))
    assert lost is not None
    platform.queue.start_workers(2, sweep=False)
    assert lost in platform.queue.sweep()  # what the sweeper thread does every few seconds
    first = _wait_for_round(client, 1)
    assert sum(len(t["matches"]) for t in first["turns"]) == 9  # type: ignore[union-attr]
    session.expire_all()
    assert session.scalar(sa.select(sa.func.count()).where(Match.status != MatchStatus.DONE)) == 0
    assert sum(runner.played.values()) == 9  # the lost match once, by its new grader
    assert len(first["eliminated"]) == 4  # type: ignore[arg-type]

    assert action(client, owner, "next")["matches"] == 6  # 5 players: two matches a turn
    second = _wait_for_round(client, 2)
    assert len(second["eliminated"]) == 2  # type: ignore[arg-type]
    assert len(doc(client.get(URL))["remaining"]) == 3  # the final's players
