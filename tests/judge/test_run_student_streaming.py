"""run_student streams, as INGInious's: a run script drives the student's program a line at a time.

Each test runs a run script in a real sandbox (A) with the container API and a host thread that
serves its ``run_student`` in a second real sandbox (B), as a run-script grading does. The student's
program answers each line before it reads the next, and the script's next line depends on the
answer: a proxy that gathered stdin before starting the command, or output until its end, would
deadlock. Every script waits for an answer with a timeout of its own (and A has a wall limit), so
such a proxy fails the test with a message instead of hanging it.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from verdict.judge import inginious_student
from verdict.judge.bwrap import Mount
from verdict.judge.inginious_run import API_TARGET, api_dir
from verdict.judge.inginious_student import HIGH_WATER, MAX_FRAME, SOCKET_NAME, SOCKET_TARGET, StudentRunner
from verdict.judge.sandbox import Limits, RunResult, Sandbox, SandboxConfig
from verdict.judge.slots import SlotPool

pytestmark = pytest.mark.timeout(120)

# Reads a number, answers its double on stdout and a note on stderr, flushed, before reading on.
ANSWER = b"""import sys
while True:
    line = sys.stdin.readline()
    if not line:
        break
    print(2 * int(line), flush=True)
    print("got", int(line), file=sys.stderr, flush=True)
sys.exit(3)
"""

BASH_COPROC = r"""#!/bin/bash
coproc STUDENT { run_student python3 student/answer.py 2>/box/task/err.txt; }
pid=$STUDENT_PID; to=${STUDENT[1]}; from=${STUDENT[0]}
n=1
for i in 1 2 3; do
    echo "$n" >&"$to"
    read -t 10 -r answer <&"$from" || { echo "no answer to $n"; exit 1; }
    echo "sent $n got $answer"
    n=$answer
done
eval "exec $to>&-"
wait "$pid"; echo "rc:$?"
cat /box/task/err.txt
"""

PYTHON_PIPES = r"""import select, subprocess, sys
student = subprocess.Popen(["run_student", "python3", "student/answer.py"], stdin=subprocess.PIPE,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, bufsize=1)
n = 1
for _ in range(3):
    student.stdin.write(f"{n}\n")
    student.stdin.flush()
    if not select.select([student.stdout], [], [], 10)[0]:
        sys.exit(f"no answer to {n}")
    answer = student.stdout.readline().strip()
    print(f"sent {n} got {answer}")
    n = int(answer)
student.stdin.close()
print("rc:%d" % student.wait())
print(student.stderr.read(), end="")
"""

# INGInious's Python run_student with descriptors, in a thread: the same dialogue.
PYTHON_API = r"""import os, select, sys, threading
from inginious_container_api.run_student import run_student
to_r, to_w = os.pipe()
from_r, from_w = os.pipe()
err_r, err_w = os.pipe()
codes = []
def run():
    codes.append(run_student("python3 student/answer.py", stdin=to_r, stdout=from_w, stderr=err_w))
    os.close(from_w)
    os.close(err_w)
thread = threading.Thread(target=run)
thread.start()
answers = os.fdopen(from_r)
n = 1
for _ in range(3):
    os.write(to_w, f"{n}\n".encode())
    if not select.select([answers], [], [], 10)[0]:
        sys.exit(f"no answer to {n}")
    answer = answers.readline().strip()
    print(f"sent {n} got {answer}")
    n = int(answer)
