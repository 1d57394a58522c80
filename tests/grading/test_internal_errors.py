"""An internal error says why to the staff and only that it happened to the student."""

from __future__ import annotations

import pytest

from verdict.grading.engine import IE_FOR_STUDENTS, outcome_from_result
from verdict.judge.grader import GradeResult
from verdict.judge.verdicts import Verdict

pytestmark = pytest.mark.unit


def test_the_reason_goes_to_the_staff_and_a_short_message_to_the_student() -> None:
    reason = "cannot prepare the checker: PackageError: /srv/packages/x.pbm/checker.cc: no main"
    outcome = outcome_from_result(GradeResult(Verdict.IE, message=reason))
    assert outcome.verdict is Verdict.IE and outcome.error_reason == reason
    assert IE_FOR_STUDENTS in outcome.feedback and "checker.cc" not in outcome.feedback


def test_other_verdicts_carry_no_reason() -> None:
    outcome = outcome_from_result(GradeResult(Verdict.WA, message="wrong answer"))
    assert outcome.error_reason == "" and IE_FOR_STUDENTS not in outcome.feedback
