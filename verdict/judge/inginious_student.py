"""``run_student``: a run script's request to run a command as the student, in a second sandbox.

INGInious runs the student's code in a separate container that shares only ``student/`` with the
grading container. Here the run script's sandbox (A) cannot start a sandbox itself: its
``run_student`` sends a request over a Unix socket that the host binds read-only into A (at
/run/inginious/socket; a socket file is connectable on a read-only mount), and a host thread,
alive while the script runs, serves it:

1. a new sandbox (B) of its own slot, with nothing of A's but a copy of A's ``task/student``
   (at /box/student, the working directory);
2. the command runs there through ``/bin/sh -c`` with the stdin A sent, under ``--time`` (CPU s),
   ``--hard-time`` (wall s; default 3 × time) and ``--memory`` (MB), the task's by default;
3. B's ``student/`` is copied back over A's, and A gets stdout, stderr and the return value.

Non-interactive: ``run_student`` reads its whole stdin before the command starts, and gets the
command's output when it ends. The special return values are INGInious's: 252 out of memory (or
output), 253 timed out, 254 the proxy failed (``--share-network`` is refused so: the student has
no network). One request at a time, each on a new connection.
"""

from __future__ import annotations

import base64
import contextlib
import json
import logging
import os
import select
import shutil
import socket
import struct
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from verdict.judge.bwrap import Mount
from verdict.judge.errors import SandboxError
from verdict.judge.sandbox import Limits, RunResult, Sandbox, SandboxConfig, Status
from verdict.judge.supervision import Supervision, watched

log = logging.getLogger(__name__)
SOCKET_TARGET = "/run/inginious"
SOCKET_NAME = "socket"
STUDENT_DIR = "task/student"  # in A
MAX_MESSAGE = 32 * 1024 * 1024  # a request (its stdin) or an answer (stdout + stderr)
MAX_STUDENT_BYTES = 64 * 1024 * 1024  # student/ copied between the boxes
OUT_OF_MEMORY, TIMED_OUT, PROXY_ERROR = 252, 253, 254


def send_message(conn: socket.socket, message: dict[str, Any]) -> None:
    data = json.dumps(message).encode()
    conn.sendall(struct.pack(">I", len(data)) + data)


def receive_message(conn: socket.socket) -> dict[str, Any]:
    size = struct.unpack(">I", _exactly(conn, 4))[0]
    if size > MAX_MESSAGE:
        raise ValueError(f"message of {size} bytes, more than {MAX_MESSAGE}")
    message = json.loads(_exactly(conn, size))
    if not isinstance(message, dict):
        raise ValueError("not a JSON object")
    return message


def _exactly(conn: socket.socket, size: int) -> bytes:
    chunks, left = [], size
    while left:
        chunk = conn.recv(min(left, 1 << 20))
        if not chunk:
            raise ConnectionError("connection closed")
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


