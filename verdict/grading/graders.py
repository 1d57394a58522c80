"""Who grades which submission: the registry the grading engine consults.

A submission to a bare problem is judged by the engine itself (the judge on the problem's
package). Other kinds of submission are graded by the feature that owns them, registered once by
``verdict.platform.bootstrap``: an INGInious task with quiz parts by ``verdict.courses``, later an
exam or a game match. The engine calls down into the registry; no feature is imported here.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from enum import StrEnum
from typing import Protocol

from sqlalchemy.orm import Session, sessionmaker

from verdict.grading.service import Outcome
from verdict.judge.grader import GradeResult
from verdict.judge.supervision import Supervision
from verdict.submissions.models import Submission


class NotGradable(Exception):
    """The submission cannot be graded as stored: no problem version, no language, its task gone.
    The engine records it as an internal error with this message."""


class SubmissionKind(StrEnum):
    PROBLEM = "problem"  # source code against a problem's package: the engine's own judge
    TASK = "task"  # an INGInious task: quiz and program parts


def kind_of(submission: Submission) -> SubmissionKind:
    return SubmissionKind.TASK if submission.task_id is not None else SubmissionKind.PROBLEM


class Judge(Protocol):
    """What a grader may use of the engine: the database, and the judge on a problem version."""

    @property
    def sessionmaker(self) -> sessionmaker[Session]: ...

    def judge(
        self, version_id: int | None, language: str | None, source: str, variant: str | None = None
    ) -> GradeResult: ...

    def current_supervision(self) -> Supervision | None: ...


class SubmissionGrader(Protocol):
    def __call__(self, judge: Judge, submission: Submission, /) -> Outcome: ...


class MatchJobs(Protocol):
    """The other kind of job on the grading queue: game matches (``verdict.competitions.jobs``),
    played by the engine when no submission waits, under a lease of their own."""

    def play_next(self, sessions: sessionmaker[Session], owner: str, lease_seconds: float) -> int | None:
        """Claims, plays and stores one waiting match; its id, or None when none waits."""
        ...

    def sweep(self, session: Session, is_dead: Callable[[str], bool]) -> list[int]:
        """Puts back matches whose lease expired or whose lease owner is dead; their ids."""
        ...

    def waiting(self, session: Session) -> int: ...


class Graders:
    """The graders of the kinds that the engine does not judge itself, and the match jobs."""

    def __init__(self, graders: Mapping[SubmissionKind, SubmissionGrader] | None = None) -> None:
        self._graders: dict[SubmissionKind, SubmissionGrader] = {}
        self.matches: MatchJobs | None = None  # no match runner: matches stay waiting
        for kind, grader in (graders or {}).items():
            self.register(kind, grader)

    def register(self, kind: SubmissionKind, grader: SubmissionGrader) -> None:
        if kind in self._graders:
            raise ValueError(f"a grader of {kind} submissions is registered already")
        self._graders[kind] = grader

    def register_matches(self, matches: MatchJobs) -> None:
        if self.matches is not None:
            raise ValueError("match jobs are registered already")
        self.matches = matches

    def for_submission(self, submission: Submission) -> SubmissionGrader | None:
        """The grader of ``submission``; None when the engine judges it itself."""
        return self._graders.get(kind_of(submission))
