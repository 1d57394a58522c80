"""``run_student``: a run script's request to run a command as the student, in a second sandbox.

INGInious runs the student's code in a separate container that shares only ``student/`` with the
grading container, and hands it the script's own stdin, stdout and stderr descriptors: the script
can drive the student's program interactively. Here the run script's sandbox (A) cannot start a
sandbox itself: its ``run_student`` connects to a Unix socket that the host binds read-only into A
(at /run/inginious/socket; a socket file is connectable on a read-only mount), and a host thread,
alive while the script runs, serves it:

1. a new sandbox (B) of its own slot, with nothing of A's but a copy of A's ``task/student``, at
   the same place (/box/task/student, /box/task holding nothing else). The command runs in the
   script's working directory, as INGInious's (``working_dir``, by default the script's own):
   /box/task, where INGInious courses name the student's files ``student/...``, or a directory
   under student/; any other is taken as /box/task;
2. the command runs there through ``/bin/sh -c`` under ``--time`` (CPU s), ``--hard-time`` (wall s;
   default 3 × time) and ``--memory`` (MB), the task's by default, its stdin, stdout and stderr
   pipes to the host, which **streams** them over the connection while it runs: what the script
   writes reaches the student's stdin as it comes (and its end, as EOF), what the student writes
   comes back as it is written, stdout and stderr apart;
3. when the command ends, B's ``student/`` is copied back over A's, then A gets the return value.

Descriptors are not passed into B as INGInious passes them into its container: a descriptor of A's
(a directory, a socket) would let the student reach A's files. ``student/`` is a copy, not shared
live: a run script sees the student's files when ``run_student`` returns, as it does in INGInious,
whose script waits for the student's container to end before it reads them.

The connection carries frames: one byte of kind, four of length (big-endian), the payload, at most
`MAX_FRAME` bytes. The script sends the request (``R``, JSON), then stdin (``I``), its end (``C``)
and a signal it received (``K``, which kills the command: the runner cannot deliver others; the
return value is then 128 + the signal); the host sends stdout (``o``), stderr (``e``) and the
return value (``x``, last). Every buffer is bounded (`HIGH_WATER`): the host reads from one side
only while it holds little for the other, so a side that does not read stalls the writer, as a
pipe does, and neither a flooding student nor a flooding script grows the host's memory. The
student's output is capped at `STUDENT_OUTPUT` bytes in all (stdout and stderr): past it, the
command is killed and returns 252.

B takes its slot among twice the configured number: a script's box holds one of the first
``slots`` while its student's waits for another, and two scripts (two graders, two workers) each
holding one of two slots would wait on each other until the slot wait gives up (5 min). The
student's boxes are extra, as INGInious's student containers are: at most one per script's box,
so one is always free.

The special return values are INGInious's: 252 out of memory (or output), 253 timed out, 254 the
proxy failed (``--share-network`` is refused so: the student has no network). One request at a
time, each on a new connection; when the script ends, a command still running is killed.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import logging
import os
import select
import shutil
import signal
import socket
import struct
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from verdict.judge.bwrap import Mount
from verdict.judge.errors import SandboxError
from verdict.judge.sandbox import Limits, PendingRun, RunResult, Sandbox, SandboxConfig, Status, wait_runs
from verdict.judge.supervision import Supervision, watched

log = logging.getLogger(__name__)
SOCKET_TARGET = "/run/inginious"
SOCKET_NAME = "socket"
STUDENT_DIR = "task/student"  # in A, and in B
TASK_DIR = "/box/task"  # INGInious's /task: the script's working directory, and the command's
MAX_FRAME = 64 * 1024  # a frame's payload: the request, or a chunk of a stream
HIGH_WATER = 256 * 1024  # bytes held for one side before the host stops reading the other
STUDENT_OUTPUT = 64 * 1024 * 1024  # stdout + stderr of one command
MAX_STUDENT_BYTES = 64 * 1024 * 1024  # student/ copied between the boxes
REQUEST_SECONDS = 10  # for the request frame, once connected
DRAIN_SECONDS = 5.0  # for the output pipes' end once the runner has answered (nothing should hold them)
OUT_OF_MEMORY, TIMED_OUT, PROXY_ERROR = 252, 253, 254
HEADER = struct.Struct(">cI")


def frame(kind: bytes, payload: bytes = b"") -> bytes:
    return HEADER.pack(kind, len(payload)) + payload


def receive_frame(conn: socket.socket) -> tuple[bytes, bytes]:
    """One frame read whole from a blocking socket: ValueError when it is too big."""
    kind, size = HEADER.unpack(_exactly(conn, HEADER.size))
    if size > MAX_FRAME:
        raise ValueError(f"frame of {size} bytes, more than {MAX_FRAME}")
    return kind, _exactly(conn, size)


def _exactly(conn: socket.socket, size: int) -> bytes:
    chunks, left = [], size
    while left:
        chunk = conn.recv(min(left, MAX_FRAME))
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
        output_bytes: int = STUDENT_OUTPUT,
    ) -> None:
        self.config = config
        self.student_config = dataclasses.replace(config, slots=2 * config.slots)  # see the module
        self.supervision = supervision
        self.defaults = (time, hard_time, memory_mb)
        self.output_bytes = output_bytes
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
        """Serves A's requests while the script runs; when it ends, a command still running is
        killed and the thread is waited for."""
        self.box = box
        self._thread = threading.Thread(target=self._serve, name="verdict-run-student", daemon=True)
        self._thread.start()
        try:
            yield
        finally:
            self._stop.set()
            os.write(self._wake_w, b"x")  # wakes the serving thread's polls at once
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
                self._answer(conn)

    def _answer(self, conn: socket.socket) -> None:
        try:
            conn.settimeout(REQUEST_SECONDS)
            kind, payload = receive_frame(conn)
            request = json.loads(payload) if kind == b"R" else None
            if not isinstance(request, dict):
                raise ValueError("the first frame is not a request")
        except (OSError, ValueError, ConnectionError) as error:
            log.info("run_student: bad request: %s", error)
            return
        conn.setblocking(False)
        try:
            self._run(conn, request)
        except (SandboxError, OSError, ValueError) as error:  # B failed, or A's student/ is odd
            log.warning("run_student failed: %s", error)
            self._refuse(conn, f"run_student: {error}\n")

    def _refuse(self, conn: socket.socket, message: str) -> None:
        pump = Pump(conn, self._wake_r)
        pump.to_script += frame(b"e", message.encode()[:MAX_FRAME]) + frame(b"x", str(PROXY_ERROR).encode())
        pump.flush()

    def _run(self, conn: socket.socket, request: dict[str, Any]) -> None:
        if request.get("share_network"):
            self._refuse(conn, "run_student: --share-network is refused: the student's code has no network\n")
            return
        command = str(request.get("cmd", ""))
        limits = self._limits(request)
        workdir = _workdir(request.get("working_dir"))
        assert self.box is not None
        self.runs += 1
        pump = Pump(conn, self._wake_r, self.output_bytes)
        with Sandbox(self.student_config, box_mb=128) as student, watched(self.supervision, student):
            _copy_tree(self.box, STUDENT_DIR, student, STUDENT_DIR)
            run = pump.run(student, ["/bin/sh", "-c", command], limits, workdir)
            if not pump.stopped:
                _copy_tree(student, STUDENT_DIR, self.box, STUDENT_DIR)
        code = pump.kill_signal + 128 if pump.kill_signal and run.status == Status.INTERNAL_ERROR else None
        pump.to_script += frame(b"x", str(code or return_value(run)).encode())
        pump.flush()

    def _limits(self, request: dict[str, Any]) -> Limits:
        time, hard_time, memory = self.defaults
        asked_time = _positive(request.get("time"))
        time = asked_time or time
        hard = _positive(request.get("hard_time")) or (3 * asked_time if asked_time else hard_time)
        hard = min(hard, hard_time)  # never longer than the script may wait: the deadline holds
        memory = int(_positive(request.get("memory")) or memory)
        return Limits(cpu_time=time, wall_time=hard, memory_mb=memory, processes=64, open_files=256)


class Pump:
    """One command's streams between the script's connection (non-blocking) and the student's
    pipes. It reads from a side only while it holds less than `HIGH_WATER` bytes for the other,
    so its memory is bounded whatever either side does."""

    def __init__(self, conn: socket.socket, stop_fd: int, output_bytes: int = STUDENT_OUTPUT) -> None:
        self.conn = conn
        self.stop_fd = stop_fd  # readable once the script has ended
        self.output_left = output_bytes
        self.incoming = bytearray()  # from the script, not yet a whole frame
        self.to_student = bytearray()  # stdin not yet written
        self.to_script = bytearray()  # frames not yet sent
        self.stdin: int | None = None
        self.stdin_ending = False
        self.pipes: dict[int, bytes] = {}  # the student's stdout and stderr: fd → frame kind
        self.run_done = False
        self.client_gone = False
        self.stopped = False
        self.kill_signal = 0
        self.pending: PendingRun | None = None
        self.done_at: float | None = None

    def run(self, box: Sandbox, argv: list[str], limits: Limits, cwd: str) -> RunResult:
        """Runs the command with its streams pumped until it ends and its output is read whole."""
        stdin_r, self.stdin = os.pipe()
        out_r, out_w = os.pipe()
        err_r, err_w = os.pipe()
        self.pipes = {out_r: b"o", err_r: b"e"}
        for fd in (self.stdin, out_r, err_r):
            os.set_blocking(fd, False)
        done_r, done_w = os.pipe()  # the watcher's: written and closed by it when the run ends
        try:
            try:
                env = {"HOME": f"/box/{STUDENT_DIR}"}
                self.pending = box.start_run(argv, stdin_r, out_w, err_w, limits, env, cwd)
            except BaseException:
                os.close(done_w)
                raise
            finally:
                for fd in (stdin_r, out_w, err_w):
                    os.close(fd)
            results: list[RunResult] = []
            watcher = threading.Thread(target=_wait, args=(self.pending, results, done_w), daemon=True)
            watcher.start()
            self._loop(done_r, self._drained)
            watcher.join()
            return results[0]
        finally:
            for fd in [done_r, *self.pipes]:
                os.close(fd)
            self._close_stdin()

    def _drained(self) -> bool:
        """The run is over and its output read whole (or its pipes, held past `DRAIN_SECONDS`
        after the runner's answer, are given up: the host thread never waits on them forever)."""
        if not self.run_done:
            return False
        if self.done_at is None:
            self.done_at = time.monotonic()
        return not self.pipes or time.monotonic() - self.done_at > DRAIN_SECONDS

    def flush(self) -> None:
        """Sends what is left for the script (the return value last), while the script lives."""
        self._loop(None, lambda: not self.to_script or self.client_gone)

    def _loop(self, done_fd: int | None, finished: Callable[[], bool]) -> None:
        while not finished():
            poller = select.poll()
            wanted = self._register(poller, done_fd)
            for fd, events in poller.poll(1000):
                self._handle(fd, events, wanted.get(fd, 0), done_fd)

    def _register(self, poller: select.poll, done_fd: int | None) -> dict[int, int]:
        wanted: dict[int, int] = {} if self.stopped else {self.stop_fd: select.POLLIN}
        if done_fd is not None and not self.run_done:
            wanted[done_fd] = select.POLLIN
        if not self.client_gone:
            events = select.POLLIN if len(self.to_student) < HIGH_WATER else 0
            wanted[self.conn.fileno()] = events | (select.POLLOUT if self.to_script else 0)
        if self.stdin is not None and self.to_student:
            wanted[self.stdin] = select.POLLOUT
        if len(self.to_script) < HIGH_WATER or self.client_gone:
            wanted.update(dict.fromkeys(self.pipes, select.POLLIN))
        for fd, events in wanted.items():
            poller.register(fd, events)
        return wanted

    def _handle(self, fd: int, events: int, wanted: int, done_fd: int | None) -> None:
        if fd == self.stop_fd:
            self.stopped = self.client_gone = True
            self._kill()
        elif fd == done_fd:
            self.run_done = True
        elif fd in self.pipes:
            self._read_pipe(fd)
        elif fd == self.stdin:
            self._write_stdin()
        elif fd == self.conn.fileno() and not self.client_gone:
            if events & select.POLLOUT and self.to_script:
                self._send()
            if events & (select.POLLIN | select.POLLHUP | select.POLLERR) and wanted & select.POLLIN:
                self._receive()
            elif events & (select.POLLHUP | select.POLLERR):
                self._gone()

    # -- the student's side ---------------------------------------------------------------
    def _read_pipe(self, fd: int) -> None:
        try:
            data = os.read(fd, MAX_FRAME)
        except BlockingIOError:
            return
        if not data:
            del self.pipes[fd]
            os.close(fd)
            return
        if self.client_gone:
            return  # drained and dropped: the command is being killed
        kept = data[: max(self.output_left, 0)]
        self.output_left -= len(data)
        if kept:
            self.to_script += frame(self.pipes[fd], kept)
        if self.output_left < 0 and self.pending is not None:  # over the cap: 252, as out of memory
            self.pending.output_exceeded = self.pending.stdout_truncated = True
            self._kill()

    def _write_stdin(self) -> None:
        assert self.stdin is not None
        try:
            written = os.write(self.stdin, self.to_student[:MAX_FRAME])
        except BlockingIOError:
            return
        except OSError:  # the command does not read its stdin any more (EPIPE)
            self.to_student.clear()
            self._close_stdin()
            return
        del self.to_student[:written]
        if self.stdin_ending and not self.to_student:
            self._close_stdin()

    def _close_stdin(self) -> None:
        if self.stdin is not None:
            os.close(self.stdin)
            self.stdin = None

    def _kill(self) -> None:
        if self.pending is not None and not self.run_done:
            self.pending.kill()

    # -- the script's side ----------------------------------------------------------------
    def _send(self) -> None:
        try:
            sent = self.conn.send(self.to_script[:HIGH_WATER])
        except BlockingIOError:
            return
        except OSError:
            self._gone()
            return
        del self.to_script[:sent]

    def _receive(self) -> None:
        try:
            data = self.conn.recv(MAX_FRAME)
        except BlockingIOError:
            return
        except OSError:
            data = b""
        if not data:
            self._gone()
            return
        self.incoming += data
        try:
            self._parse()
        except ValueError as error:
            log.info("run_student: %s", error)
            self._gone()

    def _parse(self) -> None:
        while len(self.incoming) >= HEADER.size:
            kind, size = HEADER.unpack_from(self.incoming)
            if size > MAX_FRAME:
                raise ValueError(f"a frame of {size} bytes, more than {MAX_FRAME}")
            if len(self.incoming) < HEADER.size + size:
                return
            payload = bytes(self.incoming[HEADER.size : HEADER.size + size])
            del self.incoming[: HEADER.size + size]
            self._on_frame(kind, payload)

    def _on_frame(self, kind: bytes, payload: bytes) -> None:
        if kind == b"I":
            if self.stdin is not None and not self.stdin_ending:
                self.to_student += payload
        elif kind == b"C":
            self.stdin_ending = True
            if not self.to_student:
                self._close_stdin()
        elif kind == b"K":
            self.kill_signal = _signal_number(payload)
            self._kill()
        else:
            raise ValueError(f"unknown frame {kind!r}")

    def _gone(self) -> None:
        """The script's end of the connection is closed (or spoke nonsense): the command is
        killed, its output drained and dropped."""
        self.client_gone = True
        self.to_script.clear()
        self._close_stdin()
        self._kill()


def _wait(pending: PendingRun, results: list[RunResult], done_w: int) -> None:
    """The watcher thread: the runner's answer, with the CPU and wall limits enforced."""
    try:
        results.append(wait_runs([pending])[0])
    except Exception as error:  # reported as the proxy's failure
        results.append(RunResult(Status.INTERNAL_ERROR, message=str(error)))
    finally:
        os.write(done_w, b"x")
        os.close(done_w)


def _signal_number(payload: bytes) -> int:
    try:
        number = int(payload.decode("ascii"))
    except (UnicodeDecodeError, ValueError):
        return int(signal.SIGTERM)
    return number if 0 < number < 65 else int(signal.SIGTERM)


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
    """The command's working directory in B: the script's (``/box/task``, or INGInious's spelling
    ``/task``; a relative path is taken from there) when it is student/ or under it, else /box/task,
    B's copy of the task directory, which holds student/ alone."""
    text = str(value or "")
    for prefix in (TASK_DIR, "/task"):
        if text == prefix or text.startswith(prefix + "/"):
            text = text.removeprefix(prefix)
            break
    else:
        if text.startswith("/"):
            return TASK_DIR
    parts = [part for part in text.split("/") if part not in ("", ".")]
    if ".." in parts:
        raise ValueError("working_dir must not climb out of the task directory (..)")
    if not parts or parts[0] != "student":
        return TASK_DIR
    return "/".join([TASK_DIR, *parts])


def _positive(value: Any) -> float:
    return (
        float(value) if isinstance(value, int | float) and not isinstance(value, bool) and value > 0 else 0.0
    )
