"""Output checkers: decide whether a program's output matches the expected answer.

Pure functions over bytes, no sandbox. Covers Jutge's built-in checkers (std, loosy, epsilon,
elastic, elastic2), the Kattis default output validator, and the interpretation of what custom
checker programs (Kattis output validators, testlib checkers, Jutge external checkers) leave behind;
running those programs is the sandbox's business.

Every result speaks to two audiences: ``message`` goes to the student and never quotes the expected
answer (the test may be hidden), ``judge_message`` goes to staff and may be as detailed as useful.

Outputs can be tens of MB, so everything here is linear: comparisons are done on whole buffers or
``bytes.split()`` token lists (C speed) and Python-level loops only run over tokens, never bytes.
Nothing decodes with a strict codec, so arbitrary bytes never raise.
"""

from __future__ import annotations

import itertools
import math
import os
import re
import stat
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from verdict.judge.errors import CheckerError, NeedsProgram
from verdict.judge.problem import CheckerSpec
from verdict.judge.verdicts import Verdict

#: Checker kinds that need a program to be run (in the sandbox) before interpreting its result.
PROGRAM_KINDS = frozenset({"kattis-custom", "testlib", "external"})
#: Built-in kinds that :func:`check` evaluates itself.
BUILTIN_KINDS = frozenset({"std", "loosy", "epsilon", "elastic", "elastic2", "kattis-default"})

FEEDBACK_CAP = 64 * 1024  # bytes read from any checker-produced text
_EXCERPT = 60  # bytes of context shown around a difference in staff messages

_DEFAULT_MESSAGES = {
    Verdict.AC: "",
    Verdict.WA: "wrong answer",
    Verdict.PE: "presentation error",
    Verdict.IC: "invalid character in output",
    Verdict.IE: "judge error",
}

# C's isspace() in the "C" locale, which is also what bytes.split() and bytes-regex \s use.
_WHITESPACE = b" \t\n\r\x0b\x0c"
_TOKEN_RE = re.compile(rb"\S+")
_INVALID_RE = re.compile(rb"[^\t\n\r\x20-\x7e]")
# Exactly what C's strtod accepts as a finite number (decimal or hexadecimal), and nothing else:
# Python's float() would also take "1_000", "infinity" and surrounding spaces.
_DECIMAL_RE = re.compile(rb"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")
_HEX_RE = re.compile(rb"[+-]?0[xX](?:[0-9a-fA-F]+(?:\.[0-9a-fA-F]*)?|\.[0-9a-fA-F]+)(?:[pP][+-]?\d+)?")
_NUMBER = r"[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?"
_TESTLIB_POINTS_RE = re.compile(rf"\bpoints\s+({_NUMBER})")
_TESTLIB_PARTIAL_RE = re.compile(rf"partially correct\s*\(\s*({_NUMBER})\s*\)")


@dataclass
class CheckResult:
    """The verdict of one output check.

    verdict: a Verdict: AC, WA, PE, IC, or IE (a judge error: the checker or the package is broken).
    message: short text for the student; never reveals the expected answer.
    score: partial credit when the checker awards some (custom checkers only), else None.
    judge_message: detailed text for staff (may quote expected and actual output).
    """

    verdict: Verdict
    message: str = ""
    score: float | None = None
    judge_message: str = ""

    @property
    def accepted(self) -> bool:
        return self.verdict == Verdict.AC


class _OptionError(CheckerError):
    """A checker option with an unusable value (a package error, reported as IE)."""


# ---------------------------------------------------------------------------------------------
# Small helpers
# ---------------------------------------------------------------------------------------------


def _result(verdict: Verdict, message: str | None = None, judge_message: str = "") -> CheckResult:
    return CheckResult(
        verdict, _DEFAULT_MESSAGES[verdict] if message is None else message, None, judge_message
    )


def _first_difference(a: bytes, b: bytes) -> int:
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


def _line_no(data: bytes, pos: int) -> int:
    """1-based line number of byte offset pos."""
    return data.count(b"\n", 0, pos) + 1


