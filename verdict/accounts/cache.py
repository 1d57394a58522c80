"""A short-lived memory of verified Basic credentials.

Jutge clients send ``username:password`` with every request, and an argon2 verification costs a
quarter of a second of CPU on a small machine: verifying once per request would make the password
hash the slowest part of the server. So a successful verification is remembered for a few minutes
under an HMAC of the credentials (keyed by a per-process random key, so the memory never holds
anything an attacker could test passwords against offline without that key). An entry only counts
while the user's password hash is unchanged, so a password change takes effect at once.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, field


@dataclass
class CredentialCache:
    ttl_seconds: float = 300.0
    max_entries: int = 10_000
    _key: bytes = field(default_factory=lambda: secrets.token_bytes(32), repr=False)
    _entries: OrderedDict[bytes, tuple[int, str, float]] = field(default_factory=OrderedDict, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def get(self, login: str, password: str, *, now: float | None = None) -> tuple[int, str] | None:
        """``(user id, password hash)`` remembered for these credentials, if still fresh."""
        digest = self._digest(login, password)
        now = time.monotonic() if now is None else now
        with self._lock:
            entry = self._entries.get(digest)
            if entry is None:
                return None
            if entry[2] <= now:
                del self._entries[digest]
                return None
            return entry[0], entry[1]

    def put(
        self, login: str, password: str, user_id: int, password_hash: str, *, now: float | None = None
    ) -> None:
        digest = self._digest(login, password)
        now = time.monotonic() if now is None else now
        with self._lock:
            self._entries[digest] = (user_id, password_hash, now + self.ttl_seconds)
            self._entries.move_to_end(digest)
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)  # the oldest

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def _digest(self, login: str, password: str) -> bytes:
        message = login.encode() + b"\x00" + password.encode()
        return hmac.new(self._key, message, hashlib.sha256).digest()
