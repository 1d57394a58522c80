"""The grading engine a worker runs: claim → fetch the package by hash → judge → store.

A result is written only by the worker still holding the submission's lease, so a submission
is never graded twice in the record, even when a slow worker's lease expired meanwhile.

While a program is judged, the engine publishes its progress to the row (compiling, then test
*i* of *N*: :mod:`verdict.grading.progress`), for the pages' live view. Only the judge on a
problem's tests publishes it (a problem submission, each program part of a task); a run script, a
quiz or a game player shows no more than "being graded".
"""

from __future__ import annotations

import html
import logging
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from queue import Empty, Queue

from sqlalchemy.orm import Session, sessionmaker

from verdict.grading import owners, service
from verdict.grading.graders import Graders, NotGradable
from verdict.grading.progress import ProgressPublisher
from verdict.grading.service import Outcome
from verdict.judge.errors import JudgeError
from verdict.judge.games.accept import GameGrader
from verdict.judge.grader import Grader, GradeResult, TestResult, reason
from verdict.judge.languages import get_language
from verdict.judge.packages import load_package
from verdict.judge.preparation import prepared_grader
from verdict.judge.supervision import Supervision
from verdict.judge.time_limits import Timing
from verdict.judge.verdicts import Verdict
from verdict.problems.models import ProblemVersion
from verdict.problems.store import fetch_package
from verdict.settings import Settings, sandbox_config
from verdict.submissions.models import Submission, SubmissionStatus

log = logging.getLogger(__name__)
GRADER_CACHE_SIZE = 32
IE_FOR_STUDENTS = "The judge could not grade this submission: the staff can see why. It is not your fault."


@dataclass(frozen=True)
class _Grading:
    """What a grading thread's calls into the engine find: its supervision and its progress."""

    supervision: Supervision
    progress: ProgressPublisher


