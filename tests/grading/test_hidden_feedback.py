"""Audit M1: a hidden test's exit code rebuilt `secret/1.in` in 5 submissions.

The attack: a program that answers the samples correctly and, on any hidden test, exits with a
code computed from the input (here the constant 49, standing for "the first byte"). Everything a
student can fetch about the graded submission must then say the verdict and nothing else.
"""

from __future__ import annotations

import pytest

from tests.support.paths import APLUSB
from verdict.courses.quiz import PartResult, combine
from verdict.grading import service
from verdict.grading.engine import feedback_html, outcome_from_result
from verdict.grading.service import NewSubmission
from verdict.judge.packages import load_package
from verdict.judge.preparation import prepared_grader
from verdict.judge.sandbox import check_available
from verdict.judge.verdicts import Verdict
from verdict.platform import Platform
from verdict.problems.store import import_package
from verdict.submissions.models import Submission

pytestmark = pytest.mark.integration

LEAK = "49"
# Right on the samples (visible), exit code 49 on every hidden test.
LEAKER = """import sys
data = sys.stdin.read()
if data.split() in (["1", "2"], ["-5", "7"]):
    a, b = map(int, data.split())
    print(a + b)
else:
    sys.exit(49)
"""


@pytest.fixture(autouse=True)
def _sandbox() -> None:
    if reason := check_available():
        pytest.skip(f"sandbox unavailable: {reason}")


def test_hidden_exit_code_reaches_no_student_field(platform: Platform, make_user) -> None:  # type: ignore[no-untyped-def]
    student = make_user("leaker")
    with platform.session_scope() as session:
        problem = import_package(session, APLUSB, settings=platform.settings).problem
        submission_id = service.create_submission(
            session, NewSubmission(student.id, problem.id, "Python3", LEAKER)
        ).id
    assert platform.grading_engine().grade_next() == submission_id
    with platform.sessionmaker() as session:
        row = session.get(Submission, submission_id)
        assert row is not None
        assert row.status == "done" and row.verdict == "RE"
        student_text = [row.feedback, str(row.problems_feedback), row.compiler_output, row.error_reason]
        student_text += [t.message for t in row.tests]
        assert "hidden test" in row.feedback and "RE" in row.feedback
        assert row.tests and all(t.verdict in ("AC", "RE") for t in row.tests)
    assert not [text for text in student_text if LEAK in text], student_text


def test_judge_result_keeps_the_detail_for_staff_only(sandbox_config) -> None:  # type: ignore[no-untyped-def]
    """At the source: the judge's per-test message says the verdict only, the staff-only
    judge_message keeps the exit code (so the task grader of the courses feature and any face
    reading the judge result get the scrubbed text too)."""
    result = prepared_grader(load_package(APLUSB), sandbox_config).grade(LEAKER.encode(), "Python3")
    assert result.verdict == Verdict.RE
    hidden = [t for t in result.tests if not t.visible]
    assert hidden and hidden[0].verdict == Verdict.RE
    assert hidden[0].message == "run-time error"
    assert "exit code 49" in hidden[0].judge_message
    assert LEAK not in result.cause
    assert LEAK not in feedback_html(result)
    assert not [t for t in outcome_from_result(result).tests or [] if LEAK in str(t["message"])]
    task = combine({"p1": PartResult(result.verdict, 0.0, feedback_html(result), judged=result)})
    messages = [str(row["message"]) for row in task.tests or []]
    assert LEAK not in task.feedback + str(task.problems_feedback) + "".join(messages)


def test_visible_tests_still_explain_the_failure(sandbox_config) -> None:  # type: ignore[no-untyped-def]
    """A sample is public: its exit code may be shown (the student has its input anyway)."""
    result = prepared_grader(load_package(APLUSB), sandbox_config).grade(
        b"import sys\nsys.exit(49)\n", "Python3"
    )
    first = result.tests[0]
    assert first.visible and first.verdict == Verdict.RE
    assert "exit code 49" in first.message and "exit code 49" in feedback_html(result)
