"""Grading an INGInious task: quiz parts in-process, program parts by the sandboxed judge
against the task's problem, combined into one grade 0–100 (the grader of
``SubmissionKind.TASK`` submissions, registered by ``verdict.platform.bootstrap``).

Jutge quiz tasks (:mod:`verdict.courses.jutge_quiz`) are graded by the same code: their
questions are sub-problems, graded on the student's own variables (the scripts run again, in the
sandbox, with the student's seed), each weighing its ``score``. A task with an open answer not yet
graded by a teacher is *pending*: done, with no verdict and no grade, until a teacher grades it."""

from __future__ import annotations

import html
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from verdict.accounts.models import User
from verdict.courses.inginious_run import grade_run_script, is_run_script_task, previous_state
from verdict.courses.jutge_quiz import (
    PENDING,
    QUIZ_KEY,
    QUIZ_PART_TYPES,
    TEACHER_KEY,
    grade_part,
    multiple_choice_partial,
)
from verdict.courses.models import Task
from verdict.courses.rst_feedback import rst_source
from verdict.courses.subproblems import PROGRAM_TYPES, ProgramPart, program_parts, program_pids
from verdict.courses.task_view import ChoiceOrder
from verdict.grading.engine import feedback_html, test_rows
from verdict.grading.graders import Judge, NotGradable
from verdict.grading.service import Outcome
from verdict.judge.grader import GradeResult
from verdict.judge.sandbox import SandboxConfig
from verdict.judge.verdicts import Verdict
from verdict.submissions.models import Submission, SubmissionStatus

# Program verdicts that are only a wrong answer, partly or wholly: a multi-part task's verdict is
# the first program verdict that is not one of these (a compile error, a time limit ...).
PASSABLE = (Verdict.AC, Verdict.WA, Verdict.SC, Verdict.PE)


@dataclass
class PartResult:
    """One sub-problem graded: its verdict (AC or WA for a quiz part, the judge's for a program),
    ``score`` in 0–1, HTML ``feedback``."""

    verdict: Verdict
    score: float
    feedback: str
    judged: GradeResult | None = None
    messages: list[str] = field(default_factory=list)
    weight: float = 1.0  # in the task's grade: a Jutge question's score, else 1
    pending: bool = False  # an open answer waiting for a teacher


def _paragraphs(messages: Iterable[str]) -> str:
    return "\n".join(f"<p>{html.escape(str(message))}</p>" for message in messages if str(message).strip())


def grade_multiple_choice(problem: Mapping[str, Any], answer: Any) -> PartResult:
    """INGInious's rule: single answer — the chosen choice is valid; multiple — exactly the valid
    choices are chosen. Feedback: the success or error message (default "Wrong answer") then the
    feedback of each chosen choice: reStructuredText in an INGInious task, as INGInious renders
    them (kept as source, rendered when shown); a Jutge quiz's hints are plain text."""
    choices = [c if isinstance(c, Mapping) else {} for c in problem.get("choices") or []]
    chosen = [answer] if isinstance(answer, int) else [int(a) for a in answer or [] if str(a).isdigit()]
    chosen = [index for index in chosen if 0 <= index < len(choices)]
    if problem.get("multiple"):
        valid_set = {i for i, c in enumerate(choices) if c.get("valid")}
        correct = set(chosen) == valid_set
    else:
        correct = len(chosen) == 1 and bool(choices[chosen[0]].get("valid"))
    partial = multiple_choice_partial(choices, chosen) if problem.get("partial_answer") else None
    messages = [str(choices[i]["feedback"]) for i in chosen if choices[i].get("feedback")]
    if correct:
        if problem.get("success_message"):
            messages.insert(0, str(problem["success_message"]))
    elif problem.get("error_message"):
        messages.insert(0, str(problem["error_message"]))
    elif problem.get("multiple"):
        messages.insert(0, "Wrong answer. Make sure to select all the valid possibilities")
    else:
        messages.insert(0, "Wrong answer")
    result = _quiz_part(correct, messages, rst=QUIZ_KEY not in problem)
    if partial is not None and not correct:
        result.score = partial
    return result


