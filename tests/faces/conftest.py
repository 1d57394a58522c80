"""Fixtures of the face tests: the Jutge administrator and the problems of the reference's list."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from tests.support.jutge import make_problem
from tests.support.users import MakeUser
from verdict.accounts.models import User
from verdict.platform import Platform


@pytest.fixture
def jutge(make_user: MakeUser) -> User:
    """Jutge.org's own account, an administrator (as the reference's examples log in)."""
    return make_user("Jutge", role="admin", email="jutge@jutge.org")


@pytest.fixture
def problems(session: Session, platform: Platform, tmp_path: Path) -> list[str]:
    """The problems of the reference's list, made from pe_ic.pbm (statements in ca and en)."""
    ids = ["P68688", "P57548", "P56118"]
    for problem_id in ids:
        make_problem(session, platform.settings, tmp_path, problem_id)
    return ids
