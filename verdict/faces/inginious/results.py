"""INGInious's words for a verdict: a submission's ``result``.

INGInious results are ``success``, ``failed``, ``timeout``, ``overflow``, ``crash``, ``error``
and ``killed``. Verdict stores verdicts (``verdict.judge.verdicts.Verdict``) and this face
names them when it shows a submission. A task of several parts gets the most severe result of its
parts, as INGInious combines its problems' results; each part's verdict is stored with its
feedback (``problems_feedback``: pid → [verdict, html]).
"""

from __future__ import annotations

from collections.abc import Iterable

from verdict.judge.verdicts import Verdict
from verdict.submissions.models import Submission

RESULTS = {
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

# Most severe first: the result of a task is the first of these that one of its parts has.
SEVERITY = ("error", "killed", "crash", "timeout", "overflow", "failed", "success")


def result_of(verdict: Verdict | str | None) -> str:
    """The INGInious result of a verdict; ``error`` for none or an unknown code. (A part stored
    before verdicts were kept per part holds its INGInious result already.)"""
    if verdict in SEVERITY:
        return str(verdict)
    try:
        return RESULTS[Verdict(verdict)] if verdict else "error"
    except ValueError:
        return "error"


def most_severe(results: Iterable[str]) -> str:
    return min(
        results, key=lambda result: SEVERITY.index(result) if result in SEVERITY else 0, default="error"
    )


def submission_result(submission: Submission, scripted: bool = False) -> str:
    """The result of a graded task submission: its parts' most severe, else its verdict's. A task
    graded by its run script has the result the script set (its verdict), whatever its parts'."""
    if scripted:
        return result_of(submission.verdict)
    part_verdicts = [
        value[0]
        for value in (submission.problems_feedback or {}).values()
        if isinstance(value, list | tuple) and len(value) == 2
    ]
    if part_verdicts:
        return most_severe(result_of(verdict) for verdict in part_verdicts)
    return result_of(submission.verdict)
