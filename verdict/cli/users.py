"""``verdict user create|passwd|token|list|unlock``: user accounts and API tokens."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table
from sqlalchemy import select
from sqlalchemy.orm import Session

from verdict.accounts import service as accounts
from verdict.accounts.errors import AccountError
from verdict.accounts.models import ApiToken, Role, User
from verdict.cli.runtime import Runtime, console, errors

app = typer.Typer(help="User accounts and API tokens.", no_args_is_help=True)


def user_or_refuse(session: Session, login: str) -> User:
    """The user ``login`` (username or email); an unknown one is a refusal (exit status 1)."""
    user = accounts.get_user(session, login)
    if user is None:
        raise AccountError(f"no user {login!r}")
    return user


@app.command("create")
def user_create(
    ctx: typer.Context,
    username: str,
    email: Annotated[str, typer.Option(help="Email address (unique).")],
    password: Annotated[
        str, typer.Option(prompt=True, hide_input=True, confirmation_prompt=True, help="Asked if omitted.")
    ],
    role: Annotated[Role, typer.Option(help="Platform role.")] = Role.STUDENT,
    full_name: Annotated[str, typer.Option(help="Displayed name.")] = "",
) -> None:
    """Create a user account."""
    with Runtime.of(ctx).unit_of_work() as (_, session):
        user = accounts.create_user(session, username, email, password, role=role, full_name=full_name)
    console.print(f"created user [bold]{user.username}[/bold] ({user.role}) id {user.id}")


@app.command("passwd")
def user_passwd(
    ctx: typer.Context,
    username: str,
    password: Annotated[
        str, typer.Option(prompt=True, hide_input=True, confirmation_prompt=True, help="Asked if omitted.")
    ],
) -> None:
    """Set a user's password."""
    with Runtime.of(ctx).unit_of_work() as (_, session):
        accounts.set_password(session, user_or_refuse(session, username), password)
    console.print(f"password of [bold]{username}[/bold] changed")


@app.command("token")
def user_token(
    ctx: typer.Context,
    username: str,
    name: Annotated[str, typer.Option(help="A label for the new token.")] = "",
    revoke: Annotated[int | None, typer.Option(help="Revoke the token with this id instead.")] = None,
    list_: Annotated[bool, typer.Option("--list", help="List the user's tokens instead.")] = False,
) -> None:
    """Create an API token (printed once), or revoke or list a user's tokens."""
    with Runtime.of(ctx).unit_of_work() as (_, session):
        user = user_or_refuse(session, username)
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


@app.command("list")
def user_list(ctx: typer.Context) -> None:
    """List user accounts."""
    with Runtime.of(ctx).unit_of_work() as (_, session):
        users = session.scalars(select(User).order_by(User.id)).all()
        table = Table("id", "username", "email", "role", "full name")
        for user in users:
            table.add_row(str(user.id), user.username, user.email, user.role.value, user.full_name)
    console.print(table)


@app.command("unlock")
def user_unlock(
    ctx: typer.Context,
    login: Annotated[str, typer.Argument(help="Username or email whose failed logins to forget.")] = "",
    ip: Annotated[str, typer.Option(help="Also (or only) forget the failed logins from this address.")] = "",
) -> None:
    """Lift the failed-login back-off of an account and/or an address at once."""
    with Runtime.of(ctx).unit_of_work() as (_, session):
        forgotten = accounts.lift_login_limits(session, login=login or None, ip=ip or None)
    who = " and ".join(part for part in (login and f"[bold]{login}[/bold]", ip and f"address {ip}") if part)
    console.print(f"login limit of {who} lifted ({forgotten} failed attempt(s) forgotten)")
