"""Sandbox slots: how many sandboxes run at once on one machine, each with its own uid and cgroup.

A slot is claimed with flock on a file of the lock directory, so several worker processes on the
machine share the slots safely; the slot's number gives its uid (first uid + slot) and its
cgroup (`verdict.judge.cgroups.slot_cgroup`).
"""

from __future__ import annotations

import fcntl
import os
import threading
import time
from pathlib import Path

from verdict.judge.errors import SandboxError

SLOT_WAIT_SECONDS = 300.0


class SlotPool:
    """Concurrent sandboxes on one machine, each with its own uid and cgroup.

    Slots are claimed with flock on files, so several worker processes share them safely.
    """

    def __init__(self, lock_dir: Path) -> None:
        self.lock_dir = lock_dir
        self.lock_dir.mkdir(parents=True, exist_ok=True)
        self._local = threading.Lock()

    def acquire(self, slots: int, timeout: float = SLOT_WAIT_SECONDS) -> tuple[int, int]:
        """Returns (slot, lock fd) among the first `slots` slots (the caller's own setting: one
        pool serves configs of different sizes); waits until one is free, then gives up loudly."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._local:
                for slot in range(slots):
                    fd = os.open(self.lock_dir / f"{slot}.lock", os.O_CREAT | os.O_RDWR | os.O_CLOEXEC)
                    try:
                        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                        return slot, fd
                    except BlockingIOError:
                        os.close(fd)
            threading.Event().wait(0.01)
        raise SandboxError(f"no free sandbox slot among {slots} after {timeout:g} s")

    @staticmethod
    def release(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)


_pools: dict[Path, SlotPool] = {}
_pools_lock = threading.Lock()


def slot_pool(lock_dir: Path) -> SlotPool:
    # One pool per lock dir per process: a cache, not configuration.
    with _pools_lock:
        if lock_dir not in _pools:
            _pools[lock_dir] = SlotPool(lock_dir)
        return _pools[lock_dir]
