"""Exam results and the contest ranking, computed from the stored submissions on every request.

Nothing is cached or kept aside: a rejudge (``verdict.grading.service.rejudge``) that changes a
stored verdict changes the results the next time they are read.

Which submissions count (:func:`counted`): those tied to the exam (``Submission.exam_id``; exam
mode ties a submission to the exam only inside the student's window) made by one of the exam's
students, with a verdict. A submission still waiting for its first grading is ignored. One put
back by a rejudge keeps counting with the verdict it had until its new one is stored, so the
ranking does not lose it in between. An internal error (IE, or a grading given up, status
``error``) is the judge's fault, not the student's: it is neither a try nor a penalty, and a
rejudge will grade it.

Per problem, for every exam:

* ``attempts``: the tries that count, in order of submission: compile errors are not tries, and
  nothing after the first AC is one (ICPC's rule, used for every exam so that the column means
  one thing).
* ``points``: the weight for AC; for SC (a scored problem, partly right) the submission's
  fraction of the problem's maximum times the weight. The fraction is ``Submission.grade / 100``:
  the judge stores ``grade = 100 * score / max_score`` where ``max_score`` is the total of the
  package's groups (Jutge ``scores.yml``, Kattis test groups) of the very version that graded it
  (``verdict.judge.scoring.max_score``, ``GradeResult.grade``). Anything else is 0.
* the best submission: the most points, then the least severe verdict
  (``verdict.judge.verdicts.SEVERITY``), then the earliest.
* ``time``: minutes (rounded down) from the exam's real start (``Exam.started_at``; the expected
  ``start`` before it started) to the first AC in a contest, or to the first submission that
  reached the best points in other exams (none while the points are 0).

A student's total: problems solved and penalty (contest), or points (other exams), and ``time``:
the minute of the last AC (contest) or of the last improvement (other exams).

The contest ranking (ICPC): more problems solved first, then less penalty (per solved problem, the
minute of its first AC plus 20 per earlier counted try), then the earlier last AC (the ICPC World
Finals' tie-break: who got there first). Other exams rank by points, then by the earlier last
improvement. Exact ties share a rank (1, 2, 2, 4). Invited students (contest guests) are shown in
their place, marked, with no rank, and do not move anybody's rank.

Freeze: with ``freeze_minutes`` set and no ``unfrozen_at``, the students' view hides the verdicts of
the submissions made in the last ``freeze_minutes`` before the end (real start + running time; a
student's extra time falls after it, so it is hidden as well). A hidden submission is shown only
as ``pending`` on its problem when it could still change it (not after a visible AC); the rest of
the row is what it was when the freeze began. Staff always see everything.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.orm import Session

from verdict.accounts.models import User
from verdict.exams.models import Exam
from verdict.judge.verdicts import SEVERITY, Verdict
from verdict.submissions.models import Submission, SubmissionStatus

PENALTY_PER_TRY = 20  # minutes, ICPC
NOT_TRIES = frozenset({Verdict.CE, Verdict.IE})  # never counted as a try
_EPSILON = 1e-9


class View(StrEnum):
    STAFF = "staff"  # everything
    STUDENTS = "students"  # the freeze applies


@dataclass(frozen=True)
class Try:
    """A submission that counts, reduced to what the results need."""

    submission_id: int
    user_id: int
    problem_id: str
    verdict: Verdict
    grade: float | None
    created_at: datetime


@dataclass(frozen=True)
class ExamProblemInfo:
    problem_id: str
    caption: str
    weight: float


@dataclass(frozen=True)
class Candidate:
    """An exam student as the results show them."""

    email: str
    user_id: int | None
    username: str
    name: str
    invited: bool


@dataclass
class ProblemResult:
    problem_id: str
    caption: str
    weight: float
    attempts: int = 0
    pending: int = 0  # tries hidden by the freeze
    solved: bool = False
    verdict: Verdict | None = None  # of the best submission
    points: float = 0.0
    time: int | None = None  # minute of the first AC (contest) or of the best points (other exams)

    @property
    def penalty(self) -> int:
        """ICPC penalty of this problem: 0 unless solved."""
        if not self.solved or self.time is None:
            return 0
        return self.time + PENALTY_PER_TRY * (self.attempts - 1)


@dataclass
class StudentResult:
    student: Candidate
    problems: list[ProblemResult]
    rank: int | None = None

    @property
    def solved(self) -> int:
        return sum(1 for p in self.problems if p.solved)

    @property
    def penalty(self) -> int:
        return sum(p.penalty for p in self.problems)

    @property
    def points(self) -> float:
        return round(sum(p.points for p in self.problems), 6)

    def last_time(self, contest: bool) -> int | None:
        """The minute of the last AC (contest) or of the last improvement (other exams)."""
        times = [p.time for p in self.problems if p.time is not None and (p.solved or not contest)]
        return max(times) if times else None

    def sort_key(self, contest: bool) -> tuple[float, float, float]:
        last = self.last_time(contest) or 0
        if contest:
            return (-self.solved, self.penalty, last)
        return (-self.points, last, 0)


@dataclass
class Results:
    exam: Exam
    view: View
    start: datetime  # what times are measured from
    end: datetime  # start + running time
    frozen: bool  # the students' view hides the last freeze_minutes now
    rows: list[StudentResult] = field(default_factory=list)

    @property
    def contest(self) -> bool:
        return bool(self.exam.contest)


# --------------------------------------------------------------------------- times


def exam_start(exam: Exam) -> datetime:
    """What times are measured from: the real start, or the expected one before the start."""
    return exam.started_at or exam.start


def exam_end(exam: Exam) -> datetime:
    return exam_start(exam) + timedelta(minutes=exam.running_time)


def freeze_start(exam: Exam) -> datetime | None:
    """When the students' view stops showing results; None without a freeze (or after the
    unfreeze)."""
    if exam.freeze_minutes <= 0 or exam.unfrozen_at is not None:
        return None
    return exam_end(exam) - timedelta(minutes=exam.freeze_minutes)


def is_frozen(exam: Exam, now: datetime) -> bool:
    """Whether the students' view hides something now (the freeze has begun, not lifted)."""
    begins = freeze_start(exam)
    return begins is not None and now >= begins