os.close(to_w)
thread.join()
print(f"rc:{codes[0]}")
print(os.fdopen(err_r).read(), end="")
"""

DIALOGUE = "sent 1 got 2\nsent 2 got 4\nsent 4 got 8\nrc:3\ngot 1\ngot 2\ngot 4\n"


@pytest.fixture
def run_script(sandbox_config: SandboxConfig) -> Iterator[Any]:
    def run(
        script: str,
        python: bool = False,
        output_bytes: int = inginious_student.STUDENT_OUTPUT,
        wall: float = 30,
    ) -> RunResult:
        students = StudentRunner(sandbox_config, 5, wall, 256, output_bytes=output_bytes)
        try:
            mounts = [Mount(str(api_dir(sandbox_config)), API_TARGET), students.mount]
            with Sandbox(sandbox_config, mounts=mounts, box_mb=64) as box:
                box.put("task/run", script.encode())
                box.put("task/student/answer.py", ANSWER)
                with students.serving(box):
                    return box.run(
                        ["/usr/bin/python3" if python else "/bin/bash", "/box/task/run"],
                        limits=Limits(20, wall, 256, processes=64, open_files=256),
                        env={
                            "PATH": f"{API_TARGET}/bin:/usr/local/bin:/usr/bin:/bin",
                            "PYTHONPATH": f"{API_TARGET}/python",
                            "INGINIOUS_SOCKET": f"{SOCKET_TARGET}/{SOCKET_NAME}",
                        },
                        cwd="/box/task",
                    )
        finally:
            students.close()

    yield run


def said(run: RunResult) -> str:
    assert run.ok, f"{run.status} {run.message}: {run.stdout!r} {run.stderr!r}"
    return run.stdout.decode()


@pytest.mark.integration
def test_a_bash_coprocess_drives_the_student_line_by_line(run_script: Any) -> None:
    assert said(run_script(BASH_COPROC)) == DIALOGUE


@pytest.mark.integration
def test_a_python_script_drives_the_student_through_subprocess_pipes(run_script: Any) -> None:
    assert said(run_script(PYTHON_PIPES, python=True)) == DIALOGUE


@pytest.mark.integration
def test_the_python_run_student_drives_the_student_through_descriptors(run_script: Any) -> None:
    assert said(run_script(PYTHON_API, python=True)) == DIALOGUE


@pytest.mark.integration
def test_output_comes_back_as_it_is_written(run_script: Any) -> None:
    """The first line reaches the script while the command still sleeps before the second."""
    script = r"""import subprocess, time
started = time.monotonic()
student = subprocess.Popen(["run_student", "echo first; sleep 3; echo second"], stdout=subprocess.PIPE)
first = student.stdout.readline()
early = time.monotonic() - started
rest = student.stdout.read()
student.wait()
print(first.decode().strip(), rest.decode().strip(), early < time.monotonic() - started - 2)
"""
    assert said(run_script(script, python=True)) == "first second True\n"


@pytest.mark.integration
def test_streams_return_values_and_special_codes(run_script: Any) -> None:
    """stdout and stderr apart, the return value, a signal (128 + it), 253 timed out, 252 out of
    memory, 254 refused (--share-network), 251 for ssh; run_student_simple's values as INGInious's."""
    script = r"""#!/bin/bash
out=$(run_student 'echo to-out; echo to-err >&2; exit 5' 2>/box/task/err); rc=$?
echo "out:$out err:$(cat /box/task/err) rc:$rc"
run_student 'echo to-out; exit 5' >/dev/null; echo "exit:$?"
run_student 'kill -9 $$'; echo "signal:$?"
run_student --time 1 --hard-time 2 "python3 -c 'while True: pass'"; echo "timeout:$?"
run_student --memory 50 "python3 -c 'x = b\"x\" * (300 * 1024 * 1024)'" 2>/dev/null; echo "memory:$?"
run_student --share-network true 2>/dev/null; echo "network:$?"
python3 -c '
from inginious_container_api.run_student import run_student, run_student_simple
print(run_student_simple("cat; echo e >&2; exit 4", cmd_input="in\n"))
print(run_student_simple("echo o; echo e >&2", stdout_err_fuse=True, text=False))
print(run_student_simple("exit 2", text=None), run_student("true", ssh=True))
'
"""
    assert said(run_script(script)).splitlines() == [
        "out:to-out err:to-err rc:5",
        "exit:5",
        "signal:137",
        "timeout:253",
        "memory:252",
        "network:254",
        "('in\\n', 'e\\n', 4)",
        "(b'o\\ne\\n', 0)",
        "(b'', b'', 2) 251",
    ]


class RecordingPump(inginious_student.Pump):
    """The host's pump, recording the most it held for each side."""

    most: dict[str, int] = {"to_script": 0, "to_student": 0, "incoming": 0}  # noqa: RUF012

    def _register(self, poller: Any, done_fd: int | None) -> dict[int, int]:
        for name in self.most:
            self.most[name] = max(self.most[name], len(getattr(self, name)))
        return super()._register(poller, done_fd)


@pytest.fixture
def recording(monkeypatch: pytest.MonkeyPatch) -> dict[str, int]:
    RecordingPump.most = dict.fromkeys(RecordingPump.most, 0)
    monkeypatch.setattr(inginious_student, "Pump", RecordingPump)
    return RecordingPump.most