def grade_match(problem: Mapping[str, Any], answer: Any) -> PartResult:
    correct = str(answer or "").strip() == str(problem.get("answer", "")).strip()
    return _quiz_part(correct, ["Correct answer" if correct else "Invalid answer"], rst=True)


def _quiz_part(correct: bool, messages: list[str], rst: bool) -> PartResult:
    """Messages as INGInious's multiple-choice agent makes its feedback: paragraphs of RST."""
    feedback = rst_source("\n\n".join(m for m in messages if m.strip())) if rst else _paragraphs(messages)
    return PartResult(
        Verdict.AC if correct else Verdict.WA,
        1.0 if correct else 0.0,
        feedback,
        messages=messages,
    )


def grade_program(
    judge: Judge,
    version_id: int | None,
    part: ProgramPart,
    problem: Mapping[str, Any],
    variant: str | None = None,
) -> PartResult:
    if not part.source.strip():
        message = "Nothing was submitted for this part."
        return PartResult(Verdict.WA, 0.0, _paragraphs([message]), messages=[message])
    if version_id is None:
        message = "This part cannot be graded: the task has no test cases."
        return PartResult(Verdict.IE, 0.0, _paragraphs([message]), messages=[message])
    judged = judge.judge(version_id, part.language, part.source, variant=variant)
    return PartResult(judged.verdict, judged.grade / 100.0, feedback_html(judged), judged=judged)


def grade_jutge_part(problem: Mapping[str, Any], answer: Any, seed: str, teacher: Any) -> PartResult:
    graded = grade_part(problem, answer, seed, teacher)
    verdict = Verdict.AC if graded.correct else Verdict.WA if graded.score == 0 else Verdict.SC
    return PartResult(
        verdict, graded.score, _paragraphs(graded.messages), messages=graded.messages, pending=graded.pending
    )


def _weight(problem: Mapping[str, Any]) -> float:
    score = problem.get("score")
    return float(score) if isinstance(score, int | float) and not isinstance(score, bool) else 1.0


@dataclass(frozen=True)
class TaskGrader:
    """The task grader, with what a Jutge quiz needs: the server's secret (the students' seeds)
    and the sandbox (their variable scripts). Registered by ``verdict.platform.bootstrap``."""

    secret: str = ""
    sandbox: SandboxConfig | None = None
    data_dir: Path | None = None  # where run-script tasks keep their files (verdict.courses.inginious_run)

    def __call__(self, judge: Judge, submission: Submission) -> Outcome:
        return grade_task(judge, submission, self)


def grade_task(judge: Judge, submission: Submission, grader: TaskGrader | None = None) -> Outcome:
    """The task grader: every sub-problem of the task graded and combined. Sandbox and package
    errors propagate (the engine records an internal error)."""
    grader = grader or TaskGrader()
    with judge.sessionmaker() as session:
        task = session.get(Task, submission.task_id)
        if task is None:
            raise NotGradable(f"submission {submission.id}: its task is gone")
        user = session.get(User, submission.user_id) if submission.user_id is not None else None
        course_slug = task.course.slug
        scripted = is_run_script_task(task)
        state = previous_state(session, task, submission) if scripted else ""
        session.expunge(task)
        username = user.username if user else ""
    if scripted:  # graded by its INGInious run script, in the sandbox
        supervision = judge.current_supervision()
        return grade_run_script(task, course_slug, submission, username, grader, supervision, state)
    order = ChoiceOrder(grader.secret, username, submission.user_id, grader.sandbox)
    stored = dict(submission.input or {})
    programs = program_pids(task)
    if len(programs) == 1 and programs[0] not in stored and submission.source is not None:
        # Made by another face (e.g. Jutge) with the source on the submission itself.
        stored[programs[0]] = submission.source
        stored[f"{programs[0]}/language"] = submission.language or ""
    parts_by_pid = {part.pid: part for part in program_parts(task, stored)}
    results: dict[str, PartResult] = {}
    teacher_scores = stored.get(TEACHER_KEY)
    teacher = teacher_scores if isinstance(teacher_scores, Mapping) else {}
    for pid, problem in order.personal(task).items():
        if not isinstance(problem, Mapping):
            continue
        kind = problem.get("type")
        if kind in QUIZ_PART_TYPES:
            results[pid] = grade_jutge_part(problem, stored.get(pid), order.seed(task, pid), teacher.get(pid))
        elif kind == "multiple_choice":
            results[pid] = grade_multiple_choice(problem, stored.get(pid))
        elif kind == "match":
            results[pid] = grade_match(problem, stored.get(pid))
        elif kind in PROGRAM_TYPES:
            results[pid] = grade_program(
                judge, submission.problem_version_id, parts_by_pid[pid], problem, submission.variant
            )
        if pid in results:
            results[pid].weight = _weight(problem)
    return combine(results)


