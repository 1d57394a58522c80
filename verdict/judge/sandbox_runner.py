"""The sandbox's runner (sandbox_runner.c), as the host sees it: building it, and its protocol.

The runner is our own trusted C program, compiled once per source version into the system
directory. It has two modes:

- the launcher (`runner --launch UID FD[,FD...] -- bwrap ARGS...`), run by the host as root: it
  joins the slot's cgroup, switches to the slot's uid and execs bubblewrap (`verdict.judge.bwrap`);
- PID 1 inside the sandbox, on a SOCK_SEQPACKET control socket: it first sends "ready" with the
  /box directory fd, then runs each program as a plain fork+exec on a "run" request (NUL-separated
  fields, with the program's stdin, stdout and stderr attached), answers with one line of
  ``key=value`` figures (or ``error=...``), and kills the program on "kill".

sandbox_runner.c is the source of truth for the protocol; this module only speaks it.

**Supervision.** Inside bubblewrap's user namespace only the slot's uid is mapped, so the
programs cannot run under another uid than the runner's without a privileged uid map; instead
the runner is non-dumpable (PR_SET_DUMPABLE 0), so a program cannot ptrace it, take its
descriptors (pidfd_getfd) or read its /proc files, and every program runs under a seccomp
filter (sandbox_runner.c) that answers EPERM to `DENIED_SYSCALLS`. A foreign architecture
(int 0x80, x32) is refused. `clone3` answers ENOSYS, so libc falls back to `clone`, whose
flags the filter checks: no new namespaces. No language needed an allowance: the JVM, Node,
CPython, GHC... all run without these calls (libuv falls back from io_uring to threads), and
tests/judge/test_languages.py runs every language's self-test under the filter.
"""

from __future__ import annotations

import array
import hashlib
import os
import socket
import subprocess
import tempfile
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from verdict.judge.errors import SandboxError

RUNNER_SOURCE = Path(__file__).with_name("sandbox_runner.c")

#: The calls the seccomp filter answers with EPERM (sandbox_runner.c, DENIED, is the source of
#: truth; this list documents it and the tests check a sample). None is needed by a judged
#: program; none needed a per-language allowance.
DENIED_SYSCALLS = (
    # reaching other processes of the sandbox (the runner): memory, descriptors, tracing
    "ptrace", "process_vm_readv", "process_vm_writev", "pidfd_open", "pidfd_getfd", "kcmp",
    "process_madvise",
    # kernel attack surface
    "io_uring_setup", "io_uring_enter", "io_uring_register", "keyctl", "add_key", "request_key",
    "bpf", "perf_event_open", "userfaultfd", "fanotify_init", "name_to_handle_at",
    "open_by_handle_at", "lookup_dcookie", "syslog", "uselib",
    # namespaces and mounts (and clone with a CLONE_NEW* flag; clone3 answers ENOSYS)
    "unshare", "setns", "mount", "umount2", "pivot_root", "chroot", "move_mount", "open_tree",
    "fsopen", "fsconfig", "fsmount", "fspick", "mount_setattr",
    # the machine itself
    "kexec_load", "kexec_file_load", "init_module", "finit_module", "delete_module", "reboot",
    "swapon", "swapoff", "acct", "quotactl", "iopl", "ioperm", "settimeofday", "clock_settime",
    "clock_adjtime", "adjtimex", "sethostname", "setdomainname", "vhangup",
)  # fmt: skip


def runner_path(system_dir: Path) -> Path:
    """The runner binary, compiled once per source version (our own trusted code)."""
    digest = hashlib.sha256(RUNNER_SOURCE.read_bytes()).hexdigest()[:16]
    path = system_dir / f"runner-{digest}"
    if not path.exists():
        _make_system_dir(system_dir)
        tmp = path.with_suffix(f".{os.getpid()}.{threading.get_ident()}.tmp")
        proc = subprocess.run(
            ["gcc", "-O2", "-o", str(tmp), str(RUNNER_SOURCE)], capture_output=True, text=True
        )
        if proc.returncode != 0:
            raise SandboxError(f"cannot build the sandbox runner: {proc.stderr.strip()}")
        os.chmod(tmp, 0o755)
        os.replace(tmp, path)
    return path