class GradingEngine:
    """Grades submissions one at a time per calling thread, each under a supervision: the
    grading runs in a thread of its own while the calling thread renews the lease, and only
    until the grading's deadline (its limits summed, plus a margin). Past it, the grading's
    sandboxes are killed, the submission is put back (or given up after MAX_DEADLINE_ATTEMPTS),
    and the calling thread is free for the next submission (audit H1)."""

    def __init__(
        self,
        settings: Settings,
        sessions: sessionmaker[Session],
        graders: Graders,
        *,
        name: str | None = None,
        wake: Callable[[int], None] | None = None,
    ) -> None:
        self.settings = settings
        self.sessionmaker = sessions
        self.graders = graders
        self.identity = owners.ProcessIdentity.current()
        self.name = name or owners.engine_name(self.identity)
        self.config = sandbox_config(settings)
        self.wake = wake  # called with 1 when a submission is put back to waiting
        self._graders: OrderedDict[tuple[int, str], Grader | GameGrader] = OrderedDict()
        self._gradings: dict[int, _Grading] = {}  # grading thread id -> its supervision and progress
        self._lock = threading.Lock()

    @property
    def lease_seconds(self) -> float:
        return float(self.settings.lease_seconds)

    def grade_next(self) -> int | None:
        """Claims and grades one submission, or else plays one match (a competition's job on the
        same queue); returns its id, or None when nothing waits."""
        owner = owners.lease_owner(self.name, threading.get_ident())
        with self.sessionmaker() as session:
            submission_id = service.claim_next(session, owner, self.lease_seconds)
        if submission_id is None:
            matches = self.graders.matches
            return matches.play_next(self.sessionmaker, owner, self.lease_seconds) if matches else None
        supervision = Supervision(float(self.settings.grading_margin_seconds))
        progress = ProgressPublisher(
            self._progress_writer(submission_id, owner), name=f"verdict-progress-{submission_id}"
        )
        try:
            outcome = self._supervise(submission_id, owner, _Grading(supervision, progress))
        finally:
            progress.close()  # before the outcome or the put-back: no progress written after them
        if outcome is not None:
            with self.sessionmaker() as session:
                if not service.complete(session, submission_id, owner, outcome):
                    log.warning("lease on submission %s lost: result dropped", submission_id)
        elif supervision.abandoned:
            self._put_back(submission_id, owner, supervision.abandoned)
        return submission_id

    def _progress_writer(self, submission_id: int, owner: str) -> Callable[[str], object]:
        def write(text: str) -> bool:
            with self.sessionmaker() as session:
                return service.set_progress(session, submission_id, owner, text)

        return write

    def _put_back(self, submission_id: int, owner: str, why: str) -> None:
        with self.sessionmaker() as session:
            requeued = service.abandon(session, submission_id, owner, why)
        if requeued and self.wake is not None:
            self.wake(1)

    def _supervise(self, submission_id: int, owner: str, grading: _Grading) -> Outcome | None:
        """Runs the grading in its own thread and renews the lease until it ends or its
        deadline passes. None: no result to store (abandoned past the deadline, or lease lost)."""
        supervision = grading.supervision
        results: Queue[Outcome] = Queue(maxsize=1)
        thread = threading.Thread(
            target=self._grade_into,
            args=(submission_id, grading, results),
            name=f"verdict-grading-{submission_id}",
            daemon=True,  # a grading stuck outside any sandbox is left behind, its result dropped
        )
        thread.start()
        while True:
            try:
                return results.get(timeout=max(min(self.lease_seconds / 3, supervision.remaining()), 0.01))
            except Empty:
                pass
            if supervision.expired():
                why = f"it ran past its deadline (the problem's limits plus {supervision.margin:g} s)"
                log.warning("submission %s: grading abandoned, %s", submission_id, why)
                supervision.abandon(why)
                return None
            with self.sessionmaker() as session:
                if not service.renew_lease(session, submission_id, owner, self.lease_seconds):
                    # Another worker owns it now: stop ours (abandon() in the service then
                    # finds the lease gone and leaves the submission to its new owner).
                    supervision.abandon("its lease was lost")
                    return None

    def _grade_into(self, submission_id: int, grading: _Grading, results: Queue[Outcome]) -> None:
        with self._lock:
            self._gradings[threading.get_ident()] = grading
        try:
            results.put(self._outcome(submission_id))
        except Exception as error:  # recorded on the submission, not lost with the thread
            log.exception("grading submission %s failed", submission_id)
            results.put(Outcome(SubmissionStatus.ERROR, verdict=Verdict.IE, error_reason=repr(error)[:2000]))
        finally:
            with self._lock:
                del self._gradings[threading.get_ident()]

    def _outcome(self, submission_id: int) -> Outcome:
        with self.sessionmaker() as session:
            submission = session.get(Submission, submission_id)
            assert submission is not None
            session.expunge(submission)
        try:
            grader = self.graders.for_submission(submission)
            if grader is not None:
                return grader(self, submission)
            return outcome_from_result(
                self.judge(
                    submission.problem_version_id,
                    submission.language,
                    submission.source or "",
                    variant=submission.variant,
                )
            )
        except (JudgeError, NotGradable) as error:
            # The judge's side failed (a broken package, checker or sandbox): IE with its message.
            # Anything else is a bug: _grade_into records it as IE too, with its traceback logged.
            log.warning("submission %s: internal error: %s", submission_id, reason(error), exc_info=True)
            return Outcome(SubmissionStatus.ERROR, verdict=Verdict.IE, error_reason=reason(error))

    def judge(
        self, version_id: int | None, language: str | None, source: str, variant: str | None = None
    ) -> GradeResult:
        """Grades source code against one problem version (the package fetched by hash), with the
        tests of its statement language ``variant`` when the package has one folder per language."""
        if version_id is None or not language:
            raise NotGradable("submission without problem version or language")
        grader = self._grader(version_id, variant)
        grading = self._current_grading()
        supervision = grading.supervision if grading else None
        if isinstance(grader, GameGrader) or grading is None:  # a player's matches: no tests to count
            return grader.grade(source.encode(), get_language(language), supervision=supervision)
        progress = grading.progress
        progress.compiling()
        return grader.grade(
            source.encode(),
            get_language(language),
            supervision=supervision,
            on_tests=progress.tests_start,
            on_test=progress.test_done,
        )

    def current_supervision(self) -> Supervision | None:
        """The supervision of the grading this thread runs, if any: a grader that starts its own
        sandboxes (an INGInious run script) announces its time and registers them there."""
        grading = self._current_grading()
        return grading.supervision if grading else None

    def _current_grading(self) -> _Grading | None:
        with self._lock:
            return self._gradings.get(threading.get_ident())

    def _grader(self, version_id: int, variant: str | None) -> Grader | GameGrader:
        key = (version_id, variant or "")
        with self._lock:
            if key in self._graders:
                self._graders.move_to_end(key)
                return self._graders[key]
        with self.sessionmaker() as session:
            version = session.get(ProblemVersion, version_id)
            if version is None:
                raise NotGradable(f"no problem version {version_id}")
            root = fetch_package(session, version.blob_hash, self.settings.data_dir / "packages")
            timings = dict(version.meta.get("timing") or {})
        problem = load_package(root)
        # A per-language package's timings are per variant; no variant is its original language.
        stored = timings.get(variant or problem.language or "") or timings.get(problem.language or "")
        grader: Grader | GameGrader
        if problem.game is not None:  # a player, judged by matches against the Dummy
            grader = GameGrader(problem, self.config)
        elif stored is None:  # a version imported before limits were stored: measure it once here
            grader = prepared_grader(problem, self.config, variant)
        else:
            grader = Grader(problem.variant(variant), self.config, timing=Timing.from_dict(stored))
        with self._lock:
            self._graders[key] = grader
            while len(self._graders) > GRADER_CACHE_SIZE:
                self._graders.popitem(last=False)
        return grader


