"""A whole competition through the services with 16 players, shared by the test with the fake
runner and the one with Orchard's real Game."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.competitions.conftest import PlayAll
from tests.support.jutge import as_user, doc, error_of, put
from verdict.accounts.models import User
from verdict.grading.queue import NullQueue

URL = "/services/competitions/Teacher:cup"
DOCUMENT = (
    "name: cup\ntitle: The Cup\ndescription: Orchard for everyone\nannotation: secret note\n"
    "problem: G00001_en\nexpected_start: 2026-12-24 12:00\n"
)


def action(client: TestClient, owner: User, name: str) -> Any:
    response = put(client, f"{URL}/actions/{name}", "", owner)
    assert response.status_code == 200, response.text
    return doc(response)


def matches_of(client: TestClient, number: int) -> dict[str, Any]:
    response = client.get(f"{URL}/matches/{number}")
    assert response.status_code == 200, response.text
    result: dict[str, Any] = doc(response)
    return result


def results(round_doc: dict[str, Any]) -> list[tuple[int, list[str], list[int]]]:
    return [(m["seed"], m["players"], m["scores"]) for t in round_doc["turns"] for m in t["matches"]]


def play_round(
    client: TestClient, owner: User, play_all: PlayAll, queue: NullQueue, players: int
) -> dict[str, Any]:
    """next, then the graders play every match; checks the round's shape; its matches document."""
    wakes = queue.wakes
    answer = action(client, owner, "next")
    per_turn = -(-players // 4)
    assert answer["matches"] == 3 * per_turn and queue.wakes == wakes + answer["matches"]
    assert play_all() == answer["matches"]
    round_doc = matches_of(client, answer["round"])
    assert round_doc["status"] == "done"
    assert [t["turn"] for t in round_doc["turns"]] == [1, 2, 3]
    for turn in round_doc["turns"]:
        assert len(turn["matches"]) == per_turn
        seated = [p for m in turn["matches"] for p in m["players"] if p != "Dummy"]
        assert len(seated) == len(set(seated)) == players  # everyone once a turn
        for match in turn["matches"]:
            assert len(match["players"]) == 4 and match["status"] == "done"
            assert len(match["scores"]) == 4 and match["viewer"].endswith("/viewer")
    standing = round_doc["standing"]
    assert len(standing) == players
    assert standing == sorted(standing, key=lambda row: (-row["points"], -row["score"], row["player"]))
    out = 0 if players <= 4 else max(1, players // 2)
    assert sorted(round_doc["eliminated"]) == sorted(row["player"] for row in standing[players - out :])
    return round_doc


def run_competition(
    client: TestClient, session: Session, owner: User, play_all: PlayAll, queue: NullQueue, players: list[str]
) -> dict[str, Any]:
    """PUT, participants, start, three rounds (16 → 8 → 4 → final), undo and replay of round 2,
    finish; returns the last round's document."""
    assert put(client, "/services/competitions", DOCUMENT, owner).status_code == 201
    listed = doc(client.get(f"{URL}/participants", headers=as_user(owner)))
    assert sorted(row["player"] for row in listed) == sorted(players)
    assert all(row["email"].endswith("@example.org") for row in listed)
    assert all("email" not in row for row in doc(client.get(f"{URL}/participants")))  # anonymous
    assert action(client, owner, "start")["status"] == "started"

    first = play_round(client, owner, play_all, queue, 16)
    second = play_round(client, owner, play_all, queue, 8)
    assert not set(first["eliminated"]) & {p for row in second["standing"] for p in [row["player"]]}

    # Undo round 2: its results are gone and its players back; played again, the same round.
    assert action(client, owner, "undo")["round"] == 2
    error_of(client.get(f"{URL}/matches/2"), 404)
    assert len(doc(client.get(URL))["remaining"]) == 8
    again = play_round(client, owner, play_all, queue, 8)
    assert results(again) == results(second) and again["eliminated"] == second["eliminated"]

    final = play_round(client, owner, play_all, queue, 4)
    assert final["eliminated"] == []
    refused = error_of(put(client, f"{URL}/actions/next", "", owner), 409)
    assert "final" in refused["message"]
    assert action(client, owner, "finish")["status"] == "finished"

    state = doc(client.get(URL))
    assert state["status"] == "finished" and state["rounds"] == 3 and "annotation" not in state
    assert state["winner"] == final["standing"][0]["player"]
    ranking = [row["player"] for row in state["ranking"]]
    assert len(ranking) == 16 and ranking[:4] == [row["player"] for row in final["standing"]]
    assert set(ranking[4:8]) == set(second["eliminated"]) and set(ranking[8:]) == set(first["eliminated"])
    assert doc(client.get(URL, headers=as_user(owner)))["annotation"] == "secret note"
    return final
