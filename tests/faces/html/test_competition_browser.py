"""The competition pages in a real browser (Chromium through Playwright, with the skip rules of
``test_browser.py``): the owner creates a competition from the form, starts it and plays a round;
the page shows the matches as the platform's grading engine plays them (htmx polling, no reload),
and the "watch" link opens the game's viewer, which replays a real Orchard match (the package's
plain ``Game`` built by ``tests/competitions/runners.py``'s PlainGameRunner)."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.orm import Session

from tests.competitions.conftest import (
    PlayAll,
    grading_queue,
    owner,
    player_source,
    store_game,
    submit_player,
    use_runner,
)
from tests.competitions.runners import PlainGameRunner
from tests.faces.html.test_browser import DESKTOP, Console, browser, screenshot, shots, sync_api
from tests.support.servers import uvicorn_thread
from tests.support.users import MakeUser
from verdict.accounts.models import User
from verdict.competitions.matches import MatchRunner
from verdict.platform import Platform
from verdict.web.app import create_app

pytestmark = [pytest.mark.e2e, pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)]
__all__ = ["browser", "grading_queue", "owner", "shots", "use_runner"]  # fixtures used here

expect = sync_api.expect
POLL_WAIT_MS = 20_000  # the page polls every 3 s
VIEWER_WAIT_MS = 30_000


@pytest.fixture
def game_runner(tmp_path: Path) -> PlainGameRunner:
    missing = [tool for tool in ("g++", "make") if shutil.which(tool) is None]
    if missing:
        pytest.skip(f"Orchard is built with g++ and make: {', '.join(missing)} not installed")
    return PlainGameRunner(tmp_path / "games")


@pytest.fixture
def server(platform: Platform, owner: User) -> Iterator[str]:
    with uvicorn_thread(create_app(platform=platform)) as port:
        yield f"http://127.0.0.1:{port}"


def test_the_owner_plays_a_round_and_watches_a_match(
    browser: Any,
    server: str,
    session: Session,
    owner: User,
    make_user: MakeUser,
    use_runner: Callable[[MatchRunner], PlayAll],
    game_runner: PlainGameRunner,
    shots: Path,
) -> None:
    store_game(session)
    submit_player(session, make_user("ann"), player_source("Ann"))
    submit_player(session, make_user("bob"), player_source("Bob", "AIDummy.cc"))
    play_all = use_runner(game_runner)

    context = browser.new_context(viewport=DESKTOP, locale="en-US")
    page = context.new_page()
    console = Console(page)
    page.goto(server + "/login?next=/competitions")
    page.get_by_label("Username or email").fill("Teacher")
    page.get_by_label("Password").fill("correct horse battery")
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(server + "/competitions")

    page.get_by_role("link", name="New competition").click()
    page.wait_for_url(server + "/competitions/new")
    page.get_by_label("Name").fill("cup")
    page.get_by_label("Title").fill("The Cup")
    page.get_by_label("Description").fill("Orchard for everyone")
    page.get_by_label("Game problem").fill("G00001_en")
    screenshot(page, shots, "competition-form")
    page.get_by_role("button", name="Save").click()
    page.wait_for_url(server + "/competitions/Teacher/cup?done=created")
    assert page.get_by_role("heading", name="The Cup").is_visible()
    assert page.get_by_role("cell", name="ann@example.org").is_visible()  # the owner sees emails

    page.get_by_role("button", name="Start").click()
    page.wait_for_url(server + "/competitions/Teacher/cup?done=start")
    page.get_by_role("button", name="Play the next round").click()
    page.wait_for_url(server + "/competitions/Teacher/cup?done=next")
    assert page.get_by_text("This round is being played").is_visible()
    page.evaluate("window.__notReloaded = true")  # gone if the page were loaded again

    assert play_all() == 3  # two players: one match a turn, three turns
    expect(page.locator("[data-match]")).to_have_count(3, timeout=POLL_WAIT_MS)
    expect(page.get_by_role("link", name="Watch match 1").first).to_be_visible(timeout=POLL_WAIT_MS)
    assert page.evaluate("window.__notReloaded") is True
    assert page.get_by_text("Final ranking").is_visible()  # two players: round 1 is the final
    screenshot(page, shots, "competition")

    with context.expect_page() as opened:
        page.get_by_role("link", name="Watch match 1").first.click()
    viewer = opened.value
    viewer.wait_for_load_state()
    assert "/services/competitions/Teacher:cup/matches/1/1/viewer/viewer.html?game=" in viewer.url
    expect(viewer.locator("#round")).to_contain_text("Round", timeout=VIEWER_WAIT_MS)
    expect(viewer.locator("body")).to_contain_text("/ 200", timeout=VIEWER_WAIT_MS)
    expect(viewer.locator("body")).to_contain_text("Ann", timeout=VIEWER_WAIT_MS)
    viewer.screenshot(path=str(shots / "competition-viewer.png"), full_page=True)

    # Undo with the keyboard alone: the link, then the confirmation's button.
    page.bring_to_front()
    page.get_by_role("link", name="Undo the last round").focus()
    page.keyboard.press("Enter")
    page.wait_for_url(server + "/competitions/Teacher/cup/undo")
    assert page.get_by_text("will be deleted for good").is_visible()
    screenshot(page, shots, "competition-undo")
    page.get_by_role("button", name="Delete round 1").focus()
    page.keyboard.press("Enter")
    page.wait_for_url(server + "/competitions/Teacher/cup?done=undo")
    assert page.get_by_text("No round has been played yet.").is_visible()

    assert console.problems == []
    context.close()
