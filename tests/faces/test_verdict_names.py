"""Each face names the judge's verdicts in its own vocabulary; the judge knows none of them."""

from __future__ import annotations

import pytest

from verdict.faces.inginious.results import RESULTS, most_severe, result_of, submission_result
from verdict.faces.jutge.verdicts import jutge_code
from verdict.judge import verdicts
from verdict.judge.verdicts import Verdict
from verdict.submissions.models import Submission

pytestmark = pytest.mark.unit


def test_jutge_reports_execution_failures_as_ee() -> None:
    assert [jutge_code(v) for v in (Verdict.TLE, Verdict.MLE, Verdict.OLE, Verdict.RE)] == ["EE"] * 4
    assert [jutge_code(v) for v in (Verdict.AC, Verdict.WA, Verdict.PE, Verdict.CE, Verdict.IE)] == [
        "AC",
        "WA",
        "PE",
        "CE",
        "IE",
    ]


def test_every_verdict_has_an_inginious_result() -> None:
    assert set(RESULTS) == set(Verdict)
    assert (result_of(Verdict.AC), result_of(Verdict.TLE), result_of(Verdict.MLE)) == (
        "success",
        "timeout",
        "overflow",
    )
    assert (result_of(Verdict.RE), result_of(Verdict.IE), result_of(Verdict.WA)) == (
        "crash",
        "error",
        "failed",
    )
    assert result_of(None) == "error" and result_of("XX") == "error"


def test_a_task_result_is_its_most_severe_part() -> None:
    parts = {"q": ["AC", "<p>ok</p>"], "code": ["TLE", ""], "other": ["RE", ""]}
    assert submission_result(Submission(verdict=Verdict.TLE, problems_feedback=parts)) == "crash"
    assert submission_result(Submission(verdict=Verdict.AC, problems_feedback={"q": ["AC", ""]})) == "success"
    assert submission_result(Submission(verdict=Verdict.WA, problems_feedback={})) == "failed"
    # Parts stored with INGInious's words (before verdicts were kept per part) still read.
    assert (
        submission_result(Submission(verdict=Verdict.SC, problems_feedback={"a": ["failed", ""]})) == "failed"
    )
    assert most_severe([]) == "error"


def test_a_run_script_task_has_the_result_its_script_set() -> None:
    """INGInious's result is the script's feedback-result, even when a problem's says otherwise."""
    graded = Submission(verdict=Verdict.AC, problems_feedback={"code": ["failed", "<pre>x</pre>"]})
    assert submission_result(graded, scripted=True) == "success"
    assert submission_result(graded) == "failed"  # a judge-graded task: its most severe part
    timed_out = Submission(verdict=Verdict.TLE, problems_feedback={"code": ["success", ""]})
    assert submission_result(timed_out, scripted=True) == "timeout"


def test_the_judge_speaks_no_face_vocabulary() -> None:
    names = set(vars(verdicts))
    assert not {"INGINIOUS_RESULTS", "inginious_result", "JUTGE_CODES", "jutge_code"} & names
