"""What an output checker gives: a `CheckResult`, for the student and for staff.

Every result speaks to two audiences: ``message`` goes to the student and never quotes the expected
answer (the test may be hidden), ``judge_message`` goes to staff and may be as detailed as useful.
"""

from __future__ import annotations

from dataclasses import dataclass

from verdict.judge.errors import CheckerError
from verdict.judge.verdicts import Verdict

_DEFAULT_MESSAGES = {
    Verdict.AC: "",
    Verdict.WA: "wrong answer",
    Verdict.PE: "presentation error",
    Verdict.IC: "invalid character in output",
    Verdict.IE: "judge error",
}


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


class OptionError(CheckerError):
    """A checker option with an unusable value (a package error, reported as IE)."""


def make_result(verdict: Verdict, message: str | None = None, judge_message: str = "") -> CheckResult:
    """A result with the verdict's default student message unless `message` is given."""
    return CheckResult(
        verdict, _DEFAULT_MESSAGES[verdict] if message is None else message, None, judge_message
    )
