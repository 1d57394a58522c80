"""The one composition root: :func:`bootstrap` wires the platform (settings, database, credential
cache, grading queue, graders) for the web application, the CLI, the workers and the tests alike.
It imports no web framework: ``verdict.web.app.create_app`` puts a platform behind FastAPI.

Nothing here is a module-level global: every request finds its :class:`Platform` on
``request.app.state.platform``, every command on Typer's context. Tests pass fakes to
:func:`bootstrap` (a :class:`~verdict.grading.queue.NullQueue`, their own graders) instead of
patching.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

import verdict.models  # noqa: F401  (every feature's tables registered: relationships resolve by name)
from verdict import db
from verdict.accounts.cache import CredentialCache
from verdict.competitions.jobs import CompetitionMatches
from verdict.competitions.sandboxed import SandboxedMatchRunner
from verdict.courses.quiz import TaskGrader
from verdict.datadir import prepare_data_dir
from verdict.grading.engine import GradingEngine
from verdict.grading.graders import Graders, SubmissionGrader, SubmissionKind
from verdict.grading.queue import DramatiqQueue, Queue
from verdict.settings import Settings, sandbox_config

QueueFactory = Callable[[Settings, sessionmaker[Session], Graders], Queue]
"""How a queue is made from the platform's parts (``DramatiqQueue``, ``InProcessQueue``)."""


def default_graders(settings: Settings) -> dict[SubmissionKind, SubmissionGrader]:
    """Every kind of submission that a feature grades, in every process that grades. Tasks need
    the secret (Jutge quiz seeds) and the sandbox (their variable scripts)."""
    return {SubmissionKind.TASK: TaskGrader(settings.secret_key, sandbox_config(settings), settings.data_dir)}


def default_match_jobs(settings: Settings) -> CompetitionMatches:
    """Competition matches, played in the sandbox by every process that grades."""
    return CompetitionMatches(SandboxedMatchRunner(sandbox_config(settings)), settings.data_dir / "packages")


@dataclass
class Platform:
    """Everything a request, a worker or a command needs, built once by :func:`bootstrap`."""

    settings: Settings
    engine: Engine
    sessionmaker: sessionmaker[Session]
    queue: Queue
    graders: Graders
    credentials: CredentialCache = field(default_factory=CredentialCache)  # see accounts.cache
    # The server's clock, which alone times deadlines (exam windows): tests pass a clock they move.
    clock: Callable[[], datetime] = db.utcnow

    @contextmanager
    def session_scope(self) -> Iterator[Session]:
        """A unit of work: commit on success, roll back on error."""
        with db.session_scope(self.sessionmaker) as session:
            yield session

    def grading_engine(self, name: str | None = None) -> GradingEngine:
        """A grading engine of this platform's own (a worker's, a test's, ``verdict judge``'s)."""
        return GradingEngine(self.settings, self.sessionmaker, self.graders, name=name, wake=self.queue.wake)

    def close(self) -> None:
        self.queue.stop()
        self.engine.dispose()


def bootstrap(
    settings: Settings | None = None,
    *,
    engine: Engine | None = None,
    migrate: bool = False,
    queue: Queue | QueueFactory = DramatiqQueue,
    graders: Mapping[SubmissionKind, SubmissionGrader] | None = None,
    clock: Callable[[], datetime] = db.utcnow,
) -> Platform:
    """Build the platform. Pass ``engine`` to share one (tests); ``migrate`` upgrades the schema
    first (handy for the embedded SQLite default); ``queue`` is a queue or how to make one from the
    platform's parts; ``graders`` replaces :func:`default_graders`; ``clock`` replaces the wall clock
    (tests of deadlines)."""
    # Private data directory and SQLite file, and the secret key checked or kept there (C1).
    settings = prepare_data_dir(settings or Settings())
    engine = engine or db.create_engine(settings.sqlalchemy_url)
    if migrate:
        db.upgrade(engine)
    sessions = db.make_sessionmaker(engine)
    registry = Graders(default_graders(settings) if graders is None else graders)
    if graders is None:
        registry.register_matches(default_match_jobs(settings))
    if callable(queue):
        queue = queue(settings, sessions, registry)
    return Platform(
        settings=settings, engine=engine, sessionmaker=sessions, queue=queue, graders=registry, clock=clock
    )
