"""Tests for the pure output checkers (Jutge built-ins, Kattis default, custom-program results)."""

from __future__ import annotations

import os
import random
import time
from pathlib import Path
from typing import Any

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from verdict.judge.check_result import CheckResult
from verdict.judge.checker_protocols import (
    FEEDBACK_CAP,
    interpret_jutge_external,
    interpret_kattis_validator,
    interpret_testlib,
)
from verdict.judge.checkers import BUILTIN_KINDS, PROGRAM_KINDS, check, needs_program
from verdict.judge.errors import CheckerError, JudgeError, NeedsProgram
from verdict.judge.jutge_checkers import jutge_elastic, jutge_elastic2, jutge_epsilon, jutge_loosy, jutge_std
from verdict.judge.kattis_validator import kattis_default
from verdict.judge.problem import CheckerSpec
from verdict.judge.verdicts import Verdict

# What a checker can say; a broken checker or package is the grader's internal error, IE.
pytestmark = pytest.mark.unit

VERDICTS = {Verdict.AC, Verdict.WA, Verdict.PE, Verdict.IC, Verdict.IE}


def verdict(result: CheckResult) -> Verdict:
    assert type(result.verdict) is Verdict and result.verdict in VERDICTS
    return result.verdict


# ---------------------------------------------------------------------------------------------
# CheckResult
# ---------------------------------------------------------------------------------------------


def test_check_result_fields_and_accepted() -> None:
    result = CheckResult(Verdict.AC, "fine", 0.5, "staff")
    assert (result.verdict, result.message, result.score, result.judge_message) == (
        "AC",
        "fine",
        0.5,
        "staff",
    )
    assert result.accepted
    assert not CheckResult(Verdict.WA).accepted
    assert CheckResult(Verdict.WA).score is None


def test_checkers_return_verdict_members(tmp_path: Path) -> None:
    """One verdict type: every checker answers with a Verdict (IE for a broken checker), which
    still compares equal to its code for callers holding strings."""
    results = {
        Verdict.AC: jutge_std(b"1\n", b"1\n"),
        Verdict.WA: kattis_default(b"1", b"2"),
        Verdict.PE: check(CheckerSpec("epsilon"), b"1  2", b"1 2"),
        Verdict.IC: jutge_loosy(b"1\x01", b"1"),
        Verdict.IE: check(CheckerSpec("nonsense"), b"1", b"1"),
    }
    more = [
        interpret_testlib(3, "FAIL"),
        interpret_kattis_validator(43, tmp_path),
        interpret_jutge_external(0, "PE"),
        jutge_elastic(b"a", b"a", ""),
        jutge_elastic2(b"{1}", b"{1}", "\n", ","),
    ]
    for expected, result in results.items():
        assert type(result.verdict) is Verdict and result.verdict is expected
    assert all(type(result.verdict) is Verdict for result in more)
    assert [r.verdict for r in more] == [Verdict.IE, Verdict.WA, Verdict.PE, Verdict.IE, Verdict.AC]
    assert results[Verdict.AC].verdict == "AC" and results[Verdict.IE].verdict == "IE"


# ---------------------------------------------------------------------------------------------
# Jutge std / loosy
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("data", [b"", b"1 2\n", b"hello\r\nworld\t!\n", b"\x00\xff binary is fine if equal"])
def test_std_byte_equal_is_ac(data: bytes) -> None:
    assert verdict(jutge_std(data, data)) == "AC"


@pytest.mark.parametrize("bad", [b"\x00", b"\x07", b"\x0b", b"\x0c", b"\x1f", b"\x7f", b"\x80", "é".encode()])
def test_std_invalid_character(bad: bytes) -> None:
    result = jutge_std(b"1\n2 " + bad + b"\n", b"1\n2\n")
    assert verdict(result) == "IC"
    assert "line 2" in result.message


def test_std_tab_cr_newline_are_valid_characters() -> None:
    assert verdict(jutge_std(b"1\t2\r\n", b"1 2\n")) == "PE"


def test_std_invalid_character_beats_presentation_and_wrong_answer() -> None:
    assert verdict(jutge_std(b"1 2\x01\n", b"1 2\n")) == "IC"
    assert verdict(jutge_std(b"9\x01\n", b"1 2\n")) == "IC"


@pytest.mark.parametrize(
    ("output", "expected"),
    [
        (b"1  2\n", b"1 2\n"),  # doubled space
        (b"1 2", b"1 2\n"),  # missing final newline
        (b"1 2\n\n", b"1 2\n"),  # extra blank line
        (b"1 2\r\n", b"1 2\n"),  # Windows line ending
        (b"  1\n2\n", b"1 2\n"),  # layout
        (b"hello world\n", b"Hello World\n"),  # letter case
        (b"1\t2\n", b"1 2\n"),
    ],
)
def test_std_presentation_error(output: bytes, expected: bytes) -> None:
    result = jutge_std(output, expected)
    assert verdict(result) == "PE"
    assert result.message.startswith("presentation error")


@pytest.mark.parametrize(
    ("output", "expected"),
    [(b"1 3\n", b"1 2\n"), (b"1 2 3\n", b"1 2\n"), (b"", b"1\n"), (b"12\n", b"1 2\n"), (b"1\n", b"")],
)
def test_std_wrong_answer(output: bytes, expected: bytes) -> None:
    assert verdict(jutge_std(output, expected)) == "WA"


def test_std_messages_name_the_line_but_not_the_answer() -> None:
    result = jutge_std(b"a\nb\nguess\n", b"a\nb\nSECRET42\n")
    assert verdict(result) == "WA"
    assert "line 3" in result.message
    assert "SECRET42" not in result.message
    assert "SECRET42" in result.judge_message


