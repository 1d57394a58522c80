"""Running a command as the student, in a second sandbox that shares only student/ with this one.

The host serves the request (Verdict's verdict.judge.inginious_student) and streams, as INGInious
does: what is written to the command's stdin reaches it as it comes (and its end, as EOF), what it
writes to stdout and stderr comes back as it is written, each to its own target, so a run script
can drive the student's program a line at a time. The return value comes last: the command's own,
or 252 out of memory (or output), 253 timed out, 254 proxy error (251: not available here, as
INGInious answers for ssh and root).

INGInious hands its descriptors to the student's container; here they are read and written by
this process, in chunks: a descriptor given as stdin may be read further than the command reads.
"""

import contextlib
import io
import json
import os
import select
import signal
import socket
import struct
import threading

NOT_AVAILABLE, OUT_OF_MEMORY, TIMED_OUT, PROXY_ERROR = 251, 252, 253, 254
SOCKET = os.environ.get("INGINIOUS_SOCKET", "/run/inginious/socket")
CHUNK = 64 * 1024  # a frame's payload at most, as the host's MAX_FRAME
# The wire format as the host's (verdict.judge.inginious_student): the box runs with the standard
# library only, so it cannot import verdict. One byte of kind, four of length, the payload.
HEADER = struct.Struct(">cI")
FORWARDED_SIGNALS = ("SIGTERM", "SIGINT", "SIGHUP", "SIGQUIT", "SIGUSR1", "SIGUSR2", "SIGALRM")


class _Connection:
    def __init__(self):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.connect(SOCKET)
        self.lock = threading.Lock()  # frames from the stdin thread and from signal handlers

    def send(self, kind, payload=b""):
        with self.lock:
            self.sock.sendall(HEADER.pack(kind, len(payload)) + payload)

    def receive(self):
        kind, size = HEADER.unpack(self._exactly(HEADER.size))
        if size > CHUNK:
            raise ValueError("frame too big")
        return kind, self._exactly(size)

    def _exactly(self, size):
        chunks, left = [], size
        while left:
            chunk = self.sock.recv(left)
            if not chunk:
                raise ConnectionError("connection closed")
            chunks.append(chunk)
            left -= len(chunk)
        return b"".join(chunks)


def _fileno(target):
    if isinstance(target, int):
        return target
    try:
        return target.fileno()
    except (AttributeError, OSError, io.UnsupportedOperation):
        return None


def _feed(conn, source, stop_r):
    """The stdin thread: the source's bytes as they come, then its end. A descriptor is read only
    when it is readable, so that the run's end (stop_r) leaves the rest of it unread."""
    try:
        fd = None if source is None or isinstance(source, (bytes, str)) else _fileno(source)
        if fd is not None:
            while True:
                ready, _, _ = select.select([fd, stop_r], [], [])
                if stop_r in ready:
                    return
                data = os.read(fd, CHUNK)
                if not data:
                    break
                conn.send(b"I", data)
        elif source is not None:
            data = source if isinstance(source, (bytes, str)) else source.read()
            data = data.encode("utf-8") if isinstance(data, str) else data
            for start in range(0, len(data), CHUNK):
                conn.send(b"I", data[start : start + CHUNK])
        conn.send(b"C")
    except (OSError, ValueError):
        pass  # the run is over, or the connection is: the main thread reports it


class _Output:
    """Where a stream goes: a descriptor (written whole, blocking), a file object, a bytearray."""

    def __init__(self, target):
        self.target = target
        self.fd = target if isinstance(target, int) else None
        self.broken = False

    def write(self, data):
        if self.target is None or self.broken:
            return True
        try:
            if isinstance(self.target, bytearray):
                self.target += data
            elif self.fd is not None:
                view = memoryview(data)
                while view:
                    view = view[os.write(self.fd, view) :]
            elif hasattr(self.target, "buffer"):
                self.target.flush()
                self.target.buffer.write(data)
                self.target.buffer.flush()
            else:
                try:
                    self.target.write(data)
                except TypeError:
                    self.target.write(data.decode("utf-8", "replace"))
                if hasattr(self.target, "flush"):
                    self.target.flush()
        except BrokenPipeError:
            self.broken = True
            return False
        return True


