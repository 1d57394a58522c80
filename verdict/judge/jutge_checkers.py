"""Jutge's built-in checkers: std, loosy, epsilon, elastic and elastic2.

As jutge-org/jutge-driver-std defines them, on bytes: AC, PE (whitespace or letter case), IC (a
byte outside printable ASCII) or WA. `verdict.judge.checkers.check` picks one by name.
"""

from __future__ import annotations

import itertools
from collections import Counter
from typing import Any

from verdict.judge.check_result import CheckResult, make_result
from verdict.judge.output_text import (
    EXCERPT,
    WHITESPACE,
    as_bytes,
    excerpt,
    first_difference,
    invalid_character,
    layout,
    line_no,
    locate_token,
    normalise,
    parse_float,
    show_token,
)
from verdict.judge.verdicts import Verdict


def jutge_std(output: bytes, expected: bytes) -> CheckResult:
    """Jutge's standard checker.

    AC when byte-equal; IC when the output holds a byte outside 32..126 other than \\n \\r \\t;
    PE when equal after collapsing whitespace runs and upper-casing; WA otherwise."""
    if output == expected:
        return make_result(Verdict.AC)
    invalid = invalid_character(output)
    if invalid is not None:
        return invalid
    pos = first_difference(output, expected)
    line = line_no(output, pos)
    detail = (
        f"first difference at byte {pos} (line {line}): "
        f"expected {excerpt(expected, pos)}, got {excerpt(output, pos)}"
    )
    if normalise(output) == normalise(expected):
        return make_result(
            Verdict.PE,
            f"presentation error: output differs only in whitespace or letter case (from line {line})",
            detail,
        )
    return make_result(Verdict.WA, f"wrong answer: line {line} differs", detail)


def jutge_loosy(output: bytes, expected: bytes) -> CheckResult:
    """Jutge's loosy checker: the standard checker, but a presentation error is accepted."""
    result = jutge_std(output, expected)
    if result.verdict != Verdict.PE:
        return result
    return make_result(
        Verdict.AC,
        "",
        "accepted by the loosy checker despite whitespace/case differences; " + result.judge_message,
    )


def _numbers_close(out_token: bytes, exp_token: bytes, epsilon: float, relative: bool) -> bool:
    a, b = parse_float(out_token), parse_float(exp_token)
    if a is None or b is None:
        return False
    diff = abs(a - b)
    if relative:
        return diff <= epsilon * abs(b) or (b == 0 and diff <= epsilon)
    return diff <= epsilon


def _token_count_failure(output: bytes, expected: bytes, n_out: int, n_exp: int) -> CheckResult:
    """WA for an output that has fewer or more tokens than expected (all shared ones matching)."""
    if n_out < n_exp:
        line, _ = locate_token(output, n_out)
        _, missing = locate_token(expected, n_out)
        return make_result(
            Verdict.WA,
            f"output ended early (line {line})",
            f"output has {n_out} tokens, expected {n_exp}; next expected token {show_token(missing)}",
        )
    line, extra = locate_token(output, n_exp)
    return make_result(
        Verdict.WA,
        f"line {line}: unexpected extra output (token {n_exp + 1})",
        f"output has {n_out} tokens, expected {n_exp}; first extra token {show_token(extra)}",
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
        return make_result(Verdict.AC)
    invalid = invalid_character(output)
    if invalid is not None:
        return invalid
    out_tokens, exp_tokens = output.split(), expected.split()
    if out_tokens != exp_tokens:
        for k, (o, e) in enumerate(zip(out_tokens, exp_tokens, strict=False)):
            if o != e and not _numbers_close(o, e, epsilon, relative):
                line, _ = locate_token(output, k)
                kind = "relative" if relative else "absolute"
                return make_result(
                    Verdict.WA,
                    f"line {line}: token {k + 1} differs",
                    f"token {k + 1} (output line {line}): expected {show_token(e)}, got "
                    f"{show_token(o)} ({kind} epsilon {epsilon:g})",
                )
        if len(out_tokens) != len(exp_tokens):
            return _token_count_failure(output, expected, len(out_tokens), len(exp_tokens))
    out_layout, exp_layout = layout(output), layout(expected)
    if out_layout != exp_layout:
        line = line_no(out_layout, first_difference(out_layout, exp_layout))
        return make_result(
            Verdict.PE,
            f"presentation error: whitespace differs (line {line})",
            f"all tokens match within epsilon; whitespace differs from line {line}",
        )
    return make_result(Verdict.AC, "", "tokens match within epsilon")


def _lenient_pieces(data: bytes, separator: bytes) -> list[bytes]:
    """Pieces of data split on separator, each normalised (whitespace collapsed, upper-cased).

    Empty pieces at the end (a terminating separator, trailing blank lines) are layout and are
    dropped; with a whitespace-only separator (e.g. a newline) empty pieces anywhere are layout
    (blank lines, doubled spaces) and are dropped too."""
    pieces = [normalise(piece) for piece in data.split(separator)]
    if not separator.strip(WHITESPACE):
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
    return show_token(item) if isinstance(item, bytes) else repr(item)[: 2 * EXCERPT]


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
    sep = as_bytes(separator, "separator")
    if not sep:
        return make_result(Verdict.IE, None, "elastic checker: empty separator")
    if output == expected:
        return make_result(Verdict.AC)
    invalid = invalid_character(output)
    if invalid is not None:
        return invalid
    if _exact_pieces(output, sep) == _exact_pieces(expected, sep):
        return make_result(Verdict.AC, "", "same items in another order")
    out, exp = Counter(_lenient_pieces(output, sep)), Counter(_lenient_pieces(expected, sep))
    if out == exp:
        return make_result(
            Verdict.PE,
            "presentation error: items match only after normalising whitespace or case",
            "items match after normalisation",
        )
    return make_result(
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
    start, end = starting.strip(WHITESPACE).upper(), ending.strip(WHITESPACE).upper()
    groups = [group.strip(WHITESPACE) for group in data.split(sep1)]
    if start or end or not sep1.strip(WHITESPACE):
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
    sep1, sep2 = as_bytes(separator1, "separator1"), as_bytes(separator2, "separator2")
    start, end = as_bytes(starting, "starting"), as_bytes(ending, "ending")
    if not sep1 or not sep2:
        return make_result(Verdict.IE, None, "elastic2 checker: empty separator")
    if output == expected:
        return make_result(Verdict.AC)
    invalid = invalid_character(output)
    if invalid is not None:
        return invalid
    exp_lenient = _lenient_groups(expected, sep1, sep2, start, end)
    if exp_lenient is None:
        return make_result(
            Verdict.IE,
            None,
            f"elastic2 checker: the expected answer does not parse as groups wrapped in {start!r}...{end!r}",
        )
    exp_exact = _exact_groups(expected, sep1, sep2, start, end)
    if exp_exact is not None and _exact_groups(output, sep1, sep2, start, end) == exp_exact:
        return make_result(Verdict.AC, "", "same groups in another order")
    out_lenient = _lenient_groups(output, sep1, sep2, start, end)
    if out_lenient is None:
        return make_result(
            Verdict.WA,
            "wrong answer: output is not a well-formed list of groups",
            f"a group of the output is not wrapped in {start!r}...{end!r}",
        )
    if out_lenient == exp_lenient:
        return make_result(
            Verdict.PE,
            "presentation error: groups match only after normalising whitespace or case",
            "groups match after normalisation",
        )
    return make_result(
        Verdict.WA,
        "wrong answer: the output groups differ from the expected ones",
        _multiset_detail(out_lenient, exp_lenient, "groups"),
    )