def test_loosy_turns_presentation_error_into_ac() -> None:
    assert verdict(jutge_loosy(b"HELLO   world", b"hello world\n")) == "AC"
    assert verdict(jutge_loosy(b"1 2\n", b"1 2\n")) == "AC"
    assert verdict(jutge_loosy(b"1 3\n", b"1 2\n")) == "WA"
    assert verdict(jutge_loosy(b"1 2\x00\n", b"1 2\n")) == "IC"


# ---------------------------------------------------------------------------------------------
# Jutge epsilon
# ---------------------------------------------------------------------------------------------


def test_epsilon_absolute_boundary() -> None:
    # 1.25 and 0.25 are exact binary fractions, so the boundary is exact.
    assert verdict(jutge_epsilon(b"1.25\n", b"1\n", 0.25)) == "AC"
    assert verdict(jutge_epsilon(b"0.75\n", b"1\n", 0.25)) == "AC"
    assert verdict(jutge_epsilon(b"1.2500001\n", b"1\n", 0.25)) == "WA"
    assert verdict(jutge_epsilon(b"0.7499999\n", b"1\n", 0.25)) == "WA"


def test_epsilon_default_is_tight() -> None:
    assert verdict(jutge_epsilon(b"1.0000000001\n", b"1\n")) == "AC"
    assert verdict(jutge_epsilon(b"1.00000001\n", b"1\n")) == "WA"


def test_epsilon_relative_boundary_is_measured_against_expected() -> None:
    assert verdict(jutge_epsilon(b"6\n", b"4\n", 0.5, relative=True)) == "AC"  # |6-4| = 0.5*4
    assert verdict(jutge_epsilon(b"6.0001\n", b"4\n", 0.5, relative=True)) == "WA"
    assert verdict(jutge_epsilon(b"2\n", b"4\n", 0.5, relative=True)) == "AC"
    # asymmetric: the tolerance scales with the expected value only
    assert verdict(jutge_epsilon(b"3.1\n", b"2\n", 0.5, relative=True)) == "WA"
    assert verdict(jutge_epsilon(b"2\n", b"3.1\n", 0.5, relative=True)) == "AC"


def test_epsilon_relative_with_zero_expected_falls_back_to_absolute() -> None:
    assert verdict(jutge_epsilon(b"0.5\n", b"0\n", 0.5, relative=True)) == "AC"
    assert verdict(jutge_epsilon(b"-0.5\n", b"0.0\n", 0.5, relative=True)) == "AC"
    assert verdict(jutge_epsilon(b"0.51\n", b"0\n", 0.5, relative=True)) == "WA"


def test_epsilon_relative_is_not_absolute_for_large_values() -> None:
    assert verdict(jutge_epsilon(b"1000.5\n", b"1000\n", 1e-3, relative=True)) == "AC"
    assert verdict(jutge_epsilon(b"1000.5\n", b"1000\n", 1e-3)) == "WA"


def test_epsilon_non_numeric_tokens_compare_exactly() -> None:
    assert verdict(jutge_epsilon(b"yes 1.0\n", b"yes 1\n", 1e-6)) == "AC"
    assert verdict(jutge_epsilon(b"YES 1\n", b"yes 1\n", 1e-6)) == "WA"
    assert verdict(jutge_epsilon(b"one\n", b"1\n", 1e-6)) == "WA"
    assert verdict(jutge_epsilon(b"1\n", b"one\n", 1e-6)) == "WA"


@pytest.mark.parametrize(
    ("output", "expected", "expected_verdict"),
    [
        (b"nan\n", b"nan\n", "AC"),
        (b"inf\n", b"inf\n", "AC"),
        (b"nan 1.0\n", b"nan 1\n", "AC"),
        (b"NaN\n", b"nan\n", "WA"),  # not numbers: compared as text
        (b"nan\n", b"1\n", "WA"),
        (b"1\n", b"nan\n", "WA"),
        (b"inf\n", b"1e308\n", "WA"),
        (b"-inf\n", b"inf\n", "WA"),
        (b"1e999\n", b"2e999\n", "WA"),  # overflow to infinity: not a number
        (b"1e999\n", b"1e999\n", "AC"),
        (b"0x1p1\n", b"2\n", "AC"),  # C-style hexadecimal float
        (b"1_000\n", b"1000\n", "WA"),  # Python-only syntax is not a number
    ],
)
def test_epsilon_nan_inf_and_number_syntax(output: bytes, expected: bytes, expected_verdict: str) -> None:
    assert verdict(jutge_epsilon(output, expected, 1e-6)) == expected_verdict


def test_epsilon_presentation_error_when_only_layout_differs() -> None:
    assert verdict(jutge_epsilon(b"1.0 2.0\n", b"1\n2\n", 1e-6)) == "PE"
    assert verdict(jutge_epsilon(b"1.0\n2.0", b"1\n2\n", 1e-6)) == "PE"
    assert verdict(jutge_epsilon(b"1.0\n2.0\n", b"1\n2\n", 1e-6)) == "AC"


def test_epsilon_token_count() -> None:
    short = jutge_epsilon(b"1\n", b"1\n2\n", 1e-6)
    assert verdict(short) == "WA" and "ended early" in short.message
    long = jutge_epsilon(b"1\n2\n3\n", b"1\n2\n", 1e-6)
    assert verdict(long) == "WA" and "extra" in long.message


def test_epsilon_invalid_character_and_message() -> None:
    assert verdict(jutge_epsilon(b"1\x00\n", b"1\n")) == "IC"
    result = jutge_epsilon(b"1\n2\n7.5\n", b"1\n2\n3.14159\n", 1e-3)
    assert verdict(result) == "WA"
    assert "line 3" in result.message and "token 3" in result.message
    assert "3.14159" not in result.message and "3.14159" in result.judge_message


# ---------------------------------------------------------------------------------------------
# Jutge elastic
# ---------------------------------------------------------------------------------------------


