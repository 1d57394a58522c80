"""The sandbox: bubblewrap + a cgroup per slot + rlimits, with a runner inside.

A `Sandbox` is started once (one bubblewrap process, one unprivileged uid, one cgroup);
`Sandbox.run` then executes a program as a plain fork+exec by the runner (sandbox_runner.c)
that is PID 1 inside. Inputs and outputs travel as file descriptors over a socket, so the
program never sees any file but its own: not the other tests, not the answers.

Untrusted code runs only here. If bubblewrap cannot start, `SandboxError` says why; there is
no unsandboxed fallback.

The sandbox's own defences (issue 10):

- **Box files** are reached by the host only through a directory fd of /box that the runner
  sends before any program runs, and resolved with openat2 without following any link
  (`verdict.judge.boxfs`). Never through `/proc/<pid>/root`.
- **Supervision.** Inside bubblewrap's user namespace only the slot's uid is mapped, so the
  programs cannot run under another uid than the runner's without a privileged uid map; instead
  the runner is non-dumpable (PR_SET_DUMPABLE 0), so a program cannot ptrace it, take its
  descriptors (pidfd_getfd) or read its /proc files, and every program runs under a seccomp
  filter (sandbox_runner.c) that answers EPERM to `DENIED_SYSCALLS`. A foreign architecture
  (int 0x80, x32) is refused. `clone3` answers ENOSYS, so libc falls back to `clone`, whose
  flags the filter checks: no new namespaces. No language needed an allowance: the JVM, Node,
  CPython, GHC... all run without these calls (libuv falls back from io_uring to threads), and
  tests/judge/test_languages.py runs every language's self-test under the filter.
- **Wall time** is enforced by the host too: past the wall limit (plus `HOST_WALL_GRACE`) the
  host asks the runner to kill the program, and if the runner does not answer within
  `HOST_KILL_GRACE` it kills the whole sandbox (the slot's cgroup and bubblewrap) itself and
  reports a wall limit. The sandbox is then gone: later runs raise `SandboxError`.
- **Memory.** /dev is read-only; /dev/shm and /tmp are small sized tmpfs, emptied by the runner
  after every run. Files written there or in /box are charged to the slot's cgroup, and a run's
  limit adds only what the sandbox held when it started (bubblewrap and the runner), never what
  an earlier run left: leftovers in /box count against the next run's limit.
- **Mounts.** The runner and our shared files are copied into the sandbox's root (bwrap
  `--file`) rather than bind-mounted, so `/proc/self/mountinfo` names no host directory of
  ours. What remains visible there: the host paths of the system directories bound read-only
  (/usr, /etc/..., the same paths as inside), the device (/dev/vda) and mount options, and the
  source path of a language's extra toolchain mount (e.g. Rust's) when it lies elsewhere.
"""

from __future__ import annotations

import contextlib
import ctypes
import fcntl
import hashlib
import json
import os
import selectors
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

from verdict.judge import cgroups
from verdict.judge.boxfs import BoxFiles, openat2_available
from verdict.judge.errors import SandboxError

RUNNER_SOURCE = Path(__file__).with_name("sandbox_runner.c")
MiB = 1024 * 1024
STDERR_CAP = 64 * 1024
SLOT_WAIT_SECONDS = 300.0
DEFAULT_PATH = "/usr/local/bin:/usr/bin:/bin"
HOST_WALL_GRACE = 0.25  # seconds past the wall limit before the host asks the runner to kill
HOST_KILL_GRACE = 1.0  # further seconds without an answer before the host kills the sandbox

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


@dataclass(frozen=True)
class Mount:
    """A host path visible read-only in the sandbox. It must be reachable by the slot uids;
    `shared` files (our own helpers, small) are copied into the sandbox's root instead, from an
    fd the host opens: no bind mount, so no host path in /proc/self/mountinfo."""

    source: str
    target: str | None = None
    shared: bool = False