@pytest.mark.integration
def test_a_flooding_student_is_capped_and_held_to_bounded_buffers(
    run_script: Any, recording: dict[str, int]
) -> None:
    """Past the output cap the command is killed: 252, with the output up to the cap. A script
    that does not read stalls the student (the host holds a bounded buffer), as a pipe would."""
    script = r"""#!/bin/bash
run_student 'yes' | wc -c; echo "flood:${PIPESTATUS[0]}"
run_student 'yes' | sleep 2; echo "unread:${PIPESTATUS[0]}"
run_student 'yes >&2' 2>&1 | wc -c
"""
    lines = said(run_script(script, output_bytes=1024 * 1024)).splitlines()
    assert lines[:2] == ["1048576", "flood:252"]
    assert lines[2] in ("unread:141", "unread:252")  # the reader gone: SIGPIPE, or the cap first
    assert lines[3] == "1048576"
    assert recording["to_script"] <= HIGH_WATER + 2 * (MAX_FRAME + 5)


@pytest.mark.integration
def test_a_hostile_script_on_the_socket_is_contained(run_script: Any, recording: dict[str, int]) -> None:
    """A frame bigger than allowed ends its connection; stdin flooding a student that does not read
    is held back (bounded); run_student works after each."""
    script = r"""import json, os, socket, struct, subprocess, time
def connect():
    conn = socket.socket(socket.AF_UNIX)
    conn.connect(os.environ["INGINIOUS_SOCKET"])
    return conn
conn = connect()
conn.sendall(struct.pack(">cI", b"R", 0xFFFFFFFF) + b"x" * 100)
try:
    print("huge:", conn.recv(10) or "closed")
except ConnectionResetError:
    print("huge: closed")
conn = connect()
request = json.dumps({"cmd": "sleep 3"}).encode()
conn.sendall(struct.pack(">cI", b"R", len(request)) + request)
conn.setblocking(False)
sent, chunk, left = 0, struct.pack(">cI", b"I", 65536) + b"y" * 65536, b""
deadline = time.monotonic() + 2
while time.monotonic() < deadline:
    left = left or chunk
    try:
        size = conn.send(left)
    except BlockingIOError:
        time.sleep(0.01)
        continue
    sent, left = sent + size, left[size:]
print("held back:", sent < 8 * 1024 * 1024)
conn.close()
print(subprocess.run(["run_student", "echo still here"], capture_output=True, text=True).stdout.strip())
"""
    assert said(run_script(script, python=True)).splitlines() == [
        "huge: closed",
        "held back: True",
        "still here",
    ]
    assert recording["to_student"] <= HIGH_WATER + 2 * MAX_FRAME
    assert recording["incoming"] <= 2 * MAX_FRAME + 5


@pytest.mark.integration
def test_a_command_left_running_ends_with_the_script(run_script: Any) -> None:
    """The host thread lives as long as the script: a student command still running in the
    background when the script ends is killed, not waited for until its wall limit."""
    started = time.monotonic()
    said(run_script("#!/bin/bash\nrun_student 'sleep 100' &\nsleep 1\necho done\n", wall=60))
    assert time.monotonic() - started < 15


@pytest.mark.integration
def test_the_command_runs_where_the_script_is_as_in_inginious(run_script: Any) -> None:
    """INGInious runs the command in the script's working directory (the task's: courses write
    ``run_student python3 student/prog.py``); B holds the task directory with student/ alone, and
    what the command writes there comes back to the script's student/."""
    script = r"""#!/bin/bash
run_student 'pwd; ls; echo made > student/made.txt'
cat student/made.txt
cd student && run_student 'pwd; ls'
python3 -c 'from inginious_container_api.run_student import run_student_simple as r
print(r("pwd", working_dir="/task/student")[0] + r("pwd", working_dir="/box/task/../..")[2].__str__())'
"""
    assert said(run_script(script)).splitlines() == [
        "/box/task",
        "student",
        "made",
        "/box/task/student",
        "answer.py",
        "made.txt",
        "/box/task/student",
        "254",
    ]


@pytest.mark.unit
@pytest.mark.timeout(30)
def test_the_student_box_never_waits_on_its_script_box_slot(tmp_path: Path) -> None:
    """The slots as two graders see them, each running a script on a machine of two slots: both
    script boxes hold one, and each student's box still finds one of its own (its range is twice
    as wide) instead of both waiting on each other until the slot wait gives up."""
    config = SandboxConfig(lock_dir=tmp_path / "slots", system_dir=tmp_path / "system", slots=2)
    pool = SlotPool(config.lock_dir)
    runners = [StudentRunner(config, 1, 3, 64) for _ in range(2)]
    try:
        scripts = [pool.acquire(config.slots, timeout=1) for _ in runners]
        students = [pool.acquire(runner.student_config.slots, timeout=1) for runner in runners]
        assert sorted(slot for slot, _ in scripts + students) == [0, 1, 2, 3]
        for _, fd in scripts + students:
            SlotPool.release(fd)
    finally:
        for runner in runners:
            runner.close()
