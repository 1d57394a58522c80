"""Kattis multi-pass problems: the output validator may ask for the submission to run again.

The protocol (problem package format 2023-07 and 2025-09, as problemtools runs it in
``judge/execute.py``): after a pass the validator that accepts (exit 42) may write
``nextpass.in`` into its feedback directory; the submission then runs again with that file as
its input, and the validator is given it as the input file of the new pass. The feedback
directory is kept between passes, so the validator can leave itself notes there. The verdict of
the last pass is the test's; the time is that of the slowest pass.

Judge errors, as problemtools says them: a ``nextpass.in`` after a rejecting pass, and a
validator still asking for another pass after ``limits.validation_passes`` runs.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from verdict.judge.check_result import CheckResult, make_result
from verdict.judge.errors import CheckerError
from verdict.judge.sandbox import RunResult
from verdict.judge.verdicts import Verdict


@dataclass
class PassOutcome:
    """One run of the submission on a test and what the validator made of it."""

    run: RunResult
    check: CheckResult | None
    verdict: Verdict
    passes: int = 1  # how many passes were run


OnePass = Callable[[bytes | None], PassOutcome]  # the pass's input (None: the test's own)
NextInput = Callable[[], bytes | None]  # the validator's nextpass.in, taken away; None if none


def run_passes(one_pass: OnePass, next_input: NextInput, max_passes: int) -> PassOutcome:
    """Runs passes until the validator gives a verdict without asking for another one."""
    pass_input: bytes | None = None
    slowest = 0.0
    for number in range(1, max_passes + 1):
        outcome = one_pass(pass_input)
        slowest = max(slowest, outcome.run.cpu_time)
        outcome.run.cpu_time = slowest
        outcome.passes = number
        try:
            following = next_input()
        except CheckerError as error:
            return _judge_error(outcome, f"pass {number}: {error}")
        if outcome.verdict != Verdict.AC:
            if following is not None:
                reason = f"pass {number}: the validator wrote nextpass.in but did not accept"
                return _judge_error(outcome, reason)
            return outcome
        if following is None:
            return outcome
        pass_input = following
    reason = f"the validator gave no verdict within {max_passes} passes (limits.validation_passes)"
    return _judge_error(outcome, reason)


def _judge_error(outcome: PassOutcome, reason: str) -> PassOutcome:
    outcome.check = make_result(Verdict.IE, None, reason)
    outcome.verdict = Verdict.IE
    return outcome
