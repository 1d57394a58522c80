"""The administrators' status page and ``/admin/status.json`` through HTTP (TestClient, SQLite
and PostgreSQL), against a state the test builds: waiting, graded and failed submissions with
known times (the platform's clock stands still), lease owners of a live, a dead and a far-away
worker, and a sandbox slot held with flock in a lock folder of the test's own."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.faces.html.helpers import log_in
from tests.support.clock import ManualClock
from tests.support.users import MakeUser, basic
from verdict.accounts import service as accounts
from verdict.accounts.models import User
from verdict.faces.html import routes_admin
from verdict.grading import owners
from verdict.judge.slots import SlotPool
from verdict.judge.verdicts import Verdict
from verdict.submissions.models import Submission, SubmissionStatus

pytestmark = pytest.mark.e2e

WAITING, GRADING, DONE, ERROR = (
    SubmissionStatus.WAITING,
    SubmissionStatus.GRADING,
    SubmissionStatus.DONE,
    SubmissionStatus.ERROR,
)


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def slot_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "slots"
    monkeypatch.setattr(routes_admin, "lock_dir", lambda _settings: folder)
    return folder


@pytest.fixture
def root(make_user: MakeUser) -> User:
    return make_user("root", role="admin")


@pytest.fixture
def held_slot(slot_dir: Path) -> Iterator[int]:
    """One sandbox slot held (flock) as a worker holds it while a program runs."""
    pool = SlotPool(slot_dir)
    slot, fd = pool.acquire(2)
    yield slot
    pool.release(fd)


def dead_owner() -> str:
    """A lease owner naming a process of this machine that does not exist."""
    here = owners.ProcessIdentity.current()
    gone = owners.ProcessIdentity(here.host, here.boot_id, here.pid_namespace, 2**22 + 7, 12345)
    return owners.lease_owner(owners.engine_name(gone), 1)


def build_state(session: Session, user: User, now: datetime) -> str:
    """The submissions of the figures the tests expect; returns the live engine's name."""
    ago = lambda **delta: now - timedelta(**delta)  # noqa: E731
    live_engine = owners.engine_name(owners.ProcessIdentity.current())
    rows = [
        # Waiting: the oldest since 10 minutes.
        dict(status=WAITING, created_at=ago(minutes=10)),
        dict(status=WAITING, created_at=ago(minutes=2)),
        dict(status=WAITING, created_at=ago(seconds=30)),
        # Grading: two threads of a live engine here, one dead process, one expired lease elsewhere.
        dict(
            status=GRADING, lease_owner=owners.lease_owner(live_engine, 1), lease_expires_at=ago(seconds=-60)
        ),
        dict(
            status=GRADING, lease_owner=owners.lease_owner(live_engine, 2), lease_expires_at=ago(seconds=-60)
        ),
        dict(status=GRADING, lease_owner=dead_owner(), lease_expires_at=ago(seconds=-60)),
        dict(status=GRADING, lease_owner="far|boot|1|77|1|abcd|3", lease_expires_at=ago(seconds=10)),
        # Graded: 2 in the last minute, 3 in 5 minutes, 5 in the hour; 2 internal errors in the hour.
        dict(status=DONE, verdict=Verdict.AC, graded_at=ago(seconds=30)),
        dict(status=ERROR, graded_at=ago(seconds=50), error_reason="missing package"),
        dict(status=DONE, verdict=Verdict.WA, graded_at=ago(minutes=3)),
        dict(status=DONE, verdict=Verdict.IE, graded_at=ago(minutes=10)),
        dict(status=DONE, verdict=Verdict.AC, graded_at=ago(minutes=30)),
        dict(status=DONE, verdict=Verdict.AC, graded_at=ago(hours=2)),
        dict(status=ERROR, graded_at=ago(hours=2)),
    ]
    for fields in rows:
        fields.setdefault("created_at", ago(hours=3))
        session.add(Submission(user_id=user.id, **fields))
    session.commit()
    return live_engine


