"""The competition pages (``verdict.faces.html.routes_competitions``) through real HTTP, on both
databases: the owner creates a competition from the form, starts it, plays rounds (matches played
by the platform's grading engine with the competitions' fake runner), undoes one after the
confirmation step, and finishes it; every refused action shows the service's message with 409;
others never see the owner's fields or actions; the form's refusals; the list; Catalan."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient
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
from tests.competitions.runners import FakeRunner
from tests.faces.html.helpers import csrf, log_in, post_form
from tests.support.users import MakeUser
from verdict.accounts.models import User
from verdict.competitions.matches import GameRef, MatchOutcome, MatchRunner, PlayerRef
from verdict.courses.models import Course, CourseMember
from verdict.grading.queue import NullQueue
from verdict.platform import Platform

pytestmark = pytest.mark.e2e
__all__ = ["grading_queue", "owner", "use_runner"]  # the competitions' fixtures, used here

UseRunner = Callable[[MatchRunner], PlayAll]
PAGE = "/competitions/Teacher/cup"
FORM = {
    "name": "cup",
    "title": "The Cup",
    "description": "Orchard for everyone",
    "annotation": "secret note",
    "course": "",
    "problem": "G00001_en",
    "expected_start": "2026-12-24T12:00",
}


class DyingRunner(FakeRunner):
    """The fake runner, whose players named Weak* die in every match (for the dead marks)."""

    def play(self, game: GameRef, players: Any, seed: int) -> MatchOutcome:
        outcome = super().play(game, players, seed)
        for seat, player in zip(outcome.seats, players, strict=True):
            if isinstance(player, PlayerRef) and player.name.startswith("Weak"):
                seat.dead, seat.reason = True, "no answer in time"
        return outcome


def enter(session: Session, make_user: MakeUser, names: list[str]) -> list[User]:
    users = []
    for name in names:
        user = make_user(f"u{name.lower()}")
        submit_player(session, user, player_source(name))
        users.append(user)
    return users


def act(client: TestClient, action: str, data: dict[str, str] | None = None) -> Any:
    return post_form(client, f"{PAGE}/actions/{action}", data or {}, page=PAGE)


def create(client: TestClient, **changes: str) -> Any:
    return post_form(client, "/competitions/new", {**FORM, **changes}, page="/competitions/new")


def test_the_owner_runs_a_competition_from_its_page(
    client: TestClient,
    session: Session,
    platform: Platform,
    owner: User,
    make_user: MakeUser,
    use_runner: UseRunner,
) -> None:
    store_game(session)
    play_all = use_runner(DyingRunner())
    enter(session, make_user, ["Ann", "Bob", "Cid", "Dan", "Weak1"])
    log_in(client, "Teacher")

    created = create(client)
    assert created.status_code == 303 and created.headers["location"] == f"{PAGE}?done=created"
    page = client.get(created.headers["location"]).text
    assert "The competition was created." in page and "The Cup" in page and "secret note" in page
    assert 'href="/problem/G00001_en"' in page and "2026-12-24 12:00 UTC" in page
    assert "uann@example.org" in page  # the owner sees the emails
    assert len(re.findall(r'name="csrf"', page)) == 3  # logout, language, start

    # A refused action shows the service's message, with its status.
    refused = act(client, "next")
    assert refused.status_code == 409 and "has not started" in refused.text and 'role="alert"' in refused.text

    assert act(client, "start").headers["location"] == f"{PAGE}?done=start"
    page = client.get(PAGE).text  # the buttons of the state: no start, no undo without a round
    assert f'{PAGE}/actions/next"' in page and "/actions/start" not in page and f"{PAGE}/undo" not in page
    assert isinstance(platform.queue, NullQueue)
    wakes = platform.queue.wakes
    assert act(client, "next").headers["location"] == f"{PAGE}?done=next"
    assert platform.queue.wakes == wakes + 6  # 5 players: two matches a turn, three turns

    # While the round is played, the page polls its rounds, and an action shows why it waits.
    page = client.get(PAGE).text
    assert f'hx-get="{PAGE}/rounds" hx-trigger="every 3s"' in page and "being played" in page
    refused = act(client, "finish")
    assert refused.status_code == 409 and "round 1 is still being played" in refused.text

    assert play_all() == 6
    part = client.get(f"{PAGE}/rounds")
    assert part.status_code == 200 and "hx-get" not in part.text and "<html" not in part.text
    assert part.text.count('data-match="') == 6
    assert "no answer in time" in part.text and ">dead<" in part.text
    assert "Standing after round 1" in part.text and "Eliminated after this round:" in part.text
    viewer = re.search(r'href="(/services/competitions/Teacher:cup/matches/1/1/viewer)"', part.text)
    output = re.search(r'href="(/services/competitions/Teacher:cup/matches/1/1/output)"', part.text)
    assert viewer and output
    assert client.get(output.group(1)).text.startswith("Game\n\nSeed ")
    assert client.get(viewer.group(1), follow_redirects=False).status_code == 307

    # Undo asks first; the confirmed POST deletes the round.
    assert act(client, "undo").headers["location"] == f"{PAGE}/undo"
    confirm = client.get(f"{PAGE}/undo")
    assert "Round 1, its matches and their results will be deleted for good" in confirm.text
    assert 'name="confirm" value="yes"' in confirm.text
    assert act(client, "undo", {"confirm": "yes"}).headers["location"] == f"{PAGE}?done=undo"
    assert "No round has been played yet." in client.get(PAGE).text

    act(client, "next")
    assert play_all() == 6
    act(client, "next")  # the final: three players, one match a turn
    assert play_all() == 3
    refused = act(client, "next")
    assert refused.status_code == 409 and "the final (round 2) has been played" in refused.text
    assert act(client, "finish").headers["location"] == f"{PAGE}?done=finish"
    page = client.get(PAGE).text
    assert 'data-status="finished"' in page and "Final ranking" in page and "data-winner=" in page
    assert "/actions/" not in page and f"{PAGE}/undo" not in page and f"{PAGE}/edit" in page
    assert re.search(r'<ol class="ranking">(\s*<li>\w+</li>){5}\s*</ol>', page)
    assert act(client, "start").status_code == 409


def test_others_never_see_the_owners_fields_nor_actions(
    client: TestClient, session: Session, owner: User, make_user: MakeUser, use_runner: UseRunner
) -> None:
    store_game(session)
    play_all = use_runner(FakeRunner())
    enter(session, make_user, ["Ann", "Bob"])
    log_in(client, "Teacher")
    create(client)
    act(client, "start")
    act(client, "next")
    play_all()
    owner_page = client.get(PAGE).text
    assert "secret note" in owner_page and "uann@example.org" in owner_page and " s)" in owner_page

    make_user("eve")
    for who in ("eve", None):
        client.cookies.clear()
        if who:
            log_in(client, who)
        page = client.get(PAGE)
        assert page.status_code == 200 and "The Cup" in page.text and "Ann" in page.text
        for hidden in ("secret note", "uann@example.org", "/actions/", "/edit", "/undo", " s)"):
            assert hidden not in page.text, (who, hidden)
        assert "/matches/1/1/viewer" in page.text  # the matches are public
    # An administrator runs the actions and sees the owner's fields, but edits only their own.
    make_user("root", role="admin")
    log_in(client, "root")
    page = client.get(PAGE).text
    assert "secret note" in page and f"{PAGE}/actions/next" in page and f"{PAGE}/edit" not in page
    assert client.get(f"{PAGE}/edit").status_code == 403
    # Eve is logged in again for the refusals.
    client.cookies.clear()
    log_in(client, "eve")
    for action in ("start", "next", "undo", "finish"):
        answer = act(client, action, {"confirm": "yes"})
        assert answer.status_code == 403, action
    assert client.get(f"{PAGE}/edit").status_code == 403
    assert client.get(f"{PAGE}/undo").status_code == 403
    assert client.get("/competitions/new").status_code == 403
    token = csrf(client, PAGE)
    assert client.post("/competitions/new", data={"csrf": token, **FORM}).status_code == 403
    assert client.post(f"{PAGE}/actions/next", data={"csrf": "forged"}).status_code == 403


def test_the_form_refuses_with_reasons_and_edits(
    client: TestClient, session: Session, owner: User, make_user: MakeUser
) -> None:
    store_game(session)
    session.add(Course(owner_id=owner.id, name="prog1", slug="prog1", title="Programming 1"))
    session.commit()
    log_in(client, "Teacher")
    for changes, status, reason in (
        ({"name": "bad name"}, 400, "is not a valid name"),
        ({"problem": "P99999"}, 400, "no problem P99999"),
        ({"course": "nope"}, 400, "you have no course"),
        ({"expected_start": "tomorrow"}, 400, "is not a date and time"),
    ):
        answer = create(client, **changes)
        assert answer.status_code == status and reason in answer.text, answer.text
        assert "The competition was not saved" in answer.text and 'value="The Cup"' in answer.text
    assert create(client, course="prog1").status_code == 303
    again = create(client)
    assert again.status_code == 409 and "already have a competition with this name" in again.text

    form = client.get(f"{PAGE}/edit").text
    assert 'value="G00001_en"' in form and 'value="2026-12-24T12:00"' in form and "secret note" in form
    assert '<option value="prog1" selected>' in form
    edited = post_form(
        client, f"{PAGE}/edit", {**FORM, "title": "The Big Cup", "course": "", "name": "ignored"}, page=PAGE
    )
    assert edited.headers["location"] == f"{PAGE}?done=saved"
    page = client.get(PAGE).text
    assert "The Big Cup" in page and "Programming 1" not in page
    assert client.get("/competitions/Teacher:cup").status_code == 404
    assert client.get("/competitions/Teacher/nope").status_code == 404


def test_the_list_shows_what_each_user_may_see_in_their_language(
    client: TestClient, session: Session, owner: User, make_user: MakeUser
) -> None:
    store_game(session)
    course = Course(owner_id=owner.id, name="prog1", slug="prog1", title="Programming 1")
    session.add(course)
    session.commit()
    member, stranger = make_user("mia"), make_user("sam")
    session.add(CourseMember(course_id=course.id, user_id=member.id, email=member.email))
    session.commit()
    log_in(client, "Teacher")
    create(client, name="open-cup", title="Open Cup")
    create(client, name="class-cup", title="Class Cup", course="prog1")
    assert "New competition" in client.get("/competitions").text

    seen: dict[str, str] = {}
    for who in ("mia", "sam", None):
        client.cookies.clear()
        if who:
            log_in(client, who)
        seen[str(who)] = client.get("/competitions").text
    assert "Open Cup" in seen["mia"] and "Class Cup" in seen["mia"]
    assert "Open Cup" in seen["sam"] and "Class Cup" not in seen["sam"]
    assert "Open Cup" in seen["None"] and "Class Cup" not in seen["None"]
    assert "New competition" not in seen["sam"]
    assert stranger.id != member.id

    client.cookies.set("verdict_lang", "ca")
    page = client.get("/competitions/Teacher/open-cup").text
    assert "Participants" in page and "Encara no s'ha jugat cap ronda." in page
    client.cookies.set("verdict_lang", "es")
    assert "Todavía no se ha jugado ninguna ronda." in client.get("/competitions/Teacher/open-cup").text
