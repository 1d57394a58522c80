"""Platform commands: ``verdict db ...``, ``verdict user ...``, ``verdict problem import``.

Each command builds the platform from the environment (``VERDICT_*``) with
:func:`verdict.platform.bootstrap`, does one unit of work and prints the outcome with Rich.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table
from sqlalchemy import select
from sqlalchemy.orm import Session

from verdict import db
from verdict.accounts import service as accounts
from verdict.accounts.errors import AccountError
from verdict.accounts.models import ApiToken, Role, User
from verdict.judge.errors import PackageError
from verdict.platform import Platform, bootstrap

console = Console()
errors = Console(stderr=True)


def register(app: typer.Typer) -> None:
    db_app = _group(app, "db", "Database schema (Alembic migrations).")
    db_app.command("upgrade")(db_upgrade)
    db_app.command("current")(db_current)
    db_app.command("check")(db_check)
    db_app.command("revision")(db_revision)
    user_app = _group(app, "user", "User accounts and API tokens.")
    user_app.command("create")(user_create)
    user_app.command("passwd")(user_passwd)
    user_app.command("token")(user_token)
    user_app.command("list")(user_list)
    user_app.command("unlock")(user_unlock)
    problem_app = _group(app, "problem", "Problems of the platform.")
    problem_app.command("import")(problem_import)


def _group(app: typer.Typer, name: str, help_text: str) -> typer.Typer:
    """The sub-app ``name``, reusing one another feature already registered."""
    for info in app.registered_groups:
        if info.name == name and info.typer_instance is not None:
            return info.typer_instance
    group = typer.Typer(help=help_text, no_args_is_help=True)
    app.add_typer(group, name=name)
    return group


@contextmanager
def _platform() -> Iterator[Platform]:
    platform = bootstrap()
    try:
        yield platform
    finally:
        platform.close()


@contextmanager
def _unit_of_work() -> Iterator[tuple[Platform, Session]]:
    """A committed unit of work; account and package errors exit with status 1 and a message."""
    with _platform() as platform:
        try:
            with platform.session_scope() as session:
                yield platform, session
        except (AccountError, PackageError, LookupError) as error:
            errors.print(f"[red]error:[/red] {error}")
            raise typer.Exit(1) from None


def _user(session: Session, login: str) -> User:
    user = accounts.get_user(session, login)
    if user is None:
        raise AccountError(f"no user {login!r}")
    return user


# --------------------------------------------------------------------------- db


def db_upgrade(revision: Annotated[str, typer.Argument(help="Target revision.")] = "head") -> None:
    """Create or upgrade the database schema."""
    with _platform() as platform:
        db.upgrade(platform.engine, revision)
        console.print(f"database at revision [bold]{db.current_revision(platform.engine)}[/bold]")


def db_current() -> None:
    """Print the schema revision of the database."""
    with _platform() as platform:
        console.print(db.current_revision(platform.engine) or "(empty database)")


def db_check() -> None:
    """Fail if the database schema differs from the models (a missing migration)."""
    with _platform() as platform:
        drift = db.schema_drift(platform.engine)
    for difference in drift:
        errors.print(f"[red]drift:[/red] {difference}")
    if drift:
        raise typer.Exit(1)
    console.print("schema matches the models")


def db_revision(
    message: Annotated[str, typer.Option("--message", "-m", help="What the migration does.")],
) -> None:
    """Generate a migration from model changes (developers; review the file before committing)."""
    with _platform() as platform:
        if db.current_revision(platform.engine) is None:
            db.upgrade(platform.engine)  # compare against the schema the migrations make
        if not db.schema_drift(platform.engine):
            console.print("models and migrations agree: nothing to generate")
            return
        db.new_revision(platform.engine, message)


# --------------------------------------------------------------------------- users


def user_create(
    username: str,
    email: Annotated[str, typer.Option(help="Email address (unique).")],
    password: Annotated[
        str, typer.Option(prompt=True, hide_input=True, confirmation_prompt=True, help="Asked if omitted.")
    ],
    role: Annotated[Role, typer.Option(help="Platform role.")] = Role.STUDENT,
    full_name: Annotated[str, typer.Option(help="Displayed name.")] = "",
) -> None:
    """Create a user account."""
    with _unit_of_work() as (_, session):
        user = accounts.create_user(session, username, email, password, role=role, full_name=full_name)
    console.print(f"created user [bold]{user.username}[/bold] ({user.role}) id {user.id}")


def user_passwd(
    username: str,
    password: Annotated[
        str, typer.Option(prompt=True, hide_input=True, confirmation_prompt=True, help="Asked if omitted.")
    ],
) -> None:
    """Set a user's password."""
    with _unit_of_work() as (_, session):
        accounts.set_password(session, _user(session, username), password)
    console.print(f"password of [bold]{username}[/bold] changed")