def test_elastic_any_order_is_ac() -> None:
    assert verdict(jutge_elastic(b"c\na\nb\n", b"a\nb\nc\n", "\n")) == "AC"
    assert verdict(jutge_elastic(b"3,1,2", b"1,2,3", ",")) == "AC"
    assert verdict(jutge_elastic(b"1 2\n3 4\n", b"3 4\n1 2\n", "\n")) == "AC"


def test_elastic_multisets_count_duplicates() -> None:
    assert verdict(jutge_elastic(b"a\nb\na\n", b"a\na\nb\n", "\n")) == "AC"
    assert verdict(jutge_elastic(b"a\nb\nb\n", b"a\na\nb\n", "\n")) == "WA"  # same set, other counts
    assert verdict(jutge_elastic(b"a\nb\n", b"a\na\nb\n", "\n")) == "WA"
    assert verdict(jutge_elastic(b"1,2,2", b"1,2", ",")) == "WA"


@pytest.mark.parametrize(
    ("output", "expected", "sep"),
    [
        (b"b\na", b"a\nb\n", "\n"),  # missing terminator
        (b"b\n a \n", b"a\nb\n", "\n"),  # spaces around an item
        (b"B\na\n", b"a\nb\n", "\n"),  # case
        (b"b\n\na\n", b"a\nb\n", "\n"),  # blank line with a whitespace separator
        (b"1 2\n3  4\n", b"3 4\n1 2\n", "\n"),  # spacing inside an item
        (b"1, 2,3", b"3,1,2", ","),
        (b"1,2,3,", b"3,1,2", ","),  # trailing separator
        (b"1,2,3\n", b"3,1,2", ","),
    ],
)
def test_elastic_presentation_error(output: bytes, expected: bytes, sep: str) -> None:
    assert verdict(jutge_elastic(output, expected, sep)) == "PE"


def test_elastic_wrong_answer_and_message() -> None:
    result = jutge_elastic(b"b\nc\n", b"a\nb\n", "\n")
    assert verdict(result) == "WA"
    assert "A" not in result.message.replace("wrong answer", "")
    assert "b'A'" in result.judge_message and "b'C'" in result.judge_message


def test_elastic_multi_byte_separator_and_bytes_argument() -> None:
    assert verdict(jutge_elastic(b"y--x--", b"x--y--", "--")) == "AC"
    assert verdict(jutge_elastic(b"y--x--", b"x--y--", b"--")) == "AC"
    assert verdict(jutge_elastic(b"y-x--", b"x--y--", "--")) == "WA"


def test_elastic_edge_cases() -> None:
    assert verdict(jutge_elastic(b"", b"", "\n")) == "AC"
    assert verdict(jutge_elastic(b"\n", b"", "\n")) == "PE"
    assert verdict(jutge_elastic(b"", b"a\n", "\n")) == "WA"
    assert verdict(jutge_elastic(b"a\x01\n", b"a\n", "\n")) == "IC"
    assert verdict(jutge_elastic(b"a", b"b", "")) == "IE"


# ---------------------------------------------------------------------------------------------
# Jutge elastic2
# ---------------------------------------------------------------------------------------------

SETS = {"separator1": "\n", "separator2": ",", "starting": "{", "ending": "}"}


def elastic2(output: bytes, expected: bytes, **overrides: str) -> CheckResult:
    options = {**SETS, **overrides}
    return jutge_elastic2(
        output, expected, options["separator1"], options["separator2"], options["starting"], options["ending"]
    )


def test_elastic2_both_levels_in_any_order() -> None:
    assert verdict(elastic2(b"{3}\n{2,1}\n", b"{1,2}\n{3}\n")) == "AC"
    assert verdict(elastic2(b"{}\n{b,a}\n", b"{a,b}\n{}\n")) == "AC"


def test_elastic2_multisets_at_both_levels() -> None:
    assert verdict(elastic2(b"{1,1}\n{2}\n", b"{2}\n{1,1}\n")) == "AC"
    assert verdict(elastic2(b"{1,2}\n{2}\n", b"{2}\n{1,1}\n")) == "WA"
    assert verdict(elastic2(b"{1}\n{1}\n{2}\n", b"{2}\n{1}\n{1}\n")) == "AC"
    assert verdict(elastic2(b"{1}\n{2}\n{2}\n", b"{2}\n{1}\n{1}\n")) == "WA"
    assert verdict(elastic2(b"{1,2}\n", b"{1}\n{2}\n")) == "WA"  # regrouping matters


@pytest.mark.parametrize(
    "output",
    [
        b"{3}\n{2,1}",  # missing terminator
        b"{3}\n\n{2,1}\n",  # blank line
        b" {3}\n{2, 1}\n",  # spaces
        b"{3}\n{2,1}\n\n\n",
    ],
)
def test_elastic2_presentation_error(output: bytes) -> None:
    assert verdict(elastic2(output, b"{1,2}\n{3}\n")) == "PE"


def test_elastic2_case_is_presentation() -> None:
    assert verdict(elastic2(b"{B,a}\n", b"{a,b}\n")) == "PE"
    assert verdict(elastic2(b"SET(1)\n", b"set(1)\n", starting="set(", ending=")")) == "PE"


def test_elastic2_malformed_output_is_wa_and_malformed_expected_is_je() -> None:
    assert verdict(elastic2(b"{1,2\n{3}\n", b"{1,2}\n{3}\n")) == "WA"
    assert verdict(elastic2(b"1,2\n3\n", b"{1,2}\n{3}\n")) == "WA"
    assert verdict(elastic2(b"{1}\n", b"[1]\n")) == "IE"
    assert verdict(elastic2(b"[1]\n", b"[1]\n")) == "AC"  # byte-equal wins regardless