def test_the_json_figures(
    client: TestClient, session: Session, root: User, clock: ManualClock, held_slot: int
) -> None:
    live = build_state(session, root, clock.now)
    response = client.get("/admin/status.json", headers=basic("root"))
    assert response.status_code == 200 and response.headers["cache-control"] == "no-store"
    figures = response.json()
    assert figures["now"] == clock.now.isoformat()
    assert figures["queue"] == {"waiting": 3, "grading": 4, "oldest_waiting_seconds": 600.0}
    assert figures["graded"] == {"last_1m": 2, "last_5m": 3, "last_60m": 5}
    assert figures["errors_last_hour"] == 2
    assert figures["slots"] == {"total": 2, "in_use": 1}
    workers = {worker["engine"]: worker for worker in figures["workers"]}
    assert len(workers) == 3
    here = owners.ProcessIdentity.current()
    assert workers[live] == {
        "host": here.host,
        "pid": here.pid,
        "engine": live,
        "grading": 2,
        "state": "alive",
    }
    assert figures["workers"][0]["engine"] == live  # the busiest first
    assert sorted(w["state"] for w in figures["workers"]) == ["alive", "dead", "expired"]
    far = workers["far|boot|1|77|1|abcd"]
    assert far["host"] == "far" and far["pid"] == 77 and far["state"] == "expired"
    # Time passes: the windows move (the platform's clock, no sleeping).
    clock.advance(minutes=2)
    later = client.get("/admin/status.json", headers=basic("root")).json()
    assert later["graded"] == {"last_1m": 0, "last_5m": 3, "last_60m": 5}  # 5 min ago: still in
    assert later["queue"]["oldest_waiting_seconds"] == 720.0


def test_the_json_takes_an_api_token_or_the_session(client: TestClient, session: Session, root: User) -> None:
    token = accounts.create_token(session, root, "monitoring")
    session.commit()
    empty = client.get("/admin/status.json", headers={"Authorization": f"Bearer {token.secret}"})
    assert empty.status_code == 200
    assert empty.json()["queue"] == {"waiting": 0, "grading": 0, "oldest_waiting_seconds": None}
    assert empty.json()["workers"] == []
    assert client.get("/admin/status.json", headers={"Authorization": "Bearer vdt_wrong"}).status_code == 401
    log_in(client, "root")
    assert client.get("/admin/status.json").status_code == 200


def test_the_page_and_its_polled_part(
    client: TestClient, session: Session, root: User, clock: ManualClock, held_slot: int
) -> None:
    build_state(session, root, clock.now)
    log_in(client, "root")
    page = client.get("/admin/status")
    assert page.status_code == 200
    text = page.text
    assert 'hx-get="/admin/status/figures"' in text and 'hx-trigger="every 5s"' in text
    assert "<script>" not in text  # the polling is htmx's attributes, no inline script
    assert re.search(r'data-figure="waiting">3<', text)
    assert re.search(r'data-figure="grading">4<', text)
    assert re.search(r'data-figure="oldest">10.0 min<', text)
    assert re.search(r'data-figure="graded-1">2<', text) and re.search(r'data-figure="graded-60">5<', text)
    assert re.search(r'data-figure="errors">2<', text)
    assert re.search(r'data-figure="slots">1 / 2<', text)
    assert "process gone" in text and "lease expired" in text
    part = client.get("/admin/status/figures")
    assert part.status_code == 200 and part.text.lstrip().startswith('<div id="status-figures"')
    assert "<html" not in part.text and 'hx-trigger="every 5s"' in part.text  # keeps polling


def test_polling_without_a_session_sends_the_browser_to_log_in(client: TestClient) -> None:
    polled = client.get("/admin/status/figures", headers={"HX-Request": "true"}, follow_redirects=False)
    assert polled.status_code == 204 and polled.headers["hx-redirect"] == "/login?next=/admin/status"
    opened = client.get("/admin/status/figures", follow_redirects=False)
    assert opened.status_code == 303 and opened.headers["location"].startswith("/login?next=")


def test_slots_unknown_without_the_lock_folder(client: TestClient, root: User, slot_dir: Path) -> None:
    log_in(client, "root")
    assert "unknown on this machine" in client.get("/admin/status").text
    assert client.get("/admin/status.json").json()["slots"] == {"total": 2, "in_use": None}
