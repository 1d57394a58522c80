"""The sandbox's own defences (issue 10: C1 box files, H1 supervision, H4 /dev/shm, L2).

Each test replays the audit's attack with a real program in the real sandbox and asserts that
it is contained. Where the attack needs a host file to steal, the file is readable by the slot's
uid (mode 0644 in a world-traversable directory), as the SQLite database was: only the sandbox's
own defences stand between the program and it.
"""

from __future__ import annotations

import os
import shutil
import signal
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.support.paths import FIXTURE_PACKAGES
from verdict.cli import app
from verdict.judge.bwrap import Mount
from verdict.judge.errors import SandboxError
from verdict.judge.grader import reference_language
from verdict.judge.packages import load_package
from verdict.judge.preparation import prepared_grader
from verdict.judge.run_watch import HOST_KILL_GRACE, HOST_WALL_GRACE
from verdict.judge.sandbox import Limits, Sandbox, SandboxConfig, Status

pytestmark = pytest.mark.integration

MiB = 1024 * 1024
FAST = Limits(cpu_time=1, wall_time=2, memory_mb=128, processes=16)

PROGRAMS = {
    # H1: the audit's supervisor attacks on the runner (PID 1).
    "tracer": r"""
        #define _GNU_SOURCE
        #include <errno.h>
        #include <fcntl.h>
        #include <stdio.h>
        #include <string.h>
        #include <sys/ptrace.h>
        #include <sys/syscall.h>
        #include <sys/uio.h>
        #include <unistd.h>
        static const char *err(long r) { return r < 0 ? strerrorname_np(errno) : "OK"; }
        int main(void) {
            printf("ptrace %s\n", err(ptrace(PTRACE_ATTACH, 1, 0, 0)));
            printf("seize %s\n", err(ptrace(PTRACE_SEIZE, 1, 0, 0)));
            long pidfd = syscall(SYS_pidfd_open, 1, 0);
            printf("pidfd_open %s\n", err(pidfd));
            /* even with a pidfd from elsewhere, the runner's control socket (fd 3) stays its own */
            printf("pidfd_getfd %s\n", err(syscall(SYS_pidfd_getfd, pidfd < 0 ? 0 : pidfd, 3, 0)));
            char buf[16]; struct iovec local = {buf, sizeof buf}, remote = {(void *)0x400000, sizeof buf};
            printf("process_vm_readv %s\n", err(process_vm_readv(1, &local, 1, &remote, 1, 0)));
            printf("mem %s\n", err(open("/proc/1/mem", O_RDONLY)));
            printf("fd %s\n", err(open("/proc/1/fd/3", O_RDWR)));
            printf("environ %s\n", err(open("/proc/1/environ", O_RDONLY)));
            return 0; }""",
    # H1, L2: calls no judged program needs.
    "kernel": r"""
        #define _GNU_SOURCE
        #include <errno.h>
        #include <linux/sched.h>
        #include <sched.h>
        #include <stdio.h>
        #include <string.h>
        #include <sys/mount.h>
        #include <sys/syscall.h>
        #include <unistd.h>
        static const char *err(long r) { return r < 0 ? strerrorname_np(errno) : "OK"; }
        int main(void) {
            char params[120] = {0};
            printf("io_uring_setup %s\n", err(syscall(SYS_io_uring_setup, 4, params)));
            printf("keyctl %s\n", err(syscall(SYS_keyctl, 0 /* GET_KEYRING_ID */, -3, 0)));
            printf("add_key %s\n", err(syscall(SYS_add_key, "user", "k", "v", 1, -3)));
            printf("bpf %s\n", err(syscall(SYS_bpf, 0, 0, 0)));
            printf("perf_event_open %s\n", err(syscall(SYS_perf_event_open, 0, 0, -1, -1, 0)));
            printf("unshare %s\n", err(unshare(CLONE_NEWNS)));
            printf("mount %s\n", err(mount("none", "/box", "tmpfs", 0, 0)));
            printf("userfaultfd %s\n", err(syscall(SYS_userfaultfd, 0)));
            struct clone_args args = {0}; args.flags = CLONE_NEWNET; args.exit_signal = 17;
            printf("clone3 %s\n", err(syscall(SYS_clone3, &args, sizeof args)));
            printf("clone_newuser %s\n", err(syscall(SYS_clone, CLONE_NEWUSER | 17, 0, 0, 0, 0)));
            pid_t child = fork(); if (child == 0) _exit(0);
            printf("fork %s\n", err(child));
            return 0; }""",
    # H4: the audit's /dev/shm filler, one new 200 MB file per test, left behind.
    "shmfill": r"""
        #include <errno.h>
        #include <fcntl.h>
        #include <stdio.h>
        #include <string.h>
        #include <unistd.h>
        int main(int argc, char **argv) {
            static char buf[1 << 20]; memset(buf, 's', sizeof buf);
            char name[256]; snprintf(name, sizeof name, "%s/fill-%s", argv[1], argv[2]);
            int fd = open(name, O_CREAT | O_WRONLY, 0644);
            if (fd < 0) { printf("open %s\n", strerror(errno)); return 0; }
            long mb = 0;
            for (; mb < 200; mb++) if (write(fd, buf, sizeof buf) != (ssize_t)sizeof buf) break;
            printf("wrote %ld MB %s\n", mb, mb < 200 ? strerror(errno) : "");
            fflush(stdout); return 0; }""",
    "sleepy": "#include <unistd.h>\nint main(void){ for (;;) pause(); }",
}


