"""Hostile HTTP servers on 127.0.0.1 for the URL-import tests (issue 10, M6): real sockets, one
thread per connection, stopped and joined when the context ends.

``behaviour`` receives the connected socket once the request has arrived and does what the
audit's servers did: trickle the headers a byte at a time, trickle the body, say nothing, or
answer something that is not HTTP.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from tests.support.servers import free_port

Behaviour = Callable[[socket.socket, threading.Event], None]


@contextmanager
def hostile_server(behaviour: Behaviour) -> Iterator[int]:
    """Serve ``behaviour`` on a free port of 127.0.0.1; yields the port."""
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(0.1)
    stop = threading.Event()
    workers: list[threading.Thread] = []

    def accept_loop() -> None:
        while not stop.is_set():
            try:
                connection, _ = listener.accept()
            except TimeoutError:
                continue
            worker = threading.Thread(target=_handle, args=(connection, behaviour, stop), daemon=True)
            worker.start()
            workers.append(worker)

    acceptor = threading.Thread(target=accept_loop, daemon=True)
    acceptor.start()
    try:
        yield listener.getsockname()[1]
    finally:
        stop.set()
        acceptor.join(5)
        for worker in workers:
            worker.join(5)
        listener.close()


def _handle(connection: socket.socket, behaviour: Behaviour, stop: threading.Event) -> None:
    with connection:
        connection.settimeout(5)
        received = b""
        try:
            while b"\r\n\r\n" not in received:
                data = connection.recv(4096)
                if not data:
                    return
                received += data
            behaviour(connection, stop)
        except OSError:
            pass  # the client gave up: what these servers wait for


def trickle_headers(interval: float = 0.05) -> Behaviour:
    """A status line, then one header byte every ``interval`` seconds, for ever."""

    def behave(connection: socket.socket, stop: threading.Event) -> None:
        connection.sendall(b"HTTP/1.1 200 OK\r\nX-Slow: ")
        while not stop.wait(interval):
            connection.sendall(b"a")

    return behave


def trickle_body(interval: float = 0.05) -> Behaviour:
    """Honest headers for a 1 MB body, then one body byte every ``interval`` seconds."""

    def behave(connection: socket.socket, stop: threading.Event) -> None:
        connection.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 1000000\r\n\r\n")
        while not stop.wait(interval):
            connection.sendall(b"\0")

    return behave


def silent(connection: socket.socket, stop: threading.Event) -> None:
    stop.wait(30)


def not_http(connection: socket.socket, stop: threading.Event) -> None:
    connection.sendall(b"SSH-2.0-OpenSSH_9.2\r\n")


def status(code: int) -> Behaviour:
    def behave(connection: socket.socket, stop: threading.Event) -> None:
        connection.sendall(f"HTTP/1.1 {code} Whatever\r\nContent-Length: 0\r\n\r\n".encode())

    return behave


def closed_port() -> int:
    """A port of 127.0.0.1 that nothing listens on (bound, then released)."""
    return free_port()
