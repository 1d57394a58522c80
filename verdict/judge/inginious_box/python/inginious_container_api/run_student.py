"""Running a command as the student, in a second sandbox that shares only student/ with this one.

The host serves the request (Verdict's verdict.judge.inginious_student): non-interactive, the
whole stdin is sent first and the output comes back when the command ends. Return values as
INGInious's: the command's own, or 252 out of memory, 253 timed out, 254 proxy error.
"""

import base64
import json
import os
import socket
import struct

OUT_OF_MEMORY, TIMED_OUT, PROXY_ERROR = 252, 253, 254
SOCKET = os.environ.get("INGINIOUS_SOCKET", "/run/inginious/socket")


def _read_all(source):
    if source is None:
        return b""
    if isinstance(source, int):
        chunks = []
        while chunk := os.read(source, 1 << 20):
            chunks.append(chunk)
        return b"".join(chunks)
    data = source.read()
    return data.encode("utf-8") if isinstance(data, str) else data


def _write(target, data):
    if target is None or not data:
        return
    if isinstance(target, int):
        view = memoryview(data)
        while view:
            view = view[os.write(target, view) :]
    elif hasattr(target, "buffer"):
        target.flush()
        target.buffer.write(data)
        target.buffer.flush()
    else:
        try:
            target.write(data)
        except TypeError:
            target.write(data.decode("utf-8", "replace"))


# The wire format's reader, as the host side's (verdict.judge.inginious_student): the box runs
# with the standard library only, so it cannot import verdict.
def _exactly(conn, size):
    chunks, left = [], size
    while left:
        chunk = conn.recv(min(left, 1 << 20))
        if not chunk:
            raise ConnectionError("connection closed")
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


def _request(message):
    data = json.dumps(message).encode()
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as conn:
        conn.connect(SOCKET)
        conn.sendall(struct.pack(">I", len(data)) + data)
        size = struct.unpack(">I", _exactly(conn, 4))[0]
        return json.loads(_exactly(conn, size))


def _run(cmd, stdin_data, time_limit, hard_time_limit, memory_limit, share_network, working_dir):
    """(return value, stdout bytes, stderr bytes)."""
    message = {
        "cmd": cmd if isinstance(cmd, str) else " ".join(cmd),
        "stdin": base64.b64encode(stdin_data).decode("ascii"),
        "time": time_limit or 0,
        "hard_time": hard_time_limit or 0,
        "memory": memory_limit or 0,
        "share_network": bool(share_network),
        "working_dir": working_dir or "",
    }
    try:
        answer = _request(message)
        return (
            int(answer["code"]),
            base64.b64decode(answer.get("stdout", "")),
            base64.b64decode(answer.get("stderr", "")),
        )
    except (OSError, ValueError, KeyError, ConnectionError) as error:
        return PROXY_ERROR, b"", f"run_student: proxy error: {error}\n".encode()


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
):
    """Runs ``cmd`` (a shell command) as the student; stdin, stdout and stderr are fds or files
    (stdin read whole first). Returns its return value (252, 253, 254: see the module)."""
    code, out, err = _run(
        cmd, _read_all(stdin), time_limit, hard_time_limit, memory_limit, share_network, working_dir
    )
    _write(stdout, out)
    _write(stderr, err)
    return code


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
    value), or (output, return value) with ``stdout_err_fuse``; text decoded unless text=None."""
    data = cmd_input.encode("utf-8") if isinstance(cmd_input, str) else (cmd_input or b"")
    code, out, err = _run(cmd, data, time_limit, hard_time_limit, memory_limit, share_network, working_dir)
    if text:
        out, err = out.decode(text, "replace"), err.decode(text, "replace")
    if stdout_err_fuse:
        return out + err, code
    return out, err, code