@pytest.fixture
def box(sandbox_config: SandboxConfig, programs: dict[str, Path]) -> Iterator[Sandbox]:
    with Sandbox(sandbox_config) as sandbox:
        for name, path in programs.items():
            sandbox.put(name, path, executable=True)
        yield sandbox


@pytest.fixture
def host_secret() -> Iterator[Path]:
    """A host file the slot's uid could read if the host followed a link: 0644 in a 0755 dir."""
    directory = Path(tempfile.mkdtemp(prefix="verdict-secret-"))
    directory.chmod(0o755)
    secret = directory / "verdict.db"
    secret.write_text(f"SQLite format 3\0argon2id$SECRET-{uuid.uuid4().hex}\n")
    secret.chmod(0o644)
    yield secret
    shutil.rmtree(directory)


def _lines(output: bytes) -> dict[str, str]:
    return dict(line.split(" ", 1) for line in output.decode().splitlines())


# -- C1: box files ----------------------------------------------------------------------------
def test_links_in_the_box_never_reach_host_files(box: Sandbox, host_secret: Path) -> None:
    links = {
        "teammessage.txt": str(host_secret),
        "judgemessage.txt": "/etc/passwd",
        "relative.txt": "../../../../../../etc/passwd",
        "proc.txt": "/proc/self/root/etc/passwd",
    }
    for name, target in links.items():
        assert box.run(["/usr/bin/ln", "-s", target, f"/box/{name}"], limits=FAST).ok
    assert box.run(["/usr/bin/mkfifo", "/box/fifo"], limits=FAST).ok
    # The attack as it was: through /proc/<pid>/root, the link resolves against the host's root.
    with open(f"/proc/{box._pid}/root/box/teammessage.txt", "rb") as leaked:
        assert b"SECRET" in leaked.read()
    for name in [*links, "fifo"]:
        assert box.read_file(name, 1 << 16) is None
        with pytest.raises(SandboxError):
            box.get(name)
    assert box.read_file("../../etc/passwd", 1 << 16) is None  # `..` stays in the box
    assert "teammessage.txt" not in box.list_files()


def test_reads_are_capped(box: Sandbox) -> None:
    box.put("big", b"x" * (3 * MiB))
    assert box.read_file("big", 1000) == b"x" * 1000
    assert len(box.get("big")) == 3 * MiB


def test_links_never_make_the_host_write_outside_the_box(box: Sandbox) -> None:
    target = Path(tempfile.gettempdir()) / f"verdict-pwned-{uuid.uuid4().hex}"
    target_dir = Path(tempfile.mkdtemp(prefix="verdict-pwned-dir-"))
    target_dir.chmod(0o777)
    try:
        box.put("t/input", b"first")
        box.fresh_dir("t/feedback")
        # What a validator did between two tests: the host's next writes pointed at /tmp.
        script = (
            f"rm -rf /box/t/input /box/t/feedback && ln -s {target} /box/t/input"
            f" && ln -s {target_dir} /box/t/feedback && ln -s {target_dir} /box/u"
        )
        assert box.run(["/bin/sh", "-c", script], limits=FAST).ok
        box.put("t/input", b"second")
        box.fresh_dir("t/feedback")
        box.put("u/answer", b"third")
        assert not target.exists() and not os.path.lexists(target)
        assert list(target_dir.iterdir()) == []
        assert box.get("t/input") == b"second" and box.get("u/answer") == b"third"
        check = box.run(["/bin/sh", "-c", "test -d /box/t/feedback -a ! -L /box/t/feedback"], limits=FAST)
        assert check.ok
    finally:
        shutil.rmtree(target_dir)
        if os.path.lexists(target):
            target.unlink()


