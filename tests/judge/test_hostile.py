"""Hostile programs: each is contained with the right status, and the host is checked after
the run (no process of the sandbox left, nothing on the host's disk or network, the sandbox
still usable). Limits are small so that the whole suite stays fast."""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from verdict.judge.compiler import compile_source
from verdict.judge.languages import get_language
from verdict.judge.sandbox import Limits, Sandbox, SandboxConfig, Status, run_once

pytestmark = pytest.mark.integration

MiB = 1024 * 1024
FAST = Limits(cpu_time=1, wall_time=2, memory_mb=128, processes=16)
# A documentation address (RFC 5737, never routed): "elsewhere" without aiming at anyone.
REMOTE = "192.0.2.1"

PROGRAMS = {
    "forkbomb": """
        #include <unistd.h>
        int main(void){ for (;;) if (fork() < 0) for (;;) pause(); }""",
    "forkspin": "#include <unistd.h>\nint main(void){ for (;;) fork(); }",
    "alloc4g": """
        #include <stdio.h>
        #include <stdlib.h>
        #include <string.h>
        int main(void){ size_t n = 4UL << 30; char *p = malloc(n);
            if (!p) { puts("malloc refused"); return 4; }
            for (size_t i = 0; i < n; i += 4096) p[i] = 1;
            puts("touched 4 GB"); return 0; }""",
    "spin": "int main(void){ for (;;); }",
    "sleepy": "#include <unistd.h>\nint main(void){ for (;;) pause(); }",
    "spew": """
        #include <string.h>
        #include <unistd.h>
        int main(void){ static char buf[1 << 16]; memset(buf, 'y', sizeof buf);
            for (long i = 0; i < (2L << 30) / (long)sizeof buf; i++)
                if (write(1, buf, sizeof buf) < 0) return 1;
            return 0; }""",
    "filldisk": """
        #include <errno.h>
        #include <fcntl.h>
        #include <stdio.h>
        #include <string.h>
        #include <unistd.h>
        static void fill(const char *dir) { static char buf[1 << 20]; memset(buf, 'z', sizeof buf);
            char name[256]; long written = 0; int files = 0;
            for (;;) { snprintf(name, sizeof name, "%s/fill%d", dir, files);
                int fd = open(name, O_CREAT | O_WRONLY, 0644);
                if (fd < 0) { printf("%s open %s\\n", dir, strerror(errno)); break; }
                files++;
                ssize_t n = write(fd, buf, sizeof buf); close(fd);
                if (n < (ssize_t)sizeof buf) { printf("%s %ld MB %s\\n", dir, written >> 20,
                                                        n < 0 ? strerror(errno) : "short write"); break; }
                written += n; } }
        static void empty_files(const char *dir) { char name[256]; int i;
            for (i = 0; i < 20000; i++) { snprintf(name, sizeof name, "%s/e%d", dir, i);
                int fd = open(name, O_CREAT | O_WRONLY, 0644); if (fd < 0) break; close(fd); }
            printf("%s %d empty files\\n", dir, i); }
        int main(int argc, char **argv) {
            fill("/box"); fill("/tmp"); empty_files("/tmp");
            for (int i = 1; i < argc; i++) { int fd = open(argv[i], O_CREAT | O_WRONLY, 0644);
                printf("%s %s\\n", argv[i], fd < 0 ? strerror(errno) : "CREATED"); }
            return 0; }""",
    "network": """
        #include <arpa/inet.h>
        #include <errno.h>
        #include <netinet/in.h>
        #include <stdio.h>
        #include <stdlib.h>
        #include <string.h>
        #include <sys/socket.h>
        #include <unistd.h>
        static const char *try(int type, const char *ip, int port) {
            int s = socket(AF_INET, type, 0); if (s < 0) return strerror(errno);
            struct sockaddr_in a = {0}; a.sin_family = AF_INET; a.sin_port = htons(port);
            inet_pton(AF_INET, ip, &a.sin_addr);
            int r = type == SOCK_STREAM ? connect(s, (struct sockaddr *)&a, sizeof a)
                                        : (int)sendto(s, "hi", 2, 0, (struct sockaddr *)&a, sizeof a);
            const char *what = r < 0 ? strerror(errno) : type == SOCK_STREAM ? "CONNECTED" : "SENT";
            close(s); return what; }
        int main(int argc, char **argv) {
            int tcp = atoi(argv[1]), udp = atoi(argv[2]); const char *remote = argv[3];
            printf("tcp-local %s\\n", try(SOCK_STREAM, "127.0.0.1", tcp));
            printf("udp-local %s\\n", try(SOCK_DGRAM, "127.0.0.1", udp));
            /* Only with no route at all: then nothing can leave, whatever the address. */
            FILE *f = fopen("/proc/net/route", "r"); char line[512]; int routes = -1;
            if (f) { routes = 0; while (fgets(line, sizeof line, f)) routes++; routes--; fclose(f); }
            printf("routes %d\\n", routes);
            if (routes != 0) return 9;
            printf("tcp-remote %s\\n", try(SOCK_STREAM, remote, 53));
            printf("udp-remote %s\\n", try(SOCK_DGRAM, remote, 53));
            return 0; }""",
    "reader": """
        #include <dirent.h>
        #include <errno.h>
        #include <fcntl.h>
        #include <stdio.h>
        #include <string.h>
        #include <unistd.h>
        int main(int argc, char **argv) {
            for (int i = 1; i < argc; i++) { char buf[64]; int fd = open(argv[i], O_RDONLY);
                if (fd < 0) { printf("%s: %s\\n", argv[i], strerror(errno)); continue; }
                ssize_t n = read(fd, buf, sizeof buf); close(fd);
                printf("%s: %s\\n", argv[i], n >= 0 ? "READ" : strerror(errno)); }
            DIR *d = opendir("/"); struct dirent *e; printf("root:");
            while (d && (e = readdir(d))) printf(" %s", e->d_name);
            printf("\\n"); int pids = 0; d = opendir("/proc");
            while (d && (e = readdir(d))) if (e->d_name[0] >= '0' && e->d_name[0] <= '9') pids++;
            printf("pids %d\\n", pids); return 0; }""",
    "killer": """
        #include <errno.h>
        #include <signal.h>
        #include <stdio.h>
        #include <stdlib.h>
        #include <string.h>
        #include <unistd.h>
        int main(int argc, char **argv) {
            if (fork() == 0) { pause(); _exit(0); }  /* a sibling for kill(-1) to take */
            printf("parent %d\\n", (int)getppid());
            printf("kill parent %s\\n", kill(getppid(), SIGKILL) < 0 ? strerror(errno) : "sent");
            printf("kill host %s\\n", kill(atoi(argv[1]), SIGKILL) < 0 ? strerror(errno) : "sent");
            printf("kill -1 %s\\n", kill(-1, SIGKILL) < 0 ? strerror(errno) : "sent");
            printf("alive\\n"); return 0; }""",
    "daemon": """
        #include <fcntl.h>
        #include <stdio.h>
        #include <sys/wait.h>
        #include <unistd.h>
        int main(int argc, char **argv) {
            pid_t p = fork();
            if (p == 0) { setsid(); if (fork() == 0) { sleep(1);
                    int fd = open("/box/escaped", O_CREAT | O_WRONLY, 0644);
                    if (fd >= 0) { if (write(fd, "x", 1) < 0) {} close(fd); }
                    for (;;) pause(); }
                _exit(0); }
            waitpid(p, NULL, 0); puts("parent done"); return 0; }""",
    "echo": '#include <stdio.h>\nint main(void){ puts("probe"); return 0; }',
}