def test_elastic2_without_wrappers_and_other_separators() -> None:
    assert (
        verdict(elastic2(b"3;2 1", b"1 2;3", separator1=";", separator2=" ", starting="", ending="")) == "AC"
    )
    assert (
        verdict(
            elastic2(
                b"[b|a] / [c]", b"[c] / [a|b]", separator1=" / ", separator2="|", starting="[", ending="]"
            )
        )
        == "AC"
    )
    assert verdict(elastic2(b"<<1,2>>\n", b"<<2,1>>\n", starting="<<", ending=">>")) == "AC"
    # wrappers overlapping inside a too-short group
    assert verdict(elastic2(b"<<>\n", b"<<>>\n", starting="<<", ending=">>")) == "WA"


def test_elastic2_edge_cases() -> None:
    assert verdict(elastic2(b"{1}\x02\n", b"{1}\n")) == "IC"
    assert verdict(elastic2(b"", b"")) == "AC"
    assert verdict(elastic2(b"", b"{1}\n")) == "WA"
    assert verdict(elastic2(b"a", b"b", separator1="")) == "IE"
    assert verdict(elastic2(b"a", b"b", separator2="")) == "IE"


def test_elastic2_wrong_answer_message_is_neutral() -> None:
    result = elastic2(b"{1,2}\n{4}\n", b"{2,1}\n{SECRET}\n")
    assert verdict(result) == "WA"
    assert "SECRET" not in result.message and "SECRET" in result.judge_message


# ---------------------------------------------------------------------------------------------
# Kattis default validator
# ---------------------------------------------------------------------------------------------


def test_kattis_tokens_and_whitespace() -> None:
    assert verdict(kattis_default(b"1 2\n", b"1 2\n")) == "AC"
    assert verdict(kattis_default(b"1\n\n  2", b"1 2\n")) == "AC"
    assert verdict(kattis_default(b"", b"")) == "AC"
    assert verdict(kattis_default(b" \n\t", b"")) == "AC"
    assert verdict(kattis_default(b"1 3\n", b"1 2\n")) == "WA"
    assert verdict(kattis_default(b"12\n", b"1 2\n")) == "WA"


def test_kattis_case() -> None:
    assert verdict(kattis_default(b"HeLLo\n", b"hello\n")) == "AC"
    assert verdict(kattis_default(b"HeLLo\n", b"hello\n", case_sensitive=True)) == "WA"
    assert verdict(kattis_default(b"hello\n", b"hello\n", case_sensitive=True)) == "AC"


@pytest.mark.parametrize(
    "output",
    [b"1  2\n", b"1 2", b"1 2\n\n", b" 1 2\n", b"1\t2\n", b"1\n2\n", b"1 2\r\n"],
)
def test_kattis_space_change_sensitive_rejects(output: bytes) -> None:
    assert verdict(kattis_default(output, b"1 2\n")) == "AC"
    result = kattis_default(output, b"1 2\n", space_change_sensitive=True)
    assert verdict(result) == "WA"
    assert "whitespace" in result.message


def test_kattis_space_change_sensitive_still_compares_tokens_loosely() -> None:
    assert verdict(kattis_default(b"A b\n", b"a B\n", space_change_sensitive=True)) == "AC"
    assert (
        verdict(kattis_default(b"1.0 2\n", b"1 2\n", space_change_sensitive=True, float_tolerance=1e-9))
        == "AC"
    )
    assert verdict(kattis_default(b"1 3\n", b"1 2\n", space_change_sensitive=True)) == "WA"


def test_kattis_reports_the_first_failure_in_stream_order() -> None:
    whitespace_first = kattis_default(b"a  c\n", b"a b\n", space_change_sensitive=True)
    assert "whitespace" in whitespace_first.message
    token_first = kattis_default(b"x b  \n", b"a b\n", space_change_sensitive=True)
    assert "token 1" in token_first.message


def test_kattis_floats_need_a_tolerance() -> None:
    assert verdict(kattis_default(b"1.0\n", b"1\n")) == "WA"
    assert verdict(kattis_default(b"1.0\n", b"1\n", float_absolute_tolerance=-1)) == "WA"  # negative = unset
    assert verdict(kattis_default(b"1.0\n", b"1\n", float_absolute_tolerance=0)) == "AC"
    assert verdict(kattis_default(b"3.14000000e-2\n", b"0.0314\n", float_tolerance=1e-9)) == "AC"


def test_kattis_absolute_tolerance_boundary() -> None:
    assert verdict(kattis_default(b"1.25\n", b"1\n", float_absolute_tolerance=0.25)) == "AC"
    assert verdict(kattis_default(b"0.75\n", b"1\n", float_absolute_tolerance=0.25)) == "AC"
    assert verdict(kattis_default(b"1.2500001\n", b"1\n", float_absolute_tolerance=0.25)) == "WA"


def test_kattis_relative_tolerance_boundary() -> None:
    assert verdict(kattis_default(b"6\n", b"4\n", float_relative_tolerance=0.5)) == "AC"
    assert verdict(kattis_default(b"6.0001\n", b"4\n", float_relative_tolerance=0.5)) == "WA"
    assert verdict(kattis_default(b"2\n", b"3.1\n", float_relative_tolerance=0.5)) == "AC"
    assert verdict(kattis_default(b"3.1\n", b"2\n", float_relative_tolerance=0.5)) == "WA"
    assert verdict(kattis_default(b"0.1\n", b"0\n", float_relative_tolerance=0.5)) == "WA"
    assert verdict(kattis_default(b"0\n", b"0.0\n", float_relative_tolerance=0.5)) == "AC"


def test_kattis_either_tolerance_is_enough() -> None:
    kwargs: dict[str, Any] = {"float_absolute_tolerance": 0.1, "float_relative_tolerance": 0.5}
    assert verdict(kattis_default(b"140\n", b"100\n", **kwargs)) == "AC"  # relative accepts
    assert verdict(kattis_default(b"0.05\n", b"0\n", **kwargs)) == "AC"  # absolute accepts
    assert verdict(kattis_default(b"160\n", b"100\n", **kwargs)) == "WA"


