"""Exam results and the contest ranking (verdict.exams.results) from stored submissions: a scripted
contest against a hand-computed table (penalties, a compile error that is no try, an invited
student, exact ties, the freeze and the unfreeze), a scored exam with weights and partial scores,
and a real rejudge (the problem's golden changes) that changes the order."""

from __future__ import annotations

import shutil
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from tests.support.exam_results import (
    CONTEST_FROZEN_TABLE,
    CONTEST_STAFF_TABLE,
    REAL_START,
    SCORED_TABLE,
    make_exam,
    scored_exam,
    scripted_contest,
)
from tests.support.paths import APLUSB
from tests.support.users import MakeUser
from verdict.db import utcnow
from verdict.exams.models import Exam
from verdict.exams.results import (
    ExamProblemInfo,
    Results,
    Try,
    View,
    exam_results,
    problem_result,
)
from verdict.grading import service
from verdict.grading.service import NewSubmission
from verdict.judge.sandbox import check_available
from verdict.judge.verdicts import Verdict
from verdict.platform import Platform
from verdict.problems.store import import_package
from verdict.submissions.models import Submission, SubmissionStatus

DURING_FREEZE = REAL_START + timedelta(minutes=100)
AFTER_END = REAL_START + timedelta(minutes=130)


def contest_table(results: Results) -> list[tuple[object, ...]]:
    return [
        (
            row.rank,
            row.student.username,
            row.solved,
            row.penalty,
            row.last_time(contest=True),
            [(p.attempts, p.time, int(p.solved), p.pending) for p in row.problems],
        )
        for row in results.rows
    ]


def scored_table(results: Results) -> list[tuple[object, ...]]:
    return [
        (
            row.rank,
            row.student.username,
            row.points,
            row.last_time(contest=False),
            [(p.points, p.verdict.value if p.verdict else None, p.attempts, p.time) for p in row.problems],
        )
        for row in results.rows
    ]


# --------------------------------------------------------------------------- the rules, alone


def at(minute: int, verdict: str, second: int = 0, grade: float | None = None) -> Try:
    return Try(
        minute * 100 + second,
        1,
        "P1",
        Verdict(verdict),
        grade,
        REAL_START + timedelta(minutes=minute, seconds=second),
    )


INFO = ExamProblemInfo("P1", "A", 2.0)


@pytest.mark.unit
def test_penalty_counts_rejected_tries_before_the_first_ac_only() -> None:
    tries = [at(3, "WA"), at(4, "CE"), at(9, "RE", 59), at(12, "AC", 30), at(13, "WA"), at(14, "AC")]
    result = problem_result(INFO, tries, start=REAL_START, contest=True)
    assert (result.attempts, result.time, result.solved, result.penalty) == (3, 12, True, 12 + 2 * 20)
    assert result.points == 2.0


@pytest.mark.unit
def test_an_internal_error_is_no_try_and_a_partial_score_is_no_solve() -> None:
    tries = [at(1, "IE"), at(2, "SC", grade=50.0), at(5, "AC")]
    contest = problem_result(INFO, tries, start=REAL_START, contest=True)
    assert (contest.attempts, contest.time, contest.penalty) == (2, 5, 5 + 20)
    scored = problem_result(INFO, tries[:2], start=REAL_START, contest=False)
    assert (scored.points, scored.verdict, scored.time, scored.attempts) == (1.0, Verdict.SC, 2, 1)


@pytest.mark.unit
def test_hidden_tries_are_pending_unless_the_problem_is_solved_already() -> None:
    freeze = REAL_START + timedelta(minutes=10)
    open_problem = problem_result(
        INFO, [at(5, "WA"), at(11, "AC")], start=REAL_START, contest=True, hidden_from=freeze
    )
    assert (open_problem.attempts, open_problem.solved, open_problem.pending) == (1, False, 1)
    solved = problem_result(
        INFO, [at(5, "AC"), at(11, "WA")], start=REAL_START, contest=True, hidden_from=freeze
    )
    assert (solved.attempts, solved.solved, solved.pending) == (1, True, 0)


# --------------------------------------------------------------------------- the scripted contest


@pytest.mark.integration
def test_contest_ranking_matches_the_hand_computed_table(session: Session, make_user: MakeUser) -> None:
    setup = scripted_contest(session, make_user)
    results = exam_results(session, setup.exam, view=View.STAFF, now=DURING_FREEZE)
    assert contest_table(results) == CONTEST_STAFF_TABLE
    assert results.frozen  # the students' view is frozen now; staff see everything anyway
    [frank] = [row for row in results.rows if row.student.invited]
    assert frank.student.username == "frank" and frank.rank is None


@pytest.mark.integration
def test_students_see_the_frozen_ranking_until_the_unfreeze(session: Session, make_user: MakeUser) -> None:
    setup = scripted_contest(session, make_user)
    before = exam_results(session, setup.exam, view=View.STUDENTS, now=REAL_START + timedelta(minutes=60))
    assert not before.frozen  # the freeze begins at minute 90
    frozen = exam_results(session, setup.exam, view=View.STUDENTS, now=DURING_FREEZE)
    assert frozen.frozen
    assert contest_table(frozen) == CONTEST_FROZEN_TABLE
    after_end = exam_results(session, setup.exam, view=View.STUDENTS, now=AFTER_END)
    assert after_end.frozen and contest_table(after_end) == CONTEST_FROZEN_TABLE  # until staff say

    setup.exam.unfrozen_at = AFTER_END
    session.commit()
    unfrozen = exam_results(session, setup.exam, view=View.STUDENTS, now=AFTER_END)
    assert not unfrozen.frozen
    assert contest_table(unfrozen) == CONTEST_STAFF_TABLE