class StudentRunner:
    """The host side of ``run_student`` for one run script: its socket (made before sandbox A, which
    mounts it) and, once A is started, the thread that serves it."""

    def __init__(
        self,
        config: SandboxConfig,
        time: float,
        hard_time: float,
        memory_mb: int,
        supervision: Supervision | None = None,
    ) -> None:
        self.config = config
        self.supervision = supervision
        self.defaults = (time, hard_time, memory_mb)
        parent = config.system_dir / "inginious-sockets"
        parent.mkdir(parents=True, exist_ok=True)
        os.chmod(parent, 0o755)
        self.directory = Path(tempfile.mkdtemp(dir=parent))
        os.chmod(self.directory, 0o755)  # the slot uid of A must reach the socket
        self.listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.listener.bind(str(self.directory / SOCKET_NAME))
        os.chmod(self.directory / SOCKET_NAME, 0o666)
        self.listener.listen(4)
        self._wake_r, self._wake_w = os.pipe()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.box: Sandbox | None = None
        self.runs = 0

    @property
    def mount(self) -> Mount:
        return Mount(str(self.directory), SOCKET_TARGET)

    @contextlib.contextmanager
    def serving(self, box: Sandbox) -> Iterator[None]:
        """Serves A's requests while the script runs; waits for one under way when it ends."""
        self.box = box
        self._thread = threading.Thread(target=self._serve, name="verdict-run-student", daemon=True)
        self._thread.start()
        try:
            yield
        finally:
            self._stop.set()
            os.write(self._wake_w, b"x")  # wakes the serving thread's select at once
            self._thread.join()

    def close(self) -> None:
        self.listener.close()
        os.close(self._wake_r)
        os.close(self._wake_w)
        shutil.rmtree(self.directory, ignore_errors=True)

    def _serve(self) -> None:
        while not self._stop.is_set():
            ready, _, _ = select.select([self.listener.fileno(), self._wake_r], [], [])
            if self._wake_r in ready:
                return
            try:
                conn, _ = self.listener.accept()
            except OSError:
                return
            with conn:
                conn.settimeout(30)
                self._answer(conn)

    def _answer(self, conn: socket.socket) -> None:
        try:
            request = receive_message(conn)
        except (OSError, ValueError, ConnectionError) as error:
            log.info("run_student: bad request: %s", error)
            return
        try:
            answer = self._run(request)
        except (SandboxError, OSError, ValueError) as error:  # B failed, or A's student/ is odd
            log.warning("run_student failed: %s", error)
            answer = {"code": PROXY_ERROR, "stdout": "", "stderr": _b64(f"run_student: {error}\n".encode())}
        with contextlib.suppress(OSError):
            conn.settimeout(None)
            send_message(conn, answer)

    def _run(self, request: dict[str, Any]) -> dict[str, Any]:
        if request.get("share_network"):
            message = b"run_student: --share-network is refused: the student's code has no network\n"
            return {"code": PROXY_ERROR, "stdout": "", "stderr": _b64(message)}
        command = str(request.get("cmd", ""))
        stdin = base64.b64decode(str(request.get("stdin", "")))
        limits = self._limits(request)
        assert self.box is not None
        self.runs += 1
        with Sandbox(self.config, box_mb=128) as student, watched(self.supervision, student):
            _copy_tree(self.box, STUDENT_DIR, student, "student")
            workdir = _workdir(request.get("working_dir"))
            run = student.run(
                ["/bin/sh", "-c", command],
                stdin=stdin,
                limits=limits,
                env={"HOME": "/box/student"},
                cwd=workdir,
            )
            _copy_tree(student, "student", self.box, STUDENT_DIR)
        return {"code": return_value(run), "stdout": _b64(run.stdout), "stderr": _b64(run.stderr)}

    def _limits(self, request: dict[str, Any]) -> Limits:
        time, hard_time, memory = self.defaults
        asked_time = _positive(request.get("time"))
        time = asked_time or time
        hard = _positive(request.get("hard_time")) or (3 * asked_time if asked_time else hard_time)
        hard = min(hard, hard_time)  # never longer than the script may wait: the deadline holds
        memory = int(_positive(request.get("memory")) or memory)
        return Limits(cpu_time=time, wall_time=hard, memory_mb=memory, processes=64, open_files=256)


def return_value(run: RunResult) -> int:
    """The command's return value, or INGInious's special codes for the ones the sandbox stopped."""
    if run.status in (Status.TIME_LIMIT, Status.WALL_LIMIT):
        return TIMED_OUT
    if run.status in (Status.MEMORY_LIMIT, Status.OUTPUT_LIMIT):
        return OUT_OF_MEMORY
    if run.status == Status.INTERNAL_ERROR:
        return PROXY_ERROR
    if run.exit_code is not None:
        return run.exit_code
    return 128 + (run.signal or 0) if run.signal else PROXY_ERROR


def _copy_tree(source: Sandbox, source_dir: str, target: Sandbox, target_dir: str) -> None:
    """Copies the regular files of a box's directory into another box (links are not followed
    nor copied). Every file is made executable: a program compiled in A runs in B."""
    target.fresh_dir(target_dir)
    if not source.exists(source_dir):
        return
    total = 0
    for name in source.files.list_tree(source_dir):
        data = source.get(f"{source_dir}/{name}", MAX_STUDENT_BYTES - total)
        total += len(data)
        if total >= MAX_STUDENT_BYTES:
            raise ValueError(f"student/ holds more than {MAX_STUDENT_BYTES // (1024 * 1024)} MiB")
        target.put(f"{target_dir}/{name}", data, executable=True)


def _workdir(value: Any) -> str:
    """A working directory under student/ (``/task/student/x``, or relative to student/)."""
    text = str(value or "").removeprefix("/task/student").strip("/")
    parts = [part for part in text.split("/") if part not in ("", ".")]
    if ".." in parts:
        raise ValueError("working_dir must stay in student/")
    return "/".join(["/box/student", *parts])


def _positive(value: Any) -> float:
    return (
        float(value) if isinstance(value, int | float) and not isinstance(value, bool) and value > 0 else 0.0
    )


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")
