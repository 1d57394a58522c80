"""The administrators' user pages through HTTP (TestClient, SQLite and PostgreSQL): only admins
get in (403 for everyone else, the login page for visitors), the list and its search and pages,
creating a user (a typed or a generated password), changing a role, resetting a password, and
the CSRF check on every form."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.faces.html.helpers import csrf, log_in, post_form
from tests.support.users import PASSWORD, MakeUser, basic
from verdict.accounts.models import Role, User

pytestmark = pytest.mark.e2e

SHOWN_PASSWORD = re.compile(r'id="new-password" class="secret" type="text" value="([^"]+)"')


@pytest.fixture
def root(make_user: MakeUser) -> User:
    return make_user("root", role="admin")


@pytest.fixture
def admin_client(client: TestClient, root: User) -> TestClient:
    log_in(client, "root")
    return client


def user_named(session: Session, username: str) -> User:
    session.rollback()  # a fresh snapshot: the app committed in its own session
    session.expire_all()
    user = session.scalar(sa.select(User).where(User.username == username))
    assert user is not None
    return user


def logs_in(client: TestClient, login: str, password: str) -> bool:
    client.cookies.clear()
    token = csrf(client, "/login")
    response = client.post(
        "/login", data={"csrf": token, "login": login, "password": password}, follow_redirects=False
    )
    return response.status_code == 303


# --------------------------------------------------------------------------- who gets in

ADMIN_PAGES = ["/admin", "/admin/users", "/admin/users/new", "/admin/status", "/admin/status/figures"]


@pytest.mark.parametrize("role", ["student", "instructor"])
def test_every_admin_page_is_forbidden_to_others(client: TestClient, make_user: MakeUser, role: str) -> None:
    someone = make_user("someone", role=role)
    log_in(client, "someone")
    for path in [*ADMIN_PAGES, f"/admin/users/{someone.id}"]:
        response = client.get(path, follow_redirects=False)
        assert response.status_code == 403, path
        assert "for administrators only" in response.text
    token = csrf(client, "/")
    for path in [
        "/admin/users/new",
        f"/admin/users/{someone.id}/role",
        f"/admin/users/{someone.id}/password",
    ]:
        data = {"csrf": token, "username": "x", "email": "x@example.org", "role": "admin"}
        assert client.post(path, data=data, follow_redirects=False).status_code == 403, path
    json = client.get("/admin/status.json")
    assert json.status_code == 403 and json.json() == {"error": "the status is for administrators only"}
    assert client.get("/admin/status.json", headers=basic("someone")).status_code == 403
    assert user_named_role(client, someone) == Role(role)  # nothing changed


def user_named_role(client: TestClient, user: User) -> Role:
    platform = client.app.state.platform  # type: ignore[attr-defined]
    with platform.sessionmaker() as session:
        found = session.get(User, user.id)
        assert found is not None
        return Role(found.role)


def test_visitors_are_sent_to_log_in(client: TestClient) -> None:
    for path in ADMIN_PAGES:
        response = client.get(path, follow_redirects=False)
        assert response.status_code == 303, path
        assert response.headers["location"].startswith("/login?next=/admin")
    json = client.get("/admin/status.json")
    assert json.status_code == 401 and "error" in json.json()


def test_the_navigation_shows_administration_to_admins_only(
    client: TestClient, make_user: MakeUser, root: User
) -> None:
    make_user("alice")
    log_in(client, "alice")
    assert 'href="/admin"' not in client.get("/").text
    client.cookies.clear()
    log_in(client, "root")
    assert 'href="/admin"' in client.get("/").text
    assert client.get("/admin", follow_redirects=False).headers["location"] == "/admin/status"


# --------------------------------------------------------------------------- list and search


def test_list_search_and_pages(admin_client: TestClient, make_user: MakeUser) -> None:
    for number in range(30):
        make_user(f"user{number:02d}", password=None, full_name=f"Person {number}")
    make_user("zed", password=None, email="Zed@Elsewhere.net", full_name="Zoë 100%_")
    first = admin_client.get("/admin/users")
    assert first.status_code == 200
    assert "32 users found." in first.text and "Page 1 of 2" in first.text
    assert "user00" in first.text and "zed" not in first.text and 'rel="next"' in first.text
    second = admin_client.get("/admin/users?p=2")
    assert "Page 2 of 2" in second.text and "zed" in second.text and 'rel="prev"' in second.text
    assert "Page 2 of 2" in admin_client.get("/admin/users?p=99").text  # past the end: the last page
    assert "Page 1 of 2" in admin_client.get("/admin/users?p=nonsense").text
    by_email = admin_client.get("/admin/users", params={"q": "ELSEWHERE"})
    assert "1 users found." in by_email.text and "zed" in by_email.text
    by_name = admin_client.get("/admin/users", params={"q": "person 1"})
    assert "11 users found." in by_name.text  # Person 1, Person 10..19
    # LIKE's wildcards are searched for as themselves.
    assert "1 users found." in admin_client.get("/admin/users", params={"q": "100%_"}).text
    assert "0 users found." in admin_client.get("/admin/users", params={"q": "_%"}).text


def test_filter_by_role(admin_client: TestClient, make_user: MakeUser) -> None:
    make_user("teach", role="instructor", password=None)
    make_user("pupil", password=None)
    teachers = admin_client.get("/admin/users", params={"role": "instructor"})
    assert "1 users found." in teachers.text and "teach" in teachers.text and "pupil" not in teachers.text
    admins = admin_client.get("/admin/users", params={"role": "admin", "q": "ro"})
    assert "1 users found." in admins.text and ">root<" in admins.text
    assert "3 users found." in admin_client.get("/admin/users", params={"role": "emperor"}).text  # ignored


def test_the_pages_speak_catalan_and_spanish(admin_client: TestClient) -> None:
    admin_client.cookies.set("verdict_lang", "ca")
    assert "Usuaris" in admin_client.get("/admin/users").text
    assert "Estat de la correcció" in admin_client.get("/admin/status").text
    admin_client.cookies.set("verdict_lang", "es")
    assert "Usuarios" in admin_client.get("/admin/users").text


# --------------------------------------------------------------------------- creating users


def test_create_a_user_with_a_typed_password(admin_client: TestClient, session: Session) -> None:
    data = {"username": "newbie", "email": "Newbie@Example.org", "full_name": "New Bie", "role": "instructor"}
    response = post_form(
        admin_client, "/admin/users/new", data | {"password": PASSWORD}, page="/admin/users/new"
    )
    assert response.status_code == 201
    assert "The user was created." in response.text and SHOWN_PASSWORD.search(response.text) is None
    user = user_named(session, "newbie")
    assert user.email == "newbie@example.org" and user.role == Role.INSTRUCTOR and user.full_name == "New Bie"
    assert logs_in(admin_client, "newbie", PASSWORD)


def test_create_a_user_with_a_generated_password_shown_once(
    admin_client: TestClient, session: Session
) -> None:
    data = {"username": "gen", "email": "gen@example.org", "role": "student", "password": ""}
    response = post_form(admin_client, "/admin/users/new", data, page="/admin/users/new")
    assert response.status_code == 201
    found = SHOWN_PASSWORD.search(response.text)
    assert found and len(found.group(1)) >= 16
    user = user_named(session, "gen")
    assert SHOWN_PASSWORD.search(admin_client.get(f"/admin/users/{user.id}").text) is None  # once
    assert logs_in(admin_client, "gen", found.group(1))


@pytest.mark.parametrize(
    ("fields", "reason"),
    [
        ({"username": "root", "email": "other@example.org"}, "is taken"),
        ({"username": "other", "email": "ROOT@example.org"}, "already registered"),
        ({"username": "-bad", "email": "bad@example.org"}, "invalid username"),
        ({"username": "fine", "email": "not an email"}, "invalid email"),
        ({"username": "fine", "email": "fine@example.org", "role": "king"}, "invalid role"),
        ({"username": "fine", "email": "fine@example.org", "password": "short"}, "too short"),
    ],
)
def test_a_refused_user_keeps_the_form(
    admin_client: TestClient, session: Session, fields: dict[str, str], reason: str
) -> None:
    data = {"role": "student", "full_name": "Kept Name"} | fields
    response = post_form(admin_client, "/admin/users/new", data, page="/admin/users/new")
    assert response.status_code == 400
    assert "The user was not created" in response.text and reason in response.text
    assert 'value="Kept Name"' in response.text
    assert session.scalar(sa.select(sa.func.count()).select_from(User)) == 1


def test_forms_without_the_csrf_token_are_refused(
    admin_client: TestClient, make_user: MakeUser, session: Session
) -> None:
    alice = make_user("alice")
    posts = {
        "/admin/users/new": {"username": "sneaky", "email": "sneaky@example.org", "password": PASSWORD},
        f"/admin/users/{alice.id}/role": {"role": "admin"},
        f"/admin/users/{alice.id}/password": {},
    }
    for path, data in posts.items():
        for token in ("", "forged"):
            response = admin_client.post(path, data={"csrf": token, **data}, follow_redirects=False)
            assert response.status_code == 403, path
            assert "did not come from this site" in response.text
    assert user_named(session, "alice").role == Role.STUDENT
    assert user_named(session, "alice").password_hash == alice.password_hash
    assert session.scalar(sa.select(User).where(User.username == "sneaky")) is None


# --------------------------------------------------------------------------- role and password


def test_change_a_role(admin_client: TestClient, make_user: MakeUser, session: Session) -> None:
    alice = make_user("alice")
    page = f"/admin/users/{alice.id}"
    response = post_form(admin_client, f"{page}/role", {"role": "instructor"}, page=page)
    assert response.status_code == 303 and response.headers["location"] == f"{page}?done=role"
    assert user_named(session, "alice").role == Role.INSTRUCTOR
    assert "The role was changed." in admin_client.get(response.headers["location"]).text
    again = post_form(admin_client, f"{page}/role", {"role": "admin"}, page=page)
    assert again.status_code == 303, again.text[-3000:]
    assert user_named(session, "alice").role == Role.ADMIN
    refused = post_form(admin_client, f"{page}/role", {"role": "emperor"}, page=page)
    assert refused.status_code == 400 and "Choose a role" in refused.text
    assert user_named(session, "alice").role == Role.ADMIN


def test_an_admin_cannot_change_their_own_role_nor_reset_their_password(
    admin_client: TestClient, root: User, session: Session
) -> None:
    page = f"/admin/users/{root.id}"
    assert "ask another administrator" in admin_client.get(page).text
    response = post_form(admin_client, f"{page}/role", {"role": "student"}, page=page)
    assert response.status_code == 403
    assert user_named(session, "root").role == Role.ADMIN
    # Nor reset their own password here (it would log them out): the password page does it.
    assert 'href="/account/password">Change your own password' in admin_client.get(page).text
    response = post_form(admin_client, f"{page}/password", {}, page=page)
    assert response.status_code == 403 and "password page" in response.text
    assert user_named(session, "root").password_hash == root.password_hash


def test_reset_a_password(admin_client: TestClient, make_user: MakeUser) -> None:
    alice = make_user("alice")
    page = f"/admin/users/{alice.id}"
    response = post_form(admin_client, f"{page}/password", {}, page=page)
    assert response.status_code == 200
    found = SHOWN_PASSWORD.search(response.text)
    assert found and "it will not be shown again" in response.text
    assert not logs_in(admin_client, "alice", PASSWORD)
    assert logs_in(admin_client, "alice", found.group(1))


def test_unknown_users_are_404(admin_client: TestClient) -> None:
    for path in ("/admin/users/999999", "/admin/users/abc", "/admin/users/99999999999999999999"):
        assert admin_client.get(path).status_code == 404, path
    token = csrf(admin_client, "/admin/users")
    response = admin_client.post("/admin/users/999999/password", data={"csrf": token})
    assert response.status_code == 404 and "User not found." in response.text
