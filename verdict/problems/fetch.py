"""HTTP fetches under one wall-clock deadline, connection and headers included.

httpx's (and httpcore's) timeouts apply to each socket operation: a server that sends one header
byte every few seconds never trips them, and the audit kept a URL import busy for 320 s against a
30 s limit (issue 10, M6). Here every blocking step (connect, TLS handshake, each read and write)
is given at most the time left before the deadline, and a step starting after it fails at once, so
the whole fetch ends by the deadline whatever the server does.

This is httpcore (httpx's engine) with a network backend of our own: httpcore documents custom
backends (``NetworkBackend``/``NetworkStream``), httpx has no public way to pass one.

Not covered: the host name lookup (``getaddrinfo`` takes no timeout); the hosts are the ones an
administrator allowed, and their resolvers are the administrator's.
"""

from __future__ import annotations

import ssl
import time
from collections.abc import Iterable

import httpcore

# Failures once the server is contacted; all of them must read the same to the user.
NETWORK_ERRORS = (
    httpcore.TimeoutException,
    httpcore.NetworkError,
    httpcore.ProtocolError,
    httpcore.UnsupportedProtocol,
    OSError,
)


class DeadlineBackend(httpcore.NetworkBackend):
    """httpcore's synchronous sockets, each operation bounded by the time left to ``deadline``
    (a ``time.monotonic()`` value)."""

    def __init__(self, deadline: float) -> None:
        self._deadline = deadline
        self._sockets = httpcore.SyncBackend()

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.NetworkStream:
        left = time_left(self._deadline, timeout, httpcore.ConnectTimeout)
        stream = self._sockets.connect_tcp(host, port, left, local_address, socket_options)
        return DeadlineStream(stream, self._deadline)

    def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.NetworkStream:
        raise httpcore.UnsupportedProtocol("unix sockets are not fetched")

    def sleep(self, seconds: float) -> None:
        time.sleep(max(0.0, min(seconds, self._deadline - time.monotonic())))


class DeadlineStream(httpcore.NetworkStream):
    def __init__(self, stream: httpcore.NetworkStream, deadline: float) -> None:
        self._stream = stream
        self._deadline = deadline

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._stream.read(max_bytes, time_left(self._deadline, timeout, httpcore.ReadTimeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._stream.write(buffer, time_left(self._deadline, timeout, httpcore.WriteTimeout))

    def close(self) -> None:
        self._stream.close()

    def start_tls(
        self, ssl_context: ssl.SSLContext, server_hostname: str | None = None, timeout: float | None = None
    ) -> httpcore.NetworkStream:
        left = time_left(self._deadline, timeout, httpcore.ConnectTimeout)
        return DeadlineStream(self._stream.start_tls(ssl_context, server_hostname, left), self._deadline)

    def get_extra_info(self, info: str) -> object:
        return self._stream.get_extra_info(info)


def time_left(deadline: float, timeout: float | None, error: type[Exception]) -> float:
    """The timeout for the next operation: ``timeout`` cut to what is left; ``error`` if nothing is."""
    left = deadline - time.monotonic()
    if left <= 0:
        raise error("the deadline of the whole fetch has passed")
    return left if timeout is None else min(timeout, left)