def _verdict_of_parts(all_correct: bool, judged: list[GradeResult], grade: float) -> Verdict:
    if all_correct:
        return Verdict.AC
    failing = [j.verdict for j in judged if j.verdict not in PASSABLE]
    return failing[0] if failing else Verdict.WA if grade == 0 else Verdict.SC


def combine(results: Mapping[str, PartResult]) -> Outcome:
    """One outcome from the graded parts: grade = 100 × mean part score; AC when every part is,
    else the first judge failure (CE, TLE ...) of a program part, else WA (grade 0) or SC; the
    global feedback sums it up. Each part's verdict is kept with its feedback (``problems_feedback``
    maps pid → [verdict, html]), so a face can name every part's outcome in its own words."""
    if not results:
        return Outcome(SubmissionStatus.ERROR, verdict=Verdict.IE, error_reason="the task has no problems")
    parts = list(results.values())
    total_weight = sum(p.weight for p in parts)
    grade = round(100.0 * sum(p.score * p.weight for p in parts) / total_weight, 2) if total_weight else 0.0
    all_correct = all(p.verdict == Verdict.AC for p in parts)
    judged = [p.judged for p in parts if p.judged is not None]
    if len(parts) == 1 and judged:
        verdict, score = judged[0].verdict, judged[0].score
    else:
        failing = [j.verdict for j in judged if j.verdict not in PASSABLE]
        verdict = (
            Verdict.AC if all_correct else failing[0] if failing else Verdict.WA if grade == 0 else Verdict.SC
        )
        score = grade
    correct = sum(1 for p in parts if p.verdict == Verdict.AC)
    feedback = (
        f"<p><b>{'All answers are correct' if all_correct else 'Some answers are wrong'}</b>: "
        f"{correct} of {len(parts)} part(s) correct, grade {grade:g}/100.</p>"
    )
    if len(parts) == 1 and judged:
        feedback = parts[0].feedback
    if any(p.pending for p in parts):
        return _pending(results, feedback)
    return Outcome(
        SubmissionStatus.DONE,
        verdict=verdict,
        score=score,
        grade=grade,
        feedback=feedback,
        problems_feedback={pid: [p.verdict.value, p.feedback] for pid, p in results.items()},
        compiler_output="\n".join(j.compile_output for j in judged if j.compile_output),
        tests=test_rows(judged[0]) if len(judged) == 1 else [],
        error_reason=next((j.message for j in judged if j.verdict == Verdict.IE), ""),
    )


def _pending(results: Mapping[str, PartResult], feedback: str) -> Outcome:
    """Done, but neither verdict nor grade until a teacher grades the open answers."""
    waiting = sum(1 for p in results.values() if p.pending)
    return Outcome(
        SubmissionStatus.DONE,
        feedback=f"<p><b>Pending</b>: {waiting} answer(s) wait for a teacher's grade.</p>" + feedback,
        problems_feedback={
            pid: [PENDING if p.pending else p.verdict.value, p.feedback] for pid, p in results.items()
        },
    )