def _excerpt(data: bytes, pos: int) -> str:
    """A short printable window of data around pos, for staff messages."""
    start = max(data.rfind(b"\n", 0, pos) + 1, pos - _EXCERPT)
    end = data.find(b"\n", pos)
    end = len(data) if end < 0 else end
    end = min(end, pos + _EXCERPT)
    text = repr(data[start:end])
    return ("..." if start > 0 and data[start - 1 : start] != b"\n" else "") + text


def _show_token(token: bytes) -> str:
    return repr(token[:_EXCERPT]) + ("..." if len(token) > _EXCERPT else "")


def _normalise(data: bytes) -> bytes:
    """Jutge's normalisation: whitespace runs collapsed to one space, stripped, upper-cased."""
    return b" ".join(data.split()).upper()


def _layout(data: bytes) -> bytes:
    """The whitespace skeleton of data: every token replaced by one b"x".

    Two outputs with the same number of tokens have identical whitespace exactly when their
    skeletons are equal; newlines survive, so line numbers can be read off the skeleton."""
    return _TOKEN_RE.sub(b"x", data)


def _locate_token(data: bytes, k: int) -> tuple[int, bytes]:
    """Line and text of token k of data; (last line, b"") when there are not that many tokens.

    Linear, and only used on the failure path to produce messages."""
    for match in itertools.islice(_TOKEN_RE.finditer(data), k, None):
        return _line_no(data, match.start()), match.group()
    return _line_no(data, max(len(data) - 1, 0)), b""


def _parse_float(token: bytes) -> float | None:
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


def _invalid_character(output: bytes) -> CheckResult | None:
    """IC when output has a byte outside 32..126 other than \\n, \\r and \\t (Jutge's rule)."""
    match = _INVALID_RE.search(output)
    if match is None:
        return None
    pos = match.start()
    line = _line_no(output, pos)
    return _result(
        Verdict.IC,
        f"invalid character (byte 0x{output[pos]:02x}) in output, line {line}",
        f"invalid byte 0x{output[pos]:02x} at offset {pos} (line {line}): {_excerpt(output, pos)}",
    )


def _as_bytes(value: object, what: str) -> bytes:
    if isinstance(value, bytes):
        return value
    if isinstance(value, str):
        return value.encode("utf-8")
    raise _OptionError(f"{what} must be a string, not {value!r}")


# ---------------------------------------------------------------------------------------------
# Jutge checkers
# ---------------------------------------------------------------------------------------------


def jutge_std(output: bytes, expected: bytes) -> CheckResult:
    """Jutge's standard checker.

    AC when byte-equal; IC when the output holds a byte outside 32..126 other than \\n \\r \\t;
    PE when equal after collapsing whitespace runs and upper-casing; WA otherwise."""
    if output == expected:
        return _result(Verdict.AC)
    invalid = _invalid_character(output)
    if invalid is not None:
        return invalid
    pos = _first_difference(output, expected)
    line = _line_no(output, pos)
    detail = (
        f"first difference at byte {pos} (line {line}): "
        f"expected {_excerpt(expected, pos)}, got {_excerpt(output, pos)}"
    )
    if _normalise(output) == _normalise(expected):
        return _result(
            Verdict.PE,
            f"presentation error: output differs only in whitespace or letter case (from line {line})",
            detail,
        )
    return _result(Verdict.WA, f"wrong answer: line {line} differs", detail)


def jutge_loosy(output: bytes, expected: bytes) -> CheckResult:
    """Jutge's loosy checker: the standard checker, but a presentation error is accepted."""
    result = jutge_std(output, expected)
    if result.verdict != Verdict.PE:
        return result
    return _result(
        Verdict.AC,
        "",
        "accepted by the loosy checker despite whitespace/case differences; " + result.judge_message,
    )


def _numbers_close(out_token: bytes, exp_token: bytes, epsilon: float, relative: bool) -> bool:
    a, b = _parse_float(out_token), _parse_float(exp_token)
    if a is None or b is None:
        return False
    diff = abs(a - b)
    if relative:
        return diff <= epsilon * abs(b) or (b == 0 and diff <= epsilon)
    return diff <= epsilon


