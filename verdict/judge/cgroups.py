"""Control groups for sandbox slots, v1 or v2, detected at run time.

One cgroup per slot holds the whole sandbox (bubblewrap, the runner and the program).
The host reads it between and during tests: total CPU across all processes, peak memory,
whether the OOM killer fired. When no usable cgroup exists, `NoCgroup` lets the sandbox
fall back to rlimits (RLIMIT_AS, RLIMIT_CPU) and says so in `describe()`.
"""

from __future__ import annotations

import contextlib
import os
import signal
from dataclasses import dataclass
from pathlib import Path

V1_ROOT = Path("/sys/fs/cgroup")
GROUP = "verdict"


def _read_int(path: Path) -> int:
    try:
        return int(path.read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return 0


def _write(path: Path, value: str) -> bool:
    try:
        path.write_text(value)
        return True
    except OSError:
        return False


def _own_path(controller: str) -> str:
    """This process's cgroup path in a v1 hierarchy ("" for v2's unified line)."""
    for line in Path("/proc/self/cgroup").read_text().splitlines():
        _, controllers, path = line.split(":", 2)
        if controller in controllers.split(","):
            return path
    return "/"


class Cgroup:
    """Interface of a slot's cgroup; the default is the no-cgroup fallback."""

    kind = "none"
    limits_memory = False
    measures_cpu = False

    def join_fds(self) -> list[int]:
        """Fds of files the sandbox's first process writes its pid into, opened as root."""
        return []

    def prepare(self, memory_bytes: int, pids: int) -> None:
        """Set limits and reset peaks before a run."""

    def cpu_seconds(self) -> float:
        return 0.0

    def memory_peak(self) -> int:
        return 0

    def memory_usage(self) -> int:
        return 0

    def memory_held(self) -> int:
        """The part of the usage a run cannot reclaim (the runner, files left in the box):
        what the next run's limit must add on top of the program's own memory."""
        return self.memory_usage()

    def oom_kills(self) -> int:
        return 0

    def kill_all(self) -> None:
        """SIGKILL every process of the slot, whatever state it is in (stopped, traced)."""

    def close(self) -> None:
        pass


class NoCgroup(Cgroup):
    pass


def _kill_listed(procs: Path, rounds: int = 10) -> None:
    """Kills the pids of a cgroup.procs file until it is empty (processes forking meanwhile are
    caught by the next round; the pids limit bounds how many there can be)."""
    for _ in range(rounds):
        try:
            pids = [int(line) for line in procs.read_text().split()]
        except (OSError, ValueError):
            return
        if not pids:
            return
        for pid in pids:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)


@dataclass
class _V1Paths:
    memory: Path
    cpuacct: Path
    pids: Path


class CgroupV1(Cgroup):
    kind = "v1"
    limits_memory = True
    measures_cpu = True

    def __init__(self, paths: _V1Paths) -> None:
        self.paths = paths
        for path in (paths.memory, paths.cpuacct, paths.pids):
            path.mkdir(parents=True, exist_ok=True)
        _write(paths.memory / "memory.swappiness", "0")
        # Files read or reset on every run stay open (pread/pwrite at 0): the per-test fast path.
        self._cpu_fd = os.open(paths.cpuacct / "cpuacct.usage", os.O_RDONLY | os.O_CLOEXEC)
        self._usage_fd = os.open(paths.memory / "memory.usage_in_bytes", os.O_RDONLY | os.O_CLOEXEC)
        self._stat_fd = os.open(paths.memory / "memory.stat", os.O_RDONLY | os.O_CLOEXEC)
        self._peak_fd = os.open(paths.memory / "memory.max_usage_in_bytes", os.O_RDWR | os.O_CLOEXEC)
        self._oom_fd = os.open(paths.memory / "memory.oom_control", os.O_RDONLY | os.O_CLOEXEC)
        self._fds: list[int] = []
        self._memory_limit = -1  # last values written: unchanged limits are not rewritten
        self._pids_limit = -1

    def join_fds(self) -> list[int]:
        for fd in self._fds:
            os.close(fd)
        self._fds = [
            os.open(p / "cgroup.procs", os.O_WRONLY)
            for p in (self.paths.memory, self.paths.cpuacct, self.paths.pids)
        ]
        return self._fds

    def prepare(self, memory_bytes: int, pids: int) -> None:
        memory = self.paths.memory
        if memory_bytes != self._memory_limit:
            # memsw.limit must stay >= limit at every step: when raising, the first write
            # fails (EINVAL) until memsw has been raised.
            raised = _write(memory / "memory.limit_in_bytes", str(memory_bytes))
            _write(memory / "memory.memsw.limit_in_bytes", str(memory_bytes))
            if not raised:
                _write(memory / "memory.limit_in_bytes", str(memory_bytes))
            self._memory_limit = memory_bytes
        os.pwrite(self._peak_fd, b"0", 0)  # the peak restarts from the current usage
        if pids != self._pids_limit:
            _write(self.paths.pids / "pids.max", str(pids))
            self._pids_limit = pids

    def cpu_seconds(self) -> float:
        return int(os.pread(self._cpu_fd, 32, 0)) / 1e9

    def memory_peak(self) -> int:
        return int(os.pread(self._peak_fd, 32, 0))

    def memory_usage(self) -> int:
        return int(os.pread(self._usage_fd, 32, 0))

    def memory_held(self) -> int:
        # Page cache charged to the slot (files read by earlier runs or compilers) is
        # reclaimed under pressure; tmpfs pages (shmem: files in the box) are not.
        stat = _keyed(os.pread(self._stat_fd, 16384, 0), (b"cache", b"shmem"))
        reclaimable = max(stat.get(b"cache", 0) - stat.get(b"shmem", 0), 0)
        return max(self.memory_usage() - reclaimable, 0)

    def oom_kills(self) -> int:
        return _keyed(os.pread(self._oom_fd, 1024, 0), (b"oom_kill",)).get(b"oom_kill", 0)

    def kill_all(self) -> None:
        _kill_listed(self.paths.pids / "cgroup.procs")

    def close(self) -> None:
        for fd in [self._cpu_fd, self._usage_fd, self._stat_fd, self._peak_fd, self._oom_fd, *self._fds]:
            os.close(fd)
        self._fds = []


