"""``verdict db upgrade|current|check|revision``: the database schema (Alembic migrations)."""

from __future__ import annotations

from typing import Annotated

import typer

from verdict import db
from verdict.cli.runtime import Runtime, console, errors
from verdict.schema import schema_drift

app = typer.Typer(help="Database schema (Alembic migrations).", no_args_is_help=True)


@app.command("upgrade")
def db_upgrade(
    ctx: typer.Context,
    revision: Annotated[str, typer.Argument(help="Target revision.")] = "head",
) -> None:
    """Create or upgrade the database schema."""
    engine = Runtime.of(ctx).platform().engine
    db.upgrade(engine, revision)
    console.print(f"database at revision [bold]{db.current_revision(engine)}[/bold]")


@app.command("current")
def db_current(ctx: typer.Context) -> None:
    """Print the schema revision of the database."""
    console.print(db.current_revision(Runtime.of(ctx).platform().engine) or "(empty database)")


@app.command("check")
def db_check(ctx: typer.Context) -> None:
    """Fail if the database schema differs from the models (a missing migration)."""
    drift = schema_drift(Runtime.of(ctx).platform().engine)
    for difference in drift:
        errors.print(f"[red]drift:[/red] {difference}")
    if drift:
        raise typer.Exit(1)
    console.print("schema matches the models")


@app.command("revision")
def db_revision(
    ctx: typer.Context,
    message: Annotated[str, typer.Option("--message", "-m", help="What the migration does.")],
) -> None:
    """Generate a migration from model changes (developers; review the file before committing)."""
    engine = Runtime.of(ctx).platform().engine
    if db.current_revision(engine) is None:
        db.upgrade(engine)  # compare against the schema the migrations make
    if not schema_drift(engine):
        console.print("models and migrations agree: nothing to generate")
        return
    db.new_revision(engine, message)