def test_kattis_float_tolerance_sets_both_and_explicit_ones_override() -> None:
    assert verdict(kattis_default(b"0.5\n", b"0\n", float_tolerance=0.5)) == "AC"
    assert verdict(kattis_default(b"150\n", b"100\n", float_tolerance=0.5)) == "AC"
    assert (
        verdict(kattis_default(b"0.5\n", b"0\n", float_tolerance=0.5, float_absolute_tolerance=0.0)) == "WA"
    )
    assert (
        verdict(kattis_default(b"150\n", b"100\n", float_tolerance=0.5, float_relative_tolerance=0.0)) == "WA"
    )


@pytest.mark.parametrize(
    ("output", "expected", "expected_verdict"),
    [
        (b"abc\n", b"1.5\n", "WA"),  # expected a number
        (b"nan\n", b"1\n", "WA"),  # NaN is not a number for the validator
        (b"inf\n", b"1e308\n", "WA"),
        (b"1e999\n", b"1e308\n", "WA"),  # overflows: not a finite number
        (b"NaN\n", b"nan\n", "AC"),  # expected NaN is text: case-insensitive string compare
        (b"Inf\n", b"inf\n", "AC"),
        (b"1e400\n", b"1E400\n", "AC"),  # not finite: compared as (case-insensitive) text
        (b"2e400\n", b"1e400\n", "WA"),
        (b"0x1p1\n", b"2\n", "AC"),  # strtod accepts hexadecimal floats
        (b"1_0\n", b"10\n", "WA"),
        (b"1.5abc\n", b"1.5\n", "WA"),
        (b"word\n", b"WORD\n", "AC"),  # non-numeric tokens still string-compared
    ],
)
def test_kattis_float_parsing_nan_inf(output: bytes, expected: bytes, expected_verdict: str) -> None:
    assert verdict(kattis_default(output, expected, float_tolerance=1e-6)) == expected_verdict


def test_kattis_token_count_and_messages() -> None:
    early = kattis_default(b"1\n", b"1\nSECRET\n")
    assert verdict(early) == "WA" and "ended early" in early.message
    assert "SECRET" not in early.message and "SECRET" in early.judge_message
    trailing = kattis_default(b"1\n2\n", b"1\n")
    assert verdict(trailing) == "WA" and "extra" in trailing.message
    assert verdict(kattis_default(b"", b"1\n")) == "WA"
    mismatch = kattis_default(b"a\nb c guess\n", b"a\nb c SECRET\n")
    assert mismatch.message == "line 2: token 4 differs"
    assert "SECRET" in mismatch.judge_message and "line 2 in answer file" in mismatch.judge_message


def test_kattis_never_presentation_error() -> None:
    for output in (b"1  2", b"A B", b"1.0 2", b"1 2 3"):
        for flags in ({}, {"case_sensitive": True}, {"space_change_sensitive": True}):
            assert verdict(kattis_default(output, b"a b\n", **flags)) in {"AC", "WA"}


# ---------------------------------------------------------------------------------------------
# Custom checker programs
# ---------------------------------------------------------------------------------------------


def test_kattis_validator_exit_codes(tmp_path: Path) -> None:
    assert verdict(interpret_kattis_validator(42, tmp_path)) == "AC"
    assert verdict(interpret_kattis_validator(43, tmp_path)) == "WA"
    for code in (0, 1, 2, 44, -9, 139):
        result = interpret_kattis_validator(code, tmp_path)
        assert verdict(result) == "IE"
        assert str(code) in result.judge_message


def test_kattis_validator_messages_and_score(tmp_path: Path) -> None:
    (tmp_path / "judgemessage.txt").write_text("expected 17, got 4\n")
    (tmp_path / "teammessage.txt").write_text("your path is too long\n")
    (tmp_path / "score.txt").write_text(" 37.5\n")
    result = interpret_kattis_validator(43, tmp_path)
    assert result.verdict == "WA"
    assert result.message == "your path is too long"
    assert result.judge_message == "expected 17, got 4"
    assert result.score == 37.5
    accepted = interpret_kattis_validator(42, tmp_path)
    assert (accepted.verdict, accepted.score) == ("AC", 37.5)


def test_kattis_validator_default_messages(tmp_path: Path) -> None:
    result = interpret_kattis_validator(43, tmp_path)
    assert result.message == "wrong answer" and result.score is None
    assert interpret_kattis_validator(42, tmp_path / "missing").verdict == "AC"


def test_kattis_validator_bad_score(tmp_path: Path) -> None:
    (tmp_path / "score.txt").write_text("lots\n")
    assert verdict(interpret_kattis_validator(42, tmp_path)) == "IE"
    wrong = interpret_kattis_validator(43, tmp_path)
    assert (wrong.verdict, wrong.score) == ("WA", None)
    (tmp_path / "score.txt").write_text("nan")
    assert verdict(interpret_kattis_validator(42, tmp_path)) == "IE"


def test_kattis_validator_caps_and_tolerates_bad_bytes(tmp_path: Path) -> None:
    (tmp_path / "judgemessage.txt").write_bytes(b"\xff\xfe" + b"x" * (3 * FEEDBACK_CAP))
    (tmp_path / "teammessage.txt").write_bytes(b"caf\xc3")
    result = interpret_kattis_validator(43, tmp_path)
    assert len(result.judge_message) <= FEEDBACK_CAP + 20
    assert result.judge_message.endswith("[truncated]")
    assert result.message.startswith("caf")


def test_kattis_validator_does_not_follow_symlinks(tmp_path: Path) -> None:
    secret = tmp_path / "secret"
    secret.write_text("host secret")
    feedback = tmp_path / "feedback"
    feedback.mkdir()
    os.symlink(secret, feedback / "teammessage.txt")
    (feedback / "judgemessage.txt").mkdir()  # not a regular file either
    result = interpret_kattis_validator(43, feedback)
    assert "host secret" not in result.message + result.judge_message
    assert result.message == "wrong answer"


