"""Verdict codes: the one verdict type, from the checkers to the database column.

The faces name verdicts in their own vocabularies (``verdict.faces.jutge.verdicts``,
``verdict.faces.inginious.results``); the judge speaks only these codes."""

from __future__ import annotations

from collections.abc import Sequence
from enum import StrEnum

from verdict.judge.sandbox import Status


class Verdict(StrEnum):
    AC = "AC"  # accepted
    WA = "WA"  # wrong answer
    PE = "PE"  # presentation error
    IC = "IC"  # invalid character
    TLE = "TLE"  # time limit exceeded
    MLE = "MLE"  # memory limit exceeded
    OLE = "OLE"  # output limit exceeded
    RE = "RE"  # run-time error
    CE = "CE"  # compile error
    IE = "IE"  # internal error (the judge or the package is broken)
    SC = "SC"  # scored: partial score

    @property
    def description(self) -> str:
        return DESCRIPTIONS[self]


DESCRIPTIONS = {
    Verdict.AC: "accepted",
    Verdict.WA: "wrong answer",
    Verdict.PE: "presentation error",
    Verdict.IC: "invalid character",
    Verdict.TLE: "time limit exceeded",
    Verdict.MLE: "memory limit exceeded",
    Verdict.OLE: "output limit exceeded",
    Verdict.RE: "run-time error",
    Verdict.CE: "compile error",
    Verdict.IE: "internal error",
    Verdict.SC: "partially scored",
}

# The run's sandbox status → the test's verdict (OK means: ask the checker).
STATUS_VERDICTS = {
    Status.TIME_LIMIT: Verdict.TLE,
    Status.WALL_LIMIT: Verdict.TLE,
    Status.MEMORY_LIMIT: Verdict.MLE,
    Status.OUTPUT_LIMIT: Verdict.OLE,
    Status.RUNTIME_ERROR: Verdict.RE,
    Status.INTERNAL_ERROR: Verdict.IE,
}

# When all tests run (no early stop), the overall verdict is the most severe one seen
# (Jutge's precedence IE, EE, WA, IC, PE, AC, with EE split into its causes).
SEVERITY = [
    Verdict.IE,
    Verdict.CE,
    Verdict.TLE,
    Verdict.MLE,
    Verdict.OLE,
    Verdict.RE,
    Verdict.WA,
    Verdict.IC,
    Verdict.PE,
    Verdict.SC,
    Verdict.AC,
]


def most_severe(verdicts: Sequence[Verdict]) -> Verdict:
    return min(verdicts, key=SEVERITY.index) if verdicts else Verdict.AC
