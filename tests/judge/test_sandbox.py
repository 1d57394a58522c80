"""The sandbox through the real thing: limits and their statuses, capture, measurements,
the per-test fast path, interactive pairs and the internal-error path."""

from __future__ import annotations

import os
import signal
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from verdict.judge.errors import SandboxError
from verdict.judge.sandbox import (
    Limits,
    Sandbox,
    SandboxConfig,
    Status,
    run_once,
    wait_runs,
)

pytestmark = pytest.mark.integration

MiB = 1024 * 1024

PROGRAMS = {
    "spin": "int main(void){ for(;;); }",
    "spin4": """
        #include <unistd.h>
        int main(void){ for (int i = 0; i < 4; i++) if (fork() == 0) for(;;); for(;;); }""",
    "sleeper": "#include <unistd.h>\nint main(void){ sleep(100); return 0; }",
    "alloc": """
        #include <stdio.h>
        #include <stdlib.h>
        #include <string.h>
        int main(int argc, char **argv){
            size_t n = (size_t)atol(argv[1]) << 20; char *p = malloc(n);
            if (!p) { puts("malloc failed"); return 4; }
            memset(p, 1, n); printf("%d\\n", p[n - 1]); return 0; }""",
    "segv": "int main(void){ volatile int *p = 0; *p = 1; return 0; }",
    "exit3": "#include <stdlib.h>\nint main(void){ exit(3); }",
    "forks": """
        #include <stdio.h>
        #include <unistd.h>
        int main(void){ int ok = 0;
            for (int i = 0; i < 100; i++) { pid_t p = fork(); if (p == 0) { pause(); _exit(0); }
                                            if (p > 0) ok++; }
            printf("%d\\n", ok); return 0; }""",
    "spew": """
        #include <stdio.h>
        #include <string.h>
        int main(int argc, char **argv){ static char buf[65536]; memset(buf, 'x', sizeof buf);
            FILE *f = argv[1][0] == 'o' ? stdout : stderr;
            for (long i = 0; i < 1024; i++) fwrite(buf, 1, sizeof buf, f);
            return 0; }""",
    "bigfile": """
        #include <signal.h>
        #include <stdio.h>
        #include <string.h>
        int main(void){ static char buf[65536]; memset(buf, 'x', sizeof buf);
            FILE *f = fopen("big.txt", "w"); if (!f) return 5;
            for (int i = 0; i < 64; i++) if (fwrite(buf, 1, sizeof buf, f) != sizeof buf) return 6;
            return fclose(f) == 0 ? 0 : 7; }""",
    "openmany": """
        #include <errno.h>
        #include <fcntl.h>
        #include <stdio.h>
        #include <string.h>
        int main(void){ int n = 0;
            for (int i = 0; i < 1000; i++) { if (open("/dev/null", O_RDONLY) < 0) {
                printf("%d %s\\n", n, strerror(errno)); return 0; } n++; }
            printf("%d no limit\\n", n); return 0; }""",
    "recurse": """
        #include <stdio.h>
        int f(int n){ volatile char buf[1024]; buf[0] = (char)n; return n ? f(n - 1) + buf[0] : 0; }
        int main(void){ printf("%d\\n", f(20000)); return 0; }""",
    "cat": """
        #include <stdio.h>
        #include <unistd.h>
        int main(void){ char buf[65536]; ssize_t n;
            while ((n = read(0, buf, sizeof buf)) > 0) if (write(1, buf, n) != n) return 1;
            if (write(2, "err\\0\\377\\n", 6) != 6) return 1; return 0; }""",
    "busy300": """
        #include <stdio.h>
        #include <time.h>
        int main(void){ volatile unsigned long x = 0;
            while ((double)clock() / CLOCKS_PER_SEC < 0.3) x++;
            printf("%lu\\n", x > 0 ? 1UL : 0UL); return 0; }""",
    "guesser": """
        #include <stdio.h>
        #include <string.h>
        int main(void){ int lo = 1, hi = 100; char answer[8];
            for (;;) { int mid = (lo + hi) / 2; printf("%d\\n", mid); fflush(stdout);
                if (scanf("%7s", answer) != 1) return 1;
                if (answer[0] == '=') return 0;
                if (answer[0] == '<') hi = mid - 1; else lo = mid + 1; } }""",
}

INTERACTOR = """
import sys
secret, guesses = 37, 0
for line in sys.stdin:
    guesses += 1
    guess = int(line)
    answer = "=" if guess == secret else ("<" if secret < guess else ">")
    print(answer, flush=True)
    if answer == "=":
        print(f"found in {guesses}", file=sys.stderr)
        sys.exit(0 if guesses <= 7 else 1)
sys.exit(2)
"""


