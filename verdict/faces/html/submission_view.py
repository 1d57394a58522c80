"""A student's own submission as the pages show it: its code, its state while it is graded, the
rows of the tests the student may see, and the difference between two of them.

* **State.** The row's status (waiting, being graded, done or could not be graded) and, while it
  is graded, the progress the engine publishes to the row (:func:`progress`: compiling, or test
  *i* of *N*; counts only, never a test's name). The live view
  (:func:`verdict.faces.html.live.event_stream`) polls the row every :data:`POLL_SECONDS` and
  sends a server-sent event each time the state or the progress changes, then the result, and
  closes.
* **Tests.** The per-test rows stored with a submission include hidden tests (their verdict
  only). Only the rows of the visible tests (samples and public tests, as the package says) are
  shown; hidden tests are never listed, not even by name.
* **Code.** The program text of each program part (a code box, or an uploaded file that is text).
"""

from __future__ import annotations

import base64
import binascii
import difflib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from verdict.courses.jutge_quiz import is_pending, made_from_quiz
from verdict.courses.models import Task
from verdict.courses.subproblems import program_pids
from verdict.courses.task_view import problem_feedback_html
from verdict.faces.html import problem_content, quiz_view, statement_view
from verdict.settings import Settings
from verdict.submissions.models import Submission, SubmissionStatus, SubmissionTest
from verdict.submissions.progress import Progress, parse

POLL_SECONDS = 0.5
MAX_DIFF_LINES = 5000


@dataclass(frozen=True)
class Code:
    label: str  # the part's id, or the file name
    language: str
    text: str


@dataclass(frozen=True)
class DiffLine:
    kind: str  # "add" | "del" | "hunk" | "same" | "head"
    text: str


def state(submission: Submission) -> str:
    """waiting | grading | done | error | pending (open answers waiting for a teacher)."""
    if submission.status == SubmissionStatus.DONE and is_pending(submission):
        return "pending"
    return str(submission.status)


def progress(submission: Submission) -> Progress | None:
    """What the grading is doing now, while the submission is being graded (None: not known)."""
    return parse(submission.progress) if submission.status == SubmissionStatus.GRADING else None


def finished(submission: Submission) -> bool:
    return submission.status in (SubmissionStatus.DONE, SubmissionStatus.ERROR)


def codes(submission: Submission, task: Task | None) -> list[Code]:
    """The program text of the submission's program parts (or its source, outside a task)."""
    stored: Mapping[str, Any] = submission.input or {}
    found: list[Code] = []
    for pid in program_pids(task) if task is not None else []:
        value = stored.get(pid)
        language = str(stored.get(f"{pid}/language") or "")
        if isinstance(value, Mapping):
            text = _file_text(value)
            if text is not None:
                found.append(Code(str(value.get("filename") or pid), language, text))
        elif isinstance(value, str) and value:
            found.append(Code(pid, language, value))
    if not found and submission.source:
        found.append(Code(submission.problem_id or "", submission.language or "", submission.source))
    return found


def _file_text(value: Mapping[str, Any]) -> str | None:
    try:
        data = base64.b64decode(str(value.get("value", "")), validate=True)
        return data.decode("utf-8")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None  # an archive or a binary: not shown as text


def answers(
    submission: Submission,
    task: Task | None,
    shown: Mapping[str, Any] | None = None,
    blank: Callable[[int], str] = str,
) -> list[tuple[str, Any]]:
    """The student's own answers to the parts that are not programs (a quiz's), each with its
    question's name: as stored, a choice as its text; a Jutge quiz's as the texts the student was
    ``shown`` (their public view: :mod:`.quiz_view`)."""
    if task is None:
        return []
    programs = set(program_pids(task))
    quiz = shown if shown is not None and made_from_quiz(task.problems or {}) else None
    found: list[tuple[str, Any]] = []
    for pid, value in (submission.input or {}).items():
        if "/" in pid or pid.startswith("_") or pid in programs:
            continue
        text = quiz_view.answer_text(quiz[pid], value, blank) if quiz and pid in quiz else None
        found.append((_part_name(task, pid), text if text is not None else _answer_text(task, pid, value)))
    return found


def _part_name(task: Task, pid: str) -> str:
    problem = (task.problems or {}).get(pid)
    name = problem.get("name") if isinstance(problem, Mapping) else None
    return str(name) if name else pid


def _answer_text(task: Task, pid: str, value: Any) -> Any:
    """A multiple-choice answer as the texts of the choices picked (stored as original indices),
    their RST rendered as INGInious shows them (````stdio.h```` -> stdio.h)."""
    problem = (task.problems or {}).get(pid)
    if not isinstance(problem, Mapping) or problem.get("type") != "multiple_choice":
        return value
    choices = problem.get("choices") or []
    picked = value if isinstance(value, list) else [value]
    texts = [
        _choice_text(choices[index].get("text", index))
        if isinstance(index, int) and 0 <= index < len(choices) and isinstance(choices[index], Mapping)
        else str(index)
        for index in picked
    ]
    return "; ".join(texts)


def _choice_text(text: Any) -> str:
    return quiz_view.plain_text(statement_view.inline_rst(str(text))) or str(text)


def visible_tests(session: Session, settings: Settings, submission: Submission) -> list[SubmissionTest]:
    """The submission's test rows that the student may see: those of visible tests only."""
    if not submission.tests or submission.problem_version_id is None:
        return []
    package = problem_content.load(session, settings, submission.problem_version_id)
    if package is None:
        return []
    names = problem_content.visible_test_names(package, submission.variant)
    return [test for test in submission.tests if test.test_name in names]


def parts_feedback(submission: Submission) -> dict[str, str]:
    """pid -> the feedback of each part (text or HTML as the grader wrote it; shown escaped)."""
    return {pid: problem_feedback_html(value) for pid, value in (submission.problems_feedback or {}).items()}


def diff(old: Submission, new: Submission, task: Task | None) -> list[DiffLine]:
    """A unified diff of the code of two submissions (all their program parts, in order)."""
    lines: list[DiffLine] = []
    before = {code.label: code.text for code in codes(old, task)}
    after = {code.label: code.text for code in codes(new, task)}
    for label in dict.fromkeys([*before, *after]):
        for line in difflib.unified_diff(
            before.get(label, "").splitlines(),
            after.get(label, "").splitlines(),
            f"#{old.id} {label}",
            f"#{new.id} {label}",
            lineterm="",
        ):
            lines.append(DiffLine(_kind(line), line))
            if len(lines) >= MAX_DIFF_LINES:
                return lines
    return lines


def _kind(line: str) -> str:
    if line.startswith(("+++", "---")):
        return "head"
    if line.startswith("@@"):
        return "hunk"
    if line.startswith("+"):
        return "add"
    if line.startswith("-"):
        return "del"
    return "same"