@pytest.mark.integration
def test_times_count_from_the_real_start(session: Session, make_user: MakeUser) -> None:
    setup = make_exam(session, make_user, problems=[("P1", "A", 1.0)], students=[("zoe", False)])
    exam = setup.exam
    submission = Submission(
        user_id=setup.users["zoe"].id,
        problem_id="P1",
        exam_id=exam.id,
        status=SubmissionStatus.DONE,
        verdict=Verdict.AC,
        grade=100.0,
        created_at=REAL_START + timedelta(minutes=7, seconds=59),
    )
    session.add(submission)
    session.commit()
    [row] = exam_results(session, exam, view=View.STAFF, now=AFTER_END).rows
    assert row.problems[0].time == 7  # 10 minutes after the expected start, 7:59 after the real one
    exam.started_at = None  # not started: the expected start is all there is
    assert exam_results(session, exam, view=View.STAFF, now=AFTER_END).rows[0].problems[0].time == 10


@pytest.mark.integration
def test_submissions_of_other_exams_and_of_practice_do_not_count(
    session: Session, make_user: MakeUser
) -> None:
    setup = make_exam(session, make_user, problems=[("P1", "A", 1.0)], students=[("zoe", False)])
    zoe = setup.users["zoe"]
    session.add(
        Submission(
            user_id=zoe.id, problem_id="P1", status=SubmissionStatus.DONE, verdict=Verdict.AC, grade=100.0
        )
    )
    session.commit()
    [row] = exam_results(session, setup.exam, view=View.STAFF, now=AFTER_END).rows
    assert (row.rank, row.solved, row.problems[0].attempts) == (1, 0, 0)


# --------------------------------------------------------------------------- a scored exam


@pytest.mark.integration
def test_scored_exam_weights_and_partial_scores(session: Session, make_user: MakeUser) -> None:
    setup = scored_exam(session, make_user)
    results = exam_results(session, setup.exam, view=View.STAFF, now=AFTER_END)
    assert not results.contest
    assert scored_table(results) == SCORED_TABLE


# --------------------------------------------------------------------------- a real rejudge


def aplusb_version(tmp: Path, minus: bool) -> Path:
    """A copy of aplusb with its Python solutions only (the C ones, the time and memory hogs cost
    a loaded machine minutes of preparation). ``minus``: the second version, where the statement
    meant a - b: the answers are remade, and the two solutions swap places."""
    root = tmp / ("minus" if minus else "plus") / APLUSB.name
    shutil.copytree(APLUSB, root, ignore=shutil.ignore_patterns("submissions"))
    if minus:
        for given in root.glob("data/*/*.in"):
            a, b = map(int, given.read_text().split())
            given.with_suffix(".ans").write_text(f"{a - b}\n")
    solutions = {"accepted": "sum.py", "wrong_answer": "diff.py"}
    for kind, name in solutions.items():
        where = kind if not minus else ({"accepted": "wrong_answer", "wrong_answer": "accepted"}[kind])
        (root / "submissions" / where).mkdir(parents=True)
        shutil.copy(APLUSB / "submissions" / kind / name, root / "submissions" / where / name)
    return root


def grade_all(platform: Platform) -> int:
    engine = platform.grading_engine()
    graded = 0
    while engine.grade_next() is not None:
        graded += 1
    return graded


@pytest.mark.integration
def test_a_rejudge_changes_the_order(
    platform: Platform, session: Session, make_user: MakeUser, tmp_path: Path
) -> None:
    if reason := check_available():
        pytest.skip(f"sandbox unavailable: {reason}")
    problem = import_package(
        session, aplusb_version(tmp_path, minus=False), settings=platform.settings
    ).problem
    session.commit()
    setup = make_exam(
        session,
        make_user,
        problems=[(problem.id, "A", 1.0)],
        students=[("adder", False), ("subtractor", False)],
        started_at=utcnow() - timedelta(minutes=30),
    )
    sources = {
        "adder": (APLUSB / "submissions" / "accepted" / "sum.py").read_text(),
        "subtractor": (APLUSB / "submissions" / "wrong_answer" / "diff.py").read_text(),
    }
    for username in ("subtractor", "adder"):  # the subtractor first: the earlier AC after the rejudge
        service.create_submission(
            session,
            NewSubmission(
                setup.users[username].id, problem.id, "Python3", sources[username], exam_id=setup.exam.id
            ),
        )
        session.commit()
    assert grade_all(platform) == 2

    def order() -> list[tuple[int | None, str, int]]:
        session.commit()  # a fresh snapshot: the grading committed in its own sessions
        exam = session.get(Exam, setup.exam.id)
        assert exam is not None
        results = exam_results(session, exam, view=View.STAFF, now=utcnow())
        return [(row.rank, row.student.username, row.solved) for row in results.rows]

    assert order() == [(1, "adder", 1), (2, "subtractor", 0)]

    # The staff find the statement meant a - b: a new version of the problem, and a rejudge.
    import_package(
        session, aplusb_version(tmp_path, minus=True), settings=platform.settings, problem_id=problem.id
    )
    rejudged = service.rejudge(session, problem_id=problem.id)
    session.commit()
    assert len(rejudged) == 2
    assert order() == [(1, "adder", 1), (2, "subtractor", 0)]  # until regraded, the old verdicts stand
    assert grade_all(platform) == 2
    assert order() == [(1, "subtractor", 1), (2, "adder", 0)]
    verdicts = {s.user_id: s.verdict for s in session.query(Submission).filter_by(exam_id=setup.exam.id)}
    assert verdicts == {setup.users["subtractor"].id: Verdict.AC, setup.users["adder"].id: Verdict.WA}
