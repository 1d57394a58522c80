"""The figures of the administrators' status page (and of ``/admin/status.json``): the queue, the
grading throughput, the errors, the workers and the sandbox slots, read from the database (and,
for the slots, from the kernel's lock table).

There is no worker registry: a worker is seen through the lease owners of the submissions it is
grading (:mod:`verdict.grading.owners`: ``host|boot|pidns|pid|start|token|thread``). An idle worker
holds no lease, so it does not show. A lease whose process is certainly gone (same machine, no
such process) is *dead*; one past its expiry is *expired*; the sweeper puts both back.

Sandbox slots are claimed with ``flock`` on ``<lock dir>/<slot>.lock`` (:mod:`verdict.judge.slots`)
by every worker process of a machine: ``/proc/locks`` lists the held ones, so the page counts the
slots in use on *this* machine without touching the locks. Workers on other machines are not seen.
"""

from __future__ import annotations

import os
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from verdict.grading import owners
from verdict.grading.service import waiting_count
from verdict.judge.verdicts import Verdict
from verdict.submissions.models import Submission, SubmissionStatus

WINDOWS_MINUTES = (1, 5, 60)
PROC_LOCKS = Path("/proc/locks")


@dataclass(frozen=True)
class Worker:
    """One grading engine seen through its leases."""

    host: str
    pid: int | None
    engine: str  # the lease owner without its thread part
    grading: int  # submissions it holds leases on
    state: str  # "alive", "expired" (a lease ran out) or "dead" (its process is gone)


@dataclass(frozen=True)
class Slots:
    total: int  # the configured slots per machine
    in_use: int | None  # held on this machine; None when the lock folder does not exist here


@dataclass(frozen=True)
class Status:
    now: datetime
    waiting: int
    grading: int
    oldest_waiting_seconds: float | None
    graded: dict[int, int]  # minutes -> submissions graded in the last that many minutes
    errors_last_hour: int
    workers: list[Worker] = field(default_factory=list)
    slots: Slots = Slots(0, None)

    def as_json(self) -> dict[str, Any]:
        """The figures for monitoring (what ``/admin/status.json`` answers)."""
        return {
            "now": self.now.isoformat(),
            "queue": {
                "waiting": self.waiting,
                "grading": self.grading,
                "oldest_waiting_seconds": self.oldest_waiting_seconds,
            },
            "graded": {f"last_{minutes}m": count for minutes, count in self.graded.items()},
            "errors_last_hour": self.errors_last_hour,
            "workers": [asdict(worker) for worker in self.workers],
            "slots": asdict(self.slots),
        }


def read_status(session: Session, now: datetime, *, slots_total: int, lock_dir: Path) -> Status:
    return Status(
        now=now,
        waiting=waiting_count(session),
        grading=_count(session, Submission.status == SubmissionStatus.GRADING),
        oldest_waiting_seconds=_oldest_waiting(session, now),
        graded={
            minutes: _graded_since(session, now - timedelta(minutes=minutes)) for minutes in WINDOWS_MINUTES
        },
        errors_last_hour=_errors_since(session, now - timedelta(hours=1)),
        workers=live_workers(session, now),
        slots=Slots(slots_total, slots_in_use(lock_dir, slots_total)),
    )


def _count(session: Session, *conditions: sa.ColumnElement[bool]) -> int:
    return session.scalar(sa.select(sa.func.count()).select_from(Submission).where(*conditions)) or 0


def _oldest_waiting(session: Session, now: datetime) -> float | None:
    oldest = session.scalar(
        sa.select(Submission.created_at)
        .where(Submission.status == SubmissionStatus.WAITING)
        .order_by(Submission.created_at, Submission.id)
        .limit(1)
    )
    return None if oldest is None else max(0.0, (now - oldest).total_seconds())


def _graded_since(session: Session, since: datetime) -> int:
    finished = Submission.status.in_([SubmissionStatus.DONE, SubmissionStatus.ERROR])
    return _count(session, finished, Submission.graded_at >= since)


def _errors_since(session: Session, since: datetime) -> int:
    """Internal errors: submissions that could not be graded, or were graded IE."""
    failed = sa.or_(Submission.status == SubmissionStatus.ERROR, Submission.verdict == Verdict.IE)
    return _count(session, failed, Submission.graded_at >= since)


def live_workers(session: Session, now: datetime) -> list[Worker]:
    """The engines holding leases, busiest first."""
    rows = session.execute(
        sa.select(Submission.lease_owner, Submission.lease_expires_at).where(
            Submission.status == SubmissionStatus.GRADING, Submission.lease_owner.is_not(None)
        )
    ).all()
    here = owners.ProcessIdentity.current()
    leases: dict[str, list[tuple[str, datetime | None]]] = {}
    for owner, expires in rows:
        assert owner is not None  # selected so
        engine = owner.rpartition(owners.SEPARATOR)[0] or owner
        leases.setdefault(engine, []).append((owner, expires))
    workers = [_worker(engine, held, here, now) for engine, held in leases.items()]
    return sorted(workers, key=lambda worker: (-worker.grading, worker.engine))


def _worker(
    engine: str, held: list[tuple[str, datetime | None]], here: owners.ProcessIdentity, now: datetime
) -> Worker:
    process = owners.owner_process(engine)
    if any(owners.owner_is_dead(owner, here) for owner, _ in held):
        state = "dead"
    elif any(expires is not None and expires < now for _, expires in held):
        state = "expired"
    else:
        state = "alive"
    host = process.host if process else engine.split(owners.SEPARATOR)[0]
    return Worker(
        host=host, pid=process.pid if process else None, engine=engine, grading=len(held), state=state
    )


def slots_in_use(lock_dir: Path, total: int, proc_locks: Path = PROC_LOCKS) -> int | None:
    """How many of the first ``total`` slot lock files are held (flock) on this machine, from the
    kernel's lock table: nothing is locked or opened to find out."""
    files: dict[tuple[int, int, int], int] = {}
    for slot in range(total):
        try:
            info = (lock_dir / f"{slot}.lock").stat()
        except FileNotFoundError:
            continue
        except OSError:
            return None
        files[(os.major(info.st_dev), os.minor(info.st_dev), info.st_ino)] = slot
    if not lock_dir.is_dir():
        return None
    try:
        table = proc_locks.read_text()
    except OSError:
        return None
    held = {files[key] for key in map(_lock_key, table.splitlines()) if key in files}
    return len(held)


def _lock_key(line: str) -> tuple[int, int, int] | None:
    """``(major, minor, inode)`` of a FLOCK line of ``/proc/locks``
    (``1: FLOCK  ADVISORY  WRITE 1234 08:01:56789 0 EOF``), None for other lines."""
    parts = line.split()
    if "FLOCK" not in parts or "->" in parts:  # "->": a waiter, not a holder
        return None
    for part in parts:
        pieces = part.split(":")
        if len(pieces) == 3:
            try:
                return int(pieces[0], 16), int(pieces[1], 16), int(pieces[2])
            except ValueError:
                return None
    return None