def _processes(uid: int | None = None, pid_ns: str | None = None) -> set[int]:
    """Host pids owned by `uid`, or living in the pid namespace `pid_ns`."""
    found = set()
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            owned = uid is not None and entry.stat().st_uid == uid
            inside = pid_ns is not None and os.readlink(f"/proc/{entry.name}/ns/pid") == pid_ns
        except OSError:
            continue  # gone meanwhile
        if owned or inside:
            found.add(int(entry.name))
    return found


class Guarded:
    """A sandbox plus what the host looked like before: `check()` after each hostile run."""

    def __init__(self, box: Sandbox) -> None:
        self.box = box
        self.pid_ns = os.readlink(f"/proc/{box._pid}/ns/pid")
        self.own = _processes(uid=box.uid)  # bubblewrap and the runner: nothing else
        assert box._pid in self.own

    def check(self) -> None:
        # Nothing but the runner in the sandbox's pid namespace, nothing else runs as its uid.
        assert _processes(pid_ns=self.pid_ns) == {self.box._pid}
        assert _processes(uid=self.box.uid) == self.own
        # And it still works: the next run in the same sandbox is a normal run.
        probe = self.box.run(["./echo"], limits=FAST)
        assert probe.ok and probe.stdout == b"probe\n", probe


@pytest.fixture
def guarded(sandbox_config: SandboxConfig, programs: dict[str, Path]) -> Iterator[Guarded]:
    with Sandbox(sandbox_config) as box:
        for name, path in programs.items():
            box.put(name, path, executable=True)
        guard = Guarded(box)
        yield guard
        guard.check()
        pid_ns = guard.pid_ns
    assert not _processes(pid_ns=pid_ns), "processes outlived their sandbox"