def _token_count_failure(output: bytes, expected: bytes, n_out: int, n_exp: int) -> CheckResult:
    """WA for an output that has fewer or more tokens than expected (all shared ones matching)."""
    if n_out < n_exp:
        line, _ = _locate_token(output, n_out)
        _, missing = _locate_token(expected, n_out)
        return _result(
            Verdict.WA,
            f"output ended early (line {line})",
            f"output has {n_out} tokens, expected {n_exp}; next expected token {_show_token(missing)}",
        )
    line, extra = _locate_token(output, n_exp)
    return _result(
        Verdict.WA,
        f"line {line}: unexpected extra output (token {n_exp + 1})",
        f"output has {n_out} tokens, expected {n_exp}; first extra token {_show_token(extra)}",
    )


def jutge_epsilon(
    output: bytes, expected: bytes, epsilon: float = 1e-9, relative: bool = False
) -> CheckResult:
    """Jutge's epsilon checker, token by token.

    Tokens that are both numbers match when |a - b| <= epsilon (absolute), or when
    |a - b| <= epsilon * |b| with b the expected value (relative; when b == 0 the absolute test
    applies). Other tokens, including nan/inf, must be byte-equal. All tokens matching but the
    whitespace layout differing gives PE. IC as in the standard checker."""
    if output == expected:
        return _result(Verdict.AC)
    invalid = _invalid_character(output)
    if invalid is not None:
        return invalid
    out_tokens, exp_tokens = output.split(), expected.split()
    if out_tokens != exp_tokens:
        for k, (o, e) in enumerate(zip(out_tokens, exp_tokens, strict=False)):
            if o != e and not _numbers_close(o, e, epsilon, relative):
                line, _ = _locate_token(output, k)
                kind = "relative" if relative else "absolute"
                return _result(
                    Verdict.WA,
                    f"line {line}: token {k + 1} differs",
                    f"token {k + 1} (output line {line}): expected {_show_token(e)}, got "
                    f"{_show_token(o)} ({kind} epsilon {epsilon:g})",
                )
        if len(out_tokens) != len(exp_tokens):
            return _token_count_failure(output, expected, len(out_tokens), len(exp_tokens))
    out_layout, exp_layout = _layout(output), _layout(expected)
    if out_layout != exp_layout:
        line = _line_no(out_layout, _first_difference(out_layout, exp_layout))
        return _result(
            Verdict.PE,
            f"presentation error: whitespace differs (line {line})",
            f"all tokens match within epsilon; whitespace differs from line {line}",
        )
    return _result(Verdict.AC, "", "tokens match within epsilon")


def _lenient_pieces(data: bytes, separator: bytes) -> list[bytes]:
    """Pieces of data split on separator, each normalised (whitespace collapsed, upper-cased).

    Empty pieces at the end (a terminating separator, trailing blank lines) are layout and are
    dropped; with a whitespace-only separator (e.g. a newline) empty pieces anywhere are layout
    (blank lines, doubled spaces) and are dropped too."""
    pieces = [_normalise(piece) for piece in data.split(separator)]
    if not separator.strip(_WHITESPACE):
        return [piece for piece in pieces if piece]
    while pieces and not pieces[-1]:
        pieces.pop()
    return pieces


def _exact_pieces(data: bytes, separator: bytes) -> tuple[Counter[bytes], bool]:
    """The multiset of raw pieces, and whether data ends with the separator (used as a terminator)."""
    terminated = data.endswith(separator)
    if terminated:
        data = data[: len(data) - len(separator)]
    return Counter(data.split(separator) if data else []), terminated


def _show_item(item: object) -> str:
    return _show_token(item) if isinstance(item, bytes) else repr(item)[: 2 * _EXCERPT]


