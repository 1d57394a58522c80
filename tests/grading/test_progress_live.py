"""The grading's progress as another session sees it, on SQLite and PostgreSQL: the real engine
grades, in the real sandbox, a program that takes a noticeable time on each test, while this
thread polls the row; and the progress column under the lease (cleared by the outcome and by a
put-back, written only by the lease's owner)."""

from __future__ import annotations

import shutil
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from tests.support.paths import APLUSB
from tests.support.users import MakeUser
from verdict.cli.submissions import staff_view
from verdict.grading import service
from verdict.grading.service import NewSubmission
from verdict.judge.sandbox import check_available
from verdict.platform import Platform
from verdict.problems.store import import_package
from verdict.submissions.models import Submission, SubmissionStatus
from verdict.submissions.progress import COMPILING, parse

pytestmark = pytest.mark.integration
TESTS = 4
SLOW_SUM = "import time\na, b = map(int, input().split())\ntime.sleep(0.3)\nprint(a + b)\n"


def slow_package(tmp_path: Path) -> Path:
    """A+B with TESTS secret tests only (a package of our own: the demo's has ten)."""
    package = tmp_path / "slowsum"
    (package / "data" / "secret").mkdir(parents=True)
    shutil.copy(APLUSB / "problem.yaml", package / "problem.yaml")
    for number in range(1, TESTS + 1):
        (package / "data" / "secret" / f"{number}.in").write_text(f"{number} {number * 10}\n")
        (package / "data" / "secret" / f"{number}.ans").write_text(f"{number * 11}\n")
    return package


def new_submission(platform: Platform, make_user: MakeUser, tmp_path: Path, source: str) -> int:
    user = make_user("student1")
    with platform.session_scope() as session:
        problem = import_package(session, slow_package(tmp_path), settings=platform.settings).problem
        return service.create_submission(session, NewSubmission(user.id, problem.id, "Python3", source)).id


def test_another_session_sees_compiling_then_each_test_then_the_verdict(
    platform: Platform, make_user: MakeUser, tmp_path: Path
) -> None:
    if reason := check_available():
        pytest.skip(f"sandbox unavailable: {reason}")
    submission_id = new_submission(platform, make_user, tmp_path, SLOW_SUM)
    grading = threading.Thread(target=platform.grading_engine("progress-test").grade_next)
    seen: list[str | None] = []
    grading.start()
    with platform.sessionmaker() as session:
        while True:
            session.rollback()  # a new snapshot (SQLite keeps a read transaction's)
            row = session.get(Submission, submission_id, populate_existing=True)
            assert row is not None
            if row.status == SubmissionStatus.GRADING and (not seen or seen[-1] != row.progress):
                seen.append(row.progress)
            if row.status in (SubmissionStatus.DONE, SubmissionStatus.ERROR):
                break
            time.sleep(0.02)
        grading.join()
        assert row.status == SubmissionStatus.DONE and row.verdict == "AC", row.error_reason
        assert row.progress is None  # cleared with the outcome
    published = [text for text in seen if text is not None]
    assert published[0] == COMPILING, seen
    tests = [parse(text) for text in published[1:]]
    numbers = [progress.test for progress in tests if progress is not None]
    assert len(numbers) == len(tests) and all(progress.total == TESTS for progress in tests if progress)
    assert numbers == sorted(set(numbers)) and numbers[0] == 1 and len(numbers) >= 3, seen


def test_only_the_lease_owner_writes_progress_and_a_put_back_clears_it(
    platform: Platform, make_user: MakeUser, tmp_path: Path, session: Session
) -> None:
    submission_id = new_submission(platform, make_user, tmp_path, "print(1)")
    assert not service.set_progress(session, submission_id, "w", COMPILING)  # waiting: not claimed
    assert service.claim_next(session, "w", 60) == submission_id
    assert service.set_progress(session, submission_id, "w", "test 1/5")
    assert not service.set_progress(session, submission_id, "other", "test 4/5")
    row = session.get(Submission, submission_id, populate_existing=True)
    assert row is not None and row.progress == "test 1/5"
    assert staff_view(row)["progress"] == "test 1/5"  # what `verdict submission ID` shows
    session.rollback()
    assert service.abandon(session, submission_id, "w", "past its deadline")  # back to waiting
    row = session.get(Submission, submission_id, populate_existing=True)
    assert row is not None and row.status == SubmissionStatus.WAITING and row.progress is None
    assert not service.set_progress(session, submission_id, "w", "test 2/5")  # its lease is gone
