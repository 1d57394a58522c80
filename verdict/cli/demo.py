"""``verdict demo``: load the demo data (:mod:`verdict.demo`) and print the logins."""

from __future__ import annotations

import typer
from rich.table import Table

from verdict.cli.runtime import Runtime, console
from verdict.demo import PASSWORD, USERS, load_demo


def demo_command(ctx: typer.Context) -> None:
    """Load the demo data (idempotent) and print the logins."""
    problems = load_demo(Runtime.of(ctx).platform(migrate=True))
    table = Table(title="Demo logins (password for all: " + PASSWORD + ")")
    for column in ("username", "email", "role"):
        table.add_column(column)
    for username, email, _, role in USERS:
        table.add_row(username, email, role)
    console.print(table)
    console.print(
        f"problems: {', '.join(problems)}; courses: teacher:demo (Jutge), inginious-demo (INGInious)"
    )
