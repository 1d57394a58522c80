"""Exam codes (the Jutge "exam passwords"): made, kept and checked.

A code is 8 capital letters drawn with :mod:`secrets` (26**8, about 37.6 bits), like the
reference's ``CLOUCREA``. Each is stored twice:

* **hashed** (argon2id, :func:`verdict.accounts.passwords.hash_code`), which is what
  :func:`code_matches` checks a student's entry against;
* **sealed** (:func:`seal`), so that staff can read it back (``GET .../passwords``): the code
  XOR an HMAC-SHA256 keystream keyed by a key derived from ``Settings.secret_key``, with a
  random nonce per record and an HMAC tag, in base64. No new dependency; a database without the
  secret key reveals neither the code nor (at useful speed) its hash.

If the secret key changes, sealed codes no longer open (:func:`unseal` returns None) and the
next ``GET .../passwords`` makes new ones.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import secrets
import string
from dataclasses import dataclass

from verdict.accounts.passwords import hash_code, verify_code
from verdict.exams.models import Exam, ExamStudent, Protection

CODE_LENGTH = 8
ALPHABET = string.ascii_uppercase
_NONCE = 16
_TAG = 16
_VERSION = "v1."
_KEY_LABEL = b"verdict.exam-codes"


@dataclass(frozen=True)
class Code:
    """A fresh code with its two stored forms."""

    plain: str
    hashed: str
    sealed: str


def new_code() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))


def make_code(secret_key: str) -> Code:
    """A new code, hashed and sealed (about 5 ms: argon2 with one-time-code parameters)."""
    plain = new_code()
    return Code(plain=plain, hashed=hash_code(plain), sealed=seal(secret_key, plain))


# --------------------------------------------------------------------------- sealing


def _keys(secret_key: str) -> tuple[bytes, bytes]:
    base = hmac.new(secret_key.encode(), _KEY_LABEL, hashlib.sha256).digest()
    return (
        hmac.new(base, b"stream", hashlib.sha256).digest(),
        hmac.new(base, b"tag", hashlib.sha256).digest(),
    )


def _keystream(key: bytes, nonce: bytes, length: int) -> bytes:
    blocks = []
    for counter in range((length + 31) // 32):
        blocks.append(hmac.new(key, nonce + counter.to_bytes(4, "big"), hashlib.sha256).digest())
    return b"".join(blocks)[:length]


def seal(secret_key: str, text: str) -> str:
    """``text`` encrypted and authenticated under ``secret_key``: ``v1.<base64>``."""
    stream_key, tag_key = _keys(secret_key)
    nonce = secrets.token_bytes(_NONCE)
    data = text.encode()
    body = bytes(a ^ b for a, b in zip(data, _keystream(stream_key, nonce, len(data)), strict=True))
    tag = hmac.new(tag_key, nonce + body, hashlib.sha256).digest()[:_TAG]
    return _VERSION + base64.urlsafe_b64encode(nonce + body + tag).decode()


def unseal(secret_key: str, sealed: str | None) -> str | None:
    """The text :func:`seal` sealed, or None when there is none or it does not open (another
    secret key, a damaged or foreign value)."""
    if not sealed or not sealed.startswith(_VERSION):
        return None
    try:
        raw = base64.urlsafe_b64decode(sealed[len(_VERSION) :].encode())
    except (binascii.Error, ValueError):
        return None
    if len(raw) < _NONCE + _TAG:
        return None
    nonce, body, tag = raw[:_NONCE], raw[_NONCE:-_TAG], raw[-_TAG:]
    stream_key, tag_key = _keys(secret_key)
    if not hmac.compare_digest(tag, hmac.new(tag_key, nonce + body, hashlib.sha256).digest()[:_TAG]):
        return None
    data = bytes(a ^ b for a, b in zip(body, _keystream(stream_key, nonce, len(body)), strict=True))
    try:
        return data.decode()
    except UnicodeDecodeError:
        return None


# --------------------------------------------------------------------------- checking


def normalize(code: str) -> str:
    """What a student typed, as codes are stored: spaces around dropped, capitals."""
    return code.strip().upper()


def code_matches(exam: Exam, student: ExamStudent | None, code: str) -> bool:
    """Whether ``code`` opens ``exam`` for ``student`` (None: not one of the exam's students).

    ``open``: always. ``samecode``: the exam's code. ``random``: the student's own code (so a
    non-student never matches). A missing hash never matches. Case and surrounding spaces are
    forgiven (codes are capital letters only)."""
    if exam.protection == Protection.OPEN:
        return True
    if exam.protection == Protection.SAMECODE:
        stored = exam.password_hash
    else:
        stored = student.password_hash if student is not None else None
    if not stored:
        return False
    return verify_code(stored, normalize(code))
