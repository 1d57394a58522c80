"""What one ``verdict`` invocation shares: the settings and the platform, each built on first use.

The root callback (``verdict.cli``) puts a :class:`Runtime` on Typer's context; a command takes
``ctx: typer.Context`` and asks ``Runtime.of(ctx)`` for what it needs. A command that needs no
platform (``verdict run``, ``languages``, ``judge``, ``problem check``) never asks for one, so it
opens no database and writes nothing in the data directory. The platform is built once, however
many times it is asked for, and closed when the command ends (``ctx.call_on_close``). Tests pass
their own ``bootstrap`` (a counting one, one with a ``NullQueue``) through ``CliRunner.invoke(...,
obj=Runtime(...))`` instead of patching.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Protocol

import typer
from rich.console import Console
from sqlalchemy.orm import Session

from verdict import db
from verdict.accounts.errors import AccountError
from verdict.judge.errors import PackageError
from verdict.judge.sandbox import SandboxConfig
from verdict.platform import Platform, bootstrap
from verdict.settings import Settings, sandbox_config

console = Console()
errors = Console(stderr=True, soft_wrap=True)  # an error is one line, whatever the width: grep finds it

REFUSALS: tuple[type[Exception], ...] = (AccountError, PackageError, LookupError)
"""What :meth:`Runtime.unit_of_work` turns into ``error: ...`` and exit status 1."""


class Bootstrap(Protocol):
    """How a runtime builds its platform (:func:`verdict.platform.bootstrap`, or a test's)."""

    def __call__(self, settings: Settings | None = None, *, migrate: bool = False) -> Platform: ...


class Runtime:
    """The settings of this invocation and its platform, built at most once and only if asked."""

    def __init__(self, settings: Settings | None = None, *, bootstrap: Bootstrap = bootstrap) -> None:
        self._settings = settings
        self._bootstrap = bootstrap
        self._platform: Platform | None = None
        self._migrated = False

    @staticmethod
    def of(ctx: typer.Context) -> Runtime:
        """The runtime the root callback put on the context (sub-contexts inherit ``obj``)."""
        if not isinstance(ctx.obj, Runtime):
            raise RuntimeError("no Runtime on the context: invoke commands through verdict.cli.app")
        return ctx.obj

    @property
    def settings(self) -> Settings:
        """The settings from the environment (``VERDICT_*``), read on first use."""
        if self._settings is None:
            self._settings = Settings()
        return self._settings

    def platform(self, *, migrate: bool = False) -> Platform:
        """The platform, built on first use; ``migrate`` upgrades the schema first (once)."""
        if self._platform is None:
            self._platform = self._bootstrap(self.settings, migrate=migrate)
        elif migrate and not self._migrated:
            db.upgrade(self._platform.engine)
        self._migrated = self._migrated or migrate
        return self._platform

    def sandbox_config(self) -> SandboxConfig:
        """The sandbox of the judge-only commands: the workers' configuration, without a platform."""
        return sandbox_config(self.settings)

    @contextmanager
    def unit_of_work(self) -> Iterator[tuple[Platform, Session]]:
        """A committed unit of work; a refusal (:data:`REFUSALS`) exits with status 1 and a message."""
        platform = self.platform()
        try:
            with platform.session_scope() as session:
                yield platform, session
        except REFUSALS as error:
            errors.print(f"[red]error:[/red] {error}")
            raise typer.Exit(1) from None

    def close(self) -> None:
        """Stop the platform's queue and dispose of its engine, if a command built it."""
        if self._platform is not None:
            platform, self._platform = self._platform, None
            platform.close()
