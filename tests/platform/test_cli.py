"""`verdict db|user|problem ...` through Typer's runner, configured by VERDICT_* like in real use."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa
import typer
from sqlalchemy.orm import Session
from typer.testing import CliRunner, Result

from verdict import db
from verdict.accounts import service
from verdict.accounts.errors import InvalidCredentials
from verdict.models import ApiToken, Problem, Role, User
from verdict.platform_cli import register

FIXTURES = Path(__file__).parent.parent / "fixtures" / "packages"


@pytest.fixture
def cli() -> typer.Typer:
    app = typer.Typer()
    register(app)
    return app


def run(cli: typer.Typer, env: dict[str, str], *args: str, input: str | None = None) -> Result:
    return CliRunner().invoke(cli, list(args), env=env, input=input)


@pytest.fixture
def env(cli_env: dict[str, str]) -> dict[str, str]:
    """Environment pointing the commands at the migrated test database."""
    return cli_env


def test_db_upgrade_creates_the_schema(cli: typer.Typer, fresh_db_url: str, tmp_path: Path) -> None:
    env = {"VERDICT_DATA_DIR": str(tmp_path / "var"), "VERDICT_DATABASE_URL": fresh_db_url}
    result = run(cli, env, "db", "upgrade")
    assert result.exit_code == 0, result.output
    assert "database at revision" in result.output
    engine = db.create_engine(fresh_db_url)
    try:
        assert "users" in sa.inspect(engine).get_table_names()
        assert run(cli, env, "db", "current").output.strip() == db.current_revision(engine)
    finally:
        engine.dispose()
    assert run(cli, env, "db", "check").exit_code == 0


def test_default_database_is_sqlite_in_the_data_dir(cli: typer.Typer, tmp_path: Path) -> None:
    env = {"VERDICT_DATA_DIR": str(tmp_path / "var"), "VERDICT_DATABASE_URL": ""}
    assert run(cli, env, "db", "upgrade").exit_code == 0
    assert (tmp_path / "var" / "verdict.sqlite3").is_file()


def test_user_create_passwd_and_list(cli: typer.Typer, env: dict[str, str], session: Session) -> None:
    result = run(
        cli, env, "user", "create", "alice", "--email", "Alice@Example.org",
        "--password", "first password", "--role", "instructor", "--full-name", "Alice A.",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "created user alice (instructor)" in result.output
    user = session.scalar(sa.select(User))
    assert (user.email, user.role, user.full_name) == ("alice@example.org", Role.INSTRUCTOR, "Alice A.")
    assert service.authenticate(session, "alice", "first password") is user
    session.commit()

    # Asked twice when not given, never echoed.
    result = run(cli, env, "user", "passwd", "alice", input="second password\nsecond password\n")
    assert result.exit_code == 0, result.output
    session.expire_all()
    assert service.authenticate(session, "alice", "second password").username == "alice"
    with pytest.raises(InvalidCredentials):
        service.authenticate(session, "alice", "first password")
    session.commit()

    assert "alice@example.org" in run(cli, env, "user", "list").output


def test_user_errors_exit_1_with_a_message(cli: typer.Typer, env: dict[str, str]) -> None:
    assert (
        run(cli, env, "user", "create", "bob", "--email", "b@x.org", "--password", "long enough").exit_code
        == 0
    )
    again = run(cli, env, "user", "create", "bob", "--email", "c@x.org", "--password", "long enough")
    assert again.exit_code == 1 and "username 'bob' is taken" in again.output
    short = run(cli, env, "user", "create", "carol", "--email", "c@x.org", "--password", "short")
    assert short.exit_code == 1 and "too short" in short.output
    missing = run(cli, env, "user", "passwd", "nobody", "--password", "long enough")
    assert missing.exit_code == 1 and "no user 'nobody'" in missing.output


def test_user_token_create_list_revoke(cli: typer.Typer, env: dict[str, str], session: Session) -> None:
    run(cli, env, "user", "create", "bot", "--email", "bot@x.org", "--password", "long enough")
    result = run(cli, env, "user", "token", "bot", "--name", "ci")
    assert result.exit_code == 0, result.output
    secret = next(line for line in result.stdout.splitlines() if line.startswith("vdt_"))
    assert service.authenticate_token(session, secret).username == "bot"
    token_id = session.scalar(sa.select(ApiToken.id))
    session.commit()
    assert "ci" in run(cli, env, "user", "token", "bot", "--list").output
    revoked = run(cli, env, "user", "token", "bot", "--revoke", str(token_id))
    assert revoked.exit_code == 0 and "revoked" in revoked.output
    session.expire_all()
    with pytest.raises(InvalidCredentials):
        service.authenticate_token(session, secret)


def test_problem_import_prints_the_id(cli: typer.Typer, env: dict[str, str], session: Session) -> None:
    run(
        cli,
        env,
        "user",
        "create",
        "teacher",
        "--email",
        "t@x.org",
        "--password",
        "long enough",
        "--role",
        "instructor",
    )
    result = run(cli, env, "problem", "import", str(FIXTURES / "jutge" / "scored.pbm"), "--owner", "teacher")
    assert result.exit_code == 0, result.output
    problem_id = result.stdout.strip().splitlines()[-1]
    problem = session.get(Problem, problem_id)
    assert problem is not None and problem.package_id == "scored"
    again = run(cli, env, "problem", "import", str(FIXTURES / "jutge" / "scored.pbm"), "--owner", "teacher")
    assert again.stdout.strip().splitlines()[-1] == problem_id and "unchanged" in again.output
    bad = run(cli, env, "problem", "import", str(FIXTURES / "bad" / "no_cor.pbm"))
    assert bad.exit_code == 1 and "no expected output" in bad.output


def test_commands_join_an_existing_problem_group() -> None:
    app = typer.Typer()
    existing = typer.Typer()

    @existing.command("check")
    def check() -> None:
        """Someone else's command."""

    app.add_typer(existing, name="problem")
    register(app)
    names = {command.name for command in existing.registered_commands}
    assert names == {"check", "import"}
    assert [group.name for group in app.registered_groups].count("problem") == 1