HOSTILE_VALIDATOR = '''#!/usr/bin/env python3
"""A Kattis validator that accepts everything and tries to make the host leak and write files."""
import os
import sys

feedback = sys.argv[3]
os.symlink({secret!r}, os.path.join(feedback, "teammessage.txt"))
os.symlink("/etc/passwd", os.path.join(feedback, "judgemessage.txt"))
# The host writes the next test's input and answer: point them at the host's /tmp.
for name, target in (("input", {target!r}), ("answer", {target_dir!r})):
    os.unlink("/box/t/" + name)
    os.symlink(target, "/box/t/" + name)
sys.exit(42)
'''


def test_kattis_validator_links_leak_nothing(
    sandbox_config: SandboxConfig, host_secret: Path, tmp_path: Path
) -> None:
    package = tmp_path / "customval"
    shutil.copytree(FIXTURE_PACKAGES / "kattis" / "customval", package)
    target = Path(tempfile.gettempdir()) / f"verdict-pwned-{uuid.uuid4().hex}"
    target_dir = Path(tempfile.mkdtemp(prefix="verdict-pwned-dir-"))
    target_dir.chmod(0o777)
    validator = package / "output_validators" / "checker" / "checker.py"
    validator.write_text(
        HOSTILE_VALIDATOR.format(secret=str(host_secret), target=str(target), target_dir=str(target_dir))
    )
    try:
        grader = prepared_grader(load_package(package), sandbox_config)
        source = package / "submissions" / "accepted" / "smallest.py"
        result = grader.grade(source.read_bytes(), reference_language(grader.problem, source))
        assert len(result.tests) > 2, result  # every test ran: the write attack was tried each time
        everything = repr(result)
        assert "SECRET" not in everything and "root:x:0:0" not in everything
        assert not os.path.lexists(target)
        assert list(target_dir.iterdir()) == []
    finally:
        shutil.rmtree(target_dir)
        if os.path.lexists(target):
            target.unlink()


# -- H1: supervision --------------------------------------------------------------------------
def test_the_runner_cannot_be_traced_or_robbed(box: Sandbox) -> None:
    result = box.run(["./tracer"], limits=FAST)
    assert result.ok, result
    lines = _lines(result.stdout)
    for call in ("ptrace", "seize", "pidfd_open", "pidfd_getfd", "process_vm_readv"):
        assert lines[call] == "EPERM", (call, lines)
    for path in ("mem", "fd", "environ"):  # the runner is not dumpable: /proc/1 is not ours
        assert lines[path] == "EACCES", (path, lines)
    assert box.run(["./sleepy"], limits=Limits(cpu_time=1, wall_time=0.5)).status == Status.WALL_LIMIT


def test_kernel_attack_surface_is_denied(box: Sandbox) -> None:
    result = box.run(["./kernel"], limits=FAST)
    assert result.ok, result
    lines = _lines(result.stdout)
    denied = (
        "io_uring_setup",
        "keyctl",
        "add_key",
        "bpf",
        "perf_event_open",
        "unshare",
        "mount",
        "userfaultfd",
        "clone_newuser",
    )
    for call in denied:
        assert lines[call] == "EPERM", (call, lines)
    assert lines["clone3"] == "ENOSYS"  # libc falls back to clone, whose flags are checked
    assert lines["fork"] == "OK"


def test_host_enforces_the_wall_limit_when_the_runner_is_stopped(
    sandbox_config: SandboxConfig, programs: dict[str, Path]
) -> None:
    with Sandbox(sandbox_config) as box:
        box.put("sleepy", programs["sleepy"], executable=True)
        # The stall the audit made with ptrace, made from the host: the runner gets SIGSTOP.
        stopper = threading.Timer(0.2, os.kill, (box._pid, signal.SIGSTOP))
        stopper.start()
        started = time.monotonic()
        result = box.run(["./sleepy"], limits=Limits(cpu_time=1, wall_time=1.5))
        elapsed = time.monotonic() - started
        stopper.join()
        assert result.status == Status.WALL_LIMIT, result
        assert elapsed < 1.5 + HOST_WALL_GRACE + HOST_KILL_GRACE + 0.5, elapsed
        with pytest.raises(SandboxError, match="gone"):
            box.run(["./sleepy"], limits=FAST)
        runner = box._pid
    assert _gone_within(runner, 2.0), Path(f"/proc/{runner}/stat").read_text()


def _gone_within(pid: int, seconds: float) -> bool:
    """Whether `pid` is dead (gone or a zombie) within `seconds`: SIGKILL is asynchronous."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if Path(f"/proc/{pid}/stat").read_text().split(") ", 1)[1].startswith(("Z", "X")):
                return True
        except (OSError, IndexError):
            return True
        time.sleep(0.01)
    return False


HANG = """import ctypes, time
libc = ctypes.CDLL(None, use_errno=True)
print("ptrace", libc.ptrace(16, 1, 0, 0), ctypes.get_errno(), flush=True)  # PTRACE_ATTACH
while True:
    time.sleep(60)
