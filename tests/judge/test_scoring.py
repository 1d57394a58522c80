"""Scoring and the runner's wire format without a sandbox: both are pure since the grader and the
sandbox were split (issue 11), so their rules are checked here on hand-made results."""

from __future__ import annotations

from pathlib import Path

import pytest

from verdict.judge import scoring
from verdict.judge.grader import TestResult
from verdict.judge.problem import Problem, TestCase, TestGroup, TestKind
from verdict.judge.sandbox_runner import RunRequest, parse_response
from verdict.judge.verdicts import Verdict, most_severe

pytestmark = pytest.mark.unit


def _problem(groups: list[TestGroup] | None = None, **fields: object) -> Problem:
    names = {"a/1": "a", "a/2": "a", "b/1": "b", "b/2": "b"}
    tests = [
        TestCase(name, Path(f"{name}.in"), Path(f"{name}.ans"), TestKind.SECRET, group if groups else "")
        for name, group in names.items()
    ]
    return Problem(Path("p"), "kattis", "p", {}, {}, tests=tests, groups=groups or [], **fields)  # type: ignore[arg-type]


def _results(problem: Problem, *verdicts: Verdict) -> list[TestResult]:
    return [
        TestResult(test.name, test.kind.value, test.group, verdict)
        for test, verdict in zip(problem.tests, verdicts, strict=False)
    ]


def test_pass_fail_is_the_first_failure_or_ie_when_tests_are_missing() -> None:
    problem = _problem()
    assert scoring.summarise(problem, _results(problem, *[Verdict.AC] * 4)) == (Verdict.AC, 100.0, 100.0)
    assert scoring.summarise(problem, _results(problem, Verdict.AC, Verdict.WA)) == (Verdict.WA, 0.0, 100.0)
    assert scoring.summarise(problem, _results(problem, Verdict.AC, Verdict.AC))[0] == Verdict.IE
    every = _problem(continue_on_failure=True)
    results = _results(every, Verdict.WA, Verdict.TLE, Verdict.AC, Verdict.WA)
    assert scoring.summarise(every, results)[0] == most_severe([Verdict.WA, Verdict.TLE])


@pytest.mark.parametrize(
    ("verdicts", "expected"),
    [
        ([Verdict.AC] * 4, (Verdict.AC, 100.0)),
        ([Verdict.AC, Verdict.WA, Verdict.AC, Verdict.AC], (Verdict.SC, 85.0)),  # a: 30 × 1/2 + b: 70
        ([Verdict.AC, Verdict.AC, Verdict.AC, Verdict.TLE], (Verdict.SC, 30.0)),  # b is all-or-nothing
        ([Verdict.WA, Verdict.AC, Verdict.RE], (Verdict.SC, 15.0)),  # b/2 never ran
        ([Verdict.WA, Verdict.WA, Verdict.RE], (most_severe([Verdict.WA, Verdict.RE]), 0.0)),
    ],
)
def test_groups_sum_or_min_their_points(verdicts: list[Verdict], expected: tuple[Verdict, float]) -> None:
    problem = _problem([TestGroup("a", 30, aggregation="sum"), TestGroup("b", 70, aggregation="min")])
    assert scoring.max_score(problem) == 100.0
    assert scoring.summarise(problem, _results(problem, *verdicts)) == (*expected, 100.0)


def test_a_hidden_test_tells_its_verdict_only() -> None:
    assert scoring.hidden_messages("exit code 42", "exit code 42", Verdict.RE) == (
        Verdict.RE.description,
        "exit code 42",
    )
    assert scoring.hidden_messages("line 3 differs", "expected 7, got 8", Verdict.WA) == (
        Verdict.WA.description,
        "line 3 differs\nexpected 7, got 8",
    )
    assert scoring.hidden_messages("", "", Verdict.AC) == ("", "")


def test_run_request_fields_are_in_the_runners_order() -> None:
    """sandbox_runner.c reads: "run", wall_ms, rl_cpu_s, rl_as, rl_fsize, rl_nofile, rl_stack,
    rl_nproc, cwd, argc, argv..., envc, env..., each NUL-terminated."""
    request = RunRequest(1500, 2, 0, 4096, 64, 8192, 17, "/box", ["./a", "x y"], {"HOME": "/box"})
    fields = [b"run", b"1500", b"2", b"0", b"4096", b"64", b"8192", b"17", b"/box", b"2", b"./a", b"x y"]
    assert request.payload() == b"\0".join([*fields, b"1", b"HOME=/box"]) + b"\0"
    assert parse_response("exit=3 signal=0 wall_us=12 exec_errno=-1 junk error=x") == {
        "exit": 3,
        "signal": 0,
        "wall_us": 12,
        "exec_errno": -1,
    }