@pytest.mark.parametrize(
    ("code", "expected_verdict"),
    [
        (0, "AC"),
        (1, "WA"),
        (2, "PE"),
        (3, "IE"),
        (4, "WA"),
        (8, "PE"),
        (5, "IE"),
        (6, "IE"),
        (-11, "IE"),
        (255, "IE"),
    ],
)
def test_testlib_exit_codes(code: int, expected_verdict: str) -> None:
    result = interpret_testlib(code, "wrong answer expected 5, found 6")
    assert verdict(result) == expected_verdict
    assert result.score is None
    assert "expected 5" not in result.message  # checker text is staff-only
    assert "expected 5" in result.judge_message


@pytest.mark.parametrize(
    ("text", "score"),
    [
        ("points 0.5", 0.5),
        ("points 37 good but slow", 37.0),
        ("points 1e-1 tiny", 0.1),
        ("partially correct (50) not optimal", 50.0),
        ("partially correct (0.5)", 0.5),
        ("some preamble\npoints .25 ok", 0.25),
    ],
)
def test_testlib_points(text: str, score: float) -> None:
    result = interpret_testlib(7, text)
    assert (result.verdict, result.score) == ("AC", score)


def test_testlib_points_zero_and_missing() -> None:
    zero = interpret_testlib(7, "points 0 nothing")
    assert (zero.verdict, zero.score) == ("WA", 0.0)
    assert verdict(interpret_testlib(7, "ok all good")) == "IE"
    assert verdict(interpret_testlib(7, "")) == "IE"


def test_testlib_caps_output() -> None:
    result = interpret_testlib(1, "x" * (2 * FEEDBACK_CAP))
    assert len(result.judge_message) <= FEEDBACK_CAP + 20


@pytest.mark.parametrize(
    ("code", "stdout", "expected_verdict"),
    [
        (0, "AC\n", "AC"),
        (0, "WA because line 3", "WA"),
        (0, "  pe\n", "PE"),
        (0, "IC", "IC"),
        (0, "IE oops", "IE"),
        (0, "JE", "IE"),
        (0, "", "IE"),
        (0, "ACCEPTED", "IE"),
        (0, "maybe", "IE"),
        (1, "AC", "IE"),
        (-9, "", "IE"),
    ],
)
def test_jutge_external(code: int, stdout: str, expected_verdict: str) -> None:
    assert verdict(interpret_jutge_external(code, stdout)) == expected_verdict


def test_jutge_external_details_are_staff_only() -> None:
    result = interpret_jutge_external(0, "WA expected 42")
    assert "42" not in result.message and "expected 42" in result.judge_message


# ---------------------------------------------------------------------------------------------
# Dispatcher
# ---------------------------------------------------------------------------------------------


def test_check_dispatches_builtin_kinds() -> None:
    assert check(CheckerSpec("std"), b"1  2", b"1 2\n").verdict == "PE"
    assert check(CheckerSpec("loosy"), b"1  2", b"1 2\n").verdict == "AC"
    assert check(CheckerSpec("epsilon", {"epsilon": 0.5}), b"1.4\n", b"1\n").verdict == "AC"
    assert check(CheckerSpec("epsilon"), b"1.4\n", b"1\n").verdict == "WA"
    assert (
        check(CheckerSpec("epsilon", {"epsilon": "0.5", "relative": "true"}), b"6\n", b"4\n").verdict == "AC"
    )
    assert check(CheckerSpec("epsilon", {"epsilon": 0.5, "relative": False}), b"6\n", b"4\n").verdict == "WA"
    assert check(CheckerSpec("elastic", {"separator": "\n"}), b"b\na\n", b"a\nb\n").verdict == "AC"
    assert check(CheckerSpec("elastic2", dict(SETS)), b"{2,1}\n", b"{1,2}\n").verdict == "AC"
    assert (
        check(
            CheckerSpec("elastic2", {"separator1": "\n", "separator2": " "}), b"2 1\n3\n", b"3\n1 2\n"
        ).verdict
        == "AC"
    )
    assert check(CheckerSpec("kattis-default"), b"A", b"a").verdict == "AC"
    kattis = CheckerSpec(
        "kattis-default", {"case_sensitive": True, "float_tolerance": 1e-3, "space_change_sensitive": False}
    )
    assert check(kattis, b"A 1.0001", b"a 1").verdict == "WA"
    assert check(kattis, b"a  1.0001", b"a 1").verdict == "AC"


def test_check_presentation_error_false_turns_pe_into_wa() -> None:
    spec = CheckerSpec("std", presentation_error=False)
    result = check(spec, b"1  2", b"1 2\n")
    assert result.verdict == "WA"
    assert result.message.startswith("wrong answer")
    assert check(spec, b"1 2\n", b"1 2\n").verdict == "AC"
    assert check(CheckerSpec("epsilon", presentation_error=False), b"1 2", b"1\n2\n").verdict == "WA"
    assert (
        check(
            CheckerSpec("elastic", {"separator": "\n"}, presentation_error=False), b"b\na", b"a\nb\n"
        ).verdict
        == "WA"
    )
    assert check(CheckerSpec("loosy", presentation_error=False), b"1  2", b"1 2\n").verdict == "AC"


@pytest.mark.parametrize("kind", sorted(PROGRAM_KINDS))
def test_check_refuses_program_kinds(kind: str) -> None:
    spec = CheckerSpec(kind, source=Path("checker.cc"))
    assert needs_program(spec)
    with pytest.raises(NeedsProgram) as caught:
        check(spec, b"", b"")
    assert isinstance(caught.value, CheckerError) and isinstance(caught.value, JudgeError)
    assert not isinstance(caught.value, ValueError)