def test_fork_bomb(guarded: Guarded) -> None:
    cgroup = guarded.box.cgroup
    pids_current = cgroup.paths.pids / "pids.current" if hasattr(cgroup, "paths") else None
    seen: list[int] = []
    done = threading.Event()

    def watch() -> None:  # the sandbox's process count while the bomb is blocked in pause()
        while pids_current is not None and not done.wait(0.05):
            seen.append(int(pids_current.read_text()))

    watcher = threading.Thread(target=watch)
    watcher.start()
    started = time.monotonic()
    try:
        result = guarded.box.run(["./forkbomb"], limits=FAST)
    finally:
        done.set()
        watcher.join()
    assert result.status == Status.WALL_LIMIT, result  # everyone blocked in pause()
    assert time.monotonic() - started < FAST.wall + 2
    if pids_current is not None:
        assert seen and max(seen) <= FAST.processes + 2, seen  # bubblewrap + runner + the bomb


def test_fork_in_a_loop_burning_cpu(guarded: Guarded) -> None:
    started = time.monotonic()
    result = guarded.box.run(["./forkspin"], limits=FAST)
    assert result.status == Status.TIME_LIMIT, result
    assert result.cpu_time < FAST.cpu_time + 0.5
    assert time.monotonic() - started < 3


def test_allocating_4_gb(guarded: Guarded) -> None:
    result = guarded.box.run(["./alloc4g"], limits=FAST)
    assert result.status == Status.MEMORY_LIMIT, result
    assert result.memory_bytes < 2 * FAST.memory_mb * MiB


def test_infinite_loop(guarded: Guarded) -> None:
    result = guarded.box.run(["./spin"], limits=FAST)
    assert result.status == Status.TIME_LIMIT, result
    assert result.wall_time < FAST.wall


def test_sleeping_forever(guarded: Guarded) -> None:
    result = guarded.box.run(["./sleepy"], limits=FAST)
    assert result.status == Status.WALL_LIMIT, result
    assert result.wall_time < FAST.wall + 0.5


def test_2_gb_to_stdout(guarded: Guarded) -> None:
    started = time.monotonic()
    result = guarded.box.run(["./spew"], limits=Limits(cpu_time=5, wall_time=10, output_bytes=MiB))
    assert result.status == Status.OUTPUT_LIMIT, result
    assert result.stdout_truncated and len(result.stdout) == MiB
    assert time.monotonic() - started < 2