@pytest.fixture(scope="module")
def box(sandbox_config: SandboxConfig, programs: dict[str, Path]) -> Iterator[Sandbox]:
    """One sandbox for the module, the per-test fast path: set up once, many runs."""
    with Sandbox(sandbox_config) as sandbox:
        for name, path in programs.items():
            sandbox.put(name, path, executable=True)
        yield sandbox


# -- limits -----------------------------------------------------------------------------------
def test_busy_loop_is_a_time_limit(box: Sandbox) -> None:
    result = box.run(["./spin"], limits=Limits(cpu_time=0.5, wall_time=5))
    assert result.status == Status.TIME_LIMIT, result
    assert 0.5 <= result.cpu_time < 1.0
    assert result.wall_time < 2


def test_cpu_time_is_the_total_of_all_processes(box: Sandbox) -> None:
    # Five spinning processes on this machine's CPUs: per-process RLIMIT_CPU would let each
    # spin for the whole limit; the cgroup stops them all when their total reaches it.
    result = box.run(["./spin4"], limits=Limits(cpu_time=1, wall_time=10, processes=16))
    assert result.status == Status.TIME_LIMIT, result
    assert 1.0 <= result.cpu_time < 1.5, result
    assert result.wall_time < 2.5, result  # well before 5 processes × 1 s, or the 10 s wall


def test_sleeping_is_a_wall_limit(box: Sandbox) -> None:
    result = box.run(["./sleeper"], limits=Limits(cpu_time=1, wall_time=0.5))
    assert result.status == Status.WALL_LIMIT, result
    assert 0.5 <= result.wall_time < 1.5
    assert result.cpu_time < 0.1


def test_memory_limit_told_apart_from_crashes(box: Sandbox) -> None:
    over = box.run(["./alloc", "200"], limits=Limits(memory_mb=64))
    assert over.status == Status.MEMORY_LIMIT, over
    assert "memory" in over.message

    segv = box.run(["./segv"], limits=Limits(memory_mb=64))
    assert segv.status == Status.RUNTIME_ERROR, segv
    assert segv.signal == signal.SIGSEGV and segv.signal_name == "SIGSEGV"

    exit3 = box.run(["./exit3"], limits=Limits(memory_mb=64))
    assert exit3.status == Status.RUNTIME_ERROR, exit3
    assert exit3.exit_code == 3 and exit3.signal is None
    assert exit3.message == "exit code 3"


def test_memory_limit_can_be_raised_and_lowered_between_runs(box: Sandbox) -> None:
    assert box.run(["./alloc", "100"], limits=Limits(memory_mb=64)).status == Status.MEMORY_LIMIT
    assert box.run(["./alloc", "100"], limits=Limits(memory_mb=256)).ok
    assert box.run(["./alloc", "100"], limits=Limits(memory_mb=64)).status == Status.MEMORY_LIMIT


def test_process_limit(box: Sandbox) -> None:
    result = box.run(["./forks"], limits=Limits(processes=8, wall_time=5))
    assert result.ok, result
    assert int(result.stdout) < 8


def test_stdout_cap_is_an_output_limit(box: Sandbox) -> None:
    result = box.run(["./spew", "out"], limits=Limits(output_bytes=MiB))
    assert result.status == Status.OUTPUT_LIMIT, result
    assert result.stdout_truncated
    assert len(result.stdout) == MiB


def test_stderr_cap_truncates_but_stays_ok(box: Sandbox) -> None:
    result = box.run(["./spew", "err"], limits=Limits(stderr_bytes=1000))
    assert result.ok, result
    assert result.stderr_truncated and not result.stdout_truncated
    assert result.stderr == b"x" * 1000


def test_file_size_limit(box: Sandbox) -> None:
    result = box.run(["./bigfile"], limits=Limits(file_size_bytes=MiB))
    assert not result.ok, result
    assert result.signal == signal.SIGXFSZ or result.exit_code in (6, 7), result
    assert box.run(["./bigfile"], limits=Limits(file_size_bytes=8 * MiB)).ok


def test_open_files_limit(box: Sandbox) -> None:
    result = box.run(["./openmany"], limits=Limits(open_files=16))
    assert result.ok, result
    opened, reason = result.stdout.decode().split(" ", 1)
    assert int(opened) <= 16 - 3
    assert "Too many open files" in reason


def test_stack_limit(box: Sandbox) -> None:
    small = box.run(["./recurse"], limits=Limits(stack_mb=1))
    assert small.status == Status.RUNTIME_ERROR and small.signal_name == "SIGSEGV", small
    assert box.run(["./recurse"], limits=Limits(stack_mb=64)).ok  # ~20 MB of frames


def test_missing_program_cannot_execute(box: Sandbox) -> None:
    result = box.run(["./no-such-program"])
    assert result.status == Status.RUNTIME_ERROR
    assert "cannot execute" in result.message and "No such file" in result.message


