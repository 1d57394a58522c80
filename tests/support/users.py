"""Test users: the password tests/conftest.py's ``make_user`` gives them, the fixture's type, and
HTTP Basic credentials for one."""

from __future__ import annotations

import base64
from collections.abc import Callable

from verdict.accounts.models import User

PASSWORD = "correct horse battery"

MakeUser = Callable[..., User]
"""``make_user("alice", role="instructor", password=PASSWORD, email=None, full_name="")``"""


def basic(user: User | str, password: str = PASSWORD) -> dict[str, str]:
    """The ``Authorization`` header of HTTP Basic for ``user`` (a User or a login)."""
    name = user if isinstance(user, str) else user.username
    return {"Authorization": "Basic " + base64.b64encode(f"{name}:{password}".encode()).decode()}