def _multiset_detail(out: Counter[Any], exp: Counter[Any], what: str) -> str:
    """Staff text naming a few missing and extra items."""
    missing = [_show_item(m) for m in itertools.islice((exp - out).elements(), 3)]
    extra = [_show_item(x) for x in itertools.islice((out - exp).elements(), 3)]
    return (
        f"{out.total()} {what} in output, {exp.total()} expected; "
        f"missing e.g. {', '.join(missing) or '-'}; extra e.g. {', '.join(extra) or '-'}"
    )


def jutge_elastic(output: bytes, expected: bytes, separator: str | bytes) -> CheckResult:
    """Jutge's elastic checker: output items in any order.

    Both texts are split on the separator and compared as multisets (duplicates count). AC when
    the raw pieces match (and both or neither end with the separator); PE when they match after
    normalising each piece (whitespace collapsed, upper-cased, empty trailing pieces dropped, see
    _lenient_pieces); WA otherwise. IC as in the standard checker."""
    sep = _as_bytes(separator, "separator")
    if not sep:
        return _result(Verdict.IE, None, "elastic checker: empty separator")
    if output == expected:
        return _result(Verdict.AC)
    invalid = _invalid_character(output)
    if invalid is not None:
        return invalid
    if _exact_pieces(output, sep) == _exact_pieces(expected, sep):
        return _result(Verdict.AC, "", "same items in another order")
    out, exp = Counter(_lenient_pieces(output, sep)), Counter(_lenient_pieces(expected, sep))
    if out == exp:
        return _result(
            Verdict.PE,
            "presentation error: items match only after normalising whitespace or case",
            "items match after normalisation",
        )
    return _result(
        Verdict.WA,
        "wrong answer: the output items differ from the expected ones",
        _multiset_detail(out, exp, "items"),
    )


def _unwrap(group: bytes, starting: bytes, ending: bytes) -> bytes | None:
    """The inside of group when it starts with `starting` and ends with `ending`, else None."""
    if len(group) < len(starting) + len(ending):
        return None
    if not (group.startswith(starting) and group.endswith(ending)):
        return None
    return group[len(starting) : len(group) - len(ending)]


_Groups = Counter[tuple[bytes, ...]]  # multiset of groups, each group a sorted tuple of elements


def _exact_groups(
    data: bytes, sep1: bytes, sep2: bytes, starting: bytes, ending: bytes
) -> tuple[_Groups, bool] | None:
    """Raw parse of a collection of collections; None when a group lacks its wrappers."""
    groups, terminated = _exact_pieces(data, sep1)
    result: _Groups = Counter()
    for group, count in groups.items():
        inner = _unwrap(group, starting, ending)
        if inner is None:
            return None
        result[tuple(sorted(inner.split(sep2) if inner else []))] += count
    return result, terminated


def _lenient_groups(data: bytes, sep1: bytes, sep2: bytes, starting: bytes, ending: bytes) -> _Groups | None:
    """Whitespace- and case-tolerant parse of a collection of collections; None if malformed.

    Groups are stripped and empty ones dropped like _lenient_pieces (anywhere when the groups
    have wrappers, since an empty piece can then never be a group); wrappers are matched
    case-insensitively and elements normalised."""
    start, end = starting.strip(_WHITESPACE).upper(), ending.strip(_WHITESPACE).upper()
    groups = [group.strip(_WHITESPACE) for group in data.split(sep1)]
    if start or end or not sep1.strip(_WHITESPACE):
        groups = [group for group in groups if group]
    else:
        while groups and not groups[-1]:
            groups.pop()
    result: _Groups = Counter()
    for group in groups:
        inner = _unwrap(group.upper(), start, end)
        if inner is None:
            return None
        result[tuple(sorted(_lenient_pieces(inner, sep2.upper())))] += 1
    return result


