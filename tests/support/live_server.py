"""A real Verdict server in its own process (``verdict demo`` then ``verdict serve``), so that its
memory can be read from /proc, and a raw HTTP client that streams huge bodies without holding
them: it stops sending as soon as the server answers."""

from __future__ import annotations

import os
import secrets
import select
import socket
import subprocess
import sys
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from tests.support.servers import free_port

VERDICT = Path(sys.executable).with_name("verdict")
MiB = 1024 * 1024
GiB = 1024 * MiB


@dataclass
class LiveServer:
    host: str
    port: int
    process: subprocess.Popen[bytes]
    tmpdir: Path  # the server's TMPDIR

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def status(self, field: str) -> int:
        """A ``kB`` field of /proc/<pid>/status (VmHWM, VmRSS), in bytes."""
        for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1]) * 1024
        raise KeyError(field)

    def written_bytes(self) -> int:
        """Bytes the server passed to write(2) and friends (files, sockets, pipes) so far."""
        for line in Path(f"/proc/{self.process.pid}/io").read_text().splitlines():
            if line.startswith("wchar:"):
                return int(line.split()[1])
        raise KeyError("wchar")


def server_environment(data: Path, port: int) -> dict[str, str]:
    tmpdir = data / "tmp"
    tmpdir.mkdir(parents=True, exist_ok=True)
    keep = {key: value for key, value in os.environ.items() if not key.startswith("VERDICT_")}
    return keep | {
        "VERDICT_DATA_DIR": str(data / "var"),
        "VERDICT_IMPORT_ROOT": str(data / "imports"),
        "VERDICT_DATABASE_URL": "",
        "VERDICT_BROKER_URL": "",
        "VERDICT_SECRET_KEY": secrets.token_urlsafe(32),
        "VERDICT_HOST": "127.0.0.1",
        "VERDICT_PORT": str(port),
        "TMPDIR": str(tmpdir),
    }


@contextmanager
def live_server(data: Path, database_url: str = "") -> Iterator[LiveServer]:
    """``verdict demo`` on a fresh SQLite file (or on the empty database ``database_url``), then
    ``verdict serve --graders 0`` on a free port."""
    port = free_port()
    env = server_environment(data, port) | {"VERDICT_DATABASE_URL": database_url}
    subprocess.run([str(VERDICT), "demo"], env=env, check=True, capture_output=True, timeout=120)
    log = (data / "serve.log").open("wb")
    process = subprocess.Popen(
        [str(VERDICT), "serve", "--graders", "0"], env=env, stdout=log, stderr=subprocess.STDOUT
    )
    server = LiveServer("127.0.0.1", port, process, Path(env["TMPDIR"]))
    try:
        _wait_until_up(server, data / "serve.log")
        yield server
    finally:
        process.terminate()
        try:
            process.wait(20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(20)
        log.close()


def _wait_until_up(server: LiveServer, log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"the server exited: {log.read_text()[-2000:]}")
        try:
            if httpx.get(server.url + "/api/v0/auth_methods", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            time.sleep(0.1)
    raise RuntimeError(f"the server did not start: {log.read_text()[-2000:]}")


# --------------------------------------------------------------------------- streaming client


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes
    sent: int  # body bytes the client got to send before the server answered


def repeated(prefix: bytes, total: int, chunk: bytes = b"a" * MiB) -> Iterator[bytes]:
    """``prefix`` then ``chunk`` again and again, ``total`` bytes in all (one chunk in memory)."""
    yield prefix
    sent = len(prefix)
    while sent < total:
        piece = chunk if total - sent >= len(chunk) else chunk[: total - sent]
        sent += len(piece)
        yield piece


def stream_request(
    server: LiveServer,
    method: str,
    path: str,
    body: Iterable[bytes],
    *,
    headers: dict[str, str],
    length: int | None = None,
    timeout: float = 120,
) -> Answer:
    """Send ``body`` (chunked when ``length`` is None, else with that Content-Length), stopping
    the moment the server has something to say, then read its answer."""
    with socket.create_connection((server.host, server.port), timeout=timeout) as sock:
        framing = {"Transfer-Encoding": "chunked"} if length is None else {"Content-Length": str(length)}
        head = [f"{method} {path} HTTP/1.1", f"Host: {server.host}:{server.port}"]
        head += [f"{name}: {value}" for name, value in (headers | framing).items()]
        sock.sendall(("\r\n".join(head) + "\r\n\r\n").encode("latin-1"))
        sent = _send_until_answered(sock, body, chunked=length is None, timeout=timeout)
        return _read_answer(sock, sent, timeout)


def _send_until_answered(sock: socket.socket, body: Iterable[bytes], *, chunked: bool, timeout: float) -> int:
    sock.setblocking(False)
    chunks = iter(body)
    pending, sent, done = b"", 0, False
    try:
        while True:
            if not pending and not done:
                piece = next(chunks, None)
                if piece == b"":
                    continue  # an empty chunk would end a chunked body
                if piece is None:
                    done, pending = True, (b"0\r\n\r\n" if chunked else b"")
                else:
                    sent += len(piece)
                    pending = b"%x\r\n%b\r\n" % (len(piece), piece) if chunked else piece
            if done and not pending:
                break
            readable, writable, _ = select.select([sock], [sock], [], timeout)
            if readable:
                break  # the server answers: stop sending
            if not writable:
                raise TimeoutError("the server neither read nor answered")
            pending = pending[sock.send(pending) :]
    except (BrokenPipeError, ConnectionResetError):
        pass  # the server answered and closed; its answer is read next
    finally:
        sock.setblocking(True)
    return sent


def _read_answer(sock: socket.socket, sent: int, timeout: float) -> Answer:
    sock.settimeout(timeout)
    data = b""
    try:
        while b"\r\n\r\n" not in data or len(data) < _expected_length(data):
            piece = sock.recv(65536)
            if not piece:
                break
            data += piece
    except ConnectionResetError:
        pass
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    if not lines[0]:
        raise ConnectionError(f"no answer from the server after {sent} bytes")
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    return Answer(int(lines[0].split()[1]), headers, body, sent)


def _expected_length(data: bytes) -> int:
    head, separator, _ = data.partition(b"\r\n\r\n")
    for line in head.decode("latin-1").split("\r\n")[1:]:
        name, _, value = line.partition(":")
        if name.strip().lower() == "content-length":
            return len(head) + len(separator) + int(value)
    return len(data) + 1  # unknown: read until the server closes