BASE_MOUNTS = (
    Mount("/usr"),
    Mount("/etc/alternatives"),
    Mount("/etc/ld.so.cache"),
    Mount("/etc/ld.so.conf"),
    Mount("/etc/ld.so.conf.d"),
    Mount("/etc/java-17-openjdk"),
    Mount("/etc/localtime"),
)


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
        digest = hashlib.sha256(RUNNER_SOURCE.read_bytes()).hexdigest()[:16]
        path = self.system_dir / f"runner-{digest}"
        if not path.exists():
            self._make_system_dir()
            tmp = path.with_suffix(f".{os.getpid()}.{threading.get_ident()}.tmp")
            proc = subprocess.run(
                ["gcc", "-O2", "-o", str(tmp), str(RUNNER_SOURCE)], capture_output=True, text=True
            )
            if proc.returncode != 0:
                raise SandboxError(f"cannot build the sandbox runner: {proc.stderr.strip()}")
            os.chmod(tmp, 0o755)
            os.replace(tmp, path)
        return path

    def _make_system_dir(self) -> None:
        self.system_dir.mkdir(parents=True, exist_ok=True)
        os.chmod(self.system_dir, 0o755)


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


class SlotPool:
    """Concurrent sandboxes on one machine, each with its own uid and cgroup.

    Slots are claimed with flock on files, so several worker processes share them safely.
    """

    def __init__(self, config: SandboxConfig) -> None:
        self.config = config
        self.lock_dir = config.lock_dir
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


def slot_pool(config: SandboxConfig) -> SlotPool:
    # One pool per lock dir per process: a cache, not configuration.
    with _pools_lock:
        if config.lock_dir not in _pools:
            _pools[config.lock_dir] = SlotPool(config)
        return _pools[config.lock_dir]


