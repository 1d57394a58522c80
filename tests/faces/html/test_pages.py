"""The web pages through HTTP (TestClient, SQLite and PostgreSQL): logging in and out, CSRF,
the password, API tokens, the dashboard, the task page the INGInious plugin opens, the security
headers, the languages and the error pages."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.faces.html.helpers import csrf, log_in, post_form
from tests.support.inginious import Demo
from tests.support.users import PASSWORD
from verdict.accounts.models import ApiToken
from verdict.accounts.sessions import SESSION_COOKIE
from verdict.courses.models import Task
from verdict.judge.verdicts import Verdict
from verdict.submissions.models import Submission, SubmissionStatus

pytestmark = pytest.mark.e2e

NEW_PASSWORD = "a brand new passphrase"


def first_task(session: Session, demo: Demo) -> Task:
    task = session.scalar(
        sa.select(Task).where(Task.course_id == demo.course.id).order_by(Task.position, Task.slug)
    )
    assert task is not None
    return task


def add_submission(session: Session, demo: Demo, task: Task, **fields: object) -> Submission:
    values: dict[str, object] = {"user_id": demo.alice.id, "task_id": task.id, "course_id": demo.course.id}
    submission = Submission(**(values | fields))
    session.add(submission)
    session.commit()
    return submission


def set_cookie_header(response: object, name: str) -> str:
    headers = response.headers.get_list("set-cookie")  # type: ignore[attr-defined]
    found = [h for h in headers if h.startswith(name + "=")]
    assert found, headers
    return str(found[0])


# --------------------------------------------------------------------------- login and logout


def test_anonymous_home_is_a_welcome_page(client: TestClient) -> None:
    response = client.get("/")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert "Welcome to Verdict" in response.text and 'href="/login"' in response.text
    assert '<meta name="viewport"' in response.text


def test_login_by_username_sets_the_session_cookie(client: TestClient, demo: Demo) -> None:
    response = log_in(client, "alice")
    assert response.headers["location"] == "/"
    cookie = set_cookie_header(response, SESSION_COOKIE).lower()
    assert "httponly" in cookie and "samesite=lax" in cookie and "secure" not in cookie
    home = client.get("/")
    assert "My courses" in home.text and "alice" in home.text
    # The same cookie works for the API.
    assert client.get("/api/v0/authentication").json() == {"authenticated": True, "username": "alice"}


def test_login_by_email_goes_back_to_next(client: TestClient, demo: Demo) -> None:
    token = csrf(client, "/login?next=/account/tokens")
    response = client.post(
        "/login",
        data={"csrf": token, "login": "ALICE@example.org", "password": PASSWORD, "next": "/account/tokens"},
        follow_redirects=False,
    )
    assert response.status_code == 303 and response.headers["location"] == "/account/tokens"


def test_login_never_redirects_off_site(client: TestClient, demo: Demo) -> None:
    token = csrf(client, "/login")
    response = client.post(
        "/login",
        data={"csrf": token, "login": "alice", "password": PASSWORD, "next": "//evil.example/"},
        follow_redirects=False,
    )
    assert response.status_code == 303 and response.headers["location"] == "/"


def test_wrong_password_shows_the_form_again(client: TestClient, demo: Demo) -> None:
    response = post_form(client, "/login", {"login": "alice", "password": "wrong"}, page="/login")
    assert response.status_code == 401
    assert "Wrong username, email or password." in response.text
    assert 'value="alice"' in response.text  # the login is kept, the password is not
    assert SESSION_COOKIE not in response.headers.get("set-cookie", "")
    assert "www-authenticate" not in response.headers  # no Basic dialog in the browser


def test_a_nul_in_a_form_is_a_clear_400(client: TestClient, demo: Demo) -> None:
    """PostgreSQL refuses a NUL in a text column: the form's answer names the field (it was a 500
    on PostgreSQL, found by tests/faces/html/test_crawl.py)."""
    response = post_form(client, "/login", {"login": "alice\x00", "password": "x"}, page="/login")
    assert response.status_code == 400, response.text
    assert "login: a text may not contain a NUL character." in response.text
    assert SESSION_COOKIE not in response.headers.get("set-cookie", "")


def test_a_nul_in_a_query_or_a_path_is_a_clear_400(client: TestClient, demo: Demo) -> None:
    log_in(client, "teacher")
    query = client.get("/teach/submissions?problem=%00x")
    assert query.status_code == 400, query.text
    assert "problem: a text may not contain a NUL character." in query.text
    path = client.get("/course/a%00b")
    assert path.status_code == 400 and "courseid: a text may not contain" in path.text


def test_logged_in_login_page_goes_home(client: TestClient, demo: Demo) -> None:
    log_in(client, "alice")
    response = client.get("/login", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/"


def test_logout(client: TestClient, demo: Demo) -> None:
    log_in(client, "alice")
    response = post_form(client, "/logout", {})
    assert response.status_code == 303 and response.headers["location"] == "/"
    assert 'verdict_session=""' in set_cookie_header(response, SESSION_COOKIE)
    assert "Welcome to Verdict" in client.get("/").text


# --------------------------------------------------------------------------- CSRF


def test_forms_without_a_valid_token_are_refused(client: TestClient, demo: Demo) -> None:
    credentials = {"login": "alice", "password": PASSWORD}
    no_token = client.post("/login", data=credentials, follow_redirects=False)
    assert no_token.status_code == 403
    assert no_token.headers["content-type"].startswith("text/html")
    assert "This form has expired" in no_token.text
    client.get("/login")  # this browser's cookie exists now, but the token is still wrong
    forged = client.post("/login", data=credentials | {"csrf": "forged"}, follow_redirects=False)
    assert forged.status_code == 403
    assert SESSION_COOKIE not in client.cookies


def test_a_token_of_another_browser_is_refused(app: object, client: TestClient, demo: Demo) -> None:
    token = csrf(client, "/login")
    with TestClient(app) as other:  # type: ignore[arg-type]
        other.get("/login")
        response = other.post(
            "/login", data={"csrf": token, "login": "alice", "password": PASSWORD}, follow_redirects=False
        )
    assert response.status_code == 403


def test_logged_in_forms_need_the_token_too(client: TestClient, demo: Demo) -> None:
    log_in(client, "alice")
    response = client.post("/logout", data={}, follow_redirects=False)
    assert response.status_code == 403
    stale = client.post("/account/tokens", data={"csrf": "x", "name": "n"}, follow_redirects=False)
    assert stale.status_code == 403
    assert "My courses" in client.get("/").text  # still logged in


def test_the_login_token_stops_working_after_login(client: TestClient, demo: Demo) -> None:
    anonymous_token = csrf(client, "/login")
    log_in(client, "alice")
    response = client.post("/logout", data={"csrf": anonymous_token}, follow_redirects=False)
    assert response.status_code == 403


# --------------------------------------------------------------------------- password


def test_change_password(client: TestClient, demo: Demo) -> None:
    log_in(client, "alice")
    page = "/account/password"
    wrong = post_form(client, page, {"current": "nope", "new": NEW_PASSWORD, "confirm": NEW_PASSWORD}, page)
    assert wrong.status_code == 400 and "The current password is wrong." in wrong.text
    differ = post_form(client, page, {"current": PASSWORD, "new": NEW_PASSWORD, "confirm": "other"}, page)
    assert differ.status_code == 400 and "The two new passwords differ." in differ.text
    short = post_form(client, page, {"current": PASSWORD, "new": "short", "confirm": "short"}, page)
    assert short.status_code == 400 and "between 8 and 1024" in short.text
    old_cookie = client.cookies[SESSION_COOKIE]
    done = post_form(client, page, {"current": PASSWORD, "new": NEW_PASSWORD, "confirm": NEW_PASSWORD}, page)
    assert done.status_code == 303 and done.headers["location"] == "/account/password?done=true"
    assert client.cookies[SESSION_COOKIE] != old_cookie  # this browser stays logged in
    assert "Your password was changed." in client.get(done.headers["location"]).text
    with TestClient(client.app) as other:  # type: ignore[arg-type]
        other.cookies[SESSION_COOKIE] = old_cookie
        assert "Welcome to Verdict" in other.get("/").text  # the old cookie no longer works
        log_in(other, "alice", NEW_PASSWORD)


def test_password_page_needs_a_login(client: TestClient) -> None:
    response = client.get("/account/password", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=/account/password"
    assert "www-authenticate" not in response.headers


# --------------------------------------------------------------------------- API tokens


def test_create_use_and_revoke_a_token(client: TestClient, demo: Demo, session: Session) -> None:
    log_in(client, "alice")
    created = post_form(client, "/account/tokens", {"name": "laptop"}, "/account/tokens")
    assert created.status_code == 201
    assert "it will not be shown again" in created.text
    secret = created.text.split('id="new-token" class="secret" type="text" value="')[1].split('"')[0]
    bearer = {"Authorization": f"Bearer {secret}"}
    with TestClient(client.app) as api:  # type: ignore[arg-type]
        assert api.get("/api/v0/authentication", headers=bearer).json()["username"] == "alice"
        listed = client.get("/account/tokens")
        assert "laptop" in listed.text and secret not in listed.text  # shown once only
        token = session.scalar(sa.select(ApiToken).where(ApiToken.name == "laptop"))
        assert token is not None
        revoked = post_form(client, f"/account/tokens/{token.id}/revoke", {}, "/account/tokens")
        assert revoked.status_code == 303 and revoked.headers["location"] == "/account/tokens"
        assert "revoked" in client.get("/account/tokens").text
        assert api.get("/api/v0/courses", headers=bearer).status_code == 401


def test_revoking_someone_elses_token_is_404(client: TestClient, demo: Demo, session: Session) -> None:
    log_in(client, "bob")
    post_form(client, "/account/tokens", {"name": "bobs"}, "/account/tokens")
    token = session.scalar(sa.select(ApiToken).where(ApiToken.name == "bobs"))
    assert token is not None
    post_form(client, "/logout", {})
    log_in(client, "alice")
    for token_id in (str(token.id), "abc", "99999999999999999999", "²"):
        response = post_form(client, f"/account/tokens/{token_id}/revoke", {}, "/account/tokens")
        assert response.status_code == 404, token_id
        assert response.headers["content-type"].startswith("text/html")
    session.refresh(token)
    assert token.revoked_at is None


# --------------------------------------------------------------------------- dashboard and task


def test_dashboard_lists_courses_progress_and_recent_submissions(
    client: TestClient, demo: Demo, session: Session
) -> None:
    task = first_task(session, demo)
    accepted = add_submission(
        session, demo, task, status=SubmissionStatus.DONE, verdict=Verdict.AC, grade=100.0
    )
    add_submission(session, demo, task, status=SubmissionStatus.WAITING)
    log_in(client, "alice")
    page = client.get("/").text
    assert demo.course.title in page
    assert re.search(r"1 of \d+ tasks solved", page)  # of the tasks open now
    assert "<progress" in page
    assert f'href="/course/demo/{task.slug}?load={accepted.id}"' in page
    assert "accepted" in page and "waiting" in page
    assert "Courses open to registration" not in page


def test_a_course_one_may_join_is_listed_apart(client: TestClient, demo: Demo, session: Session) -> None:
    log_in(client, "carol")  # not registered to the demo course
    page = client.get("/").text
    assert "You are not registered to any course yet." in page


def test_task_page_loads_a_submission(client: TestClient, demo: Demo, session: Session) -> None:
    task = first_task(session, demo)
    feedback = "<script>alert('x')</script> Well done"
    submission = add_submission(
        session, demo, task, status=SubmissionStatus.DONE, verdict=Verdict.WA, grade=50.0, feedback=feedback
    )
    url = f"/course/demo/{task.slug}?load={submission.id}"
    anonymous = client.get(url, follow_redirects=False)
    assert anonymous.status_code == 303
    assert anonymous.headers["location"] == f"/login?next=/course/demo/{task.slug}%3Fload%3D{submission.id}"
    log_in(client, "alice")
    page = client.get(url)
    assert page.status_code == 200
    assert f"Submission {submission.id}" in page.text
    assert "wrong answer" in page.text and "50%" in page.text
    assert "Well done" in page.text  # rendered as HTML, sanitised: the script is dropped
    assert "<script>alert" not in page.text


def test_task_page_refuses_what_is_not_yours(client: TestClient, demo: Demo, session: Session) -> None:
    task = first_task(session, demo)
    submission = add_submission(session, demo, task, status=SubmissionStatus.WAITING)
    log_in(client, "bob")
    assert client.get(f"/course/demo/{task.slug}?load={submission.id}").status_code == 404
    assert client.get(f"/course/demo/{task.slug}?load=nonsense").status_code == 404
    assert client.get(f"/course/demo/{task.slug}").status_code == 200
    assert client.get("/course/demo/no-such-task").status_code == 404
    assert client.get("/course/nowhere/x").status_code == 404
    post_form(client, "/logout", {})
    log_in(client, "carol")
    refused = client.get(f"/course/demo/{task.slug}")
    assert refused.status_code == 403 and "You are not registered to this course." in refused.text


# --------------------------------------------------------------------------- headers and errors


@pytest.mark.parametrize("path", ["/", "/login", "/course/x/y", "/nowhere"])
def test_security_headers(client: TestClient, path: str) -> None:
    response = client.get(path, headers={"Accept": "text/html"})
    csp = response.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["x-frame-options"] == "DENY"


def test_the_pages_have_no_inline_script(client: TestClient, demo: Demo) -> None:
    log_in(client, "alice")
    for path in ("/", "/account/tokens", "/account/password"):
        html = client.get(path).text
        assert "<script>" not in html and " on" + "click=" not in html
        for tag in html.split("<script")[1:]:
            assert ' src="/static/' in tag.split(">")[0]


def test_the_browser_cookie_is_httponly_and_lax(client: TestClient) -> None:
    cookie = set_cookie_header(client.get("/login"), "verdict_csrf").lower()
    assert "httponly" in cookie and "samesite=lax" in cookie


def test_errors_are_pages_for_browsers_and_json_for_the_rest(client: TestClient) -> None:
    page = client.get("/nowhere", headers={"Accept": "text/html,application/xhtml+xml"})
    assert page.status_code == 404 and "Page not found" in page.text
    assert client.get("/nowhere").json() == {"error": "Not Found"}
    assert client.get("/api/v0/nowhere", headers={"Accept": "text/html"}).json() == {"error": "Not Found"}
    method = client.put("/login")
    assert method.status_code == 405 and "Method not allowed" in method.text


def test_static_files(client: TestClient) -> None:
    assert client.get("/static/verdict.css").headers["content-type"].startswith("text/css")
    assert client.get("/static/verdict.js").status_code == 200
    assert client.get("/static/nothing.js", headers={"Accept": "text/html"}).status_code == 404


# --------------------------------------------------------------------------- languages


def test_language_from_the_browser(client: TestClient) -> None:
    catalan = client.get("/", headers={"Accept-Language": "ca-ES,ca;q=0.9,en;q=0.5"}).text
    assert '<html lang="ca">' in catalan and "Benvinguts a Verdict" in catalan
    spanish = client.get("/login", headers={"Accept-Language": "es"}).text
    assert "Nombre de usuario o correo" in spanish
    assert '<html lang="en">' in client.get("/", headers={"Accept-Language": "fr"}).text


def test_language_switch(client: TestClient, demo: Demo) -> None:
    log_in(client, "alice")
    response = post_form(client, "/language", {"lang": "ca", "next": "/account/tokens"}, "/account/tokens")
    assert response.status_code == 303 and response.headers["location"] == "/account/tokens"
    assert "samesite=lax" in set_cookie_header(response, "verdict_lang").lower()
    page = client.get("/account/tokens", headers={"Accept-Language": "es"})
    assert "Els vostres testimonis" in page.text  # the switch wins over the browser
    assert "Els meus cursos" in client.get("/").text
    ignored = post_form(client, "/language", {"lang": "xx", "next": "https://evil.example"})
    assert ignored.headers["location"] == "/"
    assert "Els meus cursos" in client.get("/").text


def test_error_pages_speak_the_language(client: TestClient, demo: Demo) -> None:
    page = client.get("/nowhere", headers={"Accept": "text/html", "Accept-Language": "es"})
    assert "No se ha encontrado la página" in page.text
    log_in(client, "carol")
    refused = client.get("/course/demo/x", headers={"Accept-Language": "ca"})
    assert "No esteu inscrit en aquest curs." in refused.text


def test_too_many_failed_logins_are_told_apart(client: TestClient, demo: Demo) -> None:
    # Five typos are free (verdict.accounts.service.RateLimits); the sixth, right after, must wait.
    for _ in range(5):
        assert (
            post_form(client, "/login", {"login": "alice", "password": "wrong"}, "/login").status_code == 401
        )
    limited = post_form(client, "/login", {"login": "alice", "password": PASSWORD}, "/login")
    assert limited.status_code == 429 and "too many failed logins" in limited.text
    assert int(limited.headers["retry-after"]) >= 1
    assert "www-authenticate" not in limited.headers


def test_head_and_options_on_pages(client: TestClient) -> None:
    head = client.head("/login")
    assert head.status_code == 200 and head.content == b""
    options = client.options("/login")
    assert options.status_code == 204 and options.headers["allow"] == "GET, HEAD, OPTIONS, POST"


def test_cookies_are_secure_over_https(app: object, demo: Demo) -> None:
    with TestClient(app, base_url="https://testserver") as secure:  # type: ignore[arg-type]
        assert "secure" in set_cookie_header(secure.get("/login"), "verdict_csrf").lower()
        response = log_in(secure, "alice")
        assert "secure" in set_cookie_header(response, SESSION_COOKIE).lower()
        switched = post_form(secure, "/language", {"lang": "es"})
        assert "secure" in set_cookie_header(switched, "verdict_lang").lower()
