"""`verdict user unlock`: an administrator lifts the failed-login back-off (issue 10, M4)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
import typer
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from tests.support.users import PASSWORD
from verdict.accounts import service
from verdict.accounts.errors import InvalidCredentials, LoginRateLimited
from verdict.accounts.service import DEFAULT_RATE_LIMITS
from verdict.cli import app
from verdict.db import utcnow
from verdict.models import User

pytestmark = pytest.mark.integration


@pytest.fixture
def cli() -> typer.Typer:
    return app


@pytest.fixture
def env(cli_env: dict[str, str]) -> dict[str, str]:
    return cli_env


def test_user_unlock_lifts_the_back_off_of_an_account_and_an_address(
    cli: typer.Typer, env: dict[str, str], session: Session, make_user: Callable[..., User]
) -> None:
    alice = make_user("alice")
    now = utcnow()
    for i in range(12):
        now += DEFAULT_RATE_LIMITS.delay(i, per_ip=False)
        with pytest.raises(InvalidCredentials):
            service.authenticate(session, "alice", "guess", ip="192.0.2.7", now=now)
    with pytest.raises(LoginRateLimited):
        service.authenticate(session, "alice", PASSWORD, now=now)
    session.rollback()  # end the refused request's read, as the end of a request does
    result = CliRunner().invoke(cli, ["user", "unlock", "alice", "--ip", "192.0.2.7"], env=env)
    assert result.exit_code == 0, result.output
    assert "12 failed attempt(s) forgotten" in " ".join(result.output.split())
    assert service.authenticate(session, "alice", PASSWORD, ip="192.0.2.7", now=now) is alice
    nothing = CliRunner().invoke(cli, ["user", "unlock"], env=env)
    assert nothing.exit_code == 1 and "say whose" in nothing.output
