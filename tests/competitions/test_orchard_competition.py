"""A whole competition of Orchard with real matches: 16 players (8 copies of the Demo and 8 of
the Dummy, as accepted submissions), each match played by the package's plain ``Game`` built in
a temporary folder (unsandboxed: the sandboxed runner of verdict/judge/games replaces it in the
platform). The viewer link serves the package's Viewer/ with the match's output."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.competitions.conftest import ORCHARD, PlayAll, player_source, store_game, submit_player
from tests.competitions.flow import DOCUMENT, URL, action, play_round, run_competition
from tests.competitions.runners import PlainGameRunner
from tests.support.jutge import doc, put
from tests.support.servers import uvicorn_thread
from tests.support.users import MakeUser
from verdict.accounts.models import User
from verdict.competitions.matches import MatchRunner
from verdict.grading.queue import NullQueue
from verdict.judge.sandbox import check_available
from verdict.platform import Platform

pytestmark = pytest.mark.integration


@pytest.fixture
def game_runner(tmp_path: Path) -> PlainGameRunner:
    missing = [tool for tool in ("g++", "make") if shutil.which(tool) is None]
    if missing:
        pytest.skip(f"Orchard is built with g++ and make: {', '.join(missing)} not installed")
    return PlainGameRunner(tmp_path / "games")


def test_sixteen_players_play_orchard_to_the_end(
    client: TestClient,
    session: Session,
    platform: Platform,
    owner: User,
    make_user: MakeUser,
    use_runner: Callable[[MatchRunner], PlayAll],
    game_runner: PlainGameRunner,
) -> None:
    store_game(session)
    demos = [f"Demo{n}" for n in range(1, 9)]
    dummies = [f"Dumb{n}" for n in range(1, 9)]
    for name in demos:
        submit_player(session, make_user(name.lower()), player_source(name))
    for name in dummies:
        submit_player(session, make_user(name.lower()), player_source(name, "AIDummy.cc"))
    assert isinstance(platform.queue, NullQueue)
    final = run_competition(client, session, owner, use_runner(game_runner), platform.queue, demos + dummies)
    assert game_runner.played == 12 + 6 + 6 + 3
    # The Demo beats the Dummy (tests/judge/test_demo_game.py): the final is the Demos'.
    assert {row["player"] for row in final["standing"]} <= set(demos)

    match = final["turns"][0]["matches"][0]
    output = client.get(match["output"])
    assert output.status_code == 200 and output.text.startswith(f"Game\n\nSeed {match['seed']}\n")
    assert f"names {' '.join(match['players'])}" in output.text
    scores = [line for line in output.text.splitlines() if line.startswith("score ")][-1]
    assert scores == "score " + " ".join(str(score) for score in match["scores"])

    viewer = client.get(match["viewer"], follow_redirects=False)
    assert viewer.status_code == 307
    target = viewer.headers["location"]
    assert target.endswith(f"/viewer/viewer.html?game={URL}/matches/3/1/output")
    page = client.get(target)
    assert page.status_code == 200 and page.text == (ORCHARD / "Viewer" / "viewer.html").read_text()
    script = client.get(target.split("viewer.html")[0] + "viewer.js")
    assert script.status_code == 200 and "URLSearchParams" in script.text
    assert client.get(target.split("viewer.html")[0] + "..%2Fhandler.yml").status_code == 404
    assert doc(client.get(URL))["winner"] in demos


# SQLite only: the viewer is the point; the SQL is the 16-player test's, on both.
@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_the_viewer_link_renders_the_match_in_chromium(
    app: FastAPI,
    client: TestClient,
    session: Session,
    platform: Platform,
    owner: User,
    make_user: MakeUser,
    use_runner: Callable[[MatchRunner], PlayAll],
    game_runner: PlainGameRunner,
    tmp_path: Path,
) -> None:
    """The viewer link, followed by headless Chromium from the server itself: the page replays
    the match's output (fetched from its sandboxed origin, with CORS)."""
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    if browser is None:
        pytest.skip("chromium is not installed")
    store_game(session)
    submit_player(session, make_user("ann"), player_source("Ann"))
    submit_player(session, make_user("bob"), player_source("Bob", "AIDummy.cc"))
    play_all = use_runner(game_runner)
    put(client, "/services/competitions", DOCUMENT, owner)
    action(client, owner, "start")
    action(client, owner, "next")
    assert play_all() == 3
    viewer = client.get(f"{URL}/matches/1/1/viewer", follow_redirects=False).headers["location"]
    assert client.get(viewer).headers["content-security-policy"] == "sandbox allow-scripts"
    with uvicorn_thread(app) as port:
        flags = ["--headless", "--no-sandbox", "--disable-gpu", "--virtual-time-budget=5000"]
        dumped = subprocess.run(
            [
                browser,
                *flags,
                f"--user-data-dir={tmp_path / 'chromium'}",
                "--dump-dom",
                f"http://127.0.0.1:{port}{URL}/matches/1/1/viewer",
            ],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
    assert dumped.returncode == 0, dumped.stderr[-2000:]
    page = dumped.stdout
    assert 'id="round">Round ' in page and " / 200</div>" in page, page[-3000:]
    assert "<td>Ann</td>" in page and "<td>Bob</td>" in page
    assert 'role="alert"></div>' in page  # no error shown


# SQLite only: the sandboxed runner is the point; the SQL is the 16-player test's, on both.
@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_the_platform_plays_the_matches_in_the_sandbox(
    client: TestClient, session: Session, platform: Platform, owner: User, make_user: MakeUser
) -> None:
    """No runner registered by the test: the platform's own (verdict.competitions.sandboxed) plays
    every match with the referee and each player in a sandbox of their own. Six players: a round
    of two matches a turn (padded with Dummies), three go, then the final."""
    if reason := check_available():
        pytest.skip(f"sandbox unavailable: {reason}")
    store_game(session)
    demos, dummies = ["Demo1", "Demo2", "Demo3"], ["Dumb1", "Dumb2", "Dumb3"]
    for name in demos:
        submit_player(session, make_user(name.lower()), player_source(name))
    for name in dummies:
        submit_player(session, make_user(name.lower()), player_source(name, "AIDummy.cc"))
    engine = platform.grading_engine("sandboxed")

    def play_all() -> int:
        played = 0
        while engine.grade_next() is not None:
            played += 1
        return played

    assert put(client, "/services/competitions", DOCUMENT, owner).status_code == 201
    assert action(client, owner, "start")["status"] == "started"
    first = play_round(client, owner, play_all, platform.queue, 6)  # type: ignore[arg-type]
    final = play_round(client, owner, play_all, platform.queue, 3)  # type: ignore[arg-type]
    assert {row["player"] for row in final["standing"]} == set(demos)  # the Demo beats the Dummy
    assert set(first["eliminated"]) == set(dummies)
    match = final["turns"][0]["matches"][0]
    output = client.get(match["output"])
    # The secure referee's match file: the plain Game's, but for its first line (the viewer reads both).
    assert output.status_code == 200 and output.text.startswith(f"SecGame\n\nSeed {match['seed']}\n")
