"""The sandbox: bubblewrap + a cgroup per slot + rlimits, with a runner inside.

A `Sandbox` is started once (one bubblewrap process, one unprivileged uid, one cgroup);
`Sandbox.run` then executes a program as a plain fork+exec by the runner (sandbox_runner.c)
that is PID 1 inside. Inputs and outputs travel as file descriptors over a socket, so the
program never sees any file but its own: not the other tests, not the answers.

Untrusted code runs only here. If bubblewrap cannot start, `SandboxError` says why; there is
no unsandboxed fallback.

The sandbox's own defences (issue 10), each described where it is enforced:

- **Box files** are reached by the host only through a directory fd of /box that the runner
  sends before any program runs, and resolved with openat2 without following any link
  (`verdict.judge.boxfs`). Never through `/proc/<pid>/root`.
- **Supervision.** The runner is non-dumpable and every program runs under a seccomp filter
  (`verdict.judge.sandbox_runner`, which builds the runner and speaks its protocol).
- **Wall time** is enforced by the host too (`verdict.judge.run_watch`). When the runner does not
  answer, the host kills the whole sandbox, which is then gone: later runs raise `SandboxError`.
- **Memory.** /dev is read-only; /dev/shm and /tmp are small sized tmpfs, emptied by the runner
  after every run. Files written there or in /box are charged to the slot's cgroup, and a run's
  limit adds only what the sandbox held when it started (bubblewrap and the runner), never what
  an earlier run left: leftovers in /box count against the next run's limit.
- **Mounts.** Our own files are copied into the sandbox's root, not bind-mounted
  (`verdict.judge.bwrap`, which builds bubblewrap's command line).

Slots (one uid and one cgroup each) are claimed in `verdict.judge.slots`; the cgroups themselves,
v1 or v2, are `verdict.judge.cgroups`.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from types import MappingProxyType

from verdict.judge import bwrap, cgroups, sandbox_runner
from verdict.judge.boxfs import SlotFiles, openat2_available
from verdict.judge.bwrap import BASE_MOUNTS, Mount
from verdict.judge.errors import SandboxError
from verdict.judge.run_watch import HOST_KILL_GRACE, HOST_WALL_GRACE, Watch, watch
from verdict.judge.sandbox_runner import RunRequest
from verdict.judge.slots import SlotPool, slot_pool

MiB = 1024 * 1024
STDERR_CAP = 64 * 1024
#: The environment of every program, before the caller's (a language's) own variables.
BASE_ENV: Mapping[str, str] = MappingProxyType(
    {"PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": "/box", "LANG": "C.UTF-8", "TMPDIR": "/tmp"}
)


class Status(StrEnum):
    OK = "ok"
    TIME_LIMIT = "time limit"
    WALL_LIMIT = "wall limit"
    MEMORY_LIMIT = "memory limit"
    OUTPUT_LIMIT = "output limit"
    RUNTIME_ERROR = "runtime error"
    INTERNAL_ERROR = "internal error"


@dataclass(frozen=True)
class Limits:
    """Every limit of one run; each has a default."""

    cpu_time: float = 2.0  # seconds of CPU, total over all processes of the run
    wall_time: float | None = None  # seconds; default 2 × cpu_time + 1
    memory_mb: int = 256  # cgroup memory (rlimit AS when no cgroup)
    processes: int = 16  # processes and threads (pids cgroup and RLIMIT_NPROC)
    output_bytes: int = 64 * MiB  # stdout cap; over it: output limit
    stderr_bytes: int = STDERR_CAP  # stderr kept; the rest is drained and dropped
    file_size_bytes: int = 64 * MiB  # RLIMIT_FSIZE: any single file written
    open_files: int = 64  # RLIMIT_NOFILE
    stack_mb: int | None = None  # RLIMIT_STACK; default: the memory limit

    @property
    def wall(self) -> float:
        return self.wall_time if self.wall_time is not None else 2 * self.cpu_time + 1


@dataclass
class RunResult:
    status: Status
    exit_code: int | None = None
    signal: int | None = None
    cpu_time: float = 0.0
    wall_time: float = 0.0
    memory_bytes: int = 0
    stdout: bytes = b""
    stderr: bytes = b""
    stdout_truncated: bool = False
    stderr_truncated: bool = False
    message: str = ""

    @property
    def signal_name(self) -> str:
        if not self.signal:
            return ""
        try:
            return signal.Signals(self.signal).name
        except ValueError:
            return f"signal {self.signal}"

    @property
    def ok(self) -> bool:
        return self.status == Status.OK


@dataclass
class SandboxConfig:
    """Machine-wide sandbox settings (built from Settings by callers that have them)."""

    cache_dir: Path = field(default_factory=lambda: Path(tempfile.gettempdir()) / "verdict-cache")
    first_uid: int = 61000
    slots: int = 8
    cgroup_kind: str | None = None  # None: detect
    # Slot locks are machine-wide, not per cache dir: a slot's uid and cgroup are shared by
    # every process on the machine, whatever cache it uses.
    lock_dir: Path = field(default_factory=lambda: Path("/run/verdict/slots"))

    system_dir: Path = Path("/var/lib/verdict-sandbox")  # world-traversable: bwrap runs as a slot uid
    compile_cache_bytes: int = 2 * 1024 * MiB  # bound of cache_dir/compiled (verdict.judge.compiler)

    def runner_path(self) -> Path:
        """The runner binary, compiled once per source version (our own trusted code)."""
        return sandbox_runner.runner_path(self.system_dir)


def check_available() -> str | None:
    """Why the sandbox cannot run here, or None when it can."""
    if shutil.which("bwrap") is None:
        return "bubblewrap is not installed (apt-get install bubblewrap)"
    if os.geteuid() != 0:
        return "the sandbox must be started by root (it switches to one unprivileged uid per slot)"
    if shutil.which("gcc") is None:
        return "gcc is needed to build the sandbox runner"
    if not openat2_available():
        return "the kernel has no openat2 (Linux 5.6+): box files cannot be reached safely"
    return None


class Sandbox:
    """One bubblewrap sandbox, set up once and used for many runs.

    >>> with Sandbox(config) as box:
    ...     box.put("prog", binary, executable=True)
    ...     result = box.run(["./prog"], stdin=b"1 2", limits=Limits(cpu_time=1))
    """

    def __init__(
        self,
        config: SandboxConfig | None = None,
        mounts: Sequence[Mount] = (),
        box_mb: int = 64,
        tmp_mb: int = 16,
        shm_mb: int = 16,
    ) -> None:
        self.config = config or SandboxConfig()
        self.mounts = [*BASE_MOUNTS, *mounts]
        self.tmpfs = bwrap.Tmpfs(box_mb, tmp_mb, shm_mb)
        self._proc: subprocess.Popen[bytes] | None = None
        self._sock: socket.socket | None = None
        self._pid = 0
        self._box_fd: int | None = None
        self._held = 0  # memory the sandbox held when it started (bubblewrap, the runner)
        self._gone = ""  # why the sandbox can no longer run anything
        self._slot_fd: int | None = None
        self.slot = -1
        self.cgroup: cgroups.Cgroup = cgroups.NoCgroup()

    # -- life cycle -------------------------------------------------------------------------
    def __enter__(self) -> Sandbox:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def uid(self) -> int:
        return self.config.first_uid + self.slot

    def start(self) -> None:
        problem = check_available()
        if problem:
            raise SandboxError(problem)
        runner = self.config.runner_path()
        pool = slot_pool(self.config.lock_dir)
        self.slot, self._slot_fd = pool.acquire(self.config.slots)
        try:
            self.cgroup = cgroups.slot_cgroup(self.slot, self.config.cgroup_kind)
            self._spawn(runner)
        except BaseException:
            self.close()
            raise

    def _spawn(self, runner: Path) -> None:
        host_end, box_end = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        info_r, info_w = os.pipe()
        try:
            self._proc = bwrap.start(
                runner, self.mounts, self.tmpfs, self.uid, self.cgroup, info_w, box_end.fileno()
            )
        finally:
            box_end.close()
            os.close(info_w)
        self._sock = host_end
        self._sock.settimeout(10)
        box_fd = sandbox_runner.receive_ready(self._sock)
        if box_fd is None:
            self._proc.kill()
            err = self._proc.stderr.read().decode(errors="replace") if self._proc.stderr else ""
            os.close(info_r)
            raise SandboxError(f"bubblewrap did not start: {err.strip() or 'no answer from the runner'}")
        self._box_fd = box_fd
        self._sock.settimeout(None)
        with os.fdopen(info_r, "rb") as info:
            self._pid = json.loads(info.read().decode())["child-pid"]
        self._held = self.cgroup.memory_held()

    def abort(self, why: str) -> None:
        """Kills the whole sandbox from the host, whatever its runner does (stopped, traced):
        every process of the slot's cgroup, and bubblewrap, whose death takes the runner's PID
        namespace with it (--die-with-parent)."""
        self._gone = why
        self.cgroup.kill_all()
        if self._proc is not None:
            self._proc.kill()

    def close(self) -> None:
        if self._box_fd is not None:
            os.close(self._box_fd)
            self._box_fd = None
        if self._sock is not None:
            self._sock.close()  # the runner exits when its socket closes
            self._sock = None
        if self._proc is not None:
            try:
                self._proc.wait(timeout=2)
            except subprocess.TimeoutExpired:
                self._proc.kill()
                self._proc.wait()
            if self._proc.stderr:
                self._proc.stderr.close()
            self._proc = None
        self.cgroup.close()
        if self._slot_fd is not None:
            SlotPool.release(self._slot_fd)
            self._slot_fd = None

    # -- files ------------------------------------------------------------------------------
    # Every box file goes through the runner's /box fd, resolved by openat2 without following
    # links, as the slot's uid: see `boxfs.SlotFiles`, which documents each of these.
    @property
    def files(self) -> SlotFiles:
        if self._box_fd is None:
            raise SandboxError("sandbox not started")
        return SlotFiles(self._box_fd, self.uid)

    def put(self, name: str, data: bytes | Path, executable: bool = False) -> None:
        self.files.put(name, data, executable)

    def put_tree(self, source: Path, name: str = "") -> None:
        self.files.put_tree(source, name)

    def get(self, name: str, limit: int = 256 * MiB) -> bytes:
        return self.files.get(name, limit)

    def read_file(self, name: str, limit: int) -> bytes | None:
        return self.files.read_file(name, limit)

    def fresh_dir(self, name: str) -> None:
        self.files.fresh_dir(name)

    def remove(self, name: str) -> None:
        self.files.remove(name)

    def list_files(self, name: str = "") -> list[str]:
        return self.files.list_files(name)

    def exists(self, name: str) -> bool:
        return self.files.exists(name)

    # -- runs -------------------------------------------------------------------------------
    def run(
        self,
        argv: Sequence[str],
        *,
        stdin: bytes | Path | None = None,
        limits: Limits | None = None,
        env: Mapping[str, str] | None = None,
        cwd: str = "/box",
    ) -> RunResult:
        limits = limits or Limits()
        with sandbox_runner.stdin_fd(stdin) as stdin_fd:
            out_r, out_w = os.pipe()
            err_r, err_w = os.pipe()
            try:
                pending = self.start_run(argv, stdin_fd, out_w, err_w, limits, env, cwd)
            except BaseException:
                for fd in (out_r, err_r):
                    os.close(fd)
                raise
            finally:
                os.close(out_w)
                os.close(err_w)
            return wait_runs([pending], {id(pending): (out_r, err_r)})[0]

    def start_run(
        self,
        argv: Sequence[str],
        stdin_fd: int,
        stdout_fd: int,
        stderr_fd: int,
        limits: Limits,
        env: Mapping[str, str] | None = None,
        cwd: str = "/box",
    ) -> PendingRun:
        """Sends a run to the runner; `wait_runs` finishes it. The caller closes its fds after."""
        if self._gone:
            raise SandboxError(f"the sandbox is gone: {self._gone}")
        if self._sock is None:
            raise SandboxError("sandbox not started")
        pending = PendingRun(
            self,
            self._sock,
            limits.cpu_time,
            limits.output_bytes,
            limits.stderr_bytes,
            deadline=time.monotonic() + limits.wall + HOST_WALL_GRACE,
            limits=limits,
        )
        memory = limits.memory_mb * MiB
        baseline = self.cgroup.memory_usage()
        # What the sandbox held when it started (bubblewrap, the runner) is added to the limit,
        # rounded up to 4 MiB; what earlier runs left (files in the box) is not: it counts
        # against this run, or a test could leave memory behind for the next to grow into.
        held = -(-self._held // (4 * MiB)) * 4 * MiB
        self.cgroup.prepare(memory + held + 4 * MiB, limits.processes + 2)
        pending.cpu0 = self.cgroup.cpu_seconds()
        pending.oom0 = self.cgroup.oom_kills()
        pending.baseline = baseline
        environment = {**BASE_ENV, **(env or {})}
        request = RunRequest(
            wall_ms=int(limits.wall * 1000),
            rlimit_cpu=int(limits.cpu_time) + 1,
            rlimit_as=0 if self.cgroup.limits_memory else memory,
            rlimit_fsize=limits.file_size_bytes,
            rlimit_nofile=limits.open_files,
            rlimit_stack=(limits.stack_mb or limits.memory_mb) * MiB,
            rlimit_nproc=limits.processes + 1,
            cwd=cwd,
            argv=argv,
            env=environment,
        )
        try:
            sandbox_runner.send_run(self._sock, request, [stdin_fd, stdout_fd, stderr_fd])
        except OSError as error:  # the runner died (killed from the host, or bubblewrap gone)
            raise SandboxError(f"the sandbox's runner is gone: {error}") from error
        return pending

    def kill_run(self) -> None:
        if self._sock is not None:
            with contextlib.suppress(OSError):  # a dead runner is the host deadline's business
                sandbox_runner.send_kill(self._sock)


@dataclass(kw_only=True)
class PendingRun(Watch):
    """A run sent to a sandbox's runner (`Sandbox.start_run`); `wait_runs` finishes it."""

    limits: Limits
    oom0: int = 0
    baseline: int = 0


