"""The grading queue: what wakes a grader once a submission is committed waiting.

A wake carries no submission: it only wakes a worker, which claims the best waiting submission
from the database (priorities live there, so they hold with any broker). One wake is sent per
submission made waiting; a wake finding nothing to claim is a no-op.

Three implementations of :class:`Queue`:

* :class:`DramatiqQueue`, the platform's default: Dramatiq with an in-process broker (embedded),
  RabbitMQ or Redis (to scale out), grader threads and the lease sweeper;
* :class:`InProcessQueue`: grader threads of this process, no broker at all;
* :class:`NullQueue`: wakes nobody (commands that only read, tests that grade by hand), and
  counts the wakes it was asked for.
"""

from __future__ import annotations

import logging
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Protocol

import dramatiq
from dramatiq.brokers.stub import StubBroker
from sqlalchemy.orm import Session, sessionmaker

from verdict.grading import owners, service
from verdict.grading.engine import GradingEngine
from verdict.grading.graders import Graders
from verdict.settings import Settings

log = logging.getLogger(__name__)
ACTOR = "verdict_grade"
ACTOR_TIME_LIMIT_MS = 60 * 60 * 1000
SWEEP_SECONDS = 5.0


def make_broker(url: str) -> dramatiq.Broker:
    if not url:
        return StubBroker()
    if url.startswith(("amqp://", "amqps://")):
        from dramatiq.brokers.rabbitmq import RabbitmqBroker

        return RabbitmqBroker(url=url)
    if url.startswith(("redis://", "rediss://", "unix://")):
        from dramatiq.brokers.redis import RedisBroker

        return RedisBroker(url=url)  # type: ignore[no-untyped-call]  # dramatiq leaves it untyped
    raise ValueError(f"unsupported broker URL {url!r}: use amqp://... or redis://...")


class Queue(Protocol):
    """What the platform knows of its grading queue."""

    def wake(self, count: int = 1) -> None:
        """Wake ``count`` graders. Call only after the commit that made submissions waiting; may
        raise when the broker is down (the submissions stay waiting, for the sweeper)."""

    def start_workers(self, threads: int, sweep: bool = True) -> None:
        """Grade in this process with ``threads`` threads (and sweep expired leases)."""

    def stop(self) -> None: ...


class NullQueue:
    """Wakes nobody; counts the wakes (a test's witness that a use case woke the queue)."""

    def __init__(self) -> None:
        self.wakes = 0

    def wake(self, count: int = 1) -> None:
        self.wakes += count

    def start_workers(self, threads: int, sweep: bool = True) -> None:
        pass

    def stop(self) -> None:
        pass


class InProcessQueue:
    """Grader threads of this process, woken directly: no broker, no sweeper. Each wake grades
    the best waiting submission once a thread is free."""

    def __init__(self, settings: Settings, sessions: sessionmaker[Session], graders: Graders) -> None:
        self.engine = GradingEngine(settings, sessions, graders, wake=self.wake)
        self._pool: ThreadPoolExecutor | None = None

    def start_workers(self, threads: int, sweep: bool = True) -> None:
        self._pool = ThreadPoolExecutor(max(threads, 1), thread_name_prefix="verdict-grader")

    def wake(self, count: int = 1) -> None:
        if self._pool is None:
            self.start_workers(1)
        assert self._pool is not None
        for _ in range(count):
            self._pool.submit(self.engine.grade_next)

    def stop(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True)
            self._pool = None


class DramatiqQueue:
    """Wakes graders after commits through Dramatiq, runs grader threads, sweeps expired leases."""

    def __init__(self, settings: Settings, sessions: sessionmaker[Session], graders: Graders) -> None:
        self.sessionmaker = sessions
        self.broker = make_broker(settings.broker_url)
        self.engine = GradingEngine(settings, sessions, graders, wake=self.wake)
        self.queue_name = settings.queue_name
        self.actor = dramatiq.actor(
            broker=self.broker,
            actor_name=ACTOR,
            queue_name=self.queue_name,
            max_retries=0,
            time_limit=ACTOR_TIME_LIMIT_MS,
        )(self._work)
        self._worker: dramatiq.Worker | None = None
        self._stop = threading.Event()
        self._sweeper: threading.Thread | None = None

    @property
    def embedded(self) -> bool:
        return isinstance(self.broker, StubBroker)

    def wake(self, count: int = 1) -> None:
        """Call only after the commit that made submissions waiting."""
        for _ in range(count):
            self.actor.send()

    def _work(self) -> None:
        self.engine.grade_next()

    # -- workers --------------------------------------------------------------------------
    def start_workers(self, threads: int, sweep: bool = True) -> None:
        """Starts grader threads consuming the broker, and the lease sweeper."""
        if threads > 0:
            self.broker.emit_after("process_boot")
            self._worker = dramatiq.Worker(
                self.broker, queues={self.queue_name}, worker_threads=threads, worker_timeout=100
            )
            self._worker.start()
        if sweep:
            self.resume()
            self._sweeper = threading.Thread(target=self._sweep_loop, name="verdict-sweeper", daemon=True)
            self._sweeper.start()

    def resume(self) -> int:
        """Wakes a worker per waiting submission (after a restart the in-process broker is empty)."""
        matches = self.engine.graders.matches
        with self.sessionmaker() as session:
            waiting = service.waiting_count(session) + (matches.waiting(session) if matches else 0)
        self.wake(waiting)
        return waiting

    def sweep(self) -> list[int]:
        """Puts back submissions whose lease expired, and at once those whose owner is a dead
        process of this machine (a worker killed with SIGKILL: audit L2)."""
        here = self.engine.identity
        with self.sessionmaker() as session:
            orphaned = service.sweep_dead_owners(session, lambda owner: owners.owner_is_dead(owner, here))
        with self.sessionmaker() as session:
            expired = service.sweep_expired(session)
        matches = self.engine.graders.matches
        if matches is not None:  # competition matches, replayed from their seeds
            with self.sessionmaker() as session:
                expired += matches.sweep(session, lambda owner: owners.owner_is_dead(owner, here))
        if orphaned:
            log.warning("lease owners dead, submissions put back: %s", orphaned)
        if expired:
            log.warning("leases expired, submissions put back: %s", expired)
        self.wake(len(orphaned) + len(expired))
        return orphaned + expired

    def _sweep_loop(self) -> None:
        while not self._stop.wait(SWEEP_SECONDS):
            try:
                self.sweep()
                if self.embedded and self._idle():
                    self.resume()  # work made waiting by another process (`verdict rejudge`)
            except Exception:  # a database hiccup must not end the sweeper; it is logged
                log.exception("lease sweep failed")

    def _idle(self) -> bool:
        assert isinstance(self.broker, StubBroker)
        pending = self.broker.queues.get(self.queue_name)
        return pending is None or pending.unfinished_tasks == 0

    def stop(self) -> None:
        self._stop.set()
        if self._worker is not None:
            self._worker.stop()
            self._worker = None
        if self._sweeper is not None:
            self._sweeper.join(timeout=SWEEP_SECONDS + 1)
        self.broker.close()
