"""The current-user dependencies through a real FastAPI app: Basic, Bearer, session cookie."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from fastapi import FastAPI, Response
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.support.users import PASSWORD, MakeUser, basic
from verdict.accounts import service
from verdict.accounts.sessions import SESSION_COOKIE, make_session_cookie, set_session_cookie
from verdict.db import utcnow
from verdict.models import LoginAttempt, User
from verdict.platform import Platform
from verdict.web.app import create_app
from verdict.web.deps import CurrentUser, DbSession, OptionalUser, PlatformDep

pytestmark = pytest.mark.e2e


def _tiny_app(platform: Platform) -> FastAPI:
    app = create_app(platform=platform)

    @app.get("/me")
    def me(user: CurrentUser) -> dict[str, str]:
        return {"username": user.username}

    @app.get("/maybe")
    def maybe(user: OptionalUser) -> dict[str, str | None]:
        return {"username": user.username if user else None}

    @app.post("/login/{username}")
    def login(
        username: str, response: Response, session: DbSession, platform: PlatformDep
    ) -> dict[str, bool]:
        user = session.scalar(sa.select(User).where(User.username == username))
        assert user is not None
        set_session_cookie(response, platform.settings, user)
        return {"ok": True}

    return app


@pytest.fixture
def client(platform: Platform) -> Iterator[TestClient]:
    with TestClient(_tiny_app(platform)) as test_client:
        yield test_client


@pytest.fixture
def alice(make_user: MakeUser) -> User:
    return make_user("alice", password=PASSWORD)


def test_anonymous(client: TestClient) -> None:
    response = client.get("/me")
    assert response.status_code == 401
    assert response.headers["www-authenticate"].startswith('Basic realm="verdict"')
    assert client.get("/maybe").json() == {"username": None}


@pytest.mark.parametrize("login", ["alice", "alice@example.org"])
def test_basic(client: TestClient, alice: User, login: str) -> None:
    assert client.get("/me", headers=basic(login, PASSWORD)).json() == {"username": "alice"}
    assert client.get("/maybe", headers=basic(login, PASSWORD)).json() == {"username": "alice"}


@pytest.mark.parametrize(
    "header",
    [
        basic("alice", "wrong")["Authorization"],
        "Basic !!!not-base64",
        "Basic " + base64.b64encode(b"no-colon").decode(),
        "Digest username=alice",
        "Bearer vdt_unknown",
    ],
)
def test_bad_authorization_is_an_error_even_where_optional(
    client: TestClient, alice: User, header: str
) -> None:
    for path in ("/me", "/maybe"):
        response = client.get(path, headers={"Authorization": header})
        assert response.status_code == 401, path
        assert "www-authenticate" in response.headers


def test_failed_basic_logins_are_rate_limited(client: TestClient, alice: User, session: Session) -> None:
    for _ in range(5):
        assert client.get("/me", headers=basic("alice", "wrong")).status_code == 401
    # The failures were committed although every request failed.
    assert session.scalar(sa.select(sa.func.count()).select_from(LoginAttempt)) == 5
    response = client.get("/me", headers=basic("alice", PASSWORD))
    assert response.status_code == 429
    assert int(response.headers["retry-after"]) > 0
    assert "too many failed logins" in response.json()["error"]


def test_a_changed_password_is_not_remembered(client: TestClient, alice: User, session: Session) -> None:
    assert client.get("/me", headers=basic("alice", PASSWORD)).status_code == 200
    assert client.get("/me", headers=basic("alice", PASSWORD)).status_code == 200  # remembered
    service.set_password(session, alice, "a brand new one")
    session.commit()
    assert client.get("/me", headers=basic("alice", PASSWORD)).status_code == 401
    assert client.get("/me", headers=basic("alice", "a brand new one")).status_code == 200


def test_bearer(client: TestClient, alice: User, session: Session) -> None:
    new = service.create_token(session, alice, "ci")
    session.commit()
    headers = {"Authorization": f"Bearer {new.secret}"}
    assert client.get("/me", headers=headers).json() == {"username": "alice"}
    service.revoke_token(session, alice, new.token.id)
    session.commit()
    assert client.get("/me", headers=headers).status_code == 401


def get_with_session(client: TestClient, path: str, cookie: str) -> Any:
    """A request carrying only this session cookie (cookies live on the client, not the request)."""
    client.cookies.clear()
    client.cookies.set(SESSION_COOKIE, cookie)
    return client.get(path)


def test_session_cookie(client: TestClient, alice: User) -> None:
    response = client.post("/login/alice")
    cookie = response.cookies[SESSION_COOKIE]
    assert "httponly" in response.headers["set-cookie"].lower()
    assert client.get("/me").json() == {"username": "alice"}
    client.cookies.clear()
    assert get_with_session(client, "/me", cookie).status_code == 200


def test_forged_expired_or_outdated_cookies_are_ignored(
    client: TestClient, platform: Platform, alice: User, make_user: MakeUser, session: Session
) -> None:
    bob = make_user("bob")
    good = make_session_cookie(platform.settings, alice)
    user_id, expires, signature = good.split(".")
    forged = [
        f"{bob.id}.{expires}.{signature}",  # someone else's id
        f"{user_id}.{int(expires) + 3600}.{signature}",  # extended
        f"{user_id}.{expires}.{signature[:-2]}AA",  # tampered
        make_session_cookie(platform.settings, alice, now=utcnow() - timedelta(days=30)),  # expired
        make_session_cookie(platform.settings.model_copy(update={"secret_key": "other"}), alice),
        "garbage",
    ]
    for value in forged:
        client.cookies.clear()
        assert get_with_session(client, "/me", value).status_code == 401, value
        assert get_with_session(client, "/maybe", value).json() == {"username": None}
    client.cookies.clear()
    assert get_with_session(client, "/me", good).status_code == 200
    service.set_password(session, alice, "a brand new one")  # logs out every session
    session.commit()
    client.cookies.clear()
    assert get_with_session(client, "/me", good).status_code == 401


def test_authorization_header_wins_over_the_cookie(
    client: TestClient, alice: User, make_user: MakeUser
) -> None:
    make_user("bob", password=PASSWORD)
    client.post("/login/alice")
    assert client.get("/me", headers=basic("bob", PASSWORD)).json() == {"username": "bob"}
