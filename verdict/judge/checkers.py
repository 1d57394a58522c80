"""Output checkers: decide whether a program's output matches the expected answer.

Pure functions over bytes, no sandbox. Covers Jutge's built-in checkers (std, loosy, epsilon,
elastic, elastic2), the Kattis default output validator, and the interpretation of what custom
checker programs (Kattis output validators, testlib checkers, Jutge external checkers) leave behind;
running those programs is the sandbox's business (`verdict.judge.checker_programs`).

This module picks a built-in checker by name (`check`); the checkers themselves are in
`verdict.judge.jutge_checkers` and `verdict.judge.kattis_validator`, the interpretation of custom
checker programs in `verdict.judge.checker_protocols`, the `CheckResult` they all give in
`verdict.judge.check_result` and the text tools they share in `verdict.judge.output_text`.

Every result speaks to two audiences: ``message`` goes to the student and never quotes the expected
answer (the test may be hidden), ``judge_message`` goes to staff and may be as detailed as useful.

Outputs can be tens of MB, so everything in these modules is linear: comparisons are done on whole buffers or
``bytes.split()`` token lists (C speed) and Python-level loops only run over tokens, never bytes.
Nothing decodes with a strict codec, so arbitrary bytes never raise.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping

from verdict.judge.check_result import CheckResult, OptionError, make_result
from verdict.judge.errors import NeedsProgram
from verdict.judge.flags import FALSE_WORDS, TRUE_WORDS, read_flag
from verdict.judge.jutge_checkers import jutge_elastic, jutge_elastic2, jutge_epsilon, jutge_loosy, jutge_std
from verdict.judge.kattis_validator import kattis_default
from verdict.judge.output_text import as_bytes
from verdict.judge.problem import CheckerSpec
from verdict.judge.verdicts import Verdict

#: Checker kinds that need a program to be run (in the sandbox) before interpreting its result.
PROGRAM_KINDS = frozenset({"kattis-custom", "testlib", "external"})
#: Built-in kinds that :func:`check` evaluates itself.
BUILTIN_KINDS = frozenset({"std", "loosy", "epsilon", "elastic", "elastic2", "kattis-default"})


def _opt_float(options: Mapping[str, object], key: str, default: float | None) -> float | None:
    value = options.get(key)
    if value is None:
        return default
    if isinstance(value, bool):
        raise OptionError(f"option {key} must be a number, not {value!r}")
    try:
        return float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise OptionError(f"option {key} must be a number, not {value!r}") from None


def _opt_bool(options: Mapping[str, object], key: str, default: bool) -> bool:
    flag = read_flag(options.get(key), default, words=TRUE_WORDS + FALSE_WORDS)
    if flag is None:
        raise OptionError(f"option {key} must be a boolean, not {options.get(key)!r}")
    return flag


def _opt_text(options: Mapping[str, object], key: str, default: bytes | None = None) -> bytes:
    value = options.get(key)
    if value is None:
        if default is None:
            raise OptionError(f"option {key} is required")
        return default
    return as_bytes(value, f"option {key}")


def _run_epsilon(output: bytes, expected: bytes, options: Mapping[str, object]) -> CheckResult:
    epsilon = _opt_float(options, "epsilon", None)
    epsilon = 1e-9 if epsilon is None else epsilon
    if not epsilon >= 0 or math.isinf(epsilon):
        raise OptionError(f"option epsilon must be a finite number >= 0, not {epsilon!r}")
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
    caller must run and then interpret with the interpret_* functions (checker_protocols). An
    unknown kind or an unusable option is a package problem and gives IE. With
    spec.presentation_error false (Jutge), a presentation error counts as a wrong answer."""
    if spec.kind in PROGRAM_KINDS:
        raise NeedsProgram(f"checker kind {spec.kind!r} needs its program to be run")
    builtin = _BUILTINS.get(spec.kind)
    if builtin is None:
        return make_result(Verdict.IE, None, f"unknown checker kind {spec.kind!r}")
    try:
        result = builtin(output, expected, spec.options or {})
    except OptionError as exc:
        return make_result(Verdict.IE, None, f"{spec.kind} checker: {exc}")
    if result.verdict == Verdict.PE and not spec.presentation_error:
        message = result.message.replace("presentation error", "wrong answer", 1)
        return CheckResult(
            Verdict.WA,
            message,
            None,
            "presentation error counted as WA (presentation_error: false); " + result.judge_message,
        )
    return result