"""


def test_verdict_run_returns_at_the_wall_limit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, sandbox_config: SandboxConfig
) -> None:
    monkeypatch.setenv("VERDICT_DATA_DIR", str(sandbox_config.cache_dir.parent / "data"))
    hang = tmp_path / "hang.py"
    hang.write_text(HANG)
    started = time.monotonic()
    outcome = CliRunner().invoke(app, ["run", str(hang), "--wall", "3"])
    elapsed = time.monotonic() - started
    assert outcome.exit_code == 1, outcome.output
    assert "wall" in outcome.output and "ptrace -1 1" in outcome.output, outcome.output  # EPERM
    assert elapsed < 3 + HOST_WALL_GRACE + HOST_KILL_GRACE + 5, elapsed  # + compile and start-up


# -- H4: memory -------------------------------------------------------------------------------
def test_dev_shm_cannot_carry_memory_from_test_to_test(box: Sandbox) -> None:
    limits = Limits(cpu_time=2, wall_time=10, memory_mb=256)
    limit_files = []
    for test in range(4):
        result = box.run(["./shmfill", "/dev/shm", str(test)], limits=limits)
        limit_files.append(box.cgroup.memory_held())
        assert result.status in (Status.OK, Status.MEMORY_LIMIT), result
        if result.ok:  # writes fail: /dev/shm is a small tmpfs
            assert result.stdout.startswith(b"wrote ") and not result.stdout.startswith(b"wrote 200 "), result
        assert result.memory_bytes < 256 * MiB, result
    # Emptied after each run: nothing left for the next test to inherit.
    assert box.run(["/bin/sh", "-c", 'test -z "$(ls -A /dev/shm)$(ls -A /tmp)"'], limits=FAST).ok
    assert max(limit_files) < 64 * MiB, limit_files


def test_files_left_in_the_box_count_against_the_next_test(
    sandbox_config: SandboxConfig, programs: dict[str, Path]
) -> None:
    # A box big enough to hold what the audit left in /dev/shm (209, 401, 593, 785 MB).
    with Sandbox(sandbox_config, box_mb=1024) as box:
        box.put("shmfill", programs["shmfill"], executable=True)
        limits = Limits(cpu_time=2, wall_time=10, memory_mb=256, file_size_bytes=512 * MiB)
        statuses = []
        for test in range(4):
            result = box.run(["./shmfill", "/box", str(test)], limits=limits)
            statuses.append(result.status)
            if test == 0:
                assert result.ok and result.stdout.startswith(b"wrote 200 MB"), result
            else:
                assert result.status == Status.MEMORY_LIMIT or not result.stdout.startswith(b"wrote 200 "), (
                    result
                )
        assert statuses[1] == Status.MEMORY_LIMIT, statuses


def test_dev_is_read_only(box: Sandbox) -> None:
    result = box.run(["/bin/sh", "-c", "echo x > /dev/evil"], limits=FAST)
    assert result.status == Status.RUNTIME_ERROR and b"Read-only" in result.stderr, result


# -- L2: mountinfo ----------------------------------------------------------------------------
def test_mountinfo_names_no_host_directory_of_ours(sandbox_config: SandboxConfig, tmp_path: Path) -> None:
    helper = tmp_path / "helper.txt"
    helper.write_text("helper\n")
    with Sandbox(sandbox_config, mounts=[Mount(str(helper), "/opt/verdict/helper.txt", shared=True)]) as box:
        result = box.run(["/bin/sh", "-c", "cat /opt/verdict/helper.txt /proc/self/mountinfo"], limits=FAST)
        assert result.ok, result
        text = result.stdout.decode()
        assert text.startswith("helper\n")
        for host_path in (
            str(sandbox_config.system_dir),
            str(tmp_path),
            str(sandbox_config.cache_dir),
            "runner-",
        ):
            assert host_path not in text, (host_path, text)
        runner = box.run(["/bin/sh", "-c", "test -x /.runner && ! test -w /.runner"], limits=FAST)
        assert runner.ok, runner


def test_box_file_modes(box: Sandbox) -> None:
    box.put("exe", b"#!/bin/sh\necho hi\n", executable=True)
    box.put("data", b"x")
    listing = box.run(["/usr/bin/stat", "-c", "%a %n", "exe", "data"], limits=FAST).stdout.decode()
    assert "755 exe" in listing and "644 data" in listing