def _keyed(text: bytes, keys: tuple[bytes, ...]) -> dict[bytes, int]:
    """Values of "key value" lines (memory.stat, memory.oom_control)."""
    values: dict[bytes, int] = {}
    for line in text.splitlines():
        key, _, value = line.partition(b" ")
        if key in keys:
            values[key] = int(value)
    return values


class CgroupV2(Cgroup):
    kind = "v2"
    limits_memory = True
    measures_cpu = True

    def __init__(self, path: Path) -> None:
        self.path = path
        path.mkdir(parents=True, exist_ok=True)
        self._fds: list[int] = []

    def join_fds(self) -> list[int]:
        self._fds = [os.open(self.path / "cgroup.procs", os.O_WRONLY)]
        return self._fds

    def prepare(self, memory_bytes: int, pids: int) -> None:
        _write(self.path / "memory.max", str(memory_bytes))
        _write(self.path / "memory.swap.max", "0")
        _write(self.path / "pids.max", str(pids))
        _write(self.path / "memory.peak", "0")  # resets the peak on kernels >= 6.12

    def _stat(self, name: str, key: str) -> int:
        try:
            for line in (self.path / name).read_text().splitlines():
                k, _, v = line.partition(" ")
                if k == key:
                    return int(v)
        except OSError:
            pass
        return 0

    def cpu_seconds(self) -> float:
        return self._stat("cpu.stat", "usage_usec") / 1e6

    def memory_peak(self) -> int:
        return _read_int(self.path / "memory.peak")

    def memory_usage(self) -> int:
        return _read_int(self.path / "memory.current")

    def memory_held(self) -> int:
        reclaimable = max(self._stat("memory.stat", "file") - self._stat("memory.stat", "shmem"), 0)
        return max(self.memory_usage() - reclaimable, 0)

    def oom_kills(self) -> int:
        return self._stat("memory.events", "oom_kill")

    def kill_all(self) -> None:
        if not _write(self.path / "cgroup.kill", "1"):  # kernels before 5.14
            _kill_listed(self.path / "cgroup.procs")

    def close(self) -> None:
        for fd in self._fds:
            os.close(fd)
        self._fds = []


def _v1_controller_dir(controller: str) -> Path | None:
    mount = V1_ROOT / controller
    if not (mount / "cgroup.procs").exists():
        return None
    own = mount / _own_path(controller).lstrip("/")
    return own if own.is_dir() else mount


def _v2_root() -> Path | None:
    for candidate in (V1_ROOT, V1_ROOT / "unified"):
        controllers = candidate / "cgroup.controllers"
        if controllers.exists() and {"memory", "pids"} <= set(controllers.read_text().split()):
            return candidate
    return None


def detect_kind() -> str:
    if os.geteuid() != 0:
        return "none"
    if all(_v1_controller_dir(c) for c in ("memory", "cpuacct", "pids")):
        return "v1"
    return "v2" if _v2_root() else "none"


def slot_cgroup(slot: int, kind: str | None = None) -> Cgroup:
    """The cgroup for sandbox slot `slot`, creating it if needed."""
    kind = kind or detect_kind()
    name = f"{GROUP}/slot{slot}"
    try:
        if kind == "v1":
            dirs = [_v1_controller_dir(c) for c in ("memory", "cpuacct", "pids")]
            memory, cpuacct, pids = (d / name for d in dirs if d)
            return CgroupV1(_V1Paths(memory, cpuacct, pids))
        if kind == "v2":
            root = _v2_root()
            assert root is not None
            own = root / _own_path("").lstrip("/")
            parent = own / GROUP
            parent.mkdir(exist_ok=True)
            # Controllers must be enabled in every ancestor's subtree_control.
            _write(own / "cgroup.subtree_control", "+memory +pids +cpu")
            _write(parent / "cgroup.subtree_control", "+memory +pids +cpu")
            return CgroupV2(parent / f"slot{slot}")
    except OSError:
        pass
    return NoCgroup()