def _root_symlinks() -> list[str]:
    """Debian's merged /usr: /bin, /lib, /lib64, /sbin are symlinks into /usr."""
    args: list[str] = []
    for name in ("bin", "lib", "lib64", "lib32", "sbin", "libx32"):
        path = Path("/") / name
        if path.is_symlink():
            args += ["--symlink", os.readlink(path), f"/{name}"]
    return args


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
        self.box_mb = box_mb
        self.tmp_mb = tmp_mb
        self.shm_mb = shm_mb
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
        pool = slot_pool(self.config)
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
        with contextlib.ExitStack() as copies:
            runner_fd = copies.enter_context(open(runner, "rb")).fileno()
            shared = {
                mount.source: copies.enter_context(open(mount.source, "rb")).fileno()
                for mount in self.mounts
                if mount.shared
            }
            args = self._bwrap_args(info_w, box_end.fileno(), runner_fd, shared)
            try:
                self._launch(runner, args, [box_end.fileno(), info_w, runner_fd, *shared.values()])
            finally:
                box_end.close()
                os.close(info_w)
        self._sock = host_end
        self._sock.settimeout(10)
        try:
            ready, fds, _, _ = socket.recv_fds(self._sock, 64, 1)
        except (TimeoutError, OSError):
            ready, fds = b"", []
        if ready != b"ready" or len(fds) != 1:
            for fd in fds:
                os.close(fd)
            self._proc.kill()  # type: ignore[union-attr]
            err = self._proc.stderr.read().decode(errors="replace") if self._proc.stderr else ""  # type: ignore[union-attr]
            os.close(info_r)
            raise SandboxError(f"bubblewrap did not start: {err.strip() or 'no answer from the runner'}")
        self._box_fd = fds[0]
        self._sock.settimeout(None)
        with os.fdopen(info_r, "rb") as info:
            self._pid = json.loads(info.read().decode())["child-pid"]
        self._held = self.cgroup.memory_held()

    def _bwrap_args(
        self, info_w: int, control_fd: int, runner_fd: int, shared: Mapping[str, int]
    ) -> list[str]:
        """bubblewrap's arguments. Our own files (the runner, shared helpers) are copied in from
        fds rather than bound, so that /proc/self/mountinfo names no host path of ours."""
        args = [
            "bwrap",
            "--unshare-all",
            "--unshare-user",
            "--disable-userns",
            "--die-with-parent",
            "--new-session",
            "--as-pid-1",
            "--clearenv",
            "--hostname",
            "verdict",
            "--info-fd",
            str(info_w),
        ]
        for mount in self.mounts:
            target = mount.target or mount.source
            if mount.shared:
                args += ["--perms", "0644", "--file", str(shared[mount.source]), target]
            elif Path(mount.source).exists():
                args += ["--ro-bind", mount.source, target]
        args += _root_symlinks()
        args += [
            "--proc",
            "/proc",
            "--dev",
            "/dev",
            # bwrap's /dev is an unsized tmpfs the program could fill: read-only, with a sized
            # tmpfs on /dev/shm (issue 10, H4).
            "--remount-ro",
            "/dev",
            "--size",
            str(self.shm_mb * MiB),
            "--tmpfs",
            "/dev/shm",
            "--size",
            str(self.tmp_mb * MiB),
            "--tmpfs",
            "/tmp",
            "--size",
            str(self.box_mb * MiB),
            "--tmpfs",
            "/box",
            "--perms",
            "0755",
            "--file",
            str(runner_fd),
            "/.runner",
            "--chdir",
            "/box",
            "--remount-ro",
            "/",
            "/.runner",
            str(control_fd),
        ]
        return args

    def _launch(self, runner: Path, args: list[str], fds: list[int]) -> None:
        """Starts bubblewrap through the runner's launcher mode (joins the cgroup, drops to the
        slot's uid); `fds` are the descriptors bubblewrap needs."""
        join = self.cgroup.join_fds()
        self.cgroup.prepare(512 * MiB, 64)
        launcher = [str(runner), "--launch", str(self.uid), ",".join(map(str, join)) or "-1", "--"]
        self._proc = subprocess.Popen(
            [*launcher, *args],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            pass_fds=[*fds, *join],
        )

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
    # links (boxfs). Files are created as the slot's uid: root is not mapped in the sandbox's
    # user namespace (the kernel would refuse with EOVERFLOW).
    @property
    def files(self) -> BoxFiles:
        if self._box_fd is None:
            raise SandboxError("sandbox not started")
        return BoxFiles(self._box_fd)

    def put(self, name: str, data: bytes | Path, executable: bool = False) -> None:
        mode = 0o755 if executable else 0o644
        # The source is opened as root (it may be private); the copy is made as the slot's uid.
        with contextlib.ExitStack() as stack:
            source = stack.enter_context(open(data, "rb")) if isinstance(data, Path) else data
            stack.enter_context(_fs_identity(self.uid))
            self.files.write(name, source, mode)

    def put_tree(self, source: Path, name: str = "") -> None:
        """Copies a host directory's files into /box/<name>."""
        for item in sorted(source.rglob("*")):
            if item.is_file():
                relative = Path(name) / item.relative_to(source)
                self.put(str(relative), item, executable=os.access(item, os.X_OK))

    def get(self, name: str, limit: int = 256 * MiB) -> bytes:
        """At most `limit` bytes of the regular file /box/<name> (a link is refused)."""
        data = self.read_file(name, limit)
        if data is None:
            raise SandboxError(f"/box/{name[:200]} is not a regular file of the box")
        return data

    def read_file(self, name: str, limit: int) -> bytes | None:
        """At most `limit` bytes of /box/<name>; None when it is absent or not a regular file."""
        with _fs_identity(self.uid):
            return self.files.read(name, limit)

    def fresh_dir(self, name: str) -> None:
        """An empty directory /box/<name> the programs may write into."""
        with _fs_identity(self.uid):
            self.files.fresh_dir(name, 0o777)

    def list_files(self, name: str = "") -> list[str]:
        """Names of the regular files directly in /box/<name>."""
        with _fs_identity(self.uid):
            return self.files.list_files(name)

    def exists(self, name: str) -> bool:
        with _fs_identity(self.uid):
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
        with _stdin_fd(stdin) as stdin_fd:
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
        pending = PendingRun(self, limits, deadline=time.monotonic() + limits.wall + HOST_WALL_GRACE)
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
        environment = {
            "PATH": DEFAULT_PATH,
            "HOME": "/box",
            "LANG": "C.UTF-8",
            "TMPDIR": "/tmp",
            **(env or {}),
        }
        rl_as = 0 if self.cgroup.limits_memory else memory
        stack = (limits.stack_mb or limits.memory_mb) * MiB
        fields = [
            "run",
            str(int(limits.wall * 1000)),
            str(int(limits.cpu_time) + 1),
            str(rl_as),
            str(limits.file_size_bytes),
            str(limits.open_files),
            str(stack),
            str(limits.processes + 1),
            cwd,
            str(len(argv)),
            *argv,
            str(len(environment)),
            *(f"{k}={v}" for k, v in environment.items()),
        ]
        payload = b"\0".join(f.encode() for f in fields) + b"\0"
        try:
            self._sock.sendmsg(
                [payload],
                [(socket.SOL_SOCKET, socket.SCM_RIGHTS, _fd_array([stdin_fd, stdout_fd, stderr_fd]))],
            )
        except OSError as error:  # the runner died (killed from the host, or bubblewrap gone)
            raise SandboxError(f"the sandbox's runner is gone: {error}") from error
        return pending

    def kill_run(self) -> None:
        if self._sock is not None:
            with contextlib.suppress(OSError):  # a dead runner is the host deadline's business
                self._sock.send(b"kill")