@pytest.mark.parametrize(
    "spec",
    [
        CheckerSpec("nonsense"),
        CheckerSpec("epsilon", {"epsilon": "abc"}),
        CheckerSpec("epsilon", {"epsilon": -1}),
        CheckerSpec("epsilon", {"epsilon": True}),
        CheckerSpec("epsilon", {"relative": "maybe"}),
        CheckerSpec("elastic"),
        CheckerSpec("elastic", {"separator": ""}),
        CheckerSpec("elastic", {"separator": 5}),
        CheckerSpec("elastic2", {"separator1": "\n"}),
        CheckerSpec("kattis-default", {"float_tolerance": "tiny"}),
        CheckerSpec("kattis-default", {"case_sensitive": 7}),
    ],
)
def test_check_bad_configuration_is_judge_error(spec: CheckerSpec) -> None:
    result = check(spec, b"1\n", b"2\n")
    assert result.verdict == "IE"
    assert result.judge_message


def test_builtin_kinds_are_all_dispatched() -> None:
    assert not BUILTIN_KINDS & PROGRAM_KINDS
    options: dict[str, object] = {"separator": "\n", **SETS}
    for kind in BUILTIN_KINDS:
        assert not needs_program(CheckerSpec(kind))
        assert check(CheckerSpec(kind, options), b"{1}\n", b"{1}\n").verdict == "AC"


# ---------------------------------------------------------------------------------------------
# Huge inputs: linear time, no blow-up
# ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def huge() -> bytes:
    rng = random.Random(7)
    return b"".join(b"%d %d\n" % (rng.randrange(10**9), rng.randrange(10**6)) for _ in range(1_000_000))


def timed(fn: object, *args: object, **kwargs: object) -> tuple[CheckResult, float]:
    start = time.perf_counter()
    result = fn(*args, **kwargs)  # type: ignore[operator]
    return result, time.perf_counter() - start


def test_huge_outputs_are_checked_quickly(huge: bytes) -> None:
    assert len(huge) > 10_000_000
    wrong_last = huge[:-2] + b"X\n"
    reflowed = huge.replace(b"\n", b" ")
    cases = [
        (jutge_std, (huge, huge), {}, "AC"),
        (jutge_std, (wrong_last, huge), {}, "WA"),
        (jutge_std, (reflowed, huge), {}, "PE"),
        (kattis_default, (reflowed, huge), {}, "AC"),
        (kattis_default, (wrong_last, huge), {}, "WA"),
        (kattis_default, (reflowed, huge), {"space_change_sensitive": True}, "WA"),
        (jutge_epsilon, (reflowed, huge), {}, "PE"),
    ]
    for fn, args, kwargs, expected_verdict in cases:
        result, seconds = timed(fn, *args, **kwargs)
        assert result.verdict == expected_verdict, fn
        assert seconds < 20, (fn, seconds)
    result = jutge_std(wrong_last, huge)
    assert "line 1000000" in result.message


def test_huge_float_and_elastic_inputs(huge: bytes) -> None:
    lines = huge.splitlines(keepends=True)[:300_000]
    expected = b"".join(lines)
    shuffled = lines[:]
    random.Random(3).shuffle(shuffled)
    result, seconds = timed(jutge_elastic, b"".join(shuffled), expected, "\n")
    assert result.verdict == "AC" and seconds < 20
    floats = b"\n".join(b"%d.0000001" % i for i in range(300_000))
    integers = b"\n".join(b"%d" % i for i in range(300_000))
    result, seconds = timed(kattis_default, floats, integers, float_absolute_tolerance=1e-6)
    assert result.verdict == "AC" and seconds < 20
    result, seconds = timed(jutge_epsilon, floats, integers, 1e-6)
    assert result.verdict == "AC" and seconds < 20


def test_huge_single_line_message_stays_short() -> None:
    expected = b"a" * 5_000_000
    result = jutge_std(expected[:-1] + b"b", expected)
    assert result.verdict == "WA"
    assert len(result.judge_message) < 1000


# ---------------------------------------------------------------------------------------------
# Properties
# ---------------------------------------------------------------------------------------------

token = st.text(alphabet=st.characters(min_codepoint=33, max_codepoint=126), min_size=1, max_size=6).map(
    str.encode
)
tokens = st.lists(token, min_size=1, max_size=20)
whitespace_run = st.sampled_from([b" ", b"  ", b"\t", b"\n", b"\r\n", b" \n"])
ALL_KATTIS_FLAGS: list[dict[str, Any]] = [
    {},
    {"case_sensitive": True},
    {"space_change_sensitive": True},
    {"float_tolerance": 1e-6},
    {"case_sensitive": True, "space_change_sensitive": True, "float_relative_tolerance": 1e-3},
]


def answer(toks: list[bytes]) -> bytes:
    return b" ".join(toks) + b"\n"


@given(st.binary(max_size=300))
def test_property_everything_accepts_itself(data: bytes) -> None:
    assert jutge_std(data, data).verdict == "AC"
    assert jutge_loosy(data, data).verdict == "AC"
    assert jutge_epsilon(data, data).verdict == "AC"
    assert jutge_epsilon(data, data, 0.1, relative=True).verdict == "AC"
    assert jutge_elastic(data, data, "\n").verdict == "AC"
    assert jutge_elastic(data, data, b",").verdict == "AC"
    assert jutge_elastic2(data, data, "\n", ",", "{", "}").verdict == "AC"
    for flags in ALL_KATTIS_FLAGS:
        assert kattis_default(data, data, **flags).verdict == "AC"


@given(st.binary(max_size=200), st.binary(max_size=200))
def test_property_arbitrary_bytes_never_crash(output: bytes, expected: bytes) -> None:
    results = [
        jutge_std(output, expected),
        jutge_loosy(output, expected),
        jutge_epsilon(output, expected, 0.01),
        jutge_epsilon(output, expected, 0.01, relative=True),
        jutge_elastic(output, expected, "\n"),
        jutge_elastic2(output, expected, "\n", " ", "", ""),
        jutge_elastic2(output, expected, "\n", ",", "(", ")"),
        *(kattis_default(output, expected, **flags) for flags in ALL_KATTIS_FLAGS),
    ]
    for result in results:
        assert result.verdict in VERDICTS
        assert isinstance(result.message, str) and isinstance(result.judge_message, str)


