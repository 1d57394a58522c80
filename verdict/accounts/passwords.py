"""Password hashing with argon2id: accounts with argon2-cffi's current recommended parameters,
one-time exam codes with cheaper ones (:func:`hash_code`)."""

from __future__ import annotations

import functools

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

# A stateless hasher holding only its parameters: safe to share, not configuration.
_HASHER = PasswordHasher()


@functools.cache
def _dummy_hash() -> str:
    """A hash to verify against when the user does not exist, so that the time taken does not tell
    whether a login name exists. Made on first use: hashing at import cost every command 0.3 s."""
    return _HASHER.hash("verdict: no such user")


def hash_password(password: str) -> str:
    return _HASHER.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """True if ``password`` matches. A missing or corrupt hash never matches (but costs the same)."""
    try:
        return _HASHER.verify(password_hash or _dummy_hash(), password) and password_hash is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    """True when the hash was made with older parameters and should be upgraded at login."""
    try:
        return _HASHER.check_needs_rehash(password_hash)
    except InvalidHashError:
        return True


# One-time exam codes (verdict.exams.codes): 8 random capital letters, made by the server, never
# chosen by people, and sealed beside their hash anyway. The account parameters (~0.27 s a hash
# here) would take 80 s for an exam of 300 students; these take ~5 ms (measured: time_cost=1,
# 8 MiB, one lane), 1.5 s for 300.
_CODE_HASHER = PasswordHasher(time_cost=1, memory_cost=8 * 1024, parallelism=1)


def hash_code(code: str) -> str:
    return _CODE_HASHER.hash(code)


def verify_code(code_hash: str, code: str) -> bool:
    """True if ``code`` matches (the hash carries its own parameters); a corrupt hash never does."""
    try:
        return _CODE_HASHER.verify(code_hash, code)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False
