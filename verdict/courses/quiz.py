"""Grading an INGInious task: quiz parts in-process, program parts by the sandboxed judge
against the task's problem, combined into one grade 0–100 (the grader of
``SubmissionKind.TASK`` submissions, registered by ``verdict.platform.bootstrap``)."""

from __future__ import annotations

import html
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from verdict.courses.models import Task
from verdict.courses.subproblems import PROGRAM_TYPES, ProgramPart, program_parts, program_pids
from verdict.grading.engine import feedback_html
from verdict.grading.graders import Judge, NotGradable
from verdict.grading.service import Outcome
from verdict.judge.grader import GradeResult
from verdict.submissions.models import Submission, SubmissionStatus

RESULT_SEVERITY = ("error", "killed", "crash", "timeout", "overflow", "failed", "success")


@dataclass
class PartResult:
    """One sub-problem graded: ``score`` in 0–1, INGInious ``result``, HTML ``feedback``."""

    result: str
    score: float
    feedback: str
    judged: GradeResult | None = None
    messages: list[str] = field(default_factory=list)


def _paragraphs(messages: Iterable[str]) -> str:
    return "\n".join(f"<p>{html.escape(str(message))}</p>" for message in messages if str(message).strip())


def grade_multiple_choice(problem: Mapping[str, Any], answer: Any) -> PartResult:
    """INGInious's rule: single answer — the chosen choice is valid; multiple — exactly the valid
    choices are chosen. Feedback: the success or error message (default "Wrong answer") then the
    feedback of each chosen choice."""
    choices = [c if isinstance(c, Mapping) else {} for c in problem.get("choices") or []]
    chosen = [answer] if isinstance(answer, int) else [int(a) for a in answer or [] if str(a).isdigit()]
    chosen = [index for index in chosen if 0 <= index < len(choices)]
    if problem.get("multiple"):
        valid_set = {i for i, c in enumerate(choices) if c.get("valid")}
        correct = set(chosen) == valid_set
    else:
        correct = len(chosen) == 1 and bool(choices[chosen[0]].get("valid"))
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
    return PartResult(
        "success" if correct else "failed", 1.0 if correct else 0.0, _paragraphs(messages), messages=messages
    )


def grade_match(problem: Mapping[str, Any], answer: Any) -> PartResult:
    correct = str(answer or "").strip() == str(problem.get("answer", "")).strip()
    message = "Correct answer" if correct else "Invalid answer"
    return PartResult(
        "success" if correct else "failed",
        1.0 if correct else 0.0,
        _paragraphs([message]),
        messages=[message],
    )


def grade_program(
    judge: Judge, version_id: int | None, part: ProgramPart, problem: Mapping[str, Any]
) -> PartResult:
    if not part.source.strip():
        message = "Nothing was submitted for this part."
        return PartResult("failed", 0.0, _paragraphs([message]), messages=[message])
    if version_id is None:
        message = "This part cannot be graded: the task has no test cases."
        return PartResult("error", 0.0, _paragraphs([message]), messages=[message])
    judged = judge.judge(version_id, part.language, part.source)
    return PartResult(judged.inginious_result, judged.grade / 100.0, feedback_html(judged), judged=judged)


def grade_task(judge: Judge, submission: Submission) -> Outcome:
    """The task grader: every sub-problem of the task graded and combined. Sandbox and package
    errors propagate (the engine records an internal error)."""
    with judge.sessionmaker() as session:
        task = session.get(Task, submission.task_id)
        if task is None:
            raise NotGradable(f"submission {submission.id}: its task is gone")
        session.expunge(task)
    stored = dict(submission.input or {})
    programs = program_pids(task)
    if len(programs) == 1 and programs[0] not in stored and submission.source is not None:
        # Made by another face (e.g. Jutge) with the source on the submission itself.
        stored[programs[0]] = submission.source
        stored[f"{programs[0]}/language"] = submission.language or ""
    parts_by_pid = {part.pid: part for part in program_parts(task, stored)}
    results: dict[str, PartResult] = {}
    for pid, problem in (task.problems or {}).items():
        if not isinstance(problem, Mapping):
            continue
        kind = problem.get("type")
        if kind == "multiple_choice":
            results[pid] = grade_multiple_choice(problem, stored.get(pid))
        elif kind == "match":
            results[pid] = grade_match(problem, stored.get(pid))
        elif kind in PROGRAM_TYPES:
            results[pid] = grade_program(judge, submission.problem_version_id, parts_by_pid[pid], problem)
    return combine(results)


def combine(results: Mapping[str, PartResult]) -> Outcome:
    """One outcome from the graded parts: grade = 100 × mean part score; result ``success`` when
    every part succeeded, else the most severe part result; global feedback sums it up."""
    if not results:
        return Outcome(
            SubmissionStatus.ERROR, verdict="IE", result="error", error_reason="the task has no problems"
        )
    parts = list(results.values())
    grade = round(100.0 * sum(p.score for p in parts) / len(parts), 2)
    result = min(
        (p.result for p in parts), key=lambda r: RESULT_SEVERITY.index(r) if r in RESULT_SEVERITY else 0
    )
    judged = [p.judged for p in parts if p.judged is not None]
    if len(parts) == 1 and judged:
        verdict, score = judged[0].verdict.value, judged[0].score
    else:
        failing = [j.verdict.value for j in judged if j.verdict.value not in ("AC", "WA", "SC", "PE")]
        verdict = "AC" if result == "success" else failing[0] if failing else "WA" if grade == 0 else "SC"
        score = grade
    correct = sum(1 for p in parts if p.result == "success")
    summary = (
        f"<p><b>{'All answers are correct' if result == 'success' else 'Some answers are wrong'}</b>: "
        f"{correct} of {len(parts)} part(s) correct, grade {grade:g}/100.</p>"
    )
    feedback = summary
    if len(parts) == 1 and judged:
        feedback = parts[0].feedback
    compile_output = "\n".join(j.compile_output for j in judged if j.compile_output)
    tests: list[dict[str, object]] = []
    if len(judged) == 1:
        tests = [
            {
                "test_name": t.name,
                "verdict": t.verdict.value,
                "time": t.time,
                "memory": t.memory,
                "message": t.message,
            }
            for t in judged[0].tests
        ]
    return Outcome(
        SubmissionStatus.DONE,
        verdict=verdict,
        score=score,
        grade=grade,
        result=result,
        feedback=feedback,
        problems_feedback={pid: [p.result, p.feedback] for pid, p in results.items()},
        compiler_output=compile_output,
        tests=tests,
        error_reason=next((j.message for j in judged if j.verdict.value == "IE"), ""),
    )
