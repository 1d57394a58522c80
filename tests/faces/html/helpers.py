"""Driving the pages as a browser does: read a form's CSRF token from the page, post the form."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from httpx import Response

from tests.support.users import PASSWORD

TOKEN = re.compile(r'name="csrf" value="([^"]+)"')


def csrf(client: TestClient, path: str = "/login") -> str:
    """The CSRF token of the forms on ``path`` (the page sets the browser's cookie if needed)."""
    page = client.get(path)
    found = TOKEN.search(page.text)
    assert found, page.text
    return found.group(1)


def post_form(client: TestClient, path: str, data: dict[str, str], page: str = "/") -> Response:
    """Post ``data`` to ``path`` with the token of ``page``, as its form would."""
    return client.post(path, data={"csrf": csrf(client, page), **data}, follow_redirects=False)


def log_in(client: TestClient, login: str, password: str = PASSWORD) -> Response:
    response = post_form(client, "/login", {"login": login, "password": password}, page="/login")
    assert response.status_code == 303, response.text
    return response
