"""Scoring: from what happened in each test to what the student is told, and the score.

Per test: the verdict of a run and its check, the student's message, and what a hidden test may
say. Per submission: the verdict and the score, pass/fail (the first failure, or the most severe
with continue_on_failure) or by groups of tests (all-or-nothing "min", or proportional "sum").
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from verdict.judge.check_result import CheckResult
from verdict.judge.problem import Problem, TestGroup
from verdict.judge.sandbox import RunResult, Status
from verdict.judge.verdicts import STATUS_VERDICTS, Verdict, most_severe


class Scored(Protocol):
    """What scoring reads of a test's result (a `verdict.judge.grader.TestResult`)."""

    name: str
    group: str
    verdict: Verdict


def check_verdict(check: CheckResult | None) -> Verdict:
    return Verdict.IE if check is None else check.verdict


def interactive_verdict(run: RunResult, check: CheckResult) -> Verdict:
    """Kattis order: over time first; a validator's rejection beats the program's crash (it
    often crashes because the validator hung up); then the program's failure; then acceptance.

    problemtools goes by which of the two ended first: a program that crashed before the
    validator rejected is a run-time error. Measured here (issue 12), that order is a race on a
    busy machine, wrong about one time in ten either way (a WA submission became RE), so a
    rejection always wins: a crash before the right answer is WA; after it, RE."""
    if run.status in (Status.TIME_LIMIT, Status.WALL_LIMIT):
        return Verdict.TLE
    if check.verdict == Verdict.WA:
        return Verdict.WA
    if run.status != Status.OK:
        return STATUS_VERDICTS[run.status]
    return check_verdict(check)


def internal_error_reason(run: RunResult, check: CheckResult | None) -> str:
    """What failed when a test's verdict is IE, for staff: never empty."""
    if check is None:
        detail = run.message or f"the sandbox reported {run.status.value} without a message"
        return f"sandbox: {detail}"
    text = check.judge_message or check.message
    if not text or text == check.message == "judge error":
        text = f"the checker gave {check.verdict.value} without saying why"
    if run.status != Status.OK:
        text += f" (the program: {' '.join(filter(None, (run.status.value, run.message)))})"
    return text


def student_message(run: RunResult, check: CheckResult | None, verdict: Verdict) -> str:
    if run.status != Status.OK:
        return run.message
    if check is not None and check.message:
        return check.message
    return "" if verdict == Verdict.AC else verdict.description


def hidden_messages(message: str, judge_message: str, verdict: Verdict) -> tuple[str, str]:
    """A hidden test tells the student its verdict only. An exit code, a signal or a checker's
    message is a channel: a program that exits with the input's first byte rebuilds a secret
    test in a few submissions (audit M1). The detail moves to the staff-only judge message."""
    kept = message if message and message not in judge_message else ""
    detail = "\n".join(part for part in (kept, judge_message) if part)
    return ("" if verdict == Verdict.AC else verdict.description), detail


def max_score(problem: Problem) -> float:
    """The most a submission can score: the groups' points, or 100 without groups."""
    return sum(g.points for g in problem.groups) if problem.groups else 100.0


def summarise(problem: Problem, tests: Sequence[Scored]) -> tuple[Verdict, float, float]:
    """The verdict, score and maximum score of a submission from its tests' results."""
    failures = [t.verdict for t in tests if t.verdict != Verdict.AC]
    if not problem.groups:
        complete = len(tests) == len(problem.tests)
        verdict = (
            (failures[0] if not problem.continue_on_failure else most_severe(failures))
            if failures
            else (Verdict.AC if complete else Verdict.IE)
        )
        return verdict, 100.0 if verdict == Verdict.AC else 0.0, 100.0
    score = sum(group_score(problem, group, tests) for group in problem.groups)
    best = max_score(problem)
    if score >= best - 1e-9 and not failures:
        verdict = Verdict.AC
    elif score > 0:
        verdict = Verdict.SC
    else:
        verdict = most_severe(failures) if failures else Verdict.WA
    return verdict, round(score, 4), best


def group_score(problem: Problem, group: TestGroup, tests: Sequence[Scored]) -> float:
    members = [t for t in problem.tests if t.group == group.name]
    if not members:
        return 0.0
    results = {t.name: t for t in tests if t.group == group.name}
    accepted = [results.get(t.name) for t in members]
    passed = sum(1 for r in accepted if r is not None and r.verdict == Verdict.AC)
    if group.aggregation == "sum":
        return group.points * passed / len(members)
    return group.points if passed == len(members) else 0.0