def test_rows(result: GradeResult) -> list[dict[str, object]]:
    """The per-test rows stored with a submission (a hidden test's message left out)."""
    return [
        {
            "test_name": t.name,
            "verdict": t.verdict,
            "time": t.time,
            "memory": t.memory,
            "message": student_message(t),
        }
        for t in result.tests
    ]


def outcome_from_result(result: GradeResult) -> Outcome:
    return Outcome(
        SubmissionStatus.DONE,
        verdict=result.verdict,
        score=result.score,
        grade=result.grade,
        feedback=feedback_html(result),
        compiler_output=result.compile_output,
        tests=test_rows(result),
        error_reason=result.message if result.verdict == Verdict.IE else "",
    )


def feedback_html(result: GradeResult) -> str:
    """Student feedback: the verdict, and details only of tests they may see."""
    lines = [
        f"<p><b>{html.escape(result.verdict.description.capitalize())}</b>"
        f" ({result.score:g}/{result.max_score:g})</p>"
    ]
    if result.verdict == Verdict.CE:
        lines.append(f"<pre>{html.escape(result.compile_output[:8000])}</pre>")
    if (
        result.verdict == Verdict.IE
    ):  # the reason (error_reason) is for staff: it may name the package's files
        lines.append(f"<p>{html.escape(IE_FOR_STUDENTS)}</p>")
    shown = [t for t in result.tests if t.visible or t.revealed or t.verdict != Verdict.AC]
    if shown:
        lines.append("<ul>")
        for test in shown:
            lines.append(
                f"<li>{html.escape(_student_line(test, result.tests.index(test)))}{_image(test)}</li>"
            )
        lines.append("</ul>")
    return "\n".join(lines)


def _student_line(test: TestResult, index: int) -> str:
    """A visible test with its message; a hidden one by number and verdict only (audit M1: its
    exit code or a checker's words let a student rebuild the secret input)."""
    if test.visible or test.revealed:
        return f"{test.name}: {test.verdict.value} {test.message}".rstrip()
    return f"hidden test {index + 1}: {test.verdict.value}"


def _image(test: TestResult) -> str:
    """A graphic test's difference image (a PNG data URL the judge made), for a visible test."""
    if not test.image or not (test.visible or test.revealed):
        return ""
    return f'<br><img alt="difference with the expected image" src="{html.escape(test.image)}">'


def student_message(test: TestResult) -> str:
    """What the per-test row stored with the submission says: nothing more for a hidden test."""
    return test.message if test.visible or test.revealed else ""