def jutge_elastic2(
    output: bytes,
    expected: bytes,
    separator1: str | bytes,
    separator2: str | bytes,
    starting: str | bytes = "",
    ending: str | bytes = "",
) -> CheckResult:
    """Jutge's double elastic checker: a collection of collections, both levels in any order.

    What is implemented: the text is split on separator1 into groups (a final separator1 acts as
    a terminator); every group must be `starting` + elements + `ending`, the elements being
    separated by separator2 (an empty inside is an empty group). Groups are compared as a multiset
    of multisets of elements. AC when the raw parse matches; PE when it matches after stripping
    whitespace around groups, normalising elements (whitespace collapsed, upper-cased) and
    dropping empty groups; WA otherwise, including for an output that does not parse. An expected
    answer that does not parse is a judge error. IC as in the standard checker."""
    sep1, sep2 = _as_bytes(separator1, "separator1"), _as_bytes(separator2, "separator2")
    start, end = _as_bytes(starting, "starting"), _as_bytes(ending, "ending")
    if not sep1 or not sep2:
        return _result(Verdict.IE, None, "elastic2 checker: empty separator")
    if output == expected:
        return _result(Verdict.AC)
    invalid = _invalid_character(output)
    if invalid is not None:
        return invalid
    exp_lenient = _lenient_groups(expected, sep1, sep2, start, end)
    if exp_lenient is None:
        return _result(
            Verdict.IE,
            None,
            f"elastic2 checker: the expected answer does not parse as groups wrapped in {start!r}...{end!r}",
        )
    exp_exact = _exact_groups(expected, sep1, sep2, start, end)
    if exp_exact is not None and _exact_groups(output, sep1, sep2, start, end) == exp_exact:
        return _result(Verdict.AC, "", "same groups in another order")
    out_lenient = _lenient_groups(output, sep1, sep2, start, end)
    if out_lenient is None:
        return _result(
            Verdict.WA,
            "wrong answer: output is not a well-formed list of groups",
            f"a group of the output is not wrapped in {start!r}...{end!r}",
        )
    if out_lenient == exp_lenient:
        return _result(
            Verdict.PE,
            "presentation error: groups match only after normalising whitespace or case",
            "groups match after normalisation",
        )
    return _result(
        Verdict.WA,
        "wrong answer: the output groups differ from the expected ones",
        _multiset_detail(out_lenient, exp_lenient, "groups"),
    )


# ---------------------------------------------------------------------------------------------
# Kattis default output validator
# ---------------------------------------------------------------------------------------------


def _kattis_tolerances(
    relative: float | None, absolute: float | None, both: float | None
) -> tuple[float, float]:
    """(absolute, relative) tolerances, -1 meaning unset as in the reference validator.

    float_tolerance sets both; an explicit float_absolute/relative_tolerance overrides it."""
    abs_tol = absolute if absolute is not None else both
    rel_tol = relative if relative is not None else both
    return (-1.0 if abs_tol is None else float(abs_tol)), (-1.0 if rel_tol is None else float(rel_tol))


def _kattis_token_failure(
    out_tokens: list[bytes], exp_tokens: list[bytes], abs_tol: float, rel_tol: float
) -> tuple[int, str] | None:
    """(token index, reason) of the first token-level failure, or None.

    Index len(output tokens) means the output ended early; len(expected tokens) trailing output.
    String-equal tokens are accepted without parsing: equal numbers are always within tolerance."""
    use_floats = abs_tol >= 0 or rel_tol >= 0
    if out_tokens != exp_tokens:
        for k, (o, e) in enumerate(zip(out_tokens, exp_tokens, strict=False)):
            if o == e:
                continue
            judge_value = _parse_float(e) if use_floats else None
            if judge_value is None:
                return k, "String tokens mismatch"
            team_value = _parse_float(o)
            if team_value is None:
                return k, "Expected float"
            diff = abs(judge_value - team_value)
            if not (diff <= abs_tol) and not (diff <= rel_tol * abs(judge_value)):
                return k, (f"Too large difference: {diff:e} (abs tol {abs_tol:e}, rel tol {rel_tol:e})")
    if len(out_tokens) < len(exp_tokens):
        return len(out_tokens), "User EOF while judge had more output"
    if len(out_tokens) > len(exp_tokens):
        return len(exp_tokens), "Trailing output"
    return None


