"""`verdict db|user|problem ...` through Typer's runner, configured by VERDICT_* like in real use."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import sqlalchemy as sa
import typer
from sqlalchemy.orm import Session
from typer.testing import CliRunner, Result

from tests.support.paths import DEMO_PACKAGES, FIXTURE_PACKAGES
from tests.support.users import MakeUser
from verdict import db
from verdict.accounts import service
from verdict.accounts.errors import InvalidCredentials
from verdict.cli import Runtime, app
from verdict.grading.queue import NullQueue
from verdict.models import ApiToken, Problem, Role, User
from verdict.platform import Platform, bootstrap
from verdict.settings import Settings
from verdict.submissions.models import Submission, SubmissionStatus


@pytest.fixture
def cli() -> typer.Typer:
    return app


def run(cli: typer.Typer, env: dict[str, str], *args: str, input: str | None = None) -> Result:
    return CliRunner().invoke(cli, list(args), env=env, input=input)


@pytest.fixture
def env(cli_env: dict[str, str]) -> dict[str, str]:
    """Environment pointing the commands at the migrated test database."""
    return cli_env


@pytest.mark.integration
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


@pytest.mark.integration
def test_default_database_is_sqlite_in_the_data_dir(cli: typer.Typer, tmp_path: Path) -> None:
    env = {"VERDICT_DATA_DIR": str(tmp_path / "var"), "VERDICT_DATABASE_URL": ""}
    assert run(cli, env, "db", "upgrade").exit_code == 0
    assert (tmp_path / "var" / "verdict.sqlite3").is_file()


@pytest.mark.integration
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


@pytest.mark.integration
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


@pytest.mark.integration
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


@pytest.mark.integration
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
    result = run(cli, env, "problem", "import", str(DEMO_PACKAGES / "scored.pbm"), "--owner", "teacher")
    assert result.exit_code == 0, result.output
    problem_id = result.stdout.strip().splitlines()[-1]
    problem = session.get(Problem, problem_id)
    assert problem is not None and problem.package_id == "scored"
    again = run(cli, env, "problem", "import", str(DEMO_PACKAGES / "scored.pbm"), "--owner", "teacher")
    assert again.stdout.strip().splitlines()[-1] == problem_id and "unchanged" in again.output
    bad = run(cli, env, "problem", "import", str(FIXTURE_PACKAGES / "bad" / "no_cor.pbm"))
    assert bad.exit_code == 1 and "no expected output" in bad.output  # not folded at the width


@pytest.mark.unit
def test_one_problem_group_holds_check_and_import() -> None:
    groups = [group for group in app.registered_groups if group.name == "problem"]
    assert len(groups) == 1 and groups[0].typer_instance is not None
    assert {command.name for command in groups[0].typer_instance.registered_commands} == {"check", "import"}


# --------------------------------------------------------------------------- the command as a whole

GROUPS = {
    "problem": {"check", "import"},
    "db": {"upgrade", "current", "check", "revision"},
    "user": {"create", "passwd", "token", "list", "unlock"},
    "course": {"import-inginious"},
}
COMMANDS = {"run", "languages", "judge", "serve", "worker", "submit", "rejudge", "submission", "demo"}


def listed(output: str) -> set[str]:
    """The names in a Rich help page's Commands panel."""
    panel = output.split("Commands")[-1]
    return {match.group(1) for match in re.finditer(r"^│ ([a-z][a-z-]*) ", panel, re.MULTILINE)}


@pytest.mark.unit
def test_help_lists_every_command_and_group() -> None:
    result = CliRunner().invoke(app, ["--help"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert listed(result.output) == COMMANDS | set(GROUPS)
    for group, commands in GROUPS.items():
        result = CliRunner().invoke(app, [group, "--help"], env={"COLUMNS": "200"})
        assert result.exit_code == 0, result.output
        assert listed(result.output) == commands, group


class ClosingQueue(NullQueue):
    """A NullQueue that counts how often the platform stopped it (Platform.close)."""

    def __init__(self) -> None:
        super().__init__()
        self.stops = 0

    def stop(self) -> None:
        self.stops += 1


@pytest.mark.integration
def test_one_invocation_builds_the_platform_once_and_closes_it(
    env: dict[str, str], make_user: MakeUser, session: Session, tmp_path: Path
) -> None:
    make_user("alice")
    imported = run(app, env, "problem", "import", str(FIXTURE_PACKAGES / "kattis" / "floatdiv"))
    assert imported.exit_code == 0, imported.output
    problem_id = imported.stdout.strip().splitlines()[-1]
    built: list[Platform] = []
    queue = ClosingQueue()

    def counting_bootstrap(settings: Settings | None = None, *, migrate: bool = False) -> Platform:
        built.append(bootstrap(settings, migrate=migrate, queue=queue))
        return built[-1]

    source = tmp_path / "sum.py"
    source.write_text("print(sum(map(int, input().split())))\n")
    result = CliRunner().invoke(
        app,
        ["submit", problem_id, str(source), "--user", "alice", "--no-wait"],
        env=env,
        obj=Runtime(bootstrap=counting_bootstrap),
    )
    assert result.exit_code == 0, result.output
    assert (len(built), queue.wakes, queue.stops) == (1, 1, 1)  # built once, woken by the use case, closed
    submission_id = int(result.output.split()[1])
    submission = session.get(Submission, submission_id)
    assert submission is not None and submission.status == SubmissionStatus.WAITING
    no_broker = {**env, "VERDICT_BROKER_URL": ""}  # the real runtime and queue (in-process)
    missing = CliRunner().invoke(
        app, ["submit", "P99999", str(source), "--user", "alice", "--no-wait"], env=no_broker
    )
    assert missing.exit_code == 1 and "no problem 'P99999'" in missing.output


@pytest.mark.unit
def test_judge_only_commands_build_no_platform(tmp_path: Path) -> None:
    def no_bootstrap(settings: Settings | None = None, *, migrate: bool = False) -> Platform:
        raise AssertionError("a judge-only command built the platform")

    env = {"VERDICT_DATA_DIR": str(tmp_path / "var"), "VERDICT_DATABASE_URL": ""}
    result = CliRunner().invoke(
        app, ["languages", "--no-check"], env=env, obj=Runtime(bootstrap=no_bootstrap)
    )
    assert result.exit_code == 0, result.output
    bad = CliRunner().invoke(app, ["problem", "check", str(tmp_path)], env=env)  # the real runtime
    assert bad.exit_code == 2 and "Bad package" in bad.output
    assert not (tmp_path / "var" / "verdict.sqlite3").exists()
    assert not (tmp_path / "var" / "secret_key").exists()