def _make_system_dir(system_dir: Path) -> None:
    system_dir.mkdir(parents=True, exist_ok=True)
    os.chmod(system_dir, 0o755)


def launcher_argv(runner: Path, uid: int, join_fds: Sequence[int]) -> list[str]:
    """The runner's launcher mode, to be followed by bubblewrap's command line: it writes to the
    cgroup.procs fds `join_fds` (joining the slot's cgroup) and drops to `uid` before exec'ing."""
    return [str(runner), "--launch", str(uid), ",".join(map(str, join_fds)) or "-1", "--"]


def receive_ready(sock: socket.socket) -> int | None:
    """The /box directory fd the runner sends with "ready" when it starts; None when it sent
    anything else or nothing (within the socket's timeout)."""
    try:
        ready, fds, _, _ = socket.recv_fds(sock, 64, 1)
    except (TimeoutError, OSError):
        ready, fds = b"", []
    if ready != b"ready" or len(fds) != 1:
        for fd in fds:
            os.close(fd)
        return None
    return fds[0]


@dataclass(frozen=True)
class RunRequest:
    """One "run" request, its fields in the order sandbox_runner.c reads them."""

    wall_ms: int
    rlimit_cpu: int  # seconds
    rlimit_as: int  # bytes; 0: none (the cgroup limits memory)
    rlimit_fsize: int
    rlimit_nofile: int
    rlimit_stack: int
    rlimit_nproc: int
    cwd: str
    argv: Sequence[str]
    env: Mapping[str, str]

    def payload(self) -> bytes:
        fields = [
            "run",
            str(self.wall_ms),
            str(self.rlimit_cpu),
            str(self.rlimit_as),
            str(self.rlimit_fsize),
            str(self.rlimit_nofile),
            str(self.rlimit_stack),
            str(self.rlimit_nproc),
            self.cwd,
            str(len(self.argv)),
            *self.argv,
            str(len(self.env)),
            *(f"{k}={v}" for k, v in self.env.items()),
        ]
        return b"\0".join(f.encode() for f in fields) + b"\0"


class stdin_fd:
    """Context manager giving a readable fd for bytes, a file, or nothing (/dev/null): the stdin
    of a run request."""

    def __init__(self, stdin: bytes | Path | None) -> None:
        self.stdin = stdin
        self.fd = -1

    def __enter__(self) -> int:
        if self.stdin is None:
            self.fd = os.open(os.devnull, os.O_RDONLY | os.O_CLOEXEC)
        elif isinstance(self.stdin, Path):
            self.fd = os.open(self.stdin, os.O_RDONLY | os.O_CLOEXEC)
        else:
            # A deleted temp file: any size, and the program can seek in it like a real file.
            with tempfile.TemporaryFile() as tmp:
                tmp.write(self.stdin)
                tmp.flush()
                self.fd = os.dup(tmp.fileno())
            os.lseek(self.fd, 0, os.SEEK_SET)
        return self.fd

    def __exit__(self, *exc: object) -> None:
        os.close(self.fd)


def send_run(sock: socket.socket, request: RunRequest, stdio: Sequence[int]) -> None:
    """Sends a run request with the program's stdin, stdout and stderr fds (OSError when the
    runner is gone)."""
    sock.sendmsg(
        [request.payload()],
        [(socket.SOL_SOCKET, socket.SCM_RIGHTS, array.array("i", stdio).tobytes())],
    )


def send_kill(sock: socket.socket) -> None:
    """Asks the runner to kill the running program (OSError when the runner is gone)."""
    sock.send(b"kill")


def parse_response(response: str) -> dict[str, int]:
    """The figures of the runner's answer to a run: exit, signal, wall_us, utime_us, ..."""
    values: dict[str, int] = {}
    for item in response.split():
        key, _, value = item.partition("=")
        if value.lstrip("-").isdigit():
            values[key] = int(value)
    return values
