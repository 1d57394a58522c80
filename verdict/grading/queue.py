"""The grading queue on Dramatiq: an in-process broker by default, RabbitMQ or Redis to scale out.

A message carries no submission: it only wakes a worker, which claims the best waiting
submission from the database (priorities live there, so they hold with any broker). One
message is sent per submission made waiting; a message finding nothing to claim is a no-op.
"""

from __future__ import annotations

import logging
import threading
from typing import TYPE_CHECKING

import dramatiq
from dramatiq.brokers.stub import StubBroker

from verdict.grading import owners, service
from verdict.grading.engine import GradingEngine

if TYPE_CHECKING:
    from verdict.app import Platform

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


class GradingQueue:
    """Wakes graders after commits, runs grader threads, sweeps expired leases."""

    def __init__(self, platform: Platform) -> None:
        self.platform = platform
        self.broker = make_broker(platform.settings.broker_url)
        self.engine = GradingEngine(platform, wake=self.wake)
        self.queue_name = platform.settings.queue_name
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
        with self.platform.sessionmaker() as session:
            waiting = service.waiting_count(session)
        self.wake(waiting)
        return waiting

    def sweep(self) -> list[int]:
        """Puts back submissions whose lease expired, and at once those whose owner is a dead
        process of this machine (a worker killed with SIGKILL: audit L2)."""
        here = self.engine.identity
        with self.platform.sessionmaker() as session:
            orphaned = service.sweep_dead_owners(session, lambda owner: owners.owner_is_dead(owner, here))
        with self.platform.sessionmaker() as session:
            expired = service.sweep_expired(session)
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


def get_queue(platform: Platform) -> GradingQueue:
    """The platform's queue, made on first use."""
    queue = platform.extensions.get("queue")
    if queue is None:
        queue = platform.extensions["queue"] = GradingQueue(platform)
    return queue
