"""Starting a sandbox's bubblewrap: its command line (mounts, sized tmpfs, the runner as PID 1)
and its launch as the slot's uid inside the slot's cgroup.

See DESIGN.md's sandbox notes for the flags: a read-only root (`--remount-ro /` last), every
namespace unshared, `--as-pid-1` so that the runner is PID 1, `--clearenv`.

**Mounts.** The runner and our shared files are copied into the sandbox's root (bwrap
`--file`) rather than bind-mounted, so `/proc/self/mountinfo` names no host directory of
ours. What remains visible there: the host paths of the system directories bound read-only
(/usr, /etc/..., the same paths as inside), the device (/dev/vda) and mount options, and the
source path of a language's extra toolchain mount (e.g. Rust's) when it lies elsewhere.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from verdict.judge import cgroups
from verdict.judge.sandbox_runner import launcher_argv

MiB = 1024 * 1024


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


@dataclass(frozen=True)
class Tmpfs:
    """Sizes of the sandbox's writable tmpfs mounts, in MB."""

    box_mb: int = 64
    tmp_mb: int = 16
    shm_mb: int = 16


def start(
    runner: Path,
    mounts: Sequence[Mount],
    tmpfs: Tmpfs,
    uid: int,
    cgroup: cgroups.Cgroup,
    info_fd: int,
    control_fd: int,
) -> subprocess.Popen[bytes]:
    """Starts bubblewrap with the runner as PID 1 on `control_fd` (bwrap writes its child's pid
    to `info_fd`). The caller closes both fds after; bubblewrap's stderr is a pipe."""
    with contextlib.ExitStack() as copies:
        runner_fd = copies.enter_context(open(runner, "rb")).fileno()
        shared = {
            mount.source: copies.enter_context(open(mount.source, "rb")).fileno()
            for mount in mounts
            if mount.shared
        }
        args = bwrap_args(mounts, tmpfs, info_fd, control_fd, runner_fd, shared)
        return _launch(runner, uid, cgroup, args, [control_fd, info_fd, runner_fd, *shared.values()])


def bwrap_args(
    mounts: Sequence[Mount],
    tmpfs: Tmpfs,
    info_w: int,
    control_fd: int,
    runner_fd: int,
    shared: Mapping[str, int],
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
    for mount in mounts:
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
        str(tmpfs.shm_mb * MiB),
        "--tmpfs",
        "/dev/shm",
        "--size",
        str(tmpfs.tmp_mb * MiB),
        "--tmpfs",
        "/tmp",
        "--size",
        str(tmpfs.box_mb * MiB),
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


def _root_symlinks() -> list[str]:
    """Debian's merged /usr: /bin, /lib, /lib64, /sbin are symlinks into /usr."""
    args: list[str] = []
    for name in ("bin", "lib", "lib64", "lib32", "sbin", "libx32"):
        path = Path("/") / name
        if path.is_symlink():
            args += ["--symlink", os.readlink(path), f"/{name}"]
    return args


def _launch(
    runner: Path, uid: int, cgroup: cgroups.Cgroup, args: list[str], fds: list[int]
) -> subprocess.Popen[bytes]:
    """Starts bubblewrap through the runner's launcher mode (joins the cgroup, drops to the
    slot's uid); `fds` are the descriptors bubblewrap needs."""
    join = cgroup.join_fds()
    cgroup.prepare(512 * MiB, 64)
    return subprocess.Popen(
        [*launcher_argv(runner, uid, join), *args],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        pass_fds=[*fds, *join],
    )
