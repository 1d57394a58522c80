"""Lease owners that say which process holds them, so that a dead owner is seen at once.

After a worker is killed with SIGKILL its submission used to wait the whole lease (120 s) though
its owner was gone (audit L2). An owner is now `host|boot id|pid namespace|pid|start time|token|
thread`: a sweeper in the same kernel boot and PID namespace can tell whether that process still
runs (the start time guards against a reused pid). Owners elsewhere, or written in another form,
are never judged dead here: for them the lease's expiry still decides.
"""

from __future__ import annotations

import os
import socket
import uuid
from dataclasses import dataclass
from pathlib import Path

SEPARATOR = "|"
HOST_CHARS = 40  # the owner column holds 200 characters


@dataclass(frozen=True)
class ProcessIdentity:
    host: str
    boot_id: str
    pid_namespace: int
    pid: int
    start_time: int  # clock ticks after boot (/proc/<pid>/stat, field 22)

    @classmethod
    def current(cls) -> ProcessIdentity:
        pid = os.getpid()
        return cls(
            host=socket.gethostname()[:HOST_CHARS].replace(SEPARATOR, "_"),
            boot_id=_boot_id(),
            pid_namespace=os.stat("/proc/self/ns/pid").st_ino,
            pid=pid,
            start_time=process_start_time(pid) or 0,
        )

    def token(self) -> str:
        return SEPARATOR.join(
            [self.host, self.boot_id, str(self.pid_namespace), str(self.pid), str(self.start_time)]
        )

    def same_kernel_view(self, other: ProcessIdentity) -> bool:
        """Whether pids of `other` mean the same processes here."""
        return (self.host, self.boot_id, self.pid_namespace) == (
            other.host,
            other.boot_id,
            other.pid_namespace,
        )


def _boot_id() -> str:
    try:
        return Path("/proc/sys/kernel/random/boot_id").read_text().strip()
    except OSError:
        return "unknown-boot"


def process_start_time(pid: int) -> int | None:
    """The start time of a running process, or None when no such process exists."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    # The command name (field 2) may hold spaces and parentheses: split after its last ")".
    fields = stat[stat.rindex(")") + 2 :].split()
    if fields[0] in ("Z", "X"):  # killed, not yet reaped: as dead as it gets
        return None
    return int(fields[19])  # field 22 of the whole line


def engine_name(identity: ProcessIdentity) -> str:
    """One grading engine's name: its process, and a token telling two engines in one process apart."""
    return f"{identity.token()}{SEPARATOR}{uuid.uuid4().hex[:8]}"


def lease_owner(engine: str, thread: int) -> str:
    return f"{engine}{SEPARATOR}{thread}"


def owner_process(owner: str) -> ProcessIdentity | None:
    """The process an owner names, or None for an owner in another form."""
    parts = owner.split(SEPARATOR)
    if len(parts) < 5:
        return None
    try:
        return ProcessIdentity(parts[0], parts[1], int(parts[2]), int(parts[3]), int(parts[4]))
    except ValueError:
        return None


def owner_is_dead(owner: str, here: ProcessIdentity) -> bool:
    """True only when the owner's process is certainly gone: same machine, same boot, same PID
    namespace, and no process with that pid and start time."""
    process = owner_process(owner)
    if process is None or not here.same_kernel_view(process):
        return False
    return process_start_time(process.pid) != process.start_time
