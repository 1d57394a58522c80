"""Runs in progress, as the host watches them until their runners answer.

While programs run (one per sandbox, several sandboxes at once for an interaction), the host
drains their stdout and stderr pipes (stdout up to the output cap, stderr up to what is kept),
polls each slot's cgroup for the run's total CPU (RLIMIT_CPU is per process), and keeps its own
wall clock. Over a limit, it asks the runner to kill the program.

**Wall time** is enforced by the host too: past the wall limit (plus `HOST_WALL_GRACE`) the host
asks the runner to kill the program, and if the runner does not answer within `HOST_KILL_GRACE`
it kills the whole sandbox (the slot's cgroup and bubblewrap) itself and reports a wall limit.

What a finished run's figures mean (its status and message) is `verdict.judge.sandbox`'s business.
"""

from __future__ import annotations

import os
import selectors
import socket
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from verdict.judge import cgroups

HOST_WALL_GRACE = 0.25  # seconds past the wall limit before the host asks the runner to kill
HOST_KILL_GRACE = 1.0  # further seconds without an answer before the host kills the sandbox
POLL_SECONDS = 0.01


class Box(Protocol):
    """What watching a run needs of its sandbox (a `verdict.judge.sandbox.Sandbox`)."""

    cgroup: cgroups.Cgroup

    def kill_run(self) -> None: ...

    def abort(self, why: str) -> None: ...


@dataclass
class Watch:
    """A run sent to a sandbox's runner, and what the host has seen of it so far."""

    sandbox: Box
    sock: socket.socket  # the sandbox's control socket: the runner answers there
    cpu_time: float  # CPU seconds allowed, over all processes of the run (the cgroup's count)
    output_bytes: int  # the stdout cap: over it, the run is killed
    stderr_bytes: int  # stderr kept; the rest is drained and dropped
    deadline: float = float("inf")  # monotonic: the host's own wall limit for this run
    cpu0: float = 0.0
    stdout: bytearray = field(default_factory=bytearray)
    stderr: bytearray = field(default_factory=bytearray)
    stdout_truncated: bool = False
    stderr_truncated: bool = False
    cpu_exceeded: bool = False
    output_exceeded: bool = False
    wall_exceeded: bool = False  # seen by the host's clock, whatever the runner says
    aborted: bool = False  # the runner did not answer: the host killed the sandbox
    killed: bool = False
    response: str | None = None

    def kill(self) -> None:
        if not self.killed and self.response is None:
            self.killed = True
            self.sandbox.kill_run()


def watch(runs: Sequence[Watch], pipes: Mapping[int, tuple[int, int]]) -> None:
    """Waits for runs started on (different) sandboxes until each has its runner's response:
    drains the output pipes given by `id(run)` (closing them), enforces total CPU through each
    cgroup, the stdout cap and the host's wall limit."""
    selector = selectors.DefaultSelector()
    open_pipes = 0
    for run in runs:
        selector.register(run.sock, selectors.EVENT_READ, (run, "response"))
        out_err = pipes.get(id(run))
        if out_err:
            selector.register(out_err[0], selectors.EVENT_READ, (run, "stdout"))
            selector.register(out_err[1], selectors.EVENT_READ, (run, "stderr"))
            open_pipes += 2
    waiting = len(runs)
    try:
        while waiting or open_pipes:
            for key, _ in selector.select(POLL_SECONDS if waiting else 1.0):
                run, what = key.data
                if what == "response":
                    run.response = key.fileobj.recv(1024).decode()  # type: ignore[union-attr]
                    selector.unregister(key.fileobj)
                    waiting -= 1
                elif not _drain(run, key.fd, what):
                    selector.unregister(key.fd)
                    os.close(key.fd)
                    open_pipes -= 1
            for run in runs:
                if run.response is None and not run.killed:
                    _enforce_cpu(run)
                if run.response is None and _enforce_wall(run):
                    selector.unregister(run.sock)
                    waiting -= 1
    finally:
        selector.close()


def _drain(run: Watch, fd: int, what: str) -> bool:
    try:
        data = os.read(fd, 1 << 16)
    except BlockingIOError:
        return True
    if not data:
        return False
    if what == "stdout":
        room = run.output_bytes - len(run.stdout)
        run.stdout += data[: max(room, 0)]
        if len(data) > room:
            run.stdout_truncated = run.output_exceeded = True
            run.kill()
    else:
        room = run.stderr_bytes - len(run.stderr)
        run.stderr += data[: max(room, 0)]
        run.stderr_truncated |= len(data) > room
    return True


def _enforce_cpu(run: Watch) -> None:
    cgroup = run.sandbox.cgroup
    if cgroup.measures_cpu and cgroup.cpu_seconds() - run.cpu0 > run.cpu_time:
        run.cpu_exceeded = True
        run.kill()


def _enforce_wall(run: Watch) -> bool:
    """The host's own wall limit: past it, ask the runner to kill; if the runner does not answer
    (stopped, traced, wedged), kill the whole sandbox. True when the run is over for the host."""
    now = time.monotonic()
    if now < run.deadline:
        return False
    if not run.wall_exceeded:
        run.wall_exceeded = True
        run.kill()
    if now < run.deadline + HOST_KILL_GRACE:
        return False
    run.aborted = True
    run.response = ""
    run.sandbox.abort(f"its runner did not answer {HOST_KILL_GRACE:g} s after the wall limit")
    return True