@dataclass
class PendingRun:
    sandbox: Sandbox
    limits: Limits
    deadline: float = float("inf")  # monotonic: the host's own wall limit for this run
    cpu0: float = 0.0
    oom0: int = 0
    baseline: int = 0
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


_libc = ctypes.CDLL(None, use_errno=True)


@contextlib.contextmanager
def _fs_identity(uid: int) -> Iterator[None]:
    """Acts on files as the slot's uid, in this thread only (setfsuid is per thread).

    Files the host creates in the box must belong to a uid mapped in the sandbox's user
    namespace (root is not: the kernel refuses with EOVERFLOW).
    """
    _libc.setfsgid(uid)
    _libc.setfsuid(uid)
    try:
        yield
    finally:
        _libc.setfsuid(0)
        _libc.setfsgid(0)


def _fd_array(fds: list[int]) -> bytes:
    import array

    return array.array("i", fds).tobytes()


class _stdin_fd:
    """Context manager giving a readable fd for bytes, a file, or nothing (/dev/null)."""

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


POLL_SECONDS = 0.01


def wait_runs(runs: list[PendingRun], pipes: Mapping[int, tuple[int, int]] | None = None) -> list[RunResult]:
    """Waits for runs started on (different) sandboxes: drains their output pipes, enforces
    total CPU through each cgroup and the stdout cap, and builds the results."""
    pipes = pipes or {}
    selector = selectors.DefaultSelector()
    open_pipes = 0
    for run in runs:
        sock = run.sandbox._sock
        assert sock is not None
        selector.register(sock, selectors.EVENT_READ, (run, "response"))
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
                    selector.unregister(run.sandbox._sock)  # type: ignore[arg-type]
                    waiting -= 1
    finally:
        selector.close()
    return [_result(run) for run in runs]


def _drain(run: PendingRun, fd: int, what: str) -> bool:
    try:
        data = os.read(fd, 1 << 16)
    except BlockingIOError:
        return True
    if not data:
        return False
    if what == "stdout":
        room = run.limits.output_bytes - len(run.stdout)
        run.stdout += data[: max(room, 0)]
        if len(data) > room:
            run.stdout_truncated = run.output_exceeded = True
            run.kill()
    else:
        room = run.limits.stderr_bytes - len(run.stderr)
        run.stderr += data[: max(room, 0)]
        run.stderr_truncated |= len(data) > room
    return True


def _enforce_cpu(run: PendingRun) -> None:
    cgroup = run.sandbox.cgroup
    if cgroup.measures_cpu and cgroup.cpu_seconds() - run.cpu0 > run.limits.cpu_time:
        run.cpu_exceeded = True
        run.kill()


def _enforce_wall(run: PendingRun) -> bool:
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


def _parse(response: str) -> dict[str, int]:
    values: dict[str, int] = {}
    for item in response.split():
        key, _, value = item.partition("=")
        if value.lstrip("-").isdigit():
            values[key] = int(value)
    return values


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
    values = _parse(response)
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
