"""The Kattis default output validator (problemtools' default_validator), AC or WA only."""

from __future__ import annotations

from verdict.judge.check_result import CheckResult, make_result
from verdict.judge.output_text import first_difference, layout, line_no, locate_token, parse_float, show_token
from verdict.judge.verdicts import Verdict


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
            judge_value = parse_float(e) if use_floats else None
            if judge_value is None:
                return k, "String tokens mismatch"
            team_value = parse_float(o)
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
    out_layout, exp_layout = layout(output), layout(expected)
    if out_layout == exp_layout:
        return None
    pos = first_difference(out_layout, exp_layout)
    return out_layout.count(b"x", 0, pos), line_no(out_layout, pos)


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
        return make_result(Verdict.AC)
    out_cmp, exp_cmp = (output, expected) if case_sensitive else (output.lower(), expected.lower())
    out_tokens, exp_tokens = out_cmp.split(), exp_cmp.split()
    token_failure = _kattis_token_failure(out_tokens, exp_tokens, abs_tol, rel_tol)
    space_failure = _space_change(output, expected) if space_change_sensitive else None
    if space_failure is not None and (token_failure is None or space_failure[0] <= token_failure[0]):
        k, line = space_failure
        return make_result(
            Verdict.WA,
            f"line {line}: whitespace differs",
            f"Space change error on line {line} of output, before token {k + 1}",
        )
    if token_failure is None:
        return make_result(Verdict.AC)
    k, reason = token_failure
    out_line, out_token = locate_token(output, k)
    exp_line, exp_token = locate_token(expected, k)
    staff = (
        f"Wrong answer on line {out_line} of output (corresponding to line {exp_line} in answer "
        f"file)\n{reason}\n Judge: {show_token(exp_token)}\n User: {show_token(out_token)}"
    )
    if k >= len(out_tokens):
        return make_result(Verdict.WA, f"output ended early (line {out_line})", staff)
    if k >= len(exp_tokens):
        return make_result(Verdict.WA, f"line {out_line}: unexpected extra output (token {k + 1})", staff)
    return make_result(Verdict.WA, f"line {out_line}: token {k + 1} differs", staff)