@pytest.mark.timeout(30)
def test_bad_request_is_an_internal_error_not_a_hang(box: Sandbox) -> None:
    result = box.run([])  # no argv: the runner refuses, and must let go of the run's fds
    assert result.status == Status.INTERNAL_ERROR, result
    assert "bad request" in result.message
    assert box.run(["./exit3"]).exit_code == 3  # and goes on serving


def test_runner_killed_is_an_internal_error(sandbox_config: SandboxConfig, programs: dict[str, Path]) -> None:
    with Sandbox(sandbox_config) as box:
        box.put("sleeper", programs["sleeper"], executable=True)
        timer = threading.Timer(0.3, os.kill, (box._pid, signal.SIGKILL))
        timer.start()
        result = box.run(["./sleeper"], limits=Limits(cpu_time=1, wall_time=5))
        timer.join()
        assert result.status == Status.INTERNAL_ERROR, result
        assert "no answer" in result.message
        with pytest.raises(SandboxError, match="runner is gone"):
            box.run(["./sleeper"])


# -- capture ----------------------------------------------------------------------------------
def test_stdout_and_stderr_are_exact_bytes(box: Sandbox) -> None:
    data = bytes(range(256)) * 4096 + b"\0\r\n\xff"  # binary, ~1 MB
    result = box.run(["./cat"], stdin=data)
    assert result.ok, result
    assert result.stdout == data
    assert result.stderr == b"err\0\xff\n"


def test_stdin_from_a_path(box: Sandbox, tmp_path: Path) -> None:
    path = tmp_path / "input.bin"
    path.write_bytes(b"from a file\0\n")
    result = box.run(["./cat"], stdin=path)
    assert result.ok and result.stdout == b"from a file\0\n"
    assert box.run(["./cat"]).stdout == b""  # no stdin: /dev/null


def test_many_runs_reuse_one_sandbox(box: Sandbox) -> None:
    runner = box._pid
    started = time.perf_counter()
    for i in range(50):
        result = box.run(["./cat"], stdin=f"{i}\n".encode())
        assert result.ok and result.stdout == f"{i}\n".encode()
    per_run = (time.perf_counter() - started) / 50
    assert box._pid == runner  # the same runner: no new sandbox per run
    assert per_run < 0.05, f"{per_run * 1000:.1f} ms per run"


# -- measurements -----------------------------------------------------------------------------
def test_cpu_time_measurement(box: Sandbox) -> None:
    result = box.run(["./busy300"], limits=Limits(cpu_time=2))
    assert result.ok, result
    assert 0.2 <= result.cpu_time <= 0.6, result
    assert result.wall_time >= 0.25


def test_memory_measurement(box: Sandbox) -> None:
    result = box.run(["./alloc", "100"], limits=Limits(memory_mb=256))
    assert result.ok, result
    assert result.memory_bytes >= 100 * MiB, result
    assert result.memory_bytes < 200 * MiB, result


def test_run_once(sandbox_config: SandboxConfig, programs: dict[str, Path]) -> None:
    result = run_once(["./cat"], files={"cat": programs["cat"]}, stdin=b"one shot", config=sandbox_config)
    assert result.ok and result.stdout == b"one shot"


# -- interactive ------------------------------------------------------------------------------
def test_interactive_pair(sandbox_config: SandboxConfig, programs: dict[str, Path]) -> None:
    limits = Limits(cpu_time=2, wall_time=10)
    with (
        Sandbox(sandbox_config) as judge,
        Sandbox(sandbox_config) as contestant,
        tempfile.TemporaryFile() as judge_err,
        tempfile.TemporaryFile() as contestant_err,
    ):
        judge.put("interactor.py", INTERACTOR.encode())
        contestant.put("guesser", programs["guesser"], executable=True)
        to_program_r, to_program_w = os.pipe()
        to_judge_r, to_judge_w = os.pipe()
        try:
            judge_run = judge.start_run(
                ["/usr/bin/python3", "-S", "interactor.py"],
                to_judge_r,
                to_program_w,
                judge_err.fileno(),
                limits,
            )
            program_run = contestant.start_run(
                ["./guesser"], to_program_r, to_judge_w, contestant_err.fileno(), limits
            )
        finally:
            for fd in (to_program_r, to_program_w, to_judge_r, to_judge_w):
                os.close(fd)
        judge_result, program_result = wait_runs([judge_run, program_run])
        judge_err.seek(0)
        assert judge_result.ok, (judge_result, judge_err.read())
        assert program_result.ok, program_result
        judge_err.seek(0)
        assert judge_err.read().startswith(b"found in ")
        for result in (judge_result, program_result):
            assert result.wall_time > 0
            assert 0 <= result.cpu_time < 2
        assert judge_result.memory_bytes > program_result.memory_bytes > 0