def _space_change(output: bytes, expected: bytes) -> tuple[int, int] | None:
    """(index of the token the differing whitespace run precedes, output line), or None."""
    out_layout, exp_layout = _layout(output), _layout(expected)
    if out_layout == exp_layout:
        return None
    pos = _first_difference(out_layout, exp_layout)
    return out_layout.count(b"x", 0, pos), _line_no(out_layout, pos)


def kattis_default(
    output: bytes,
    expected: bytes,
    case_sensitive: bool = False,
    space_change_sensitive: bool = False,
    float_relative_tolerance: float | None = None,
    float_absolute_tolerance: float | None = None,
    float_tolerance: float | None = None,
) -> CheckResult:
    """The Kattis default output validator (problemtools' default_validator), AC or WA only.

    Whitespace-separated tokens are compared in order; with space_change_sensitive the whitespace
    between, before and after them must also be identical. When a tolerance is set and the
    expected token is a finite number, the output token must be one too and is accepted if within
    the absolute or the relative (times |expected|) tolerance; otherwise tokens are compared as
    strings, ASCII case-insensitively unless case_sensitive. The first failure in stream order is
    reported, the whitespace before a token being checked before the token itself."""
    abs_tol, rel_tol = _kattis_tolerances(float_relative_tolerance, float_absolute_tolerance, float_tolerance)
    if output == expected:
        return _result(Verdict.AC)
    out_cmp, exp_cmp = (output, expected) if case_sensitive else (output.lower(), expected.lower())
    out_tokens, exp_tokens = out_cmp.split(), exp_cmp.split()
    token_failure = _kattis_token_failure(out_tokens, exp_tokens, abs_tol, rel_tol)
    space_failure = _space_change(output, expected) if space_change_sensitive else None
    if space_failure is not None and (token_failure is None or space_failure[0] <= token_failure[0]):
        k, line = space_failure
        return _result(
            Verdict.WA,
            f"line {line}: whitespace differs",
            f"Space change error on line {line} of output, before token {k + 1}",
        )
    if token_failure is None:
        return _result(Verdict.AC)
    k, reason = token_failure
    out_line, out_token = _locate_token(output, k)
    exp_line, exp_token = _locate_token(expected, k)
    staff = (
        f"Wrong answer on line {out_line} of output (corresponding to line {exp_line} in answer "
        f"file)\n{reason}\n Judge: {_show_token(exp_token)}\n User: {_show_token(out_token)}"
    )
    if k >= len(out_tokens):
        return _result(Verdict.WA, f"output ended early (line {out_line})", staff)
    if k >= len(exp_tokens):
        return _result(Verdict.WA, f"line {out_line}: unexpected extra output (token {k + 1})", staff)
    return _result(Verdict.WA, f"line {out_line}: token {k + 1} differs", staff)


# ---------------------------------------------------------------------------------------------
# Custom checker programs: interpreting what they leave behind
# ---------------------------------------------------------------------------------------------


