"""Linear-time tools over program outputs, shared by the built-in checkers.

Where two outputs first differ, line numbers and short excerpts for staff messages, tokens and the
whitespace layout, C-style numbers, and Jutge's invalid characters. Outputs can be tens of MB, so
everything here is linear: comparisons are done on whole buffers or ``bytes.split()`` token lists
(C speed) and Python-level loops only run over tokens, never bytes. Nothing decodes with a strict
codec, so arbitrary bytes never raise.
"""

from __future__ import annotations

import itertools
import math
import re

from verdict.judge.check_result import CheckResult, OptionError, make_result
from verdict.judge.verdicts import Verdict

EXCERPT = 60  # bytes of context shown around a difference in staff messages

# C's isspace() in the "C" locale, which is also what bytes.split() and bytes-regex \s use.
WHITESPACE = b" \t\n\r\x0b\x0c"
_TOKEN_RE = re.compile(rb"\S+")
_INVALID_RE = re.compile(rb"[^\t\n\r\x20-\x7e]")
# Exactly what C's strtod accepts as a finite number (decimal or hexadecimal), and nothing else:
# Python's float() would also take "1_000", "infinity" and surrounding spaces.
_DECIMAL_RE = re.compile(rb"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")
_HEX_RE = re.compile(rb"[+-]?0[xX](?:[0-9a-fA-F]+(?:\.[0-9a-fA-F]*)?|\.[0-9a-fA-F]+)(?:[pP][+-]?\d+)?")


def first_difference(a: bytes, b: bytes) -> int:
    """Index of the first differing byte (the shorter length if one is a prefix of the other).

    Compares 64 KiB slices at C speed and only walks bytes inside the first differing slice, so a
    huge output costs a few slice compares rather than a Python loop per byte."""
    n = min(len(a), len(b))
    chunk = 1 << 16
    i = 0
    while i < n:
        j = min(i + chunk, n)
        if a[i:j] != b[i:j]:
            while a[i] == b[i]:
                i += 1
            return i
        i = j
    return n


def line_no(data: bytes, pos: int) -> int:
    """1-based line number of byte offset pos."""
    return data.count(b"\n", 0, pos) + 1


def excerpt(data: bytes, pos: int) -> str:
    """A short printable window of data around pos, for staff messages."""
    start = max(data.rfind(b"\n", 0, pos) + 1, pos - EXCERPT)
    end = data.find(b"\n", pos)
    end = len(data) if end < 0 else end
    end = min(end, pos + EXCERPT)
    text = repr(data[start:end])
    return ("..." if start > 0 and data[start - 1 : start] != b"\n" else "") + text


def show_token(token: bytes) -> str:
    return repr(token[:EXCERPT]) + ("..." if len(token) > EXCERPT else "")


def normalise(data: bytes) -> bytes:
    """Jutge's normalisation: whitespace runs collapsed to one space, stripped, upper-cased."""
    return b" ".join(data.split()).upper()


def layout(data: bytes) -> bytes:
    """The whitespace skeleton of data: every token replaced by one b"x".

    Two outputs with the same number of tokens have identical whitespace exactly when their
    skeletons are equal; newlines survive, so line numbers can be read off the skeleton."""
    return _TOKEN_RE.sub(b"x", data)


def locate_token(data: bytes, k: int) -> tuple[int, bytes]:
    """Line and text of token k of data; (last line, b"") when there are not that many tokens.

    Linear, and only used on the failure path to produce messages."""
    for match in itertools.islice(_TOKEN_RE.finditer(data), k, None):
        return line_no(data, match.start()), match.group()
    return line_no(data, max(len(data) - 1, 0)), b""


def parse_float(token: bytes) -> float | None:
    """The finite value of a token that is entirely a C-style number, else None.

    Mirrors sscanf("%lf") on a whole token as used by the Kattis validator: NaN and infinities
    (including overflowing literals such as 1e999) are not numbers and are compared as text."""
    try:
        if _DECIMAL_RE.fullmatch(token):
            value = float(token)
        elif _HEX_RE.fullmatch(token):
            value = float.fromhex(token.decode("ascii"))
        else:
            return None
    except (OverflowError, ValueError):
        return None
    return value if math.isfinite(value) else None


def invalid_character(output: bytes) -> CheckResult | None:
    """IC when output has a byte outside 32..126 other than \\n, \\r and \\t (Jutge's rule)."""
    match = _INVALID_RE.search(output)
    if match is None:
        return None
    pos = match.start()
    line = line_no(output, pos)
    return make_result(
        Verdict.IC,
        f"invalid character (byte 0x{output[pos]:02x}) in output, line {line}",
        f"invalid byte 0x{output[pos]:02x} at offset {pos} (line {line}): {excerpt(output, pos)}",
    )


def as_bytes(value: object, what: str) -> bytes:
    if isinstance(value, bytes):
        return value
    if isinstance(value, str):
        return value.encode("utf-8")
    raise OptionError(f"{what} must be a string, not {value!r}")