def test_filling_the_disk(guarded: Guarded) -> None:
    marker = f"/tmp/verdict-hostile-{uuid.uuid4().hex}"
    disk_before = shutil.disk_usage("/").free
    tmp_before = shutil.disk_usage("/tmp").free
    result = guarded.box.run(
        ["./filldisk", marker, "/usr/evil", "/evil"],
        limits=Limits(cpu_time=2, wall_time=10, memory_mb=256, file_size_bytes=8 * MiB),
    )
    assert result.ok, result
    lines = result.stdout.decode().splitlines()
    # Each tmpfs fills up to its size (the last write is short, or fails with ENOSPC).
    box_line = next(line for line in lines if line.startswith("/box ") and " MB " in line)
    assert 56 <= int(box_line.split()[1]) <= 64 and box_line.endswith(
        ("No space left on device", "short write")
    ), box_line
    tmp_line = next(line for line in lines if line.startswith("/tmp ") and " MB " in line)
    assert 8 <= int(tmp_line.split()[1]) <= 16, tmp_line
    assert "/tmp 20000 empty files" in lines
    assert f"{marker} CREATED" in lines  # in the sandbox's own /tmp ...
    assert not os.path.exists(marker)  # ... not the host's
    assert "/usr/evil Read-only file system" in lines
    assert "/evil Read-only file system" in lines
    # The box is a sized tmpfs in memory: the host's disks lost nothing (64 MB were written).
    assert disk_before - shutil.disk_usage("/").free < 32 * MiB
    assert tmp_before - shutil.disk_usage("/tmp").free < 32 * MiB


def test_network_is_unreachable(guarded: Guarded) -> None:
    with (
        socket.socket(socket.AF_INET, socket.SOCK_STREAM) as tcp,
        socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp,
    ):
        tcp.bind(("127.0.0.1", 0))
        tcp.listen()
        tcp.setblocking(False)
        udp.bind(("127.0.0.1", 0))
        udp.setblocking(False)
        argv = ["./network", str(tcp.getsockname()[1]), str(udp.getsockname()[1]), REMOTE]
        result = guarded.box.run(argv, limits=FAST)
        assert result.ok, (result, result.stdout)
        lines = result.stdout.decode().splitlines()
        assert "routes 0" in lines
        # 127.0.0.1 in there is the sandbox's own loopback: nobody listens on it.
        assert "tcp-local Connection refused" in lines
        assert "tcp-remote Network is unreachable" in lines
        assert "udp-remote Network is unreachable" in lines
        with pytest.raises(BlockingIOError):
            tcp.accept()
        with pytest.raises(BlockingIOError):
            udp.recvfrom(16)  # even if "udp-local SENT": it went to the sandbox's loopback


def test_secrets_and_server_files_are_not_visible(
    guarded: Guarded, sandbox_config: SandboxConfig, tmp_path: Path
) -> None:
    secret = tmp_path / "secret.txt"  # a file in the host's /tmp
    secret.write_text("host secret")
    repo_file = Path(__file__).resolve().parents[2] / "pyproject.toml"
    paths = [
        "/etc/shadow",
        "/etc/passwd",
        str(repo_file),
        "/root",
        "/root/.bashrc",
        "/home",
        str(sandbox_config.cache_dir),
        str(secret),
        "/var/log/syslog",
        "/proc/1/environ",
    ]
    result = guarded.box.run(["./reader", *paths], limits=FAST)
    assert result.ok, result
    lines = result.stdout.decode().splitlines()
    for path in paths[:-1]:
        assert f"{path}: No such file or directory" in lines, lines
    root = next(line for line in lines if line.startswith("root:")).split()[1:]
    assert not {"root", "home", "work", "var", "srv", "run"} & set(root), root
    assert "pids 2" in lines  # its own pid namespace: the runner and the program only


def test_killing_the_parent_and_everyone(guarded: Guarded) -> None:
    result = guarded.box.run(["./killer", str(os.getpid())], limits=FAST)
    assert result.ok, result
    lines = result.stdout.decode().splitlines()
    assert "parent 1" in lines  # its parent is the runner, PID 1 of the namespace
    assert "kill host No such process" in lines  # host pids do not exist in there
    assert lines[-1] == "alive"
    assert guarded.box.run(["./echo"], limits=FAST).ok  # the runner survived both kills