def wait_runs(runs: list[PendingRun], pipes: Mapping[int, tuple[int, int]] | None = None) -> list[RunResult]:
    """Waits for runs started on (different) sandboxes: drains their output pipes, enforces
    total CPU through each cgroup and the stdout cap, and builds the results."""
    watch(runs, pipes or {})
    return [_result(run) for run in runs]


def _result(run: PendingRun) -> RunResult:
    response = run.response or ""
    if run.aborted:
        return RunResult(
            Status.WALL_LIMIT,
            wall_time=round(run.limits.wall + HOST_WALL_GRACE + HOST_KILL_GRACE, 3),
            stdout=bytes(run.stdout),
            stderr=bytes(run.stderr),
            message=f"wall time over {run.limits.wall:g} s (the sandbox did not answer; the host stopped it)",
        )
    if not response or response.startswith("error="):
        return RunResult(Status.INTERNAL_ERROR, message=f"sandbox runner: {response or 'no answer'}")
    values = sandbox_runner.parse_response(response)
    cgroup = run.sandbox.cgroup
    rusage_cpu = (values["utime_us"] + values["stime_us"]) / 1e6
    cpu = cgroup.cpu_seconds() - run.cpu0 if cgroup.measures_cpu else rusage_cpu
    memory = max(values["maxrss_kb"] * 1024, cgroup.memory_peak() - run.baseline)
    result = RunResult(
        Status.OK,
        exit_code=values["exit"] if values["exit"] >= 0 else None,
        signal=values["signal"] or None,
        cpu_time=round(cpu, 4),
        wall_time=values["wall_us"] / 1e6,
        memory_bytes=max(memory, 0),
        stdout=bytes(run.stdout),
        stderr=bytes(run.stderr),
        stdout_truncated=run.stdout_truncated,
        stderr_truncated=run.stderr_truncated,
    )
    result.status, result.message = _classify(run, values, result, cgroup.oom_kills() > run.oom0)
    return result