def _read_feedback(path: Path) -> str | None:
    """Text of a checker-written file, capped at FEEDBACK_CAP bytes; None when absent.

    Only regular files are read, never through a symlink: the directory is written by a program
    and its contents may be shown to students, so it must not be able to point at host files."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError:
        return None
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            return None
        data = os.read(fd, FEEDBACK_CAP + 1)
    except OSError:
        return None
    finally:
        os.close(fd)
    text = data[:FEEDBACK_CAP].decode("utf-8", errors="replace")
    return text + "\n[truncated]" if len(data) > FEEDBACK_CAP else text


def _cap(text: str) -> str:
    return text if len(text) <= FEEDBACK_CAP else text[:FEEDBACK_CAP] + "\n[truncated]"


def interpret_kattis_validator(exit_code: int, feedback_dir: Path) -> CheckResult:
    """Result of a Kattis output validator: exit 42 accepted, 43 wrong answer, else judge error.

    teammessage.txt becomes the student message, judgemessage.txt the staff message, and
    score.txt (a number) the score; an unreadable score on an accepted run is a judge error."""
    feedback_dir = Path(feedback_dir)
    judge_text = (_read_feedback(feedback_dir / "judgemessage.txt") or "").strip()
    team_text = (_read_feedback(feedback_dir / "teammessage.txt") or "").strip()
    score_text = _read_feedback(feedback_dir / "score.txt")
    if exit_code not in (42, 43):
        return _result(
            Verdict.IE,
            None,
            f"output validator exited with code {exit_code}" + (f"\n{judge_text}" if judge_text else ""),
        )
    verdict = Verdict.AC if exit_code == 42 else Verdict.WA
    result = _result(verdict, team_text or None, judge_text)
    if score_text is not None:
        result.score = _parse_float(score_text.strip().encode())
        if result.score is None and verdict == Verdict.AC:
            return _result(
                Verdict.IE, None, f"output validator wrote an invalid score.txt: {score_text[:100]!r}"
            )
    return result


def _testlib_points(text: str) -> float | None:
    """The score testlib printed: "points 0.5 ..." (quitp) or "partially correct (50) ..."."""
    match = _TESTLIB_POINTS_RE.search(text) or _TESTLIB_PARTIAL_RE.search(text)
    if match is None:
        return None
    value = float(match.group(1))
    return value if math.isfinite(value) else None


def interpret_testlib(exit_code: int, stdout_stderr: str) -> CheckResult:
    """Result of a testlib checker from its exit code and what it printed.

    0 ok → AC; 1 wrong answer → WA; 2 wrong output format → PE; 3 FAIL → IE; 4 dirt (extra
    output) → WA; 7 points → the printed score, AC when positive (like a Kattis scoring validator
    accepting with a score) and WA when zero or less; 8 unexpected EOF (testlib's
    ENABLE_UNEXPECTED_EOF) → PE, since testlib reports it as a format error of the contestant's
    output; anything else → IE. testlib messages often quote the expected answer, so they only go
    to judge_message and the student gets a neutral message."""
    text = _cap(stdout_stderr)
    simple = {0: Verdict.AC, 1: Verdict.WA, 2: Verdict.PE, 3: Verdict.IE, 4: Verdict.WA, 8: Verdict.PE}
    if exit_code in simple:
        verdict = simple[exit_code]
        prefix = "checker failed (FAIL): " if verdict == Verdict.IE else ""
        return _result(verdict, None, prefix + text)
    if exit_code == 7:
        points = _testlib_points(text)
        if points is None:
            return _result(
                Verdict.IE, None, f"testlib checker exited 7 (points) without a readable score: {text}"
            )
        result = _result(Verdict.AC if points > 0 else Verdict.WA, "partially correct", text)
        result.score = points
        return result
    return _result(Verdict.IE, None, f"testlib checker exited with code {exit_code}: {text}")


def interpret_jutge_external(exit_code: int, stdout: str) -> CheckResult:
    """Result of a Jutge external checker: the verdict code (AC, WA, PE, IC) is its first token.

    A non-zero exit, no output, IE, or an unknown code is a judge error. The rest of what it
    printed goes to staff only."""
    text = _cap(stdout)
    tokens = text.split(maxsplit=1)
    if exit_code != 0:
        return _result(Verdict.IE, None, f"external checker exited with code {exit_code}: {text}")
    code = tokens[0].upper() if tokens else ""
    if code not in (Verdict.AC, Verdict.WA, Verdict.PE, Verdict.IC):
        return _result(Verdict.IE, None, f"external checker printed no known verdict: {text[:200]!r}")
    return _result(Verdict(code), None, text)


# ---------------------------------------------------------------------------------------------
# Dispatcher
# ---------------------------------------------------------------------------------------------


def _opt_float(options: Mapping[str, object], key: str, default: float | None) -> float | None:
    value = options.get(key)
    if value is None:
        return default
    if isinstance(value, bool):
        raise _OptionError(f"option {key} must be a number, not {value!r}")
    try:
        return float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise _OptionError(f"option {key} must be a number, not {value!r}") from None


def _opt_bool(options: Mapping[str, object], key: str, default: bool) -> bool:
    value = options.get(key)
    if value is None:
        return default
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    if isinstance(value, str) and value.strip().lower() in (
        "true",
        "yes",
        "on",
        "1",
        "false",
        "no",
        "off",
        "0",
    ):
        return value.strip().lower() in ("true", "yes", "on", "1")
    raise _OptionError(f"option {key} must be a boolean, not {value!r}")


def _opt_text(options: Mapping[str, object], key: str, default: bytes | None = None) -> bytes:
    value = options.get(key)
    if value is None:
        if default is None:
            raise _OptionError(f"option {key} is required")
        return default
    return _as_bytes(value, f"option {key}")


def _run_epsilon(output: bytes, expected: bytes, options: Mapping[str, object]) -> CheckResult:
    epsilon = _opt_float(options, "epsilon", None)
    epsilon = 1e-9 if epsilon is None else epsilon
    if not epsilon >= 0 or math.isinf(epsilon):
        raise _OptionError(f"option epsilon must be a finite number >= 0, not {epsilon!r}")
    return jutge_epsilon(output, expected, epsilon, _opt_bool(options, "relative", False))


def _run_elastic2(output: bytes, expected: bytes, options: Mapping[str, object]) -> CheckResult:
    return jutge_elastic2(
        output,
        expected,
        _opt_text(options, "separator1"),
        _opt_text(options, "separator2"),
        _opt_text(options, "starting", b""),
        _opt_text(options, "ending", b""),
    )


def _run_kattis(output: bytes, expected: bytes, options: Mapping[str, object]) -> CheckResult:
    return kattis_default(
        output,
        expected,
        case_sensitive=_opt_bool(options, "case_sensitive", False),
        space_change_sensitive=_opt_bool(options, "space_change_sensitive", False),
        float_relative_tolerance=_opt_float(options, "float_relative_tolerance", None),
        float_absolute_tolerance=_opt_float(options, "float_absolute_tolerance", None),
        float_tolerance=_opt_float(options, "float_tolerance", None),
    )


_Builtin = Callable[[bytes, bytes, Mapping[str, object]], CheckResult]
_BUILTINS: dict[str, _Builtin] = {
    "std": lambda out, exp, _opts: jutge_std(out, exp),
    "loosy": lambda out, exp, _opts: jutge_loosy(out, exp),
    "epsilon": _run_epsilon,
    "elastic": lambda out, exp, opts: jutge_elastic(out, exp, _opt_text(opts, "separator")),
    "elastic2": _run_elastic2,
    "kattis-default": _run_kattis,
}


def needs_program(spec: CheckerSpec) -> bool:
    """Whether this checker must be run as a program (in the sandbox) rather than by check()."""
    return spec.kind in PROGRAM_KINDS


def check(spec: CheckerSpec, output: bytes, expected: bytes) -> CheckResult:
    """Judge output against expected with a built-in checker chosen by spec.kind and spec.options.

    Raises NeedsProgram (a CheckerError) for "kattis-custom", "testlib" and "external", which the
    caller must run and then interpret with the interpret_* functions. An unknown kind or an
    unusable option is a package problem and gives IE. With spec.presentation_error false (Jutge),
    a presentation error counts as a wrong answer."""
    if spec.kind in PROGRAM_KINDS:
        raise NeedsProgram(f"checker kind {spec.kind!r} needs its program to be run")
    builtin = _BUILTINS.get(spec.kind)
    if builtin is None:
        return _result(Verdict.IE, None, f"unknown checker kind {spec.kind!r}")
    try:
        result = builtin(output, expected, spec.options or {})
    except _OptionError as exc:
        return _result(Verdict.IE, None, f"{spec.kind} checker: {exc}")
    if result.verdict == Verdict.PE and not spec.presentation_error:
        message = result.message.replace("presentation error", "wrong answer", 1)
        return CheckResult(
            Verdict.WA,
            message,
            None,
            "presentation error counted as WA (presentation_error: false); " + result.judge_message,
        )
    return result