def _session(message, stdin, stdout, stderr, signal_handler_callback):
    conn = _Connection()
    try:
        conn.send(b"R", json.dumps(message).encode("utf-8"))
        stop_r, stop_w = os.pipe()
        feeder = threading.Thread(target=_feed, args=(conn, stdin, stop_r), daemon=True)
        feeder.start()
        if signal_handler_callback is not None:
            signal_handler_callback(lambda signum: conn.send(b"K", str(int(signum)).encode("ascii")))
        try:
            return _receive(conn, {b"o": _Output(stdout), b"e": _Output(stderr)})
        finally:
            os.write(stop_w, b"x")
            feeder.join(1)
            if not feeder.is_alive():
                os.close(stop_r)
            os.close(stop_w)
    finally:
        conn.sock.close()


def _receive(conn, outputs):
    """Writes the command's output as it comes; its return value, at the end."""
    while True:
        kind, payload = conn.receive()
        if kind == b"x":
            return int(payload.decode("ascii"))
        output = outputs.get(kind)
        if output is None:
            raise ValueError(f"unknown frame {kind!r}")
        if not output.write(payload):  # the reader is gone: the command gets SIGPIPE, so to say
            conn.send(b"K", str(int(signal.SIGPIPE)).encode("ascii"))


def _run(
    cmd,
    stdin,
    stdout,
    stderr,
    time_limit,
    hard_time_limit,
    memory_limit,
    share_network,
    working_dir,
    signal_handler_callback=None,
):
    message = {
        "cmd": cmd if isinstance(cmd, str) else " ".join(cmd),
        "time": time_limit or 0,
        "hard_time": hard_time_limit or 0,
        "memory": memory_limit or 0,
        "share_network": bool(share_network),
        "working_dir": working_dir or os.getcwd(),
    }
    try:
        return _session(message, stdin, stdout, stderr, signal_handler_callback)
    except (OSError, ValueError, struct.error) as error:
        _Output(stderr).write(f"run_student: proxy error: {error}\n".encode())
        return PROXY_ERROR


def run_student(
    cmd,
    container=None,
    time_limit=0,
    hard_time_limit=0,
    memory_limit=0,
    share_network=False,
    working_dir=None,
    stdin=None,
    stdout=None,
    stderr=None,
    signal_handler_callback=None,
    ssh=False,
    run_as_root=False,
    teardown_script="",
    start_student_as_root=False,
):
    """Runs ``cmd`` (a shell command) as the student, in ``working_dir`` (by default this process's
    working directory, as INGInious's: the task's, so ``student/prog`` names the student's files).
    stdin, stdout and stderr are descriptors (as INGInious's) or file objects, None for nothing
    (/dev/null); they are streamed while the command runs. ``signal_handler_callback`` is given a
    function that forwards a signal (which kills the command: 128 + the signal). Returns the
    return value (252, 253, 254: see the module); 251 for ``ssh`` and root, not available here."""
    if ssh or run_as_root or start_student_as_root:
        _Output(stdout).write(b"run_student: ssh and root are not available here\n")
        return NOT_AVAILABLE
    return _run(
        cmd,
        stdin,
        stdout,
        stderr,
        time_limit,
        hard_time_limit,
        memory_limit,
        share_network,
        working_dir,
        signal_handler_callback,
    )


def run_student_simple(
    cmd,
    cmd_input=None,
    container=None,
    time_limit=0,
    hard_time_limit=0,
    memory_limit=0,
    share_network=False,
    working_dir=None,
    stdout_err_fuse=False,
    text="utf-8",
):
    """Runs ``cmd`` with ``cmd_input`` (str or bytes) as stdin; returns (stdout, stderr, return
    value), or (output, return value) with ``stdout_err_fuse``: str decoded with ``text``, bytes
    when text is False (or None). Not interactive: for that, ``run_student`` with pipes."""
    data = cmd_input.encode("utf-8") if isinstance(cmd_input, str) else (cmd_input or b"")
    out = bytearray()
    err = out if stdout_err_fuse else bytearray()
    code = _run(
        cmd, bytes(data), out, err, time_limit, hard_time_limit, memory_limit, share_network, working_dir
    )
    out_value, err_value = bytes(out), bytes(err)
    if text:
        out_value, err_value = out_value.decode(text, "replace"), err_value.decode(text, "replace")
    if stdout_err_fuse:
        return out_value, code
    return out_value, err_value, code


def forward_signals(forward):
    """A ``signal_handler_callback``: the signals that would end this process go to the command."""
    for name in FORWARDED_SIGNALS:
        with contextlib.suppress(AttributeError, OSError, ValueError):
            signal.signal(getattr(signal, name), lambda signum, _frame: forward(signum))
