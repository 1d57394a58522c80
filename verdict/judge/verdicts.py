"""Verdict codes and their mappings to the Jutge and INGInious vocabularies."""

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

# Jutge reports execution failures as EE with the cause in the verdict info.
JUTGE_CODES = {Verdict.TLE: "EE", Verdict.MLE: "EE", Verdict.OLE: "EE", Verdict.RE: "EE"}

# INGInious `result` values: success, failed, timeout, overflow, crash, error, killed.
INGINIOUS_RESULTS = {
    Verdict.AC: "success",
    Verdict.WA: "failed",
    Verdict.PE: "failed",
    Verdict.IC: "failed",
    Verdict.CE: "failed",
    Verdict.SC: "failed",
    Verdict.TLE: "timeout",
    Verdict.MLE: "overflow",
    Verdict.OLE: "overflow",
    Verdict.RE: "crash",
    Verdict.IE: "error",
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


def jutge_code(verdict: Verdict) -> str:
    return JUTGE_CODES.get(verdict, verdict.value)


def inginious_result(verdict: Verdict) -> str:
    return INGINIOUS_RESULTS[verdict]


def most_severe(verdicts: Sequence[Verdict]) -> Verdict:
    return min(verdicts, key=SEVERITY.index) if verdicts else Verdict.AC