def user_unlock(
    login: Annotated[str, typer.Argument(help="Username or email whose failed logins to forget.")] = "",
    ip: Annotated[str, typer.Option(help="Also (or only) forget the failed logins from this address.")] = "",
) -> None:
    """Lift the failed-login back-off of an account and/or an address at once."""
    with _unit_of_work() as (_, session):
        forgotten = accounts.lift_login_limits(session, login=login or None, ip=ip or None)
    who = " and ".join(part for part in (login and f"[bold]{login}[/bold]", ip and f"address {ip}") if part)
    console.print(f"login limit of {who} lifted ({forgotten} failed attempt(s) forgotten)")


def user_token(
    username: str,
    name: Annotated[str, typer.Option(help="A label for the new token.")] = "",
    revoke: Annotated[int | None, typer.Option(help="Revoke the token with this id instead.")] = None,
    list_: Annotated[bool, typer.Option("--list", help="List the user's tokens instead.")] = False,
) -> None:
    """Create an API token (printed once), or revoke or list a user's tokens."""
    with _unit_of_work() as (_, session):
        user = _user(session, username)
        if list_:
            _print_tokens(accounts.list_tokens(session, user))
            return
        if revoke is not None:
            accounts.revoke_token(session, user, revoke)
            console.print(f"token {revoke} of [bold]{username}[/bold] revoked")
            return
        new = accounts.create_token(session, user, name)
    errors.print(f"token {new.token.id} created; it is shown only once:")
    console.print(new.secret, highlight=False, soft_wrap=True)


def _print_tokens(tokens: list[ApiToken]) -> None:
    table = Table("id", "name", "created", "last used", "revoked")
    for token in tokens:
        table.add_row(
            str(token.id),
            token.name,
            f"{token.created_at:%Y-%m-%d %H:%M}",
            f"{token.last_used_at:%Y-%m-%d %H:%M}" if token.last_used_at else "-",
            f"{token.revoked_at:%Y-%m-%d %H:%M}" if token.revoked_at else "-",
        )
    console.print(table)


def user_list() -> None:
    """List user accounts."""
    with _unit_of_work() as (_, session):
        users = session.scalars(select(User).order_by(User.id)).all()
        table = Table("id", "username", "email", "role", "full name")
        for user in users:
            table.add_row(str(user.id), user.username, user.email, user.role.value, user.full_name)
    console.print(table)


# --------------------------------------------------------------------------- problems


def problem_import(
    path: Annotated[Path, typer.Argument(help="Package directory, or .tgz/.zip archive.")],
    owner: Annotated[str | None, typer.Option(help="Owner's username (default: the platform).")] = None,
    problem_id: Annotated[str | None, typer.Option("--id", help="Update this existing problem.")] = None,
) -> None:
    """Import a problem package (re-importing the same package updates it). Prints the problem id."""
    from verdict.problems.store import import_package

    with _unit_of_work() as (platform, session):
        owner_user = _user(session, owner) if owner else None
        result = import_package(
            session, path, settings=platform.settings, owner=owner_user, problem_id=problem_id
        )
    action = "created" if result.problem_created else "updated" if result.version_created else "unchanged"
    errors.print(
        f"{action} {result.problem.title()!r} ({result.package.format}, {len(result.package.tests)} tests), "
        f"version {result.version.id}, blob {result.version.blob_hash[:12]}"
    )
    console.print(result.problem.id, highlight=False)
