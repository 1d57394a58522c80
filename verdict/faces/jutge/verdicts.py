"""Jutge's verdict codes: Jutge reports every execution failure as ``EE`` (execution error), the
cause (time, memory, output, a crash) in the verdict's information; the other codes are the judge's."""

from __future__ import annotations

from verdict.judge.verdicts import Verdict

EXECUTION_ERRORS = frozenset({Verdict.TLE, Verdict.MLE, Verdict.OLE, Verdict.RE})


def jutge_code(verdict: Verdict) -> str:
    return "EE" if verdict in EXECUTION_ERRORS else verdict.value