def _classify(run: PendingRun, values: dict[str, int], result: RunResult, oom: bool) -> tuple[Status, str]:
    limits = run.limits
    sig = values["signal"]
    if values["exec_errno"]:
        return Status.RUNTIME_ERROR, f"cannot execute the program: {os.strerror(values['exec_errno'])}"
    if run.output_exceeded or sig == signal.SIGXFSZ:
        return Status.OUTPUT_LIMIT, f"output over {limits.output_bytes} bytes"
    if oom and not run.cpu_exceeded:
        return Status.MEMORY_LIMIT, f"memory over {limits.memory_mb} MB"
    if run.cpu_exceeded or sig == signal.SIGXCPU or result.cpu_time > limits.cpu_time:
        return Status.TIME_LIMIT, f"CPU time over {limits.cpu_time:g} s"
    if values["wall_limit"] or run.wall_exceeded:
        return Status.WALL_LIMIT, f"wall time over {limits.wall:g} s"
    if run.killed:
        return Status.INTERNAL_ERROR, "killed by the host"
    if sig or values["exit"] != 0:
        if result.memory_bytes >= limits.memory_mb * MiB * 0.95:
            return Status.MEMORY_LIMIT, f"memory over {limits.memory_mb} MB"
        what = f"killed by {result.signal_name}" if sig else f"exit code {values['exit']}"
        return Status.RUNTIME_ERROR, what
    return Status.OK, ""


def run_once(
    argv: Sequence[str],
    *,
    files: Mapping[str, bytes | Path] | None = None,
    stdin: bytes | Path | None = None,
    limits: Limits | None = None,
    config: SandboxConfig | None = None,
    mounts: Sequence[Mount] = (),
    env: Mapping[str, str] | None = None,
) -> RunResult:
    """A one-shot sandbox: set up, run one program, tear down."""
    with Sandbox(config, mounts) as box:
        for name, data in (files or {}).items():
            box.put(name, data, executable=True)
        return box.run(argv, stdin=stdin, limits=limits, env=env)