@given(tokens, st.data())
def test_property_reformatting_whitespace(toks: list[bytes], data: st.DataObject) -> None:
    expected = answer(toks)
    runs = data.draw(st.lists(whitespace_run, min_size=len(toks), max_size=len(toks)))
    lead = data.draw(st.sampled_from([b"", b" ", b"\n"]))
    output = lead + b"".join(t + r for t, r in zip(toks, runs, strict=False))
    assume(output != expected)
    assert jutge_std(output, expected).verdict == "PE"
    assert jutge_loosy(output, expected).verdict == "AC"
    assert jutge_epsilon(output, expected).verdict == "PE"
    assert kattis_default(output, expected).verdict == "AC"
    assert kattis_default(output, expected, case_sensitive=True).verdict == "AC"
    assert kattis_default(output, expected, space_change_sensitive=True).verdict == "WA"
    assert check(CheckerSpec("std", presentation_error=False), output, expected).verdict == "WA"


@given(tokens, token, st.data())
def test_property_adding_a_token_is_wrong(toks: list[bytes], extra: bytes, data: st.DataObject) -> None:
    expected = answer(toks)
    where = data.draw(st.integers(0, len(toks)))
    output = answer([*toks[:where], extra, *toks[where:]])
    assert jutge_std(output, expected).verdict == "WA"
    assert jutge_loosy(output, expected).verdict == "WA"
    assert jutge_epsilon(output, expected, 1e-6).verdict == "WA"
    for flags in ALL_KATTIS_FLAGS:
        assert kattis_default(output, expected, **flags).verdict == "WA"


@given(tokens)
def test_property_changing_case(toks: list[bytes]) -> None:
    expected = answer(toks)
    output = expected.swapcase()
    assume(output != expected)
    assert jutge_std(output, expected).verdict == "PE"
    assert kattis_default(output, expected).verdict == "AC"
    assert kattis_default(output, expected, space_change_sensitive=True).verdict == "AC"
    assert kattis_default(output, expected, case_sensitive=True).verdict == "WA"


@given(st.lists(token, min_size=1, max_size=15), st.randoms(use_true_random=False))
def test_property_elastic_accepts_permutations(items: list[bytes], rng: random.Random) -> None:
    expected = b"\n".join(items) + b"\n"
    shuffled = items[:]
    rng.shuffle(shuffled)
    assert jutge_elastic(b"\n".join(shuffled) + b"\n", expected, "\n").verdict == "AC"
    assert jutge_elastic(b"\n".join(shuffled), expected, "\n").verdict in {"AC", "PE"}
    assert jutge_elastic(b"\n".join([*shuffled, b"~" * 7]) + b"\n", expected, "\n").verdict == "WA"


@given(
    st.lists(st.lists(st.integers(0, 9), max_size=4), min_size=1, max_size=6),
    st.randoms(use_true_random=False),
)
def test_property_elastic2_accepts_permutations(groups: list[list[int]], rng: random.Random) -> None:
    def render(gs: list[list[int]]) -> bytes:
        return b"".join(b"{" + b",".join(b"%d" % x for x in g) + b"}\n" for g in gs)

    expected = render(groups)
    shuffled = [rng.sample(g, len(g)) for g in groups]
    rng.shuffle(shuffled)
    assert jutge_elastic2(render(shuffled), expected, "\n", ",", "{", "}").verdict == "AC"
    assert jutge_elastic2(render([*shuffled, [10]]), expected, "\n", ",", "{", "}").verdict == "WA"


finite = st.floats(min_value=-1e6, max_value=1e6, allow_nan=False, allow_infinity=False)


@given(st.lists(finite, min_size=1, max_size=10), st.data())
def test_property_floats_within_tolerance(values: list[float], data: st.DataObject) -> None:
    tol = 1e-3
    noise = data.draw(st.lists(st.floats(-tol / 2, tol / 2), min_size=len(values), max_size=len(values)))
    expected = b"\n".join(repr(v).encode() for v in values) + b"\n"
    output = b"\n".join(b"%.17g" % (v + d) for v, d in zip(values, noise, strict=False)) + b"\n"
    assert kattis_default(output, expected, float_absolute_tolerance=tol).verdict == "AC"
    assert kattis_default(output, expected, float_tolerance=tol).verdict == "AC"
    assert jutge_epsilon(output, expected, tol).verdict == "AC"


@given(st.lists(finite, min_size=1, max_size=10), st.integers(0, 9))
def test_property_floats_beyond_tolerance(values: list[float], where: int) -> None:
    tol = 1e-3
    k = where % len(values)
    expected = b"\n".join(repr(v).encode() for v in values) + b"\n"
    moved = [*values[:k], values[k] + 2 * tol, *values[k + 1 :]]
    output = b"\n".join(repr(v).encode() for v in moved) + b"\n"
    assert kattis_default(output, expected, float_absolute_tolerance=tol).verdict == "WA"
    assert jutge_epsilon(output, expected, tol).verdict == "WA"


@settings(max_examples=50)
@given(tokens, st.integers(0, 10**6))
def test_property_messages_never_reveal_the_expected_token(toks: list[bytes], n: int) -> None:
    secret = b"SECRET%d" % n
    expected = answer([secret])
    output = answer([t.lower().replace(b"s", b"z") for t in toks])
    results = [
        jutge_std(output, expected),
        jutge_epsilon(output, expected),
        jutge_elastic(output, expected, "\n"),
        kattis_default(output, expected),
        kattis_default(output, expected, space_change_sensitive=True),
    ]
    for result in results:
        assert result.verdict != "AC"
        assert "SECRET" not in result.message.upper()