def test_double_forked_daemon_is_gone(guarded: Guarded) -> None:
    result = guarded.box.run(["./daemon"], limits=FAST)
    assert result.ok and result.stdout == b"parent done\n", result
    assert _processes(pid_ns=guarded.pid_ns) == {guarded.box._pid}  # gone at once
    time.sleep(1.3)  # it would have written its file after 1 s
    assert not guarded.box.exists("escaped")


def test_next_sandbox_still_works(sandbox_config: SandboxConfig, programs: dict[str, Path]) -> None:
    result = run_once(["./echo"], files={"echo": programs["echo"]}, config=sandbox_config, limits=FAST)
    assert result.ok and result.stdout == b"probe\n"


# -- compile-time attacks ---------------------------------------------------------------------
COMPILE = Limits(
    cpu_time=2,
    wall_time=5,
    memory_mb=512,
    processes=64,
    output_bytes=64 * 1024,
    stderr_bytes=64 * 1024,
    file_size_bytes=64 * MiB,
    open_files=256,
)


def test_include_etc_shadow(sandbox_config: SandboxConfig) -> None:
    source = b'#include "/etc/shadow"\nint main(void){ return 0; }\n'
    compiled = compile_source(get_language("GCC"), source, sandbox_config, limits=COMPILE)
    assert not compiled.ok
    assert "/etc/shadow: No such file or directory" in compiled.output
    shadow = Path("/etc/shadow").read_text().splitlines()
    assert not any(line and line in compiled.output for line in shadow)


def test_include_server_file(sandbox_config: SandboxConfig) -> None:
    repo_file = Path(__file__).resolve().parents[2] / "pyproject.toml"
    source = f'#include "{repo_file}"\nint main(void){{ return 0; }}\n'.encode()
    compiled = compile_source(get_language("GCC"), source, sandbox_config, limits=COMPILE)
    assert not compiled.ok and "No such file or directory" in compiled.output
    assert "[project]" not in compiled.output


def test_compiler_bomb_takes_forever(sandbox_config: SandboxConfig) -> None:
    source = b"""constexpr long f() { long s = 0;
        for (long i = 0; i < 100000; i++) for (long j = 0; j < 100000; j++) s += i ^ j;
        return s; }
    constexpr long x = f();
    int main() { return (int)x; }
    """
    started = time.monotonic()
    compiled = compile_source(get_language("G++17"), source, sandbox_config, limits=COMPILE)
    assert not compiled.ok
    assert compiled.status in (Status.TIME_LIMIT.value, Status.WALL_LIMIT.value)
    assert "compilation took too long" in compiled.output
    assert time.monotonic() - started < COMPILE.wall + 2


@pytest.mark.parametrize(
    "source",
    [
        b"char big[1UL << 31] = {1};\nint main(int argc, char **argv) { return big[argc]; }\n",
        b'__asm__(".data\\n.fill 0x7fff0000, 1, 1\\n.text");\nint main(void) { return 0; }\n',
    ],
    ids=["2GB-array", "asm-fill"],
)
def test_compiler_writing_a_huge_file(sandbox_config: SandboxConfig, source: bytes) -> None:
    disk_before = shutil.disk_usage("/").free
    cache_before = sum(f.stat().st_size for f in sandbox_config.cache_dir.rglob("*") if f.is_file())
    started = time.monotonic()
    compiled = compile_source(get_language("GCC"), source, sandbox_config, limits=COMPILE)
    assert not compiled.ok
    assert "the compiler wrote a file that is too large" in compiled.output, compiled.output
    assert time.monotonic() - started < COMPILE.wall
    assert disk_before - shutil.disk_usage("/").free < 32 * MiB
    cache_after = sum(f.stat().st_size for f in sandbox_config.cache_dir.rglob("*") if f.is_file())
    assert cache_after - cache_before < MiB
