"""Competitions through /services/competitions with a deterministic fake runner: the whole flow
with 16 players, every refusal (409 and the others), what others see, and a match whose grader
was lost, replayed once and recorded once."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.competitions.conftest import PlayAll, player_source, store_game, submit_player
from tests.competitions.flow import DOCUMENT, URL, action, run_competition
from tests.competitions.runners import FakeRunner
from tests.support.jutge import as_user, doc, error_of, put
from tests.support.paths import good_package
from tests.support.users import MakeUser
from verdict.accounts.models import User
from verdict.competitions import jobs
from verdict.competitions.matches import MatchOutcome, MatchRunner, SeatOutcome
from verdict.competitions.models import Match, MatchStatus, Seat
from verdict.db import utcnow
from verdict.grading.queue import NullQueue
from verdict.judge.verdicts import Verdict
from verdict.platform import Platform

pytestmark = pytest.mark.e2e
UseRunner = Callable[[MatchRunner], PlayAll]


def enter(session: Session, make_user: MakeUser, names: list[str]) -> list[User]:
    users = []
    for name in names:
        user = make_user(f"u{name.lower()}")
        submit_player(session, user, player_source(name))
        users.append(user)
    return users


def test_a_whole_competition_with_16_players(
    client: TestClient,
    session: Session,
    platform: Platform,
    owner: User,
    make_user: MakeUser,
    use_runner: UseRunner,
) -> None:
    store_game(session)
    players = [f"P{n:02}" for n in range(1, 13)] + [f"Weak{n}" for n in range(1, 5)]
    users = enter(session, make_user, players)
    # A later accepted player replaces the earlier one; a rejected one does not count.
    submit_player(session, users[0], player_source("P01b"))
    submit_player(session, users[1], player_source("Nope"), Verdict.WA)
    players[0] = "P01b"
    runner = FakeRunner()
    assert isinstance(platform.queue, NullQueue)
    run_competition(client, session, owner, use_runner(runner), platform.queue, players)
    # 12 matches (16 players), 6 (8), the same 6 again after the undo, 3 in the final: each
    # match played once per time its round was played.
    assert sum(runner.played.values()) == 12 + 6 + 6 + 3


def test_every_refusal(
    client: TestClient,
    session: Session,
    platform: Platform,
    owner: User,
    make_user: MakeUser,
    use_runner: UseRunner,
) -> None:
    store_game(session)
    play_all = use_runner(FakeRunner())
    enter(session, make_user, ["Ann", "Bob", "Cid", "Dan", "Eve"])
    assert put(client, "/services/competitions", DOCUMENT, owner).status_code == 201
    assert put(client, "/services/competitions", DOCUMENT, owner).status_code == 200  # replaced
    student = session.scalar(sa.select(User).where(User.username == "uann"))
    assert student is not None

    def refused(name: str, words: str, user: User = owner, status: int = 409) -> None:
        message = error_of(put(client, f"{URL}/actions/{name}", "", user), status)["message"]
        assert words in message, message

    for name in ("next", "undo", "finish"):
        refused(name, "has not started")
    refused("start", "owner", student, 403)
    refused("dance", "no action", owner, 404)
    error_of(client.put(f"{URL}/actions/start"), 401)
    action(client, owner, "start")
    refused("start", "started already")
    refused("undo", "no round to undo")
    changed = DOCUMENT.replace("G00001_en", "G00001")
    assert put(client, "/services/competitions", changed, owner).status_code == 200
    message = error_of(
        put(client, "/services/competitions", DOCUMENT.replace("G00001_en", "P99999"), owner), 400
    )
    assert "no problem P99999" in message["message"]
    action(client, owner, "next")
    refused("next", "still being played")
    refused("finish", "still being played")
    deleted = error_of(client.delete(URL, headers=as_user(owner)), 409)["message"]
    assert "undo them before deleting" in deleted
    play_all()
    action(client, owner, "next")  # 5 players -> 3 left: the final
    play_all()
    refused("next", "final")
    action(client, owner, "finish")
    for name in ("start", "next", "undo", "finish"):
        refused(name, "started already" if name == "start" else "finished")
    error_of(client.get(f"{URL}/matches/9"), 404)
    error_of(client.get(f"{URL}/matches/1/99/output"), 404)
    error_of(client.get("/services/competitions/Teacher:nothing"), 404)


def test_the_game_problem_is_checked_and_names_must_be_unique(
    client: TestClient, session: Session, owner: User, make_user: MakeUser
) -> None:
    store_game(session)
    store_game(session, "P00002", kind="std", package=good_package("pe_ic.pbm"))
    not_game = DOCUMENT.replace("G00001_en", "P00002")
    message = error_of(put(client, "/services/competitions", not_game, owner), 400)["message"]
    assert "P00002 is not a game problem" in message
    # Without meta.type (a version stored before the game import), handler.yml decides.
    store_game(session, "G00003", kind="")
    assert (
        put(client, "/services/competitions", DOCUMENT.replace("G00001_en", "G00003"), owner).status_code
        == 201
    )
    assert doc(client.delete(URL, headers=as_user(owner))) == {"deleted": "Teacher:cup"}
    error_of(client.get(URL), 404)
    enter(session, make_user, ["Same"])
    twin = make_user("twin")
    submit_player(session, twin, player_source("Same"))
    assert put(client, "/services/competitions", DOCUMENT, owner).status_code == 201
    clash = error_of(put(client, f"{URL}/actions/start", "", owner), 409)["message"]
    assert "both named 'Same'" in clash
    student = make_user("student")
    error_of(put(client, "/services/competitions", DOCUMENT.replace("cup", "mine"), student), 403)


def test_owner_only_fields_are_hidden(
    client: TestClient, session: Session, owner: User, make_user: MakeUser, use_runner: UseRunner
) -> None:
    store_game(session)
    play_all = use_runner(FakeRunner())
    enter(session, make_user, ["Ann", "Bob"])
    put(client, "/services/competitions", DOCUMENT, owner)
    other = make_user("other", role="instructor")
    for headers in ({}, as_user(other)):
        seen = doc(client.get(URL, headers=headers))
        assert "annotation" not in seen and seen["title"] == "The Cup" and seen["problem"] == "G00001_en"
        assert all("email" not in row for row in doc(client.get(f"{URL}/participants", headers=headers)))
    assert doc(client.get("/services/competitions", headers=as_user(owner))) == {"Teacher:cup": "The Cup"}
    assert client.get("/services/competitions?format=json", headers=as_user(other)).json() == {}
    action(client, owner, "start")
    action(client, owner, "next")
    play_all()
    match = doc(client.get(f"{URL}/matches/1"))["turns"][0]["matches"][0]
    assert "cpu" not in match and match["players"].count("Dummy") == 2
    assert "cpu" in doc(client.get(f"{URL}/matches/1", headers=as_user(owner)))["turns"][0]["matches"][0]
    output = client.get(f"{URL}/matches/1/1/output")
    assert output.status_code == 200 and output.text.startswith("Game\n\nSeed ")
    error_of(client.delete(URL, headers=as_user(other)), 403)


def test_a_match_whose_lease_expires_is_replayed_once_and_recorded_once(
    client: TestClient, session: Session, owner: User, make_user: MakeUser, use_runner: UseRunner
) -> None:
    store_game(session)
    runner = FakeRunner()
    play_all = use_runner(runner)
    enter(session, make_user, ["Ann", "Bob", "Cid", "Dan", "Eve", "Fay"])
    put(client, "/services/competitions", DOCUMENT, owner)
    action(client, owner, "start")
    action(client, owner, "next")
    # A grader claims a match, then is killed: its lease runs out.
    session.rollback()
    lost = jobs.claim_match(session, "dead-grader", 30)
    assert lost is not None
    assert play_all() == 5  # the other five; the lost one is still "playing"
    assert doc(client.get(f"{URL}/matches/1"))["status"] == "playing"
    session.rollback()
    assert jobs.sweep_expired_matches(session, utcnow() + timedelta(seconds=5)) == []
    assert jobs.sweep_expired_matches(session, utcnow() + timedelta(seconds=60)) == [lost]
    assert play_all() == 1
    session.expire_all()
    replayed = session.get(Match, lost)
    assert replayed is not None and replayed.status == MatchStatus.DONE and replayed.attempts == 2
    assert runner.played[replayed.seed] == 1
    # The dead grader's late result is dropped: recorded once.
    late = MatchOutcome([SeatOutcome(score=-5)] * 4, b"late")
    session.rollback()
    assert not jobs.complete_match(session, lost, "dead-grader", late)
    scores = session.scalars(sa.select(Seat.score).where(Seat.match_id == lost)).all()
    assert len(scores) == 4 and -5 not in scores
    assert doc(client.get(f"{URL}/matches/1"))["status"] == "done"


def test_a_match_that_cannot_be_played_is_retried_then_given_up(
    client: TestClient, session: Session, owner: User, make_user: MakeUser, use_runner: UseRunner
) -> None:
    store_game(session)
    runner = FakeRunner()
    play_all = use_runner(runner)
    enter(session, make_user, ["Ann", "Bob"])
    put(client, "/services/competitions", DOCUMENT, owner)
    action(client, owner, "start")
    action(client, owner, "next")
    broken = session.scalars(sa.select(Match).order_by(Match.id)).first()
    assert broken is not None
    runner.fail_seeds.add(broken.seed)
    play_all()
    assert runner.played[broken.seed] == jobs.MAX_ATTEMPTS
    round_doc = doc(client.get(f"{URL}/matches/1", headers=as_user(owner)))
    assert round_doc["status"] == "done"
    first = round_doc["turns"][0]["matches"][0]
    assert first["status"] == "error" and "referee crashed" in first["error"]


def test_bad_documents_are_refused_with_the_field(client: TestClient, session: Session, owner: User) -> None:
    store_game(session)
    cases = {
        "title: no name\n": "name: missing required field",
        DOCUMENT.replace("2026-12-24 12:00", "soon"): "expected_start: 'soon' is not a date",
        DOCUMENT + "course: nowhere\n": "course: you have no course 'nowhere'",
        DOCUMENT.replace("name: cup", "name: 'a b'"): "is not a valid name",
        "- a list\n": "must be a mapping",
    }
    for body, words in cases.items():
        message = error_of(put(client, "/services/competitions", body, owner), 400)["message"]
        assert words in message, (body, message)
    created = doc(put(client, "/services/competitions", DOCUMENT, owner))
    assert created["expected_start"] == "2026-12-24 12:00" and created["status"] == "open"
    assert error_of(client.get("/services/competitions"), 401)


def test_odd_addresses_are_client_errors(client: TestClient, session: Session, owner: User) -> None:
    """No address of the family is a server error (TestClient raises one)."""
    store_game(session)
    put(client, "/services/competitions", DOCUMENT, owner)
    paths = [
        f"{URL}/matches/{10**30}",
        f"{URL}/matches/-1",
        f"{URL}/matches/x",
        f"{URL}/matches/1/{10**30}/output",
        f"{URL}/matches/1/1/viewer/..%2F..%2Fhandler.yml",
        "/services/competitions/Teacher:a%00b",
        "/services/competitions/:",
        "/services/competitions/nobody",
        f"/services/competitions/Teacher:{'x' * 5000}/participants",
    ]
    for path in paths:
        for headers in ({}, as_user(owner)):
            status = client.get(path, headers=headers).status_code
            assert 400 <= status < 500, (path, status)
    for name in ("x" * 300, "%00", "next%2F..", str(10**30)):
        status = put(client, f"{URL}/actions/{name}", "", owner).status_code
        assert 400 <= status < 500, (name, status)


def test_a_match_of_a_dead_grader_is_put_back_before_its_lease_ends(
    client: TestClient, session: Session, owner: User, make_user: MakeUser, use_runner: UseRunner
) -> None:
    store_game(session)
    runner = FakeRunner()
    play_all = use_runner(runner)
    enter(session, make_user, ["Ann", "Bob"])
    put(client, "/services/competitions", DOCUMENT, owner)
    action(client, owner, "start")
    action(client, owner, "next")
    session.rollback()
    lost = jobs.claim_match(session, "killed-grader", 3600)
    assert lost is not None
    assert jobs.sweep_expired_matches(session, is_dead=lambda owner: owner == "live-grader") == []
    assert jobs.sweep_expired_matches(session, is_dead=lambda owner: owner == "killed-grader") == [lost]
    assert play_all() == 3 and sum(runner.played.values()) == 3
    assert doc(client.get(f"{URL}/matches/1"))["status"] == "done"