def minutes_since(start: datetime, when: datetime) -> int:
    """Whole minutes from ``start`` to ``when``, rounded down (never negative)."""
    return max(0, int((when - start).total_seconds() // 60))


# --------------------------------------------------------------------------- per problem


def points_of(attempt: Try, weight: float) -> float:
    if attempt.verdict == Verdict.AC:
        return weight
    if attempt.verdict == Verdict.SC and attempt.grade is not None:
        return max(0.0, min(1.0, attempt.grade / 100.0)) * weight
    return 0.0


def problem_result(
    info: ExamProblemInfo,
    tries: Sequence[Try],
    *,
    start: datetime,
    contest: bool,
    hidden_from: datetime | None = None,
) -> ProblemResult:
    """One student's result on one problem from their tries on it (in submission order).
    ``hidden_from``: tries made from then on are hidden (the students' view of a freeze)."""
    result = ProblemResult(info.problem_id, info.caption, info.weight)
    best: tuple[float, int] | None = None  # (points, severity rank) of the best so far
    for attempt in sorted(tries, key=lambda t: (t.created_at, t.submission_id)):
        if attempt.verdict == Verdict.IE:
            continue
        if hidden_from is not None and attempt.created_at >= hidden_from:
            if not result.solved:
                result.pending += 1
            continue
        if attempt.verdict not in NOT_TRIES and not result.solved:
            result.attempts += 1
        points = points_of(attempt, info.weight)
        key = (points, SEVERITY.index(attempt.verdict))
        if best is None or key > best:
            if best is None or points > best[0] + _EPSILON:
                result.time = minutes_since(start, attempt.created_at) if points > 0 else None
            best = key
            result.verdict, result.points = attempt.verdict, round(points, 6)
        if attempt.verdict == Verdict.AC and not result.solved:
            result.solved = True
            if contest:
                result.time = minutes_since(start, attempt.created_at)
    if contest and not result.solved:
        result.time = None  # a contest times first ACs only
    return result


# --------------------------------------------------------------------------- ranking


def assign_ranks(rows: list[StudentResult], contest: bool) -> list[StudentResult]:
    """Sorts ``rows`` best first and numbers the ranked ones (competition ranking: exact ties
    share a rank, the next rank skips). Invited students keep their place and no rank."""
    rows.sort(key=lambda r: (r.sort_key(contest), r.student.username.lower(), r.student.email))
    ranked = [row.sort_key(contest) for row in rows if not row.student.invited]
    for row in rows:
        if row.student.invited:
            row.rank = None
        else:
            key = row.sort_key(contest)
            row.rank = 1 + sum(1 for other in ranked if other < key)
    return rows


def compute(
    exam: Exam,
    problems: Sequence[ExamProblemInfo],
    students: Sequence[Candidate],
    tries: Iterable[Try],
    *,
    view: View,
    now: datetime,
) -> Results:
    """The results of ``exam`` from its counted tries, for ``view``, at ``now``."""
    start, end = exam_start(exam), exam_end(exam)
    hidden_from = freeze_start(exam) if view == View.STUDENTS else None
    by_user: dict[tuple[int, str], list[Try]] = {}
    for attempt in tries:
        by_user.setdefault((attempt.user_id, attempt.problem_id), []).append(attempt)
    rows = []
    for student in students:
        per_problem = [
            problem_result(
                info,
                by_user.get((student.user_id, info.problem_id), []) if student.user_id is not None else [],
                start=start,
                contest=bool(exam.contest),
                hidden_from=hidden_from,
            )
            for info in problems
        ]
        rows.append(StudentResult(student, per_problem))
    assign_ranks(rows, bool(exam.contest))
    return Results(exam, view, start, end, frozen=is_frozen(exam, now), rows=rows)


# --------------------------------------------------------------------------- from the database


def counted() -> sa.ColumnElement[bool]:
    """Which stored submissions count (see the module docstring): graded, or being regraded with
    the verdict of their last grading; never an internal error."""
    regrading = sa.and_(
        Submission.status.in_([SubmissionStatus.WAITING, SubmissionStatus.GRADING]),
        Submission.graded_at.is_not(None),
    )
    return sa.and_(
        Submission.verdict.is_not(None),
        Submission.verdict != Verdict.IE,
        Submission.problem_id.is_not(None),
        sa.or_(Submission.status == SubmissionStatus.DONE, regrading),
    )


def load_tries(session: Session, exam: Exam) -> list[Try]:
    """The exam's counted submissions, only the columns the results need (not the sources)."""
    rows = session.execute(
        sa.select(
            Submission.id,
            Submission.user_id,
            Submission.problem_id,
            Submission.verdict,
            Submission.grade,
            Submission.created_at,
        )
        .where(Submission.exam_id == exam.id, counted())
        .order_by(Submission.created_at, Submission.id)
    )
    return [
        Try(row.id, row.user_id, str(row.problem_id), Verdict(row.verdict), row.grade, row.created_at)
        for row in rows
    ]


def load_candidates(session: Session, exam: Exam) -> list[Candidate]:
    """The exam's students, with their accounts (found by email when not linked yet)."""
    ids = [s.user_id for s in exam.students if s.user_id is not None]
    emails = [s.email for s in exam.students if s.user_id is None]
    users = list(session.scalars(sa.select(User).where(sa.or_(User.id.in_(ids), User.email.in_(emails)))))
    by_id = {u.id: u for u in users}
    by_email = {u.email.lower(): u for u in users}
    candidates = []
    for student in exam.students:
        user = by_id.get(student.user_id) if student.user_id is not None else by_email.get(student.email)
        candidates.append(
            Candidate(
                email=student.email,
                user_id=user.id if user else None,
                username=user.username if user else "",
                name=user.full_name if user else "",
                invited=bool(student.invited),
            )
        )
    return candidates


def exam_problems(exam: Exam) -> list[ExamProblemInfo]:
    return [ExamProblemInfo(p.problem_id, p.caption or p.problem_id, float(p.weight)) for p in exam.problems]


def exam_results(session: Session, exam: Exam, *, view: View, now: datetime) -> Results:
    """The results of ``exam`` as stored now, for ``view``."""
    return compute(
        exam,
        exam_problems(exam),
        load_candidates(session, exam),
        load_tries(session, exam),
        view=view,
        now=now,
    )
